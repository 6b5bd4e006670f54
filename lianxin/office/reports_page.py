"""统计报表: the monthly, quarterly and yearly reports (lianxin.insight.reports) of the regions where the user
supervises cases, with their PDF and .xlsx, and a form to make one now for a region and period in scope.

Made inline: a county of the demo takes about a second (its figures, each township's, the PDF and the workbook);
the rollups of a later step keep it so at province scale, otherwise this becomes a long job (lianxin.ops.longjobs).
A report or region outside the user's scope is a 404, as one that does not exist."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from lianxin.accounts.permissions import may
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.insight.models import PeriodKind
from lianxin.insight.reports import (
    FORMAT_HINT,
    REPORT_PERM,
    period_parse,
    report_filename,
    report_generate,
    report_get_visible_to,
    report_regions_for,
    reports_visible_to,
)
from lianxin.office.access import office_required

PAGE_SIZE = 50


class GenerateForm(forms.Form):
    region = forms.ChoiceField(label="区划")
    period = forms.CharField(label="统计期间", max_length=10, help_text=FORMAT_HINT.replace("应为 ", "如 "))

    def __init__(self, *args: Any, regions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(r.code, f"{r.name}（{r.get_level_display()}）") for r in regions]


def _none(request: HttpRequest) -> HttpResponse:
    return render(request, "office/reports/none.html", status=403)


@office_required
def reports_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may(user, REPORT_PERM):
        return _none(request)
    regions = list(report_regions_for(user))
    return _list(request, GenerateForm(regions=regions, initial={"region": regions[0].code if regions else ""}))


def _list(request: HttpRequest, form: GenerateForm, status: int = 200) -> HttpResponse:
    reports = reports_visible_to(request.user)
    kind = request.GET.get("kind", "")
    if kind in PeriodKind.values:
        reports = reports.filter(kind=kind)
    region = request.GET.get("region", "").strip()
    if region:
        reports = reports.filter(region__code=region)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "kinds": PeriodKind.choices, "kind": kind, "region": region}
    return render(request, "office/reports/list.html", context, status=status)


@office_required
@require_POST
def reports_generate(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may(user, REPORT_PERM):
        return _none(request)
    regions = list(report_regions_for(user))
    form = GenerateForm(request.POST, regions=regions)
    if not form.is_valid():
        if "region" in form.errors and request.POST.get("region"):
            raise Http404  # a region outside the scope answers like an unknown one
        return _list(request, form, status=400)
    region = next(r for r in regions if r.code == form.cleaned_data["region"])
    try:
        period = period_parse(form.cleaned_data["period"])
        report = report_generate(region=region, period=period, actor=user)
    except PermissionDenied as exc:
        raise Http404 from exc
    except DomainError as exc:
        form.add_error("period" if exc.field == "period" else None, exc.message)
        return _list(request, form, status=400)
    messages.success(request, f"已生成{report}")
    return HttpResponseRedirect(reverse("office:reports") + f"#report-{report.pk}")


def _download(request: HttpRequest, pk: int, field: str, suffix: str) -> FileResponse:
    report = report_get_visible_to(user=request.user, pk=pk)
    if report is None:
        raise Http404
    file = getattr(report, field)
    if not file.name or not file.storage.exists(file.name):
        raise Http404
    return FileResponse(file.open("rb"), as_attachment=True, filename=report_filename(report, suffix))


@office_required  # type: ignore[arg-type]  # typed for HttpResponse; a FileResponse streams the file
def report_pdf_download(request: HttpRequest, pk: int) -> FileResponse:
    return _download(request, pk, "pdf", ".pdf")


@office_required  # type: ignore[arg-type]  # typed for HttpResponse; a FileResponse streams the file
def report_xlsx_download(request: HttpRequest, pk: int) -> FileResponse:
    return _download(request, pk, "xlsx", ".xlsx")


# Included by lianxin/office/urls.py under reports/.
urlpatterns = [
    path("", reports_list, name="reports"),
    path("generate/", reports_generate, name="reports_generate"),
    path("<int:pk>/report.pdf", report_pdf_download, name="report_pdf"),
    path("<int:pk>/report.xlsx", report_xlsx_download, name="report_xlsx"),
]
