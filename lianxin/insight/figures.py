"""The dashboards' figures, read from the rollups (lianxin.insight.rollups): cases.reports' measures for a region
and a range of whole months, with breakdowns by child region, category, unit and channel, filtered by category,
channel or unit, and the totals per day for a trend. Equal to `case_statistics(user=SYSTEM, region=…, start=…,
end=…)` once the worker has applied the case events (a round, seconds).

Where they are read (docs/decisions/0003-insight-rollups.md), per breakdown the coarsest table that has its columns
and the filters' (`_plan`), one GROUP BY per table:
- a county, city or province, unfiltered: PeriodSlice (a few rows a period), the range of months read as whole
  calendar years, quarters and the months left (`periods`);
- a county, city or province filtered by a category or a channel: CountyCube (period × county × category ×
  channel, the periods as the slices') for the totals, the child regions (a county's townships excepted), the categories and the channels;
  UnitCategoryCube or UnitChannelCube for the units, and for any breakdown filtered by a unit;
- a township unfiltered, its totals and villages: PeriodSlice (the township's own slices);
- a township's other breakdowns, and what the coarse cubes lack (a county's townships under a filter, two filters and the units):
  MonthlyCube;
- a village (and a township's breakdown by village under a filter): the per-case facts (CaseFact).
Overdue is the flagged cases from the rollups plus the cases not flagged but waiting now past the deadline of
their step, counted live from the cases through a partial index on the open, unflagged cases (cases migration
0010), in one statement.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Greatest, StrIndex, Substr
from django.db.models.sql.constants import GET_ITERATOR_CHUNK_SIZE
from django.utils import timezone

from lianxin.accounts.roles import Perm
from lianxin.cases import permissions as p
from lianxin.cases.deadlines import STEP_DEADLINES, waiting_past_due_q
from lianxin.cases.models import Case, Category, Channel, ResponsibleUnit
from lianxin.cases.reports import Breakdown
from lianxin.core.errors import DomainError
from lianxin.core.scoping import region_scope_q
from lianxin.insight.rollup_models import (
    MEASURES,
    TOWNSHIP_DIMS,
    CaseFact,
    CountyCube,
    DailyTotal,
    MonthlyCube,
    PeriodSlice,
    SliceDim,
    Span,
    UnitCategoryCube,
    UnitChannelCube,
)
from lianxin.regions.models import Region, RegionLevel
from lianxin.regions.selectors import RegionNotFound
from lianxin.workdays.calendar import CHINA

# The rollups' node levels (PeriodSlice, DailyTotal) and the cube's column of each level.
NODE_LEVELS = (RegionLevel.PROVINCE, RegionLevel.PREFECTURE, RegionLevel.COUNTY)
# The levels with daily totals and slices (a township's only by TOWNSHIP_DIMS: its totals, villages, deputies and
# places).
SLICE_LEVELS = (*NODE_LEVELS, RegionLevel.TOWNSHIP)
LEVEL_COLUMN = {
    RegionLevel.PROVINCE: "province_id",
    RegionLevel.PREFECTURE: "city_id",
    RegionLevel.COUNTY: "county_id",
    RegionLevel.TOWNSHIP: "township_id",
}
CHAIN = ("province_id", "city_id", "county_id", "township_id")
DIMS = ("child", "category", "unit", "channel")


@dataclass(frozen=True)
class FigureTotals:
    """cases.reports.Totals without the people received (sessions: a live query of their own)."""

    received: int
    pending: int
    declined: int
    accepted: int
    resolved: int
    resolution_rate: float | None
    timed: int
    average_handling_days: float | None
    overdue: int
    online: int
    online_share: float | None
    rated: int
    satisfied: int
    satisfaction_rate: float | None
    # Resolved within the deadlines of their round (resolved and not flagged overdue), and their share of the
    # resolved cases (按期办结率).
    on_time: int = 0
    on_time_rate: float | None = None


@dataclass(frozen=True)
class Filters:
    category: Category | None = None
    channel: str | None = None
    unit_id: int | None = None

    def __bool__(self) -> bool:
        return self.category is not None or bool(self.channel) or self.unit_id is not None

    def columns(self) -> set[str]:
        """The rollup columns these filters need."""
        return set(self.values())

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.category is not None:
            out["category_id"] = self.category.pk
        if self.channel:
            out["channel"] = self.channel
        if self.unit_id is not None:
            out["unit_id"] = self.unit_id
        return out


@dataclass(frozen=True)
class Figures:
    region_code: str
    region_name: str
    start: datetime.date
    end: datetime.date
    totals: FigureTotals
    # Breakdown as cases.reports' (keys: region code, category code, unit id, channel; "" for none / the region
    # itself), largest first.
    by_child: list[Breakdown] = field(default_factory=list)
    by_category: list[Breakdown] = field(default_factory=list)
    by_unit: list[Breakdown] = field(default_factory=list)
    by_channel: list[Breakdown] = field(default_factory=list)


@dataclass(frozen=True)
class DayFigures:
    day: datetime.date
    received: int
    accepted: int
    resolved: int
    online: int


Sums = dict[str, int]  # measure name → sum, plus "overdue"


# --- the entry points --------------------------------------------------------------------------------------------


def figures(
    *,
    user: Any,
    region: Region,
    start: datetime.date,
    end: datetime.date,
    category: Category | None = None,
    channel: str | None = None,
    unit_id: int | None = None,
) -> Figures:
    """The measures for the cases registered in `region` from the month of `start` (its first day) to that of `end`
    (its last day). `user`: SYSTEM, or staff whose scope of handling cases covers the region (the rollups count
    whole regions; a deputy's or a unit's share is case_statistics' to count)."""
    _check(user, region, start, end)
    filters = Filters(category=category, channel=channel or None, unit_id=unit_id)
    groups = _group_sums(region, start, end, filters)
    for dim, counts in _waiting_counts(region, start, end, filters).items():
        for key, count in counts.items():
            if key not in groups[dim]:
                groups[dim][key] = _zero()
            groups[dim][key]["overdue"] += count
    totals = groups[None].get("", _zero())
    labels = _labels(region, {dim: groups[dim].keys() for dim in DIMS})
    return Figures(
        region_code=region.code,
        region_name=region.name,
        start=start,
        end=end,
        totals=totals_from_sums(totals),
        by_child=_breakdowns(groups["child"], labels["child"]),
        by_category=_breakdowns(groups["category"], labels["category"]),
        by_unit=_breakdowns(groups["unit"], labels["unit"]),
        by_channel=_breakdowns(groups["channel"], labels["channel"]),
    )


def figures_daily(*, user: Any, region: Region, start: datetime.date, end: datetime.date) -> list[DayFigures]:
    """Cases received, accepted, resolved and online per registration day (only days with cases), oldest first."""
    _check(user, region, start, end)
    names = ("received", "accepted", "resolved", "online")
    if region.level in SLICE_LEVELS:
        rows = DailyTotal.objects.filter(node_id=region.pk, day__range=(start, end)).values("day", *names)
    else:
        rows = (
            _facts(region)
            .filter(day__range=(start, end))
            .values("day")
            .annotate(**{name: Sum(name) for name in names})
            .values("day", *names)
        )
    return [DayFigures(**row) for row in rows.order_by("day")]


def figures_totals_for_days(*, user: Any, region: Region, start: datetime.date, end: datetime.date) -> FigureTotals:
    """The totals for the cases registered in `region` on the days from `start` to `end` (any days, not whole
    months): from the daily totals for a county, city or province, from the facts below. For a period under way
    compared with the same days a year earlier."""
    _check(user, region, start, end, whole_months=False)
    days = {"day__range": (start, end)}
    if region.level in SLICE_LEVELS:
        sums = DailyTotal.objects.filter(node_id=region.pk, **days).aggregate(**_SUMS)
    else:
        sums = _facts(region).filter(**days).aggregate(**_SUMS)
    totals = {name: value or 0 for name, value in sums.items()}
    totals["overdue"] = _waiting_counts(region, start, end, Filters())[None].get("", 0)
    return totals_from_sums(totals)


def _check(user: Any, region: Region, start: datetime.date, end: datetime.date, *, whole_months: bool = True) -> None:
    if whole_months and (start.day != 1 or (end + datetime.timedelta(days=1)).day != 1):
        raise DomainError("period_invalid", "统计期间: 须为整月（从某月1日到某月最后一日）", field="start")
    if end < start:
        raise DomainError("period_invalid", "结束日期: 不能早于开始日期", field="end")
    if user is p.SYSTEM:
        return
    covered = Region.objects.filter(pk=region.pk).filter(region_scope_q(user, "path", Perm.HANDLE_CASES)).exists()
    if not covered:
        raise RegionNotFound(region.code)


# --- sums from the rollups ---------------------------------------------------------------------------------------


def _zero() -> Sums:
    return dict.fromkeys((*MEASURES, "overdue"), 0)


_SUMS = {name: Sum(name) for name in MEASURES}


def _facts(region: Region) -> QuerySet[CaseFact]:
    if region.level == RegionLevel.VILLAGE:
        return CaseFact.objects.filter(region_id=region.pk)
    return CaseFact.objects.filter(**{LEVEL_COLUMN[RegionLevel(region.level)]: region.pk})


# The tables a breakdown can be read from, coarsest first, with the key columns each has besides the region chain.
# The coarse cubes keep the chain down to the county only (a township only where it has no county).
_COARSE = (
    (CountyCube, {"category_id", "channel"}),
    (UnitChannelCube, {"unit_id", "channel"}),
    (UnitCategoryCube, {"unit_id", "category_id"}),
)
_FINE = (MonthlyCube, {"category_id", "unit_id", "channel"})
_COARSE_MODELS = {model for model, _ in _COARSE}


def _dim_columns(region: Region, dim: str | None) -> list[str]:
    """The columns to group by for `dim` (None: the totals)."""
    if dim is None:
        return []
    if dim in ("category", "unit"):
        return [f"{dim}_id"]
    if dim == "channel":
        return ["channel"]
    if region.level == RegionLevel.TOWNSHIP:  # its villages, from the facts
        return ["region_id"]
    if region.level == RegionLevel.VILLAGE:
        return []
    return list(CHAIN[CHAIN.index(LEVEL_COLUMN[RegionLevel(region.level)]) + 1 :])


def _plan(region: Region, filters: Filters) -> dict[Any, list[str | None]]:
    """Per table, the breakdowns (None: the totals) read from it: for each, the coarsest table having the columns
    of the breakdown and of the filters and able to select the region."""
    level = RegionLevel(region.level)
    plan: dict[Any, list[str | None]] = defaultdict(list)
    for dim in (None, *DIMS):
        needed = set(_dim_columns(region, dim)) | filters.columns()
        chosen: Any = CaseFact
        if (level in NODE_LEVELS and not filters) or (
            level == RegionLevel.TOWNSHIP and not filters and (dim or SliceDim.ALL) in TOWNSHIP_DIMS
        ):
            chosen = PeriodSlice
        elif level == RegionLevel.VILLAGE or "region_id" in needed:
            chosen = CaseFact
        else:
            # The coarse cubes have no township (but a county-less one, a city's or a province's child): not for a
            # township, nor for a county's townships.
            coarse_ok = level in NODE_LEVELS and not (level == RegionLevel.COUNTY and dim == "child")
            candidates = [*(_COARSE if coarse_ok else ()), _FINE]
            chosen = next(model for model, columns in candidates if needed - set(CHAIN) <= columns)
        plan[chosen].append(dim)
    return plan


def _group_sums(
    region: Region, start: datetime.date, end: datetime.date, filters: Filters
) -> dict[Any, dict[str, Sums]]:
    """Sums per key of every breakdown (None: the totals, under the key ""), one GROUP BY per table read."""
    months = {"month__range": (start, end)}
    out: dict[Any, dict[str, Sums]] = {}
    for model, dims in _plan(region, filters).items():
        if model is PeriodSlice:
            out.update(slice_sums(region, start, end, dims))
            continue
        if model is CaseFact:
            qs: QuerySet[Any] = _facts(region)
        else:
            qs = model.objects.filter(**{LEVEL_COLUMN[RegionLevel(region.level)]: region.pk})
        # The coarse cubes have quarters and years, as the slices: whole ones read as one row a key.
        periods = _periods_q(start, end) if model in _COARSE_MODELS else Q(**months)
        qs = qs.filter(periods, **filters.values())
        columns = sorted({column for dim in dims for column in _dim_columns(region, dim)})
        rows = _fetch(qs.values(*columns).annotate(**_SUMS), columns) if columns else [qs.aggregate(**_SUMS)]
        for dim in dims:
            out[dim] = _collect(rows, _row_key(region, dim))
    return out


def periods(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, Span]]:
    """The months from `start`'s to `end`'s as the fewest slice periods: each calendar year inside the range, then
    each calendar quarter, then the months left. (first month, span), in order."""
    out: list[tuple[datetime.date, Span]] = []
    month = start.replace(day=1)
    last = end.replace(day=1)
    while month <= last:
        for span in (Span.YEAR, Span.QUARTER, Span.MONTH):
            if (month.month - 1) % span == 0 and _add_months(month, span - 1) <= last:
                out.append((month, span))
                month = _add_months(month, span)
                break
    return out


def _add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def _periods_q(start: datetime.date, end: datetime.date) -> Q:
    by_span: dict[Span, list[datetime.date]] = defaultdict(list)
    for month, span in periods(start, end):
        by_span[span].append(month)
    condition = Q()
    for span, months in by_span.items():
        condition |= Q(span=span, month__in=months)
    return condition


def slice_sums(
    region: Region, start: datetime.date, end: datetime.date, dims: list[str | None]
) -> dict[str | None, dict[str, Sums]]:
    """An unfiltered county's, city's or province's sums per key of each breakdown in `dims` (a SliceDim value;
    None: the totals, under the key ""), from the slices of the periods covering the months, in one statement.
    Without the cases waiting now past due (`overdue` is 0 here)."""
    slices = (
        PeriodSlice.objects.filter(node_id=region.pk, dim__in=[dim or SliceDim.ALL for dim in dims])
        .filter(_periods_q(start, end))
        .values("dim", "key")
    )
    out: dict[str | None, dict[str, Sums]] = {dim: {} for dim in dims}
    named = {dim or SliceDim.ALL.value: dim for dim in dims}
    # One row a key already (grouped in SQL): the row is the key's sums (thousands of units for a province).
    for row in _fetch(slices.annotate(**_SUMS), ["dim", "key"]):
        if row["received"]:
            groups = out[named[row.pop("dim")]]
            groups[row.pop("key")] = row
            row["overdue"] = 0
    return out


def _fetch(qs: QuerySet[Any], columns: list[str]) -> list[dict[str, Any]]:
    """values(*columns).annotate(sums) as dicts, read with a plain cursor (no per-row converters: thousands of
    rows for a province's units)."""
    sql, params = qs.query.sql_with_params()
    names = [*columns, *_SUMS]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        out = []
        while chunk := cursor.fetchmany(GET_ITERATOR_CHUNK_SIZE):
            out += [dict(zip(names, row, strict=True)) for row in chunk]
        return out


def _row_key(region: Region, dim: str | None) -> Any:
    """The key of a grouped row under `dim`."""
    if dim is None:
        return lambda row: ""
    if dim == "channel":
        return lambda row: row["channel"]
    if dim in ("category", "unit"):
        return lambda row: _key(row[f"{dim}_id"])
    if region.level == RegionLevel.TOWNSHIP:  # cases at the township itself: ""
        return lambda row: "" if row["region_id"] == region.pk else _key(row["region_id"])
    if region.level == RegionLevel.VILLAGE:
        return lambda row: ""
    below = _dim_columns(region, dim)
    return lambda row: _key(next((row[name] for name in below if row[name]), 0))


def _key(pk: int | None) -> str:
    return str(pk) if pk else ""


def _collect(rows: Iterable[Any], key: Any) -> dict[str, Sums]:
    out: dict[str, Sums] = {}
    for row in rows:
        if not row["received"]:
            continue
        group = key(row)
        sums = out.get(group)
        if sums is None:  # the first row of a key (the only one, for the slices): no additions
            out[group] = {name: row[name] or 0 for name in MEASURES}
            out[group]["overdue"] = 0
        else:
            for name in MEASURES:
                sums[name] += row[name] or 0
    return out


# The statuses that wait for a deadline: named in the query as well as in each step, so that PostgreSQL sees that
# the partial index of the open, unflagged cases (cases migration 0010, the same statuses) covers it.
WAITING_STATUSES = sorted(frozenset().union(*(step.statuses for step in STEP_DEADLINES)))


def _waiting_counts(
    region: Region, start: datetime.date, end: datetime.date, filters: Filters
) -> dict[Any, dict[str, int]]:
    """The cases not flagged overdue but waiting now past the deadline of their step, counted per key of every
    breakdown (None: the totals), in one statement: on PostgreSQL one GROUP BY GROUPING SETS over an index-only
    scan of the partial index (a materialized part of the statement, the filters applied after it); elsewhere
    grouped by all four keys and added up here."""
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=CHINA)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=CHINA)
    cases = Case.objects.filter(
        waiting_past_due_q(timezone.now()),
        status__in=WAITING_STATUSES,
        is_overdue=False,
        region__path__startswith=region.path,
        registered_at__gte=low,
        registered_at__lt=high,
    )
    # The child region's code: the segment of the case region's path after this region's ("" at the region).
    rest = Substr("region__path", len(region.path) + 1)
    length = Greatest(StrIndex(rest, Value("/")) - 1, Value(0), output_field=IntegerField())
    inner = (
        cases.annotate(child=Substr(rest, 1, length)).order_by().values("child", "category_id", "unit_id", "channel")
    )
    sql, params = inner.query.sql_with_params()
    # The filters apply to the waiting cases once read: inside, a filter on a category, unit or channel could lead
    # PostgreSQL's planner from the partial index to that column's index (seconds at a province's scale).
    conditions = [f"{column} = %s" for column in filters.values()]
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    keys = "child, category_id, unit_id, channel"
    if connection.vendor == "postgresql":
        outer = (
            f"WITH w AS MATERIALIZED ({sql}) SELECT GROUPING({keys}), {keys}, COUNT(*) FROM w {where} "
            "GROUP BY GROUPING SETS ((child), (category_id), (unit_id), (channel))"
        )
    else:
        outer = f"SELECT 0, {keys}, COUNT(*) FROM ({sql}) w {where} GROUP BY {keys}"
    with connection.cursor() as cursor:
        cursor.execute(outer, [*params, *filters.values().values()])
        rows = cursor.fetchall()
    # GROUPING(...) is a bit mask, the first key the highest bit: 1 where the key is not grouped by in the row.
    masks = {"child": 0b0111, "category": 0b1011, "unit": 0b1101, "channel": 0b1110}
    codes: dict[Any, dict[str, int]] = {dim: defaultdict(int) for dim in (None, *DIMS)}
    for mask, child, category_id, unit_id, channel, count in rows:
        key = {"child": child, "category": _key(category_id), "unit": _key(unit_id), "channel": channel}
        for dim, dim_mask in masks.items():
            if mask in (0, dim_mask):
                codes[dim][key[dim]] += count
        if mask in (0, masks["channel"]):
            codes[None][""] += count
    child_ids = dict(
        Region.objects.filter(code__in=[code for code in codes["child"] if code]).values_list("code", "pk")
    )
    codes["child"] = {_key(child_ids.get(code, 0)) if code else "": n for code, n in codes["child"].items()}
    return codes


# --- figures from sums -------------------------------------------------------------------------------------------


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None  # as cases.reports


def mean(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None  # as cases.reports


def totals_from_sums(s: Sums) -> FigureTotals:
    return FigureTotals(
        received=s["received"],
        pending=s["pending"],
        declined=s["declined"],
        accepted=s["accepted"],
        resolved=s["resolved"],
        resolution_rate=ratio(s["resolved"], s["accepted"]),
        timed=s["timed"],
        average_handling_days=mean(s["handling_days"], s["timed"]),
        overdue=s["flagged"] + s["overdue"],
        online=s["online"],
        online_share=ratio(s["online"], s["received"]),
        rated=s["rated"],
        satisfied=s["satisfied"],
        satisfaction_rate=ratio(s["satisfied"], s["rated"]),
        on_time=s["on_time"],
        on_time_rate=ratio(s["on_time"], s["resolved"]),
    )


def breakdown_from_sums(key: str, label: str, s: Sums) -> Breakdown:
    """One row of a breakdown from its sums, by the statistics' rules (the dashboards' own breakdowns too)."""
    return Breakdown(
        key=key,
        label=label,
        received=s["received"],
        accepted=s["accepted"],
        resolved=s["resolved"],
        resolution_rate=ratio(s["resolved"], s["accepted"]),
        average_handling_days=mean(s["handling_days"], s["timed"]),
        overdue=s["flagged"] + s["overdue"],
        online=s["online"],
        rated=s["rated"],
        satisfied=s["satisfied"],
        satisfaction_rate=ratio(s["satisfied"], s["rated"]),
    )


def _breakdowns(groups: dict[str, Sums], labels: dict[str, tuple[str, str]]) -> list[Breakdown]:
    items = []
    for key, s in groups.items():
        if not s["received"]:
            continue
        items.append(breakdown_from_sums(*labels[key], s))
    # cases.reports' order: most cases first, "none" last among equals, then by name.
    return sorted(items, key=lambda item: (-item.received, item.key == "", item.label))


# Above this many units to name, all units are read rather than a list of thousands of ids (a province's units
# by unit: a few thousand rows either way, without a statement of thousands of parameters).
MANY = 500


def _labels(region: Region, keys: dict[str, Iterable[str]]) -> dict[str, dict[str, tuple[str, str]]]:
    """Per dimension, each key's (key shown, label): a category by its code and name, a unit by its id and name, a
    channel by its value and label, a child region by its code and name; as cases.reports names the "none"s."""

    def ids(dim: str) -> list[int]:
        return [int(key) for key in keys[dim] if key]

    categories = {
        str(pk): (code, name)
        for pk, code, name in Category.objects.order_by()
        .filter(pk__in=ids("category"))
        .values_list("pk", "code", "name")
    }
    unit_ids = ids("unit")
    unit_rows = ResponsibleUnit.objects.order_by()
    if len(unit_ids) <= MANY:
        unit_rows = unit_rows.filter(pk__in=unit_ids)
    units = {str(pk): (str(pk), name) for pk, name in unit_rows.values_list("pk", "name")}
    children = {
        str(pk): (code, name)
        for pk, code, name in Region.objects.order_by().filter(pk__in=ids("child")).values_list("pk", "code", "name")
    }
    channel_labels = dict(Channel.choices)
    return {
        "category": {key: categories.get(key, ("", "未分类")) for key in keys["category"]},
        "unit": {key: units.get(key, ("", "未交办承办单位")) for key in keys["unit"]},
        "channel": {key: (key, str(channel_labels.get(key, key))) for key in keys["channel"]},
        "child": {key: children.get(key, ("", f"{region.name}本级")) for key in keys["child"]},
    }
