"""廉情线索 in the office: the list (numbers, points, statuses, dates: no subject or text), a clue's page (audited),
its actions, attachments (audited downloads), entering a clue, the clues workbook (audited per clue), and a reporter's
own clues (status only). Every write is a function of lianxin.integrity; this module collects fields and shows
answers."""

from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.core.errors import DomainError, NotFound, PermissionDenied
from lianxin.core.tabular import Column, Date, Text, write_xlsx
from lianxin.deputies.models import Deputy
from lianxin.integrity import selectors, services
from lianxin.integrity.audit import READ, audit_clue, trail
from lianxin.integrity.models import ClueStatus, MonitoringPoint
from lianxin.integrity.workflow import ClueAction, available_actions, clue_transition
from lianxin.office.integrity.common import XLSX, integrity_required, logged_in


def _clue(request: HttpRequest, pk: int, where: str) -> Any:
    try:
        return selectors.clue_get_for_staff(user=request.user, pk=pk, where=where)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@integrity_required
def clue_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    status = request.GET.get("status", "")
    point = request.GET.get("point", "")
    try:
        year = int(request.GET.get("year") or 0) or None
    except ValueError:
        year = None
    clues = selectors.clue_list(user=user, status=status, point_id=point, year=year)
    everything = selectors.clues_managed_by(user)
    counts = selectors.counts_by_status(selectors.clue_list(user=user, point_id=point, year=year))
    return render(
        request,
        "office/integrity/clues.html",
        {
            "clues": clues.order_by("-created_at", "-id")[:300],
            "statuses": [(s, ClueStatus(s).label, counts[s]) for s in ClueStatus.values],
            "status": status,
            "points": selectors.points_managed_by(user).order_by("region__path", "name"),
            "point": point,
            "years": selectors.years_of(everything, today),
            "year": year,
            "query": request.GET.urlencode(),
        },
    )


class MultipleFiles(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe); the service checks their number, types and sizes."""

    widget = MultipleFiles

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return super().clean(data, initial)


class ClueForm(forms.Form):
    point: forms.ModelChoiceField = forms.ModelChoiceField(label="监测点", queryset=MonitoringPoint.objects.none())
    deputy = forms.ModelChoiceField(label="反映代表（选填）", queryset=Deputy.objects.none(), required=False)
    subject = forms.CharField(label="反映对象（单位、职务）", required=False, max_length=200)
    text = forms.CharField(label="线索内容", required=False, widget=forms.Textarea(attrs={"rows": 6}))
    attachments = MultipleFileField(label="附件（选填，最多5个）", required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        points = selectors.points_managed_by(user).filter(is_active=True).order_by("region__path", "name")
        self.fields["point"].queryset = points  # type: ignore[attr-defined]
        self.fields["deputy"].queryset = Deputy.objects.filter(integrity_points__in=points).distinct()  # type: ignore[attr-defined]


@integrity_required
def clue_new(request: HttpRequest) -> HttpResponse:
    form = ClueForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            clue = services.clue_report(
                actor=request.user,
                point=data["point"],
                subject=data["subject"],
                text=data["text"],
                deputy=data["deputy"],
                files=request.FILES.getlist("attachments"),
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"线索已登记，编号 {clue.number}")
            return redirect("office:integrity_clue", clue.pk)
    return render(request, "office/integrity/clue_new.html", {"form": form})


@logged_in
def clue_page(request: HttpRequest, pk: int) -> HttpResponse:
    clue = _clue(request, pk, "线索详情")
    return render(request, "office/integrity/clue.html", _clue_context(request, clue))


def _clue_context(request: HttpRequest, clue: Any, failed: str = "", error: str = "") -> dict[str, Any]:
    return {
        "clue": clue,
        "reporter": selectors.reporter_name(clue),
        "actions": available_actions(request.user, clue),
        "checks": clue.checks.all(),
        "events": clue.events.select_related("actor"),
        "attachments": clue.attachments.all(),
        "trail": trail(clue),
        "failed": failed,
        "error": error,
        "posted": request.POST if failed else {},
        "today": timezone.localdate(),
    }


@require_POST
@logged_in
def clue_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    clue = _clue(request, pk, f"操作：{action}")
    if action == "attach":
        try:
            services.clue_attach(actor=request.user, clue=clue, files=request.FILES.getlist("files"))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("office:integrity_clue", clue.pk)
    if action not in ClueAction.values:
        raise Http404(selectors.CLUE_NOT_FOUND)
    try:
        clue_transition(clue=clue, action=action, actor=request.user, params=request.POST.dict())
    except DomainError as exc:
        if isinstance(exc, NotFound | PermissionDenied):
            raise Http404(exc.message) from exc
        context = _clue_context(request, clue, failed=action, error=exc.message)
        return render(request, "office/integrity/clue.html", context, status=400)
    messages.success(request, f"{ClueAction(action).label}已记录")
    return redirect("office:integrity_clue", clue.pk)


@logged_in
def clue_file(request: HttpRequest, pk: int, file_id: int) -> FileResponse:
    clue = _clue(request, pk, f"下载附件 {file_id}")
    attachment = clue.attachments.filter(pk=file_id).first()
    if attachment is None:
        raise Http404("未找到该附件")
    audit_clue(actor=request.user, action=READ, clue=clue, note=f"下载附件 {attachment.pk}")
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


EXPORT_COLUMNS = [
    Column("编号", "number", parse=Text()),
    Column("监测点", "point", parse=Text()),
    Column("区划", "region", parse=Text()),
    Column("报告日期", "reported_at", parse=Date()),
    Column("报告人", "reporter", parse=Text()),
    Column("反映对象", "subject", parse=Text()),
    Column("线索内容", "text", parse=Text()),
    Column("状态", "status", parse=Text()),
    Column("互通登记号", "register_ref", parse=Text()),
    Column("联合督查", "checks", parse=Text()),
    Column("移送回执号", "receipt_number", parse=Text()),
    Column("移送日期", "transferred_on", parse=Date()),
    Column("纪委反馈", "feedback", parse=Text()),
    Column("了结原因", "closed_reason", parse=Text()),
]


@integrity_required
def clue_export(request: HttpRequest) -> HttpResponse:
    """The clues of the list's filters as .xlsx, each clue's read audited."""
    user: Any = request.user
    try:
        year = int(request.GET.get("year") or 0) or None
    except ValueError:
        year = None
    clues = selectors.clue_list(
        user=user, status=request.GET.get("status", ""), point_id=request.GET.get("point"), year=year
    ).order_by("created_at", "id")
    rows = list(selectors.clue_export_rows(user=user, clues=clues))
    response = HttpResponse(write_xlsx(EXPORT_COLUMNS, rows, title="廉情线索"), content_type=XLSX)
    filename = f"廉情线索台账-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "no-store"
    return response


@logged_in
def my_clues(request: HttpRequest) -> HttpResponse:
    """A reporter's own clues, status only (a point's staff member who uses the office)."""
    return render(
        request,
        "office/integrity/mine.html",
        {"clues": selectors.clue_list_reported_by(request.user), "points": selectors.points_of_member(request.user)},
    )


urlpatterns = [
    path("", clue_list, name="integrity"),
    path("clues/new/", clue_new, name="integrity_clue_new"),
    path("clues/export.xlsx", clue_export, name="integrity_export"),
    path("clues/<int:pk>/", clue_page, name="integrity_clue"),
    path("clues/<int:pk>/<str:action>/", clue_act, name="integrity_clue_act"),
    path("clues/<int:pk>/files/<int:file_id>/", clue_file, name="integrity_clue_file"),
    path("mine/", my_clues, name="integrity_mine"),
]
