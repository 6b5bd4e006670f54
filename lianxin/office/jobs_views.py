"""导入与任务: every command a clerk needs, from the browser. One generic page per kind of long job (an import: the
file, its expected columns and a template; an export: its filters), the job's page with a progress bar that
polls a small JSON endpoint (static/office/jobs.js; the state is in the database, so a reload shows it again), the
cancel button, the result file, and a rejected import's errors as a table.

Thin: lianxin.ops.longjobs starts, cancels, scopes and serves the jobs; a kind added there appears here.
Its `urlpatterns` (under jobs/) are part of lianxin/office/urls.py's.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from lianxin.core.errors import DomainError, NotFound
from lianxin.core.tabular import MAX_FILE_BYTES, write_xlsx
from lianxin.core.uploads import body_limit
from lianxin.office.access import office_required
from lianxin.ops.longjobs import (
    KINDS,
    JobKind,
    Param,
    job_cancel,
    job_file_open,
    job_get_visible_to,
    job_list_visible_to,
    job_start,
    kinds_for,
    may_cancel,
)
from lianxin.ops.models import JobStatus, LongJob

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The largest sheet an import reads, and a megabyte for the rest of the form: a larger body is refused unread.
UPLOAD_MAX_BYTES = MAX_FILE_BYTES + 1024 * 1024
LIST_LENGTH = 50


def _kind_or_404(user: Any, name: str) -> JobKind:
    kind = KINDS.get(name)
    if kind is None or not kind.may_start(user):
        raise Http404
    return kind


def _job_or_404(user: Any, job_id: int) -> LongJob:
    try:
        return job_get_visible_to(user=user, job_id=job_id)
    except NotFound:
        raise Http404 from None


def _field(param: Param) -> forms.Field:
    common: dict[str, Any] = {"label": param.label, "required": param.required, "help_text": param.help}
    if param.kind == "year":
        return forms.IntegerField(min_value=2000, max_value=2100, **common)
    if param.kind == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if param.kind == "choice":
        return forms.ChoiceField(choices=[("", "全部"), *param.choices], **common)
    if param.kind == "region":
        return forms.RegexField(regex=r"^\d{12}$", error_messages={"invalid": "应为12位区划代码"}, **common)
    return forms.CharField(max_length=200, **common)


def _form_class(kind: JobKind) -> type[forms.Form]:
    fields: dict[str, forms.Field] = {param.name: _field(param) for param in kind.params}
    if kind.upload:
        fields["file"] = forms.FileField(
            label="Excel 或 CSV 文件", help_text="支持 .xlsx 和 .csv（UTF-8 或 GB18030），首行为表头"
        )
    return type(f"{kind.name}_form", (forms.Form,), fields)


def _params(form: forms.Form, kind: JobKind) -> dict[str, Any]:
    """Form values as JSON-ready params (dates as ISO text); the kind's own `clean` checks them."""
    out: dict[str, Any] = {}
    for param in kind.params:
        value = form.cleaned_data.get(param.name)
        if value not in (None, ""):
            out[param.name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


@office_required
def jobs_list(request: HttpRequest) -> HttpResponse:
    jobs = list(job_list_visible_to(request.user)[:LIST_LENGTH])
    for job in jobs:
        job.kind_label = KINDS[job.kind].label if job.kind in KINDS else job.kind  # type: ignore[attr-defined]
    kinds = kinds_for(request.user)
    return render(
        request,
        "office/jobs/list.html",
        {
            "jobs": jobs,
            "user_id": request.user.pk,
            "imports": [kind for kind in kinds if kind.upload],
            "exports": [kind for kind in kinds if not kind.upload],
        },
    )


@office_required
@body_limit(UPLOAD_MAX_BYTES)
def job_new(request: HttpRequest, kind_name: str) -> HttpResponse:
    kind = _kind_or_404(request.user, kind_name)
    form_class = _form_class(kind)
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = None
        if kind.upload:
            file = form.cleaned_data["file"]
            upload = (file.name, file.read())
        try:
            job = job_start(actor=request.user, kind=kind.name, params=_params(form, kind), upload=upload)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已提交“{kind.label}”，后台处理中，可离开本页，稍后在“导入与任务”中查看")
            return HttpResponseRedirect(reverse("office:job", args=[job.pk]))
    return render(request, "office/jobs/new.html", {"kind": kind, "form": form})


@office_required
def job_template(request: HttpRequest, kind_name: str) -> HttpResponse:
    """The import's sheet with its headers and no rows, ready to fill in."""
    kind = _kind_or_404(request.user, kind_name)
    if not kind.columns:
        raise Http404
    response = HttpResponse(write_xlsx(kind.columns, [], title=kind.label), content_type=XLSX)
    response["Content-Disposition"] = _attachment(f"{kind.label}-模板.xlsx")
    return response


def _attachment(name: str) -> str:
    return content_disposition_header(True, name) or "attachment"


def _status(job: LongJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": JobStatus(job.status).label,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "message": job.message,
        "finished": job.finished,
        "cancel_requested": job.cancel_requested,
        "errors": len(job.errors),
        "result_url": reverse("office:job_download", args=[job.pk]) if job.result_path else None,
    }


@office_required
def job_page(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_or_404(request.user, job_id)
    kind = KINDS.get(job.kind)
    return render(
        request,
        "office/jobs/job.html",
        {
            "job": job,
            "kind": kind,
            "label": kind.label if kind else job.kind,
            "status": _status(job),
            "may_cancel": may_cancel(request.user, job),
            "may_restart": kind is not None and kind.may_start(request.user),
        },
    )


@office_required
def job_status(request: HttpRequest, job_id: int) -> JsonResponse:
    """What the page's progress bar polls: small, never cached."""
    response = JsonResponse(_status(_job_or_404(request.user, job_id)))
    response["Cache-Control"] = "no-store"
    return response


@office_required
@require_POST
def job_cancel_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_or_404(request.user, job_id)
    try:
        job = job_cancel(actor=request.user, job=job)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        done = job.status == JobStatus.CANCELLED
        messages.success(
            request, "任务已取消" if done else "已请求取消，任务将在当前步骤结束后停止，导入的内容不会写入"
        )
    return HttpResponseRedirect(reverse("office:job", args=[job.pk]))


@office_required  # type: ignore[arg-type]  # typed for HttpResponse; a FileResponse streams the file
def job_download(request: HttpRequest, job_id: int) -> FileResponse:
    job = _job_or_404(request.user, job_id)
    try:
        handle = job_file_open(job)
    except NotFound:
        raise Http404 from None
    content_type = XLSX if job.result_name.endswith(".xlsx") else "application/octet-stream"
    return FileResponse(handle, as_attachment=True, filename=job.result_name, content_type=content_type)


urlpatterns = [
    path("jobs/", jobs_list, name="jobs"),
    path("jobs/new/<slug:kind_name>/", job_new, name="job_new"),
    path("jobs/new/<slug:kind_name>/template.xlsx", job_template, name="job_template"),
    path("jobs/<int:job_id>/", job_page, name="job"),
    path("jobs/<int:job_id>/status/", job_status, name="job_status"),
    path("jobs/<int:job_id>/cancel/", job_cancel_view, name="job_cancel"),
    path("jobs/<int:job_id>/download/", job_download, name="job_download"),
]
