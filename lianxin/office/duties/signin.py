"""The sign-in code of an activity as the organiser shows it: a QR code for the screen (SVG) and the A4 sign-in
sheet to print (the code large, then the invited deputies with a line each to sign by hand, for those without a
phone). The code opens the deputy's sign-in page of the workbench."""

import io

import segno
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from lianxin.core.errors import DomainError
from lianxin.duties.models import Activity, Attendance
from lianxin.office.duties.common import activity_or_404, duties_required, signin_url
from lianxin.publicweb import printing


def qr_svg(url: str) -> bytes:
    """As portal/qr.py draws the public codes (medium error correction; office and portal are siblings)."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="svg", scale=8, border=4, xmldecl=True, title="签到二维码")
    return out.getvalue()


@duties_required
def activity_qr(request: HttpRequest, pk: int) -> HttpResponse:
    activity = activity_or_404(request, pk)
    url = signin_url(request, activity)
    response = HttpResponse(qr_svg(url), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"  # a renewed code must show at once
    return response


def sheet_pdf(activity: Activity, url: str) -> bytes:
    width = printing.content_width()
    when = f"{timezone.localtime(activity.starts_at):%Y年%m月%d日 %H:%M}—{timezone.localtime(activity.ends_at):%H:%M}"
    where = " ".join(x for x in [activity.place.name if activity.place else "", activity.location] if x)
    rows = [
        [str(n), a.deputy.name, "", "已签到" if a.status == "present" else ""]
        for n, a in enumerate(
            Attendance.objects.filter(activity=activity).select_related("deputy").order_by("deputy__name_stroke_key"),
            start=1,
        )
    ]
    story = [
        printing.para(f"{activity.get_kind_display()}签到表", 18, color=printing.RED),
        printing.para(activity.title, 14),
        printing.para(f"时间：{when}　地点：{where or activity.region.name}", 10, color=printing.GREY),
        Spacer(1, 4 * mm),
        printing.QRCode(url, "代表请用手机扫码签到\n（签到时间：开始前1小时至结束后2小时）", size=70 * mm),
        Spacer(1, 4 * mm),
        printing.table(
            ["序号", "代表姓名", "本人签名", "备注"], rows or [["", "", "", ""]], printing.widths(width, 1, 3, 5, 3)
        ),
    ]
    return printing.render(story, title=f"{activity.title}签到表", footer=f"{activity.title} 签到表")


@duties_required
def activity_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    activity = activity_or_404(request, pk)
    url = signin_url(request, activity)
    try:
        pdf = sheet_pdf(activity, url)
    except DomainError as exc:  # no CJK font on this machine
        return HttpResponse(exc.message, status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="signin-{activity.pk}.pdf"'
    return response


urlpatterns = [
    path("<int:pk>/qr.svg", activity_qr, name="duty_activity_qr"),
    path("<int:pk>/sheet.pdf", activity_sheet, name="duty_activity_sheet"),
]
