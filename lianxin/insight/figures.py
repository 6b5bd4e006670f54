"""The dashboards' figures, read from the rollups (lianxin.insight.rollups): cases.reports' measures for a region
and a range of whole months, with breakdowns by child region, category, unit and channel, filtered by category,
channel or unit, and the totals per day for a trend. Equal to `case_statistics(user=SYSTEM, region=…, start=…,
end=…)` once the worker has applied the case events (a round, seconds).

Where they are read (docs/decisions/0003-insight-rollups.md):
- a county, city or province, unfiltered: MonthlySlice (a few rows a month);
- a township, or any level with a filter: MonthlyCube;
- a village (and a township's breakdown by village, and a township's days): the per-case facts (CaseFact).
Overdue is the flagged cases from the rollups plus the cases not flagged but waiting now past the deadline of
their step, read live from the cases (a small set: open cases past a due date).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone

from lianxin.accounts.roles import Perm
from lianxin.cases import permissions as p
from lianxin.cases.deadlines import waiting_past_due_q
from lianxin.cases.models import Case, Category, Channel, ResponsibleUnit
from lianxin.cases.reports import Breakdown
from lianxin.core.errors import DomainError
from lianxin.core.scoping import region_scope_q
from lianxin.insight.rollup_models import MEASURES, CaseFact, DailyTotal, MonthlyCube, MonthlySlice, SliceDim
from lianxin.regions.models import Region, RegionLevel
from lianxin.regions.selectors import RegionNotFound
from lianxin.workdays.calendar import CHINA

# The rollups' node levels (MonthlySlice, DailyTotal) and the cube's column of each level.
NODE_LEVELS = (RegionLevel.PROVINCE, RegionLevel.PREFECTURE, RegionLevel.COUNTY)
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


@dataclass(frozen=True)
class Filters:
    category: Category | None = None
    channel: str | None = None
    unit_id: int | None = None

    def __bool__(self) -> bool:
        return self.category is not None or bool(self.channel) or self.unit_id is not None


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
    groups = {dim: _group_sums(region, start, end, filters, dim) for dim in (None, *DIMS)}
    waiting = _waiting_keys(region, start, end, filters)
    for dim, sums in groups.items():
        for row in waiting:
            sums.setdefault(row[dim], _zero())["overdue"] += 1
    totals = groups[None].get("", _zero())
    labels = _labels(region, {dim: groups[dim].keys() for dim in DIMS})
    return Figures(
        region_code=region.code,
        region_name=region.name,
        start=start,
        end=end,
        totals=_totals(totals),
        by_child=_breakdowns(groups["child"], labels["child"]),
        by_category=_breakdowns(groups["category"], labels["category"]),
        by_unit=_breakdowns(groups["unit"], labels["unit"]),
        by_channel=_breakdowns(groups["channel"], labels["channel"]),
    )


def figures_daily(*, user: Any, region: Region, start: datetime.date, end: datetime.date) -> list[DayFigures]:
    """Cases received, accepted, resolved and online per registration day (only days with cases), oldest first."""
    _check(user, region, start, end)
    names = ("received", "accepted", "resolved", "online")
    if region.level in NODE_LEVELS:
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


def _check(user: Any, region: Region, start: datetime.date, end: datetime.date) -> None:
    if start.day != 1 or (end + datetime.timedelta(days=1)).day != 1:
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


def _group_sums(
    region: Region, start: datetime.date, end: datetime.date, filters: Filters, dim: str | None
) -> dict[str, Sums]:
    """Sums per key of `dim` (None: the totals, under the key ""), from the smallest table that answers."""
    months = {"month__range": (start, end)}
    if region.level in NODE_LEVELS and not filters:
        rows = MonthlySlice.objects.filter(node_id=region.pk, dim=dim or SliceDim.ALL, **months).values("key")
        return _collect(rows.annotate(**_SUMS), lambda row: row["key"])
    if region.level == RegionLevel.VILLAGE or (region.level == RegionLevel.TOWNSHIP and dim == "child"):
        qs: QuerySet[Any] = _facts(region)
    else:
        qs = MonthlyCube.objects.filter(**{LEVEL_COLUMN[RegionLevel(region.level)]: region.pk})
    qs = qs.filter(**months)
    if filters.category is not None:
        qs = qs.filter(category_id=filters.category.pk)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.unit_id is not None:
        qs = qs.filter(unit_id=filters.unit_id)
    columns, key = _group_columns(region, dim)
    return _collect(qs.values(*columns).annotate(**_SUMS) if columns else [qs.aggregate(**_SUMS)], key)


def _group_columns(region: Region, dim: str | None) -> tuple[list[str], Any]:
    """The columns of the cube or the facts to group by for `dim`, and the key of a grouped row."""
    if dim is None:
        return [], lambda row: ""
    if dim == "channel":
        return ["channel"], lambda row: row["channel"]
    if dim in ("category", "unit"):
        return [f"{dim}_id"], lambda row: _key(row[f"{dim}_id"])
    if region.level == RegionLevel.TOWNSHIP:  # its villages, from the facts; cases at the township itself: ""
        return ["region_id"], lambda row: "" if row["region_id"] == region.pk else _key(row["region_id"])
    if region.level == RegionLevel.VILLAGE:
        return [], lambda row: ""
    below = list(CHAIN[CHAIN.index(LEVEL_COLUMN[RegionLevel(region.level)]) + 1 :])
    return below, lambda row: _key(next((row[name] for name in below if row[name]), 0))


def _key(pk: int | None) -> str:
    return str(pk) if pk else ""


def _collect(rows: Iterable[Any], key: Any) -> dict[str, Sums]:
    out: dict[str, Sums] = defaultdict(_zero)
    for row in rows:
        if not row.get("received"):
            continue
        sums = out[key(row)]
        for name in MEASURES:
            sums[name] += row[name] or 0
    return dict(out)


def _waiting_keys(region: Region, start: datetime.date, end: datetime.date, filters: Filters) -> list[dict[Any, str]]:
    """The cases not flagged overdue but waiting now past the deadline of their step, each as its key under every
    dimension (None: the totals)."""
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=CHINA)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=CHINA)
    cases = Case.objects.filter(
        waiting_past_due_q(timezone.now()),
        is_overdue=False,
        region__path__startswith=region.path,
        registered_at__gte=low,
        registered_at__lt=high,
    )
    if filters.category is not None:
        cases = cases.filter(category=filters.category)
    if filters.channel:
        cases = cases.filter(channel=filters.channel)
    if filters.unit_id is not None:
        cases = cases.filter(unit_id=filters.unit_id)
    rows = list(cases.values_list("category_id", "unit_id", "channel", "region__path"))
    depth = len([code for code in region.path.split("/") if code])
    child_codes = {path.split("/")[depth] for *_, path in rows if len([c for c in path.split("/") if c]) > depth}
    child_ids = dict(Region.objects.filter(code__in=child_codes).values_list("code", "pk"))
    out = []
    for category_id, unit_id, channel, path in rows:
        codes = [code for code in path.split("/") if code]
        child = _key(child_ids.get(codes[depth])) if len(codes) > depth else ""
        out.append({None: "", "category": _key(category_id), "unit": _key(unit_id), "channel": channel, "child": child})
    return out


# --- figures from sums -------------------------------------------------------------------------------------------


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None  # as cases.reports


def _mean(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None  # as cases.reports


def _totals(s: Sums) -> FigureTotals:
    return FigureTotals(
        received=s["received"],
        pending=s["pending"],
        declined=s["declined"],
        accepted=s["accepted"],
        resolved=s["resolved"],
        resolution_rate=_ratio(s["resolved"], s["accepted"]),
        timed=s["timed"],
        average_handling_days=_mean(s["handling_days"], s["timed"]),
        overdue=s["flagged"] + s["overdue"],
        online=s["online"],
        online_share=_ratio(s["online"], s["received"]),
        rated=s["rated"],
        satisfied=s["satisfied"],
        satisfaction_rate=_ratio(s["satisfied"], s["rated"]),
    )


def _breakdowns(groups: dict[str, Sums], labels: dict[str, tuple[str, str]]) -> list[Breakdown]:
    items = []
    for key, s in groups.items():
        if not s["received"]:
            continue
        shown_key, label = labels[key]
        items.append(
            Breakdown(
                key=shown_key,
                label=label,
                received=s["received"],
                accepted=s["accepted"],
                resolved=s["resolved"],
                resolution_rate=_ratio(s["resolved"], s["accepted"]),
                average_handling_days=_mean(s["handling_days"], s["timed"]),
                overdue=s["flagged"] + s["overdue"],
                online=s["online"],
                rated=s["rated"],
                satisfied=s["satisfied"],
                satisfaction_rate=_ratio(s["satisfied"], s["rated"]),
            )
        )
    # cases.reports' order: most cases first, "none" last among equals, then by name.
    return sorted(items, key=lambda item: (-item.received, item.key == "", item.label))


def _labels(region: Region, keys: dict[str, Iterable[str]]) -> dict[str, dict[str, tuple[str, str]]]:
    """Per dimension, each key's (key shown, label): a category by its code and name, a unit by its id and name, a
    channel by its value and label, a child region by its code and name; as cases.reports names the "none"s."""

    def ids(dim: str) -> list[int]:
        return [int(key) for key in keys[dim] if key]

    categories = {
        str(pk): (code, name)
        for pk, code, name in Category.objects.filter(pk__in=ids("category")).values_list("pk", "code", "name")
    }
    units = {
        str(pk): (str(pk), name)
        for pk, name in ResponsibleUnit.objects.filter(pk__in=ids("unit")).values_list("pk", "name")
    }
    children = {
        str(pk): (code, name)
        for pk, code, name in Region.objects.filter(pk__in=ids("child")).values_list("pk", "code", "name")
    }
    channel_labels = dict(Channel.choices)
    return {
        "category": {key: categories.get(key, ("", "未分类")) for key in keys["category"]},
        "unit": {key: units.get(key, ("", "未交办承办单位")) for key in keys["unit"]},
        "channel": {key: (key, str(channel_labels.get(key, key))) for key in keys["channel"]},
        "child": {key: children.get(key, ("", f"{region.name}本级")) for key in keys["child"]},
    }
