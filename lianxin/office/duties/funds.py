"""履职经费: each deputy's allocation for a year, what was spent (with the receipt uploaded), and the balance; a
page per deputy to set the allocation and enter a spending; the year's funds of the user's region as an .xlsx
(lianxin.duties.exports.funds_xlsx). Writes go through fund_allocate and fund_spend."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from lianxin.core.errors import DomainError
from lianxin.deputies.models import Deputy
from lianxin.duties import services
from lianxin.duties.exports import funds_collect, funds_filename, funds_xlsx
from lianxin.duties.models import FundAllocation, FundEntry
from lianxin.office.duties.common import deputies_of, duties_required, managed_regions, refused, tabs, year_of
from lianxin.regions.models import Region

RECEIPT_TYPES = {".pdf", ".jpg", ".jpeg", ".png", ".ofd"}
RECEIPT_MAX_BYTES = 10 * 1024 * 1024
PAGE_SIZE = 200
ZERO = Decimal("0")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class FundRow:
    deputy: Deputy | None  # None: the totals
    allocated: Decimal | None  # None: no allocation set for the year
    spent: Decimal

    @property
    def balance(self) -> Decimal:
        return (self.allocated or ZERO) - self.spent


class SpendForm(forms.Form):
    spent_on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label="金额（元）", max_digits=10, decimal_places=2)
    purpose = forms.CharField(label="用途", max_length=200)
    receipt = forms.FileField(label="票据（PDF 或图片，选填）", required=False)

    def clean_receipt(self) -> Any:
        upload = self.cleaned_data.get("receipt")
        if not upload:
            return None
        name = upload.name or ""
        suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
        if suffix not in RECEIPT_TYPES:
            raise forms.ValidationError(f"不支持“{suffix or name}”，请上传 PDF 或图片")
        if (upload.size or 0) > RECEIPT_MAX_BYTES:
            raise forms.ValidationError("不能超过 10 MB")
        return upload


class AllocateForm(forms.Form):
    amount = forms.DecimalField(label="年度额度（元）", max_digits=10, decimal_places=2)


def _spent(deputy_ids: list[int], year: int) -> dict[int, Decimal]:
    rows = (
        FundEntry.objects.filter(deputy_id__in=deputy_ids, spent_on__year=year)
        .values("deputy_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {r["deputy_id"]: r["total"] for r in rows}


@duties_required
def funds_list(request: HttpRequest) -> HttpResponse:
    year = year_of(request, timezone.localdate().year)
    deputies = list(deputies_of(request.user)[:PAGE_SIZE])
    ids = [d.pk for d in deputies]
    allocated = dict(FundAllocation.objects.filter(deputy_id__in=ids, year=year).values_list("deputy_id", "amount"))
    spent = _spent(ids, year)
    rows = [FundRow(d, allocated.get(d.pk), spent.get(d.pk, ZERO)) for d in deputies]
    totals = FundRow(None, sum((r.allocated or ZERO for r in rows), ZERO), sum((r.spent for r in rows), ZERO))
    context = {
        "tabs": tabs(request),
        "year": year,
        "rows": rows,
        "totals": totals,
        "page_size": PAGE_SIZE,
        "export_region": _export_region(request),
    }
    return render(request, "office/duties/funds.html", context)


def _export_region(request: HttpRequest) -> Region | None:
    """The region whose funds are exported: `?region=<code>` among those the user manages duties in, by default the
    user's own (the widest of their grants)."""
    regions = managed_regions(request.user)
    code = request.GET.get("region", "")
    return regions.filter(code=code).first() if code else regions.first()


@duties_required
def funds_export(request: HttpRequest) -> HttpResponse:
    region = _export_region(request)
    if region is None:
        raise Http404("未找到该区划，或不在您的管辖范围内")
    try:
        table = funds_collect(actor=request.user, region=region, year=year_of(request, timezone.localdate().year))
    except DomainError as exc:
        refused(request, exc)
        raise
    response = HttpResponse(funds_xlsx(table), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, funds_filename(table)) or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response


def _deputy_or_404(request: HttpRequest, pk: int) -> Deputy:
    deputy = Deputy.objects.visible_to(request.user).filter(pk=pk).first()
    if deputy is None:
        raise Http404("未找到该代表，或不在您的管辖范围内")
    return deputy


@duties_required
def funds_deputy(request: HttpRequest, pk: int) -> HttpResponse:
    deputy = _deputy_or_404(request, pk)
    year = year_of(request, timezone.localdate().year)
    user: Any = request.user
    allocation = FundAllocation.objects.filter(deputy=deputy, year=year).first()
    allocate = AllocateForm(prefix="allocate", initial={"amount": allocation.amount if allocation else None})
    spend = SpendForm(prefix="spend", initial={"spent_on": timezone.localdate()})
    if request.method == "POST":
        here = reverse("office:duty_funds_deputy", args=[deputy.pk]) + f"?year={year}"
        try:
            if "allocate-amount" in request.POST:
                allocate = AllocateForm(request.POST, prefix="allocate")
                if allocate.is_valid():
                    services.fund_allocate(actor=user, deputy=deputy, year=year, amount=allocate.cleaned_data["amount"])
                    messages.success(request, f"已设定 {year} 年额度 {allocate.cleaned_data['amount']} 元")
                    return redirect(here)
            else:
                spend = SpendForm(request.POST, request.FILES, prefix="spend")
                if spend.is_valid():
                    data = spend.cleaned_data
                    services.fund_spend(
                        actor=user,
                        deputy=deputy,
                        spent_on=data["spent_on"],
                        amount=data["amount"],
                        purpose=data["purpose"],
                        receipt=data["receipt"],
                    )
                    messages.success(request, f"已登记支出 {data['amount']} 元")
                    return redirect(here)
        except DomainError as exc:
            refused(request, exc)
    entries = list(FundEntry.objects.filter(deputy=deputy, spent_on__year=year).order_by("-spent_on", "-id"))
    spent = sum((e.amount for e in entries), Decimal("0"))
    context = {
        "tabs": tabs(request),
        "deputy": deputy,
        "year": year,
        "allocation": allocation,
        "entries": entries,
        "spent": spent,
        "balance": (allocation.amount if allocation else Decimal("0")) - spent,
        "allocate": allocate,
        "spend": spend,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "office/duties/funds_deputy.html", context, status=status)


@duties_required  # type: ignore[arg-type]  # typed for HttpResponse, it returns a FileResponse
def funds_receipt(request: HttpRequest, pk: int) -> HttpResponseBase:
    entry = FundEntry.objects.filter(pk=pk, deputy__in=Deputy.objects.visible_to(request.user)).first()
    if entry is None or not entry.receipt:
        raise Http404("未找到该票据")
    name = (entry.receipt.name or "").rsplit("/", 1)[-1]
    response = FileResponse(entry.receipt.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("", funds_list, name="duty_funds"),
    path("export.xlsx", funds_export, name="duty_funds_export"),
    path("<int:pk>/", funds_deputy, name="duty_funds_deputy"),
    path("receipts/<int:pk>/", funds_receipt, name="duty_funds_receipt"),
]
