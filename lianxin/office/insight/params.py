"""What the dashboard's address holds: the region (and a village's grid), the period, the filters, the trend's step
and the map's measure. Each is read with a Chinese message for a bad value (DomainError), or a 404 for a region or
grid outside the user's scope (as one that does not exist)."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models.functions import Length
from django.http import Http404
from django.utils import timezone

from lianxin.cases.models import Category, Channel
from lianxin.cases.selectors import unit_list_visible_to
from lianxin.core.errors import DomainError
from lianxin.core.scoping import region_scope_q
from lianxin.insight.dashboard import STEPS
from lianxin.insight.models import PeriodKind
from lianxin.insight.reports import REPORT_PERM, Period, period_of, period_parse
from lianxin.regions.models import Grid, Region, RegionLevel
from lianxin.workdays.calendar import CHINA

PERM = REPORT_PERM  # supervise_cases: the page counts every case of a region
STEP_LABELS = {"day": "按日", "week": "按周", "month": "按月"}
# The map's measures: key → (label, unit).
MAP_MEASURES = {
    "per10k": ("每万人收件", "件/万人"),
    "resolution": ("办结率", "%"),
    "satisfaction": ("满意率", "%"),
}


def today() -> datetime.date:
    return timezone.localtime(timezone.now(), CHINA).date()


def period_default() -> Period:
    """The last full month."""
    return period_of(PeriodKind.MONTH, today().replace(day=1) - datetime.timedelta(days=1))


def period_read(text: str | None) -> Period:
    """`period=` as a complete month, quarter or year; DomainError period_invalid with a Chinese message."""
    if not (text or "").strip():
        return period_default()
    period = period_parse(text or "", today=datetime.date(2101, 1, 1))  # the format, the year, the month
    if period.end >= today():
        raise DomainError(
            "period_invalid",
            f"统计期间: {period.label}尚未结束，数据看板只显示已结束的整月、整季度或整年",
            field="period",
        )
    return period


def period_following(period: Period) -> Period | None:
    following = period_of(period.kind, period.end + datetime.timedelta(days=1))
    return following if following.end < today() else None


def year_before(period: Period) -> Period:
    """The same months a year earlier."""
    return period_of(period.kind, period.start.replace(year=period.start.year - 1))


def last_full(kind: str) -> Period:
    """The last complete period of `kind`."""
    return period_of(kind, period_of(kind, today()).start - datetime.timedelta(days=1))


def regions_in_scope(user: Any) -> Any:
    return Region.objects.filter(region_scope_q(user, "path", PERM))


def top_region(user: Any) -> Region | None:
    """The user's highest region where they supervise cases (the first by code among equals)."""
    return regions_in_scope(user).annotate(path_length=Length("path")).order_by("path_length", "code").first()


def region_read(user: Any, code: str | None) -> Region:
    """The region named in the address, or the user's top one; Http404 outside the scope (as one that does not
    exist)."""
    region = regions_in_scope(user).filter(code=code).first() if code else top_region(user)
    if region is None:
        raise Http404
    return region


def grid_read(region: Region, code: str | None) -> Grid | None:
    """`grid=CODE`: a grid of the village `region`; Http404 for any other."""
    if not code:
        return None
    grid = Grid.objects.filter(code=code, region=region).first() if region.level == RegionLevel.VILLAGE else None
    if grid is None:
        raise Http404
    return grid


def breadcrumb(user: Any, region: Region) -> list[Region]:
    """The regions from the user's highest one above `region` down to it, each in the user's scope."""
    codes = [code for code in region.path.split("/") if code]
    chain = {r.code: r for r in regions_in_scope(user).filter(code__in=codes)}
    return [chain[code] for code in codes if code in chain]


@dataclass(frozen=True)
class Chosen:
    category: Category | None = None
    channel: str = ""
    unit_id: int | None = None

    @property
    def channel_label(self) -> str:
        return str(dict(Channel.choices).get(self.channel, self.channel))

    def query(self) -> dict[str, str]:
        out = {}
        if self.category is not None:
            out["category"] = self.category.code
        if self.channel:
            out["channel"] = self.channel
        if self.unit_id is not None:
            out["unit"] = str(self.unit_id)
        return out


def filters_read(user: Any, get: Any) -> Chosen:
    """category (code), channel (value) and unit (id) from the address; DomainError filter_invalid otherwise."""
    category = None
    code = (get.get("category") or "").strip()
    if code:
        category = Category.objects.filter(code=code).first()
        if category is None:
            raise DomainError("filter_invalid", f"类别: 没有代码为“{code}”的类别", field="category")
    channel = (get.get("channel") or "").strip()
    if channel and channel not in Channel.values:
        raise DomainError("filter_invalid", f"渠道: 没有“{channel}”这个渠道", field="channel")
    unit_id = None
    unit = (get.get("unit") or "").strip()
    if unit:
        if not unit.isdigit() or not unit_list_visible_to(user=user).filter(pk=int(unit)).exists():
            raise DomainError("filter_invalid", f"承办单位: 没有编号为“{unit}”的承办单位", field="unit")
        unit_id = int(unit)
    return Chosen(category=category, channel=channel, unit_id=unit_id)


def step_read(text: str | None) -> str:
    """`trend=day | week | month` (default day)."""
    step = (text or "").strip() or "day"
    if step not in STEPS:
        raise DomainError(
            "filter_invalid", f"走势: 应为 day（按日）、week（按周）或 month（按月），实为“{step}”", field="trend"
        )
    return step


def measure_read(text: str | None) -> str:
    """`measure=per10k | resolution | satisfaction` (default per10k)."""
    measure = (text or "").strip() or "per10k"
    if measure not in MAP_MEASURES:
        raise DomainError(
            "filter_invalid",
            f"地图指标: 应为 per10k（每万人收件）、resolution（办结率）或 satisfaction（满意率），实为“{measure}”",
            field="measure",
        )
    return measure
