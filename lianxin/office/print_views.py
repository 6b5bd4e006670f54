"""打印材料: the paper a clerk prints for the people with no screen — each village's monthly notice-board sheet (公告栏)
and each place's registers (三册两簿一记录) — listed for the region the clerk chooses, with the township's posters.

Every region and place is looked up inside the user's scope (outside is a 404, the same as not existing). The
notice board prints only public content, so view_registry in the region is enough; the registers are a staff
document: handle_cases in the place's region to print them, and view_contacts there for the people's names and
phones (portal/registers.py leaves them out otherwise)."""

import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.cases.noticeboard import month_parse, noticeboard_for
from lianxin.cases.registers import registers_for
from lianxin.core.errors import DomainError
from lianxin.office.access import office_required
from lianxin.regions.models import Region, RegionLevel
from lianxin.venues.models import Place


def _month(request: HttpRequest) -> datetime.date:
    text = request.GET.get("month", "")
    try:
        return month_parse(text) if text else timezone.localdate().replace(day=1)
    except DomainError:
        return timezone.localdate().replace(day=1)


def _region(user: Any, code: str) -> Region:
    region = Region.objects.visible_to(user).filter(code=code).first()
    if region is None:
        raise Http404("未找到该区划，或不在您的管辖范围内")
    return region


def _pdf(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _font_missing(error: DomainError) -> HttpResponse:
    return HttpResponse(error.message, status=503, content_type="text/plain; charset=utf-8")


@office_required
def print_index(request: HttpRequest) -> HttpResponse:
    """The villages of the chosen region (by default the widest the user holds), grouped by township, each with its
    notice board and its places' registers; the townships with their posters."""
    user: Any = request.user  # logged in (office_required)
    roots = list(Region.objects.filter(path__in=user.scope_paths(Perm.VIEW_REGISTRY)).order_by("path"))
    if not roots and not user.is_superuser:
        raise Http404("没有可打印的区划")
    code = request.GET.get("region") or (roots[0].code if roots else "")
    region = _region(user, code) if code else Region.objects.filter(parent__isnull=True).order_by("path").first()
    if region is None:
        raise Http404("没有可打印的区划")
    month = _month(request)
    villages = list(
        Region.objects.filter(path__startswith=region.path, level=RegionLevel.VILLAGE)
        .select_related("parent")
        .order_by("path")
    )
    places: dict[int, list[Place]] = {}
    for place in (
        Place.objects.visible_to(user)
        .filter(region__path__startswith=region.path, is_active=True)
        .select_related("region")
        .order_by("kind", "name", "id")
    ):
        places.setdefault(place.region_id, []).append(place)
    townships: list[dict] = []
    for village in villages:
        if not townships or townships[-1]["region"].pk != village.parent_id:
            township = village.parent
            townships.append(
                {
                    "region": township,
                    "homes": places.get(township.pk, []) if township else [],
                    "villages": [],
                }
            )
        townships[-1]["villages"].append({"region": village, "places": places.get(village.pk, [])})
    return render(
        request,
        "office/print/index.html",
        {
            "region": region,
            "roots": roots,
            "children": list(region.children.order_by("path")) if region.level != RegionLevel.VILLAGE else [],
            "month": month,
            "month_value": f"{month:%Y-%m}",
            "townships": townships,
            "may_registers": may(user, Perm.HANDLE_CASES),
        },
    )


@office_required
def print_noticeboard(request: HttpRequest, code: str, month: str) -> HttpResponse:
    region = _region(request.user, code)
    try:
        first = month_parse(month)
    except DomainError:
        raise Http404("月份格式应为 2026-11") from None
    try:
        pdf = noticeboard_for(region=region, month=first)
    except DomainError as error:
        return _font_missing(error)
    return _pdf(pdf, f"noticeboard-{region.code}-{first:%Y-%m}.pdf")


@office_required
def print_registers(request: HttpRequest, place_id: int) -> HttpResponse:
    """?month=2026-11 (default this month), or ?from=2026-01-01&to=2026-06-30."""
    user = request.user
    place = Place.objects.visible_to(user).filter(pk=place_id).select_related("region", "grid__region").first()
    if place is None or not may(user, Perm.HANDLE_CASES, place.region.path):
        raise Http404("未找到该家站室，或不在您的管辖范围内")
    try:
        start = datetime.date.fromisoformat(request.GET["from"])
        end = datetime.date.fromisoformat(request.GET["to"])
    except (KeyError, ValueError):
        start = _month(request)
        end = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
    if end < start or (end - start).days > 366:
        raise Http404("时期应在一年以内，且截止不早于起始")
    with_contacts = may(user, Perm.VIEW_CONTACTS, place.region.path)
    try:
        pdf = registers_for(user=user, place=place, start=start, end=end, with_contacts=with_contacts)
    except DomainError as error:
        return _font_missing(error)
    return _pdf(pdf, f"registers-{place.public_code}-{start}-{end}.pdf")


# Added to the office's urlpatterns (office/urls.py).
urlpatterns = [
    path("print/", print_index, name="print"),
    path("print/noticeboard/<str:code>/<str:month>.pdf", print_noticeboard, name="print_noticeboard"),
    path("print/registers/<int:place_id>.pdf", print_registers, name="print_registers"),
]
