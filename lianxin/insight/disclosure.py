"""Public disclosure (公开问效): what a county's congress shows everyone about how the people's opinions were handled.

`county_disclosure(county=…, period=…)` gives a county's figures for a month, a quarter or a year (by default the
last full month, with the year to date beside it): received, resolved, 办结率, average handling time in working
days, satisfaction, online share and their change on a year earlier, by township (the county's child regions) and
by category, a 12-month trend, and the results published in the period. The measures are those of
lianxin/cases/reports.py, read from the dashboards' rollups (lianxin.insight.figures: a few indexed reads of small
tables, whatever the number of cases, so that a public page stays cheap at a province's scale). A period under way
ends today; the rollups' whole months give the same figures (no case is registered after today), and its year on
year compares the same days a year earlier, from the daily totals.

Nothing personal leaves this module: no names, phones, addresses or case titles, only counts, rates and the
published results' public (redacted) titles. Small counts are suppressed (DISCLOSURE_MIN_COUNT, default 5):

- a group (the county itself, a township, a category, a month) that received from 1 to N−1 cases in the period
  shows every count as "<N" and no rate or average (a group with none shows its zeros);
- in a group shown, a rate or average computed over fewer than N cases (办结率 over the accepted, satisfaction over
  the rated, the average over the timed — for a category, over the resolved —, online share over the received)
  is hidden: a satisfaction of 0 % from one rating is that one person's rating.

A suppressed township's count can be told from the county's total less the others': a number of cases singles no
one out; the rates, which could, are hidden.
"""

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from lianxin.cases import permissions as p
from lianxin.cases.models import Case, Status
from lianxin.cases.reports import YearOnYear, totals_change, year_earlier
from lianxin.core.errors import DomainError, NotFound
from lianxin.insight.figures import Figures, FigureTotals, figures, figures_totals_for_days
from lianxin.regions.models import Region, RegionLevel
from lianxin.workdays.calendar import CHINA

MAX_RESULTS = 50
TREND_MONTHS = 12
HIDDEN = "—"  # a rate or average not shown
QUARTERS = "一二三四"


# --- periods -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A month, quarter or year; `end` stops at today for the one under way. `code` is how the URL names it:
    2025-10, 2025-Q4, 2025."""

    kind: str  # "month" | "quarter" | "year"
    year: int
    number: int  # month 1–12, quarter 1–4, 0 for a year
    start: datetime.date
    end: datetime.date

    @property
    def code(self) -> str:
        if self.kind == "month":
            return f"{self.year}-{self.number:02d}"
        if self.kind == "quarter":
            return f"{self.year}-Q{self.number}"
        return str(self.year)

    @property
    def label(self) -> str:
        if self.kind == "month":
            name = f"{self.year}年{self.number}月"
        elif self.kind == "quarter":
            name = f"{self.year}年第{QUARTERS[self.number - 1]}季度"
        else:
            name = f"{self.year}年"
        full_end = _period_end(self.kind, self.year, self.number)
        if self.end < full_end:
            name += f"（截至{self.end.month}月{self.end.day}日）"
        return name

    def previous(self) -> "Period | None":
        """The period before, or None before FIRST_YEAR (a URL would not accept it)."""
        if self.kind == "month":
            year, number = (self.year, self.number - 1) if self.number > 1 else (self.year - 1, 12)
        elif self.kind == "quarter":
            year, number = (self.year, self.number - 1) if self.number > 1 else (self.year - 1, 4)
        else:
            year, number = self.year - 1, 0
        return _period(self.kind, year, number, today=_today()) if year >= FIRST_YEAR else None

    def following(self, *, today: datetime.date | None = None) -> "Period | None":
        """The next period, or None when it has not started yet."""
        today = today or _today()
        day = _period_end(self.kind, self.year, self.number) + datetime.timedelta(days=1)
        if day > today:
            return None
        number = {"month": day.month, "quarter": (day.month - 1) // 3 + 1, "year": 0}[self.kind]
        return _period(self.kind, day.year, number, today=today)


FIRST_YEAR = 2000
_CODES = (
    (re.compile(r"^(\d{4})-(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})-[Qq]([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})$"), "year"),
)


def _today() -> datetime.date:
    return timezone.now().astimezone(CHINA).date()


def _period_start(kind: str, year: int, number: int) -> datetime.date:
    month = {"month": number, "quarter": 3 * number - 2, "year": 1}[kind]
    return datetime.date(year, month, 1)


def _period_end(kind: str, year: int, number: int) -> datetime.date:
    last_month = {"month": number, "quarter": 3 * number, "year": 12}[kind]
    following = datetime.date(year + 1, 1, 1) if last_month == 12 else datetime.date(year, last_month + 1, 1)
    return following - datetime.timedelta(days=1)


def _period(kind: str, year: int, number: int, *, today: datetime.date) -> Period:
    start = _period_start(kind, year, number)
    return Period(kind=kind, year=year, number=number, start=start, end=min(_period_end(kind, year, number), today))


def period_default(kind: str = "month", *, today: datetime.date | None = None) -> Period:
    """The last full month or quarter; for a year, the year of the last full month (the year to date)."""
    today = today or _today()
    last_month_end = today.replace(day=1) - datetime.timedelta(days=1)
    if kind == "quarter":
        quarter = (today.month - 1) // 3 + 1
        year, number = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
        return _period("quarter", year, number, today=today)
    if kind == "year":
        return _period("year", last_month_end.year, 0, today=today)
    return _period("month", last_month_end.year, last_month_end.month, today=today)


def period_parse(code: str | None, *, today: datetime.date | None = None) -> Period:
    """2025-10, 2025-Q4 or 2025 (empty: the last full month); a period not begun yet or malformed is refused."""
    today = today or _today()
    if not code:
        return period_default(today=today)
    for pattern, kind in _CODES:
        match = pattern.match(code.strip())
        if match is None:
            continue
        year = int(match.group(1))
        number = int(match.group(2)) if kind != "year" else 0
        if kind == "month" and not 1 <= number <= 12:
            break
        if year < FIRST_YEAR or _period_start(kind, year, number) > today:
            raise DomainError("period_invalid", f"统计期间: {code} 尚未开始或超出范围", field="period")
        return _period(kind, year, number, today=today)
    raise DomainError("period_invalid", f"统计期间: “{code}”应为 2025-10、2025-Q4 或 2025 的形式", field="period")


# --- cells and rows ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One figure: `text` as a table shows it ("12", "<5", "92.3%", "—"), `value` as a chart plots it (None when
    the figure is suppressed or hidden)."""

    text: str
    value: float | int | None = None

    @property
    def shown(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Row:
    """The figures of one group: the county, a township, a category or a month."""

    key: str
    label: str
    suppressed: bool  # received fewer than the threshold: counts as "<N", no rate
    received: Cell
    resolved: Cell
    resolution_rate: Cell
    average_handling_days: Cell
    satisfaction_rate: Cell
    online_share: Cell


@dataclass(frozen=True)
class Change:
    """A change on the same period a year earlier, as shown ("+12.5%", "+3.1个百分点", "−0.4天")."""

    label: str
    cell: Cell


@dataclass(frozen=True)
class PublishedResult:
    """A published result as the public results page already shows it: the redacted title, no person."""

    case_id: int
    title: str
    published_on: datetime.date
    region_name: str
    category_name: str
    unit_name: str


@dataclass(frozen=True)
class CountyDisclosure:
    county_code: str
    county_name: str
    period: Period
    min_count: int
    totals: Row
    year_on_year: list[Change]
    year_to_date: Row | None  # from 1 January to the period's end; None for a year
    year_to_date_label: str
    by_township: list[Row]
    by_category: list[Row]
    trend: list[Row]  # the months up to the period's end, oldest first
    results: list[PublishedResult]


class _Rules:
    """The suppression rule with its threshold, read from the settings at each call (tests change it)."""

    def __init__(self) -> None:
        self.n = max(1, int(getattr(settings, "DISCLOSURE_MIN_COUNT", 5)))
        self.small = f"<{self.n}"

    def count(self, value: int, *, group_suppressed: bool) -> Cell:
        if group_suppressed:
            return Cell(self.small)
        return Cell(str(value), value)

    def rate(self, value: float | None, base: int, *, group_suppressed: bool) -> Cell:
        if group_suppressed or value is None or base < self.n:
            return Cell(HIDDEN)
        return Cell(f"{value * 100:.1f}%", round(value * 100, 1))

    def days(self, value: float | None, base: int, *, group_suppressed: bool) -> Cell:
        if group_suppressed or value is None or base < self.n:
            return Cell(HIDDEN)
        return Cell(f"{value:.1f}", round(value, 1))

    def row(self, key: str, label: str, group: Any, *, timed: int) -> Row:
        """`group`: the rollups' FigureTotals or a cases.reports Breakdown."""
        hidden = 0 < group.received < self.n
        return Row(
            key=key,
            label=label,
            suppressed=hidden,
            received=self.count(group.received, group_suppressed=hidden),
            resolved=self.count(group.resolved, group_suppressed=hidden),
            resolution_rate=self.rate(group.resolution_rate, group.accepted, group_suppressed=hidden),
            average_handling_days=self.days(group.average_handling_days, timed, group_suppressed=hidden),
            satisfaction_rate=self.rate(group.satisfaction_rate, group.rated, group_suppressed=hidden),
            # A Breakdown has no share: online / received, as reports' Totals.online_share.
            online_share=self.rate(
                round(group.online / group.received, 4) if group.received else None,
                group.received,
                group_suppressed=hidden,
            ),
        )


def _signed(value: float, unit: str, digits: int = 1) -> str:
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{abs(value):.{digits}f}{unit}"


def _changes(yoy: YearOnYear, totals: FigureTotals, rules: _Rules) -> list[Change]:
    """Year on year, as case_statistics computes it (None under its own MIN_BASE), hidden too when this period's
    figure is suppressed."""

    def change(label: str, value: float | None, base: int, unit: str, scale: float) -> Change:
        if value is None or base < rules.n:
            return Change(label, Cell(HIDDEN))
        shown = round(value * scale, 1)
        return Change(label, Cell(_signed(shown, unit), shown))

    return [
        change("收到", yoy.received, totals.received, "%", 100),
        change("办结", yoy.resolved, totals.resolved, "%", 100),
        change("办结率", yoy.resolution_rate, totals.accepted, "个百分点", 100),
        change("平均办理用时", yoy.average_handling_days, totals.timed, "个工作日", 1),
        change("满意率", yoy.satisfaction_rate, totals.rated, "个百分点", 100),
        change("线上占比", yoy.online_share, totals.received, "个百分点", 100),
    ]


# --- the figures -------------------------------------------------------------------------------------------------


def _figures(region: Region, start: datetime.date, end: datetime.date) -> Figures:
    """The figures of the cases registered from `start` (a month's first day) to `end`: the whole months from
    `start`'s to `end`'s, which hold the same cases when `end` is today."""
    return figures(user=p.SYSTEM, region=region, start=start, end=_period_end("month", end.year, end.month))


def _year_on_year(county: Region, period: "Period", totals: FigureTotals) -> YearOnYear:
    """The change on the same days a year earlier: whole months for a whole period, the daily totals for one under
    way (to the same day)."""
    start, end = year_earlier(period.start), year_earlier(period.end)
    if end == _period_end("month", end.year, end.month):
        previous = _figures(county, start, end).totals
    else:
        previous = figures_totals_for_days(user=p.SYSTEM, region=county, start=start, end=end)
    return totals_change(totals, previous)


def _totals_row(key: str, label: str, totals: FigureTotals, rules: _Rules) -> Row:
    return rules.row(key, label, totals, timed=totals.timed)


def _months_up_to(end: datetime.date, count: int) -> list[tuple[datetime.date, datetime.date]]:
    months = []
    year, month = end.year, end.month
    for _ in range(count):
        start = datetime.date(year, month, 1)
        months.append((start, min(_period_end("month", year, month), end)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def county_get_public(*, code: str) -> Region:
    """A county (县/区) by its code; anything else — a township, a city, an unknown code — is not found."""
    county = Region.objects.filter(code=code, level=RegionLevel.COUNTY).first()
    if county is None:
        raise NotFound("未找到该县（区）")
    return county


def counties_public() -> QuerySet[Region]:
    return Region.objects.filter(level=RegionLevel.COUNTY).select_related("parent").order_by("code")


def published_results(*, county: Region, start: datetime.date, end: datetime.date) -> list[PublishedResult]:
    """The county's cases published as results in the period (by publication date), newest first, at most 50;
    only what the public results page shows."""
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=CHINA)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=CHINA)
    rows = (
        Case.objects.filter(
            status=Status.PUBLISHED,
            region__path__startswith=county.path,
            published_at__gte=low,
            published_at__lt=high,
        )
        .order_by("-published_at", "-id")
        .values_list("id", "public_title", "published_at", "region__name", "category__name", "unit__name")[:MAX_RESULTS]
    )
    return [
        PublishedResult(
            case_id=case_id,
            title=title or "办理结果",
            published_on=published_at.astimezone(CHINA).date(),
            region_name=region_name or "",
            category_name=category_name or "",
            unit_name=unit_name or "",
        )
        for case_id, title, published_at, region_name, category_name, unit_name in rows
        if published_at is not None  # filtered above; for the type checker
    ]


def county_disclosure(*, county: Region, period: Period | None = None) -> CountyDisclosure:
    """The public figures of a county for a period (default: the last full month), suppressed as the module's
    docstring says."""
    if county.level != RegionLevel.COUNTY:
        raise NotFound("未找到该县（区）")
    period = period or period_default()
    rules = _Rules()
    stats = _figures(county, period.start, period.end)
    totals = _totals_row(county.code, county.name, stats.totals, rules)

    # The year to date beside a month or a quarter (for January or the first quarter it is the period itself).
    year_to_date = None
    year_start = datetime.date(period.end.year, 1, 1)
    if period.start > year_start:
        ytd = _figures(county, year_start, period.end)
        year_to_date = _totals_row(county.code, county.name, ytd.totals, rules)

    by_township = []
    for township in Region.objects.filter(parent=county).order_by("code"):
        township_totals = _figures(township, period.start, period.end).totals
        by_township.append(_totals_row(township.code, township.name, township_totals, rules))

    # Breakdowns carry no count of timed cases: a category's average stands on its resolved cases.
    by_category = [rules.row(item.key, item.label, item, timed=item.resolved) for item in stats.by_category]

    trend = []
    for start, end in _months_up_to(period.end, TREND_MONTHS):
        month = stats.totals if (start, end) == (period.start, period.end) else _figures(county, start, end).totals
        trend.append(_totals_row(f"{start:%Y-%m}", f"{start.year}年{start.month}月", month, rules))

    return CountyDisclosure(
        county_code=county.code,
        county_name=county.name,
        period=period,
        min_count=rules.n,
        totals=totals,
        year_on_year=_changes(_year_on_year(county, period, stats.totals), stats.totals, rules),
        year_to_date=year_to_date,
        year_to_date_label=f"{period.end.year}年1—{period.end.month}月累计",
        by_township=by_township,
        by_category=by_category,
        trend=trend,
        results=published_results(county=county, start=period.start, end=period.end),
    )
