"""The dashboards' reads beyond `figures` (lianxin.insight.figures): the breakdowns by deputy, place and grid, a
grid's own figures, trends by day, week or month with the page's filters, residents per child region or grid (for
cases per 10,000 residents), the overdue and supervised cases behind the figures, the common problems (routing's
hotspots), and a deputy's or a place's own figures for the workbench.

The breakdowns and the trends read the rollups: an unfiltered township's, county's, city's or province's deputies
and places from the slices, the rest from the per-case facts (which keep the deputy and the place; joined to their
case for its grid), so they count by the measures of `figures` and `case_statistics`: overdue is the flagged cases
plus those waiting now past the deadline of their step, read live. A deputy's and a place's figures are few cases,
counted live from the cases by the same definitions.
"""

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from lianxin.accounts.roles import Perm
from lianxin.cases import permissions as p
from lianxin.cases.deadlines import late_in_round_q, late_open_q, waiting_past_due_q
from lianxin.cases.models import (
    RESOLVED_STATUSES,
    Case,
    Category,
    Channel,
    Handling,
    ReceptionSession,
    ResponsibleUnit,
    Status,
)
from lianxin.cases.reports import SATISFIED, Breakdown, WorkdayCounter
from lianxin.core.scoping import region_scope_q
from lianxin.deputies.models import Deputy
from lianxin.insight.figures import (
    SLICE_LEVELS,
    WAITING_STATUSES,
    Figures,
    Filters,
    Sums,
    breakdown_from_sums,
    mean,
    ratio,
    slice_sums,
    totals_from_sums,
)
from lianxin.insight.rollup_models import MEASURES, CaseFact
from lianxin.regions.models import Grid, Region, RegionLevel
from lianxin.regions.selectors import RegionNotFound
from lianxin.routing.selectors import hotspot_candidates
from lianxin.venues.models import Place
from lianxin.workdays.calendar import CHINA

LEVEL_COLUMN = {
    RegionLevel.PROVINCE: "province_id",
    RegionLevel.PREFECTURE: "city_id",
    RegionLevel.COUNTY: "county_id",
    RegionLevel.TOWNSHIP: "township_id",
}
# The breakdowns of this module: the case's field and the label of "none".
CASE_DIMS = {"deputy": "未经代表", "place": "非家站室渠道", "grid": "未定网格"}
STEPS = ("day", "week", "month")
NO_FILTERS = Filters()


def check_scope(user: Any, region: Region) -> None:
    """As `figures`: SYSTEM, or staff whose scope of handling cases covers the region; RegionNotFound otherwise."""
    if user is p.SYSTEM:
        return
    if not Region.objects.filter(pk=region.pk).filter(region_scope_q(user, "path", Perm.HANDLE_CASES)).exists():
        raise RegionNotFound(region.code)


def _bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=CHINA)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=CHINA)
    return low, high


def grid_area(grid: Grid) -> Region:
    """Where a grid's cases are looked for: the township of its village (a grid belongs to one lead village but
    may cover its neighbours, whose cases name the grid too)."""
    village = grid.region
    parent = village.parent
    return parent if parent is not None and parent.level == RegionLevel.TOWNSHIP else village


def _facts(region: Region, filters: Filters, grid: Grid | None = None) -> QuerySet[CaseFact]:
    if grid is not None:
        region = grid_area(grid)
    if region.level == RegionLevel.VILLAGE:
        qs = CaseFact.objects.filter(region_id=region.pk)
    else:
        qs = CaseFact.objects.filter(**{LEVEL_COLUMN[RegionLevel(region.level)]: region.pk})
    if grid is not None:
        qs = qs.filter(case__grid_id=grid.pk)
    if filters.category is not None:
        qs = qs.filter(category_id=filters.category.pk)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.unit_id is not None:
        qs = qs.filter(unit_id=filters.unit_id)
    return qs


def _cases(region: Region, filters: Filters, grid: Grid | None = None) -> QuerySet[Case]:
    if grid is not None:
        region = grid_area(grid)
    qs = Case.objects.filter(region__path__startswith=region.path)
    if grid is not None:
        qs = qs.filter(grid=grid)
    if filters.category is not None:
        qs = qs.filter(category=filters.category)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.unit_id is not None:
        qs = qs.filter(unit_id=filters.unit_id)
    return qs


def _zero() -> Sums:
    return dict.fromkeys((*MEASURES, "overdue"), 0)


def _grouped(
    region: Region, start: datetime.date, end: datetime.date, filters: Filters, key: str | None, grid: Grid | None
) -> dict[Any, Sums]:
    """Sums per value of `key` (a fact's column, or a case's field through `case__`; None: one group under None),
    with the cases waiting now past due (not flagged) added to `overdue`. "None" is 0 for an id. An unfiltered
    township, county, city or province reads its deputies and places from the slices; the rest from the facts."""
    out: dict[Any, Sums] = defaultdict(_zero)
    if grid is None and not filters and region.level in SLICE_LEVELS and key in ("deputy_id", "place_id"):
        dim = key.removesuffix("_id")
        for value, sums in slice_sums(region, start, end, [dim])[dim].items():
            out[int(value) if value else 0] = sums
    else:
        facts = _facts(region, filters, grid).filter(month__range=(start.replace(day=1), end))
        measures = {name: Sum(name) for name in MEASURES}
        rows: Iterable[dict[str, Any]] = (
            facts.values(key).annotate(**measures).order_by() if key else [facts.aggregate(**measures)]
        )
        for row in rows:
            if not row.get("received"):
                continue
            group = out[(0 if row[key] is None else row[key]) if key else None]
            for name in MEASURES:
                group[name] += row[name] or 0
    low, high = _bounds(start, end)
    waiting = _cases(region, filters, grid).filter(
        waiting_past_due_q(timezone.now()),
        status__in=WAITING_STATUSES,  # as figures: through the partial index of the open, unflagged cases
        is_overdue=False,
        registered_at__gte=low,
        registered_at__lt=high,
    )
    case_key = key.removeprefix("case__") if key else None
    if case_key is None:
        out[None]["overdue"] += waiting.count()
    else:
        for value, n in waiting.values_list(case_key).annotate(n=Count("pk")).order_by():
            out[0 if value is None and case_key.endswith("_id") else value]["overdue"] += n
    return dict(out)


def _sorted(items: list[Breakdown]) -> list[Breakdown]:
    return sorted(items, key=lambda item: (-item.received, item.key == "", item.label))  # as cases.reports


def _labels(dim: str, ids: list[int]) -> dict[int, str]:
    model: Any = {"deputy": Deputy, "place": Place, "grid": Grid}[dim]
    return dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))


def case_breakdown(
    *,
    user: Any,
    region: Region,
    start: datetime.date,
    end: datetime.date,
    dim: str,
    filters: Filters = NO_FILTERS,
    grid: Grid | None = None,
) -> list[Breakdown]:
    """The cases of `region` registered from the month of `start` to the end of the month of `end`, by the
    deputy who received them, the place where, or their grid (`dim`); key: the id ("" for none), largest first."""
    check_scope(user, region)
    groups = _grouped(
        region, start, end, filters, f"{dim}_id" if dim in ("deputy", "place") else f"case__{dim}_id", grid
    )
    names = _labels(dim, [pk for pk in groups if pk])
    return _sorted(
        [
            breakdown_from_sums(str(pk) if pk else "", names.get(pk, "") if pk else CASE_DIMS[dim], s)
            for pk, s in groups.items()
            if s["received"]
        ]
    )


def grid_figures(
    *, user: Any, grid: Grid, start: datetime.date, end: datetime.date, filters: Filters = NO_FILTERS
) -> Figures:
    """The figures of the cases of one grid (the level under the village), as `figures` gives a region's (no
    child regions)."""
    village = grid.region
    check_scope(user, village)
    total = _grouped(village, start, end, filters, None, grid).get(None, _zero())
    by_category = _grouped(village, start, end, filters, "category_id", grid)
    ids = [k for k in by_category if k]
    categories = {
        pk: (code, name) for pk, code, name in Category.objects.filter(pk__in=ids).values_list("pk", "code", "name")
    }
    by_unit = _grouped(village, start, end, filters, "unit_id", grid)
    units = dict(ResponsibleUnit.objects.filter(pk__in=[k for k in by_unit if k]).values_list("pk", "name"))
    by_channel = _grouped(village, start, end, filters, "channel", grid)
    channels = dict(Channel.choices)

    def items(groups: dict[Any, Sums], key: Any, label: Any) -> list[Breakdown]:
        return _sorted([breakdown_from_sums(key(k), label(k), s) for k, s in groups.items() if s["received"]])

    return Figures(
        region_code=grid.code,
        region_name=grid.name,
        start=start,
        end=end,
        totals=totals_from_sums(total),
        by_category=items(
            by_category, lambda k: categories.get(k, ("", ""))[0], lambda k: categories.get(k, ("", "未分类"))[1]
        ),
        by_unit=items(by_unit, lambda k: str(k) if k else "", lambda k: units.get(k, "未交办承办单位")),
        by_channel=items(by_channel, lambda k: k, lambda k: str(channels.get(k, k))),
    )


def grid_breakdown(
    *, user: Any, village: Region, start: datetime.date, end: datetime.date, filters: Filters = NO_FILTERS
) -> list[Breakdown]:
    """A village's cases by grid (key: the grid's code, "" for none)."""
    check_scope(user, village)
    groups = _grouped(village, start, end, filters, "case__grid_id", None)
    codes = dict(Grid.objects.filter(pk__in=[k for k in groups if k]).values_list("pk", "code"))
    names = _labels("grid", [k for k in groups if k])
    return _sorted(
        [
            breakdown_from_sums(codes.get(k, "") if k else "", names.get(k, "") if k else CASE_DIMS["grid"], s)
            for k, s in groups.items()
            if s["received"]
        ]
    )


# --- trends ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    start: datetime.date
    end: datetime.date
    label: str
    received: int
    resolved: int


def trend_range(step: str, start: datetime.date, end: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The days a trend covers: the period itself by day or week; by month the twelve months up to its end."""
    if step != "month":
        return start, end
    first = end.replace(day=1)
    year, month = first.year, first.month - 11
    if month < 1:
        year, month = year - 1, month + 12
    return datetime.date(year, month, 1), end


def trend(
    *,
    user: Any,
    region: Region,
    start: datetime.date,
    end: datetime.date,
    step: str,
    filters: Filters = NO_FILTERS,
    grid: Grid | None = None,
    daily: list[Any] | None = None,
) -> list[TrendPoint]:
    """Cases received and resolved per day, week (from Monday, cut at the range's ends) or month over
    `trend_range(step, start, end)`, every point present (zeros too). `daily`: figures_daily's rows for that range
    when the caller has them (the whole region, unfiltered); otherwise the facts are read with the filters."""
    check_scope(user, region if grid is None else grid.region)
    low, high = trend_range(step, start, end)
    per_day: dict[datetime.date, tuple[int, int]] = {}
    if daily is not None:
        per_day = {row.day: (row.received, row.resolved) for row in daily}
    else:
        rows = (
            _facts(region, filters, grid)
            .filter(day__range=(low, high))
            .values("day")
            .annotate(received=Sum("received"), resolved=Sum("resolved"))
            .order_by()
        )
        per_day = {row["day"]: (row["received"] or 0, row["resolved"] or 0) for row in rows}
    points: list[TrendPoint] = []
    day = low
    while day <= high:
        if step == "day":
            last = day
            label = f"{day.month}月{day.day}日"
        elif step == "week":
            last = min(high, day + datetime.timedelta(days=6 - day.weekday()))
            label = f"{day.month}月{day.day}日起"
        else:
            following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            last = min(high, following - datetime.timedelta(days=1))
            label = f"{day.year}年{day.month}月"
        received = resolved = 0
        current = day
        while current <= last:
            a, b = per_day.get(current, (0, 0))
            received, resolved = received + a, resolved + b
            current += datetime.timedelta(days=1)
        points.append(TrendPoint(day, last, label, received, resolved))
        day = last + datetime.timedelta(days=1)
    return points


# --- residents, cases behind the figures, common problems ---------------------------------------------------------


def population_by_child(region: Region) -> dict[str, int]:
    """Residents (the grids' population summed up the tree) per child region's code; for a village, per grid
    code."""
    if region.level == RegionLevel.VILLAGE:
        return dict(Grid.objects.filter(region=region).values_list("code", "population"))
    depth = len([code for code in region.path.split("/") if code])
    out: dict[str, int] = defaultdict(int)
    rows = Grid.objects.filter(region__path__startswith=region.path).values_list("region__path", "population")
    for path, population in rows:
        codes = [code for code in path.split("/") if code]
        if len(codes) > depth:
            out[codes[depth]] += population
    return dict(out)


def population_of(region: Region) -> int:
    return Grid.objects.filter(region__path__startswith=region.path).aggregate(n=Coalesce(Sum("population"), 0))["n"]


def overdue_cases(
    *,
    user: Any,
    region: Region,
    start: datetime.date,
    end: datetime.date,
    filters: Filters = NO_FILTERS,
    grid: Grid | None = None,
    limit: int = 10,
) -> tuple[list[Case], int]:
    """Open cases registered in the period and late now (the case list's 已超期 queue), the oldest deadline first,
    at most `limit`, and how many there are."""
    low, high = _bounds(start, end)
    qs = (
        Case.objects.visible_to(user)
        .filter(pk__in=_cases(region, filters, grid).values("pk"))
        .filter(late_open_q(timezone.now()), registered_at__gte=low, registered_at__lt=high)
    )
    return list(qs.select_related("region", "unit").order_by("registered_at", "id")[:limit]), qs.count()


def supervised_cases(
    *,
    user: Any,
    region: Region,
    start: datetime.date,
    end: datetime.date,
    filters: Filters = NO_FILTERS,
    grid: Grid | None = None,
    limit: int = 10,
) -> tuple[list[Case], int]:
    """Cases under supervision now (督办中), registered in the period, oldest first; at most `limit`, and how
    many."""
    low, high = _bounds(start, end)
    qs = (
        Case.objects.visible_to(user)
        .filter(pk__in=_cases(region, filters, grid).values("pk"))
        .filter(status=Status.SUPERVISING, registered_at__gte=low, registered_at__lt=high)
    )
    return list(qs.select_related("region", "unit").order_by("registered_at", "id")[:limit]), qs.count()


@dataclass(frozen=True)
class Problem:
    name: str
    messages: int
    people: int
    case_ids: list[int]


PROBLEMS_CACHE_SECONDS = 300  # as the office's 普遍问题线索 queue: grouping the titles is the slow part


def common_problems(*, user: Any, region: Region, days: int = 90, top: int = 5) -> list[Problem]:
    """Routing's common-problem candidates among the open cases of the region (the last `days` days), kept
    PROBLEMS_CACHE_SECONDS per region and scope of the user."""
    scope = "*" if user.is_superuser else "|".join(user.scope_paths(Perm.HANDLE_CASES))
    key = "insight:problems:" + hashlib.sha256(f"{region.pk}:{days}:{top}:{scope}".encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = [
            Problem(c.hotspot.name, c.hotspot.messages, c.hotspot.people, [case.pk for case in c.cases])
            for c in hotspot_candidates(user=user, days=days, top=top, region=region)
        ]
        cache.set(key, found, PROBLEMS_CACHE_SECONDS)
    return found


# --- a deputy's and a place's own figures (the workbench) ----------------------------------------------------------


@dataclass(frozen=True)
class OwnFigures:
    received: int
    accepted: int
    resolved: int
    resolution_rate: float | None
    average_handling_days: float | None
    overdue: int
    rated: int
    satisfied: int
    satisfaction_rate: float | None
    sessions: int  # reception sessions started in the period
    people_received: int  # their head count (closed sessions)


def _own(cases: QuerySet[Case], sessions: QuerySet[ReceptionSession], start: datetime.date, end: datetime.date) -> Any:
    low, high = _bounds(start, end)
    cases = cases.filter(registered_at__gte=low, registered_at__lt=high).order_by()
    accepted = ~Q(status=Status.REGISTERED) & ~Q(handling=Handling.DECLINED)
    counts = cases.aggregate(
        received=Count("pk"),
        accepted=Count("pk", filter=accepted),
        resolved=Count("pk", filter=accepted & Q(status__in=RESOLVED_STATUSES)),
        overdue=Count("pk", filter=late_in_round_q(timezone.now())),
        rated=Count("pk", filter=~Q(rating="")),
        satisfied=Count("pk", filter=Q(rating__in=SATISFIED)),
    )
    days = WorkdayCounter()
    timed = (
        cases.filter(accepted, status__in=RESOLVED_STATUSES, fed_back_at__isnull=False)
        .values_list("registered_at", "fed_back_at")
        .order_by()
    )
    durations = [days(a, b) for a, b in timed if b is not None]
    sessions = sessions.filter(started_at__gte=low, started_at__lt=high)
    return OwnFigures(
        received=counts["received"],
        accepted=counts["accepted"],
        resolved=counts["resolved"],
        resolution_rate=ratio(counts["resolved"], counts["accepted"]),
        average_handling_days=mean(sum(durations), len(durations)),
        overdue=counts["overdue"],
        rated=counts["rated"],
        satisfied=counts["satisfied"],
        satisfaction_rate=ratio(counts["satisfied"], counts["rated"]),
        sessions=sessions.count(),
        people_received=sessions.filter(ended_at__isnull=False).aggregate(n=Coalesce(Sum("people_received"), 0))["n"],
    )


def deputy_figures(*, deputy: Deputy, start: datetime.date, end: datetime.date) -> OwnFigures:
    """The cases that came to the deputy (registered from `start` to `end`) and the receptions they held."""
    return _own(Case.objects.filter(deputy=deputy), ReceptionSession.objects.filter(deputy=deputy), start, end)


def place_figures(*, place: Place, start: datetime.date, end: datetime.date) -> OwnFigures:
    """The cases received at the place (registered from `start` to `end`) and the receptions held there."""
    return _own(Case.objects.filter(place=place), ReceptionSession.objects.filter(place=place), start, end)


def own_by_month(*, cases: QuerySet[Case], months: list[datetime.date]) -> list[tuple[datetime.date, int, int]]:
    """(month, received, resolved) of `cases` for each first day of a month in `months`."""
    out = []
    for first in months:
        following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        low, high = _bounds(first, following - datetime.timedelta(days=1))
        qs = cases.filter(registered_at__gte=low, registered_at__lt=high).order_by()
        counts = qs.aggregate(
            received=Count("pk"),
            resolved=Count(
                "pk",
                filter=Q(status__in=RESOLVED_STATUSES) & ~Q(handling=Handling.DECLINED) & ~Q(status=Status.REGISTERED),
            ),
        )
        out.append((first, counts["received"], counts["resolved"]))
    return out
