"""The monthly notice-board sheet (公告栏) of a village or community, for the people with no screen: the results
published that month in the area, the reception schedule of its places, the deputies who serve it and the QR
codes to find them — one A4 sheet (two when the month was busy), the Chinese font embedded.

What is printed is what /results/ shows and nothing more: the published (redacted) title and text, the
category, the unit, the day it was published. Never the receipt code, the person's own text, name or phone.
The published text is redacted once more on the way to paper, as a second lock on a notice pinned in public.

It lives in the domain (like projects/reports.py), below the interfaces that print it: the office's download, the
command line.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from reportlab.lib.units import mm

from lianxin.cases.models import RESOLVED_STATUSES, Case, Status
from lianxin.cases.redaction import redact
from lianxin.core.errors import DomainError
from lianxin.deputies.models import SERVING_STATUSES, Deputy, DutyShift, GridAssignment, Mandate, MandateLevel
from lianxin.deputies.schedule import ScheduleLine, schedule_lines
from lianxin.publicweb.printing import QRCode, content_width, heading, para, qr_grid, render, shorten, table, widths
from lianxin.regions.models import Region, RegionLevel
from lianxin.venues.models import Place, PlaceKind

# A schedule is a rhythm, not a month's dates: the roster is read four weeks either side of the month, so that a
# sheet printed on the 1st, or for a month the roster has not reached yet, still finds the weekly reception day.
SCHEDULE_MARGIN = datetime.timedelta(days=28)
SUMMARY_CHARS = 80
MAX_RESULTS = 30
MAX_CODES = 12
CODES_PER_ROW = 6
QR_SIZE = 24 * mm  # 0.7 mm a module for a public URL: a phone reads it at arm's length


@dataclass
class PlaceSchedule:
    place: Place
    lines: list[ScheduleLine]


@dataclass
class Noticeboard:
    region: Region
    month: datetime.date  # its first day
    results: list[Case]
    more_results: int  # published that month beyond MAX_RESULTS
    received: int  # registered in the area that month
    resolved: int
    places: list[PlaceSchedule]
    deputies: list[Deputy]


def month_parse(text: str) -> datetime.date:
    """'2026-11' → 2026-11-01; DomainError otherwise."""
    try:
        return datetime.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise DomainError("field_invalid", "月份: 请按 2026-11 的格式填写", field="month") from None


def _month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    start = timezone.make_aware(datetime.datetime.combine(month, datetime.time.min))
    return start, timezone.make_aware(datetime.datetime.combine(following, datetime.time.min))


def _places(region: Region) -> list[Place]:
    """The active places in the area; where it has none (a village without a station), the township's homes."""
    places = list(
        Place.objects.filter(region__path__startswith=region.path, is_active=True)
        .select_related("region")
        .order_by("kind", "name", "id")
    )
    if not places and region.parent_id is not None:
        places = list(
            Place.objects.filter(region_id=region.parent_id, kind=PlaceKind.HOME, is_active=True)
            .select_related("region")
            .order_by("name", "id")
        )
    return places


def _deputies(region: Region, places: list[Place]) -> list[Deputy]:
    """Serving deputies embedded in its grids, elected in it (district), or on the roster of its places."""
    path = region.path
    serving = Mandate.objects.filter(status__in=SERVING_STATUSES)
    return list(
        Deputy.objects.filter(id__in=serving.values("deputy_id"))
        .filter(
            Q(id__in=GridAssignment.objects.filter(grid__region__path__startswith=path).values("deputy_id"))
            | Q(id__in=serving.filter(district_region__path__startswith=path).values("deputy_id"))
            | Q(id__in=DutyShift.objects.filter(place__in=places).values("deputy_id"))
        )
        .prefetch_related(
            Prefetch("mandates", queryset=serving.select_related("congress_region").order_by("level", "-term")),
            Prefetch(
                "grid_assignments",
                queryset=GridAssignment.objects.filter(grid__region__path__startswith=path)
                .select_related("grid")
                .order_by("grid__code"),
            ),
        )
        .order_by("name", "id")
    )


def noticeboard_build(*, region: Region, month: datetime.date) -> Noticeboard:
    start, end = _month_bounds(month)
    published = (
        Case.objects.filter(status=Status.PUBLISHED, region__path__startswith=region.path)
        .filter(published_at__gte=start, published_at__lt=end)
        .select_related("category", "unit")
        .order_by("published_at", "id")
    )
    results = list(published[:MAX_RESULTS])
    counts = Case.objects.filter(
        region__path__startswith=region.path, registered_at__gte=start, registered_at__lt=end
    ).aggregate(received=Count("id"), resolved=Count("id", filter=Q(status__in=RESOLVED_STATUSES)))
    places = _places(region)
    shifts = (
        DutyShift.objects.filter(place__in=places)
        .filter(date__gte=month - SCHEDULE_MARGIN, date__lt=end.date() + SCHEDULE_MARGIN)
        .select_related("place", "deputy")
    )
    by_place: dict[int, list[DutyShift]] = {}
    for shift in shifts:
        by_place.setdefault(shift.place_id, []).append(shift)
    schedules = []
    for place in places:
        # One-off receptions are printed only when they fall in the month itself.
        lines = [
            line
            for line in schedule_lines(by_place.get(place.pk, []), by="")
            if line.recurring or (line.day and month <= line.day < end.date())
        ]
        schedules.append(PlaceSchedule(place=place, lines=lines))
    return Noticeboard(
        region=region,
        month=month,
        results=results,
        more_results=max(0, published.count() - len(results)) if len(results) == MAX_RESULTS else 0,
        received=counts["received"],
        resolved=counts["resolved"],
        places=schedules,
        deputies=_deputies(region, places),
    )


def _here(region: Region) -> str:
    """本村, 本社区, or 本地 for a region that is neither (a township's sheet)."""
    if region.level == RegionLevel.VILLAGE:
        return "本社区" if "社区" in region.name else "本村"
    return "本地"


LEVEL_ORDER = {level: n for n, level in enumerate(MandateLevel.values)}


def _level_order(item: tuple[tuple[str, str], list[str]]) -> tuple[int, str]:
    (level, label), _ = item
    return LEVEL_ORDER.get(level, len(LEVEL_ORDER)), label


def noticeboard_pdf(board: Noticeboard) -> bytes:
    region, month = board.region, board.month
    here = _here(region)
    width = content_width()
    story: list = [
        para(f"{region.name}人大代表联系群众公告栏", 22, align=1, leading=30),
        para(f"{month.year}年{month.month}月 · 接待有登记、登记有处理、处理有结果、结果有反馈", 11, align=1),
        para(" ", 6),
    ]

    story.append(heading(f"一、本月办理结果公开（{len(board.results) + board.more_results}件）"))
    story.append(
        para(f"本月{here}共收到群众意见建议{board.received}件，办结{board.resolved}件。以下为本月公开的办理结果：", 10)
    )
    if board.results:
        rows = [
            [
                str(n),
                f"{redact(case.public_title) or '办理结果'}\n{shorten(redact(case.public_text), SUMMARY_CHARS)}",
                case.category.name if case.category else "",
                case.unit.name if case.unit else "",
                f"{timezone.localtime(case.published_at):%m-%d}" if case.published_at else "",
            ]
            for n, case in enumerate(board.results, 1)
        ]
        story.append(
            table(["序号", "反映事项与办理结果", "类别", "承办单位", "公开"], rows, widths(width, 10, 54, 12, 16, 8))
        )
        if board.more_results:
            story.append(para(f"另有{board.more_results}件，请扫码查看“办理结果”。", 9))
    else:
        story.append(para("本月暂无公开的办理结果。", 10))

    story.append(heading("二、代表接待安排"))
    if board.places:
        rows = [
            [
                f"{s.place.name}\n{s.place.address}".strip(),
                "\n".join(line.when for line in s.lines) or s.place.opening_hours or "请扫码查看",
                "、".join(dict.fromkeys(name for line in s.lines for name in line.deputies)),
            ]
            for s in board.places
        ]
        story.append(table(["家站室", "接待时间", "接待代表"], rows, widths(width, 38, 34, 28)))
    else:
        story.append(para(f"{here}暂无代表家站室，可扫描代表二维码在线反映。", 10))

    story.append(heading(f"三、联系{here}的人大代表（{len(board.deputies)}名）"))
    if board.deputies:
        # One row per congress, the names side by side: a village has a dozen deputies and the sheet is one page.
        by_congress: dict[tuple[str, str], list[str]] = {}
        for deputy in board.deputies:
            for mandate in deputy.mandates.all():
                key = (mandate.level, f"{mandate.congress_region.name}人大代表")
                by_congress.setdefault(key, []).append(deputy.name)
        rows = [[label, "、".join(names)] for (_, label), names in sorted(by_congress.items(), key=_level_order)]
        story.append(table(["代表资格", "代表"], rows, widths(width, 24, 76)))
    else:
        story.append(para("暂无联系代表。", 10))

    # The places first (their page lists who is on duty), then the deputies who receive there, then the others.
    on_duty = {name for s in board.places for line in s.lines for name in line.deputies}
    deputies = sorted(board.deputies, key=lambda d: (d.name not in on_duty, d.name))
    codes = [QRCode(s.place.public_url, f"{shorten(s.place.name, 9)}\n扫码提意见", QR_SIZE) for s in board.places]
    codes += [QRCode(d.public_url, f"{d.name}代表\n扫码找代表", QR_SIZE) for d in deputies]
    if codes:
        story.append(heading("四、扫码找代表、提意见建议、查办理进度"))
        story.append(qr_grid(codes[:MAX_CODES], width, per_row=CODES_PER_ROW))
    return render(
        story,
        title=f"{region.name}{month.year}年{month.month}月公告栏",
        footer="连心 · 事事有回音，件件有落实 · 反映问题后凭查询码查进度",
    )


def noticeboard_for(*, region: Region, month: datetime.date) -> bytes:
    return noticeboard_pdf(noticeboard_build(region=region, month=month))
