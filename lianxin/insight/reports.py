"""The monthly report (月报) of a region, and the quarterly (季报) and yearly (年报) ones the same way.

    report = report_collect(region, "2026-11")       # or "2026-Q4", "2026"
    report_pdf(report), report_xlsx(report)           # A4 PDF in Chinese with charts; a workbook of the same tables
    report_generate(region=…, period="2026-11", actor=user)   # stored (Report), audited; the worker passes None

The figures are `lianxin.cases.reports.case_statistics` for the region's cases (every case of the region, as the
command line reads them: `SYSTEM`), read through one function (`report_figures`) so that the rollup tables of a
later step can answer instead without changing the reports. A period is a complete calendar month, quarter or year
in Beijing time; month on month compares with the period of the same length before it (October for November, the
third quarter for the fourth, the year before for a year — which is also year on year), year on year with the same
dates a year earlier, both by the rules of the statistics (`totals_change`). Overdue counts are as of the time the
report is made, as in the statistics.

Who may see, make and download a region's reports: staff who supervise cases there (`Perm.SUPERVISE_CASES`:
county and township staff, city staff, administrators) — a report counts every case of the region.
"""

import datetime
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Case as SqlCase
from django.db.models import Count, IntegerField, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from reportlab.platypus import Spacer

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.cases import permissions as case_permissions
from lianxin.cases.deadlines import late_in_round_q, step_deadline
from lianxin.cases.models import OPEN_STATUSES, Case, Status
from lianxin.cases.reports import Breakdown, CaseStatistics, Totals, YearOnYear, case_statistics, totals_change
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.masking import mask_text
from lianxin.core.scoping import region_scope_q
from lianxin.core.tabular import Column, Date, Integer, Number, Parser, Text, write_xlsx_sheets
from lianxin.insight.charts import bar_chart, line_chart
from lianxin.insight.models import PeriodKind, Report
from lianxin.publicweb.printing import content_width, heading, para, render, shorten, table, widths
from lianxin.regions.models import Region
from lianxin.workdays.calendar import CHINA

REPORT_PERM = Perm.SUPERVISE_CASES
# The report lists this many overdue cases (the open ones first, oldest first); the totals count them all.
TOP_OVERDUE = 10
QUARTER_NAMES = ("一", "二", "三", "四")


# --- periods -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A calendar month, quarter or year; `end` inclusive."""

    kind: str  # PeriodKind
    start: datetime.date
    end: datetime.date

    @property
    def code(self) -> str:
        """As typed on the command line: 2026-11, 2026-Q4, 2026."""
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    @property
    def label(self) -> str:
        """2026年11月, 2026年第四季度, 2026年"""
        if self.kind == PeriodKind.MONTH:
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}年第{QUARTER_NAMES[(self.start.month - 1) // 3]}季度"
        return f"{self.start.year}年"

    @property
    def report_name(self) -> str:
        return PeriodKind(self.kind).label

    def previous(self) -> "Period":
        """The period of the same length just before: October for November, Q3 for Q4, 2025 for 2026."""
        return period_of(self.kind, self.start - datetime.timedelta(days=1))


def period_of(kind: str, day: datetime.date) -> Period:
    """The month, quarter or year that contains `day`."""
    if kind == PeriodKind.MONTH:
        start = day.replace(day=1)
        months = 1
    elif kind == PeriodKind.QUARTER:
        start = datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        months = 3
    else:
        start = datetime.date(day.year, 1, 1)
        months = 12
    year, month = divmod(start.month - 1 + months, 12)
    following = datetime.date(start.year + year, month + 1, 1)
    return Period(kind, start, following - datetime.timedelta(days=1))


_PERIOD = re.compile(r"(?P<year>\d{4})(?:-(?:(?P<month>\d{1,2})|[Qq](?P<quarter>\d)))?")
FORMAT_HINT = "应为 2026-11（月）、2026-Q4（季度）或 2026（年）"


def _invalid(message: str) -> DomainError:
    return DomainError("period_invalid", f"统计期间: {message}", field="period")


def period_parse(text: str, *, today: datetime.date | None = None) -> Period:
    """ "2026-11", "2026-Q4" or "2026" as a Period that has ended by `today` (Beijing); DomainError period_invalid
    otherwise: a report is made of a complete period."""
    value = (text or "").strip()
    match = _PERIOD.fullmatch(value)
    if match is None:
        raise _invalid(f"{FORMAT_HINT}，实为“{value}”")
    year = int(match["year"])
    if not 2000 <= year <= 2100:
        raise _invalid(f"年份 {year} 超出范围（2000–2100）")
    if match["month"] is not None:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise _invalid(f"月份应为 1–12，实为 {month}")
        period = period_of(PeriodKind.MONTH, datetime.date(year, month, 1))
    elif match["quarter"] is not None:
        quarter = int(match["quarter"])
        if not 1 <= quarter <= 4:
            raise _invalid(f"季度应为 Q1–Q4，实为 Q{quarter}")
        period = period_of(PeriodKind.QUARTER, datetime.date(year, quarter * 3 - 2, 1))
    else:
        period = period_of(PeriodKind.YEAR, datetime.date(year, 1, 1))
    today = today or timezone.localtime(timezone.now(), CHINA).date()
    if period.end >= today:
        raise _invalid(f"{period.label}尚未结束，{period.report_name}在期满后生成")
    return period


# --- the figures ---------------------------------------------------------------------------------------------------


def report_figures(region: Region, start: datetime.date, end: datetime.date) -> CaseStatistics:
    """The statistics of every case of the region registered from `start` to `end`: the one read a faster source
    (rollups) may answer later."""
    return case_statistics(user=case_permissions.SYSTEM, region=region, start=start, end=end)


@dataclass(frozen=True)
class ChildFigures:
    code: str
    name: str
    totals: Totals
    year_on_year: YearOnYear


@dataclass(frozen=True)
class OverdueCase:
    receipt_code: str
    registered_on: datetime.date
    region: str
    title: str
    unit: str
    status: str
    waiting_for: str  # the step it waits for past its deadline ("答复"), "" when it is no longer waiting
    due: datetime.date | None


@dataclass(frozen=True)
class RegionReport:
    region_code: str
    region_name: str
    period: Period
    previous_period: Period
    statistics: CaseStatistics  # this period, with year on year and the breakdowns
    previous: Totals  # the previous period of the same length
    month_on_month: YearOnYear
    daily: list[tuple[datetime.date, int]]
    children: list[ChildFigures]
    overdue_cases: list[OverdueCase]
    made_at: datetime.datetime

    @property
    def totals(self) -> Totals:
        return self.statistics.totals

    @property
    def title(self) -> str:
        """德清县2026年11月意见建议办理月报"""
        return f"{self.region_name}{self.period.label}意见建议办理{self.period.report_name}"


def _region_cases(region: Region, start: datetime.date, end: datetime.date) -> QuerySet[Case]:
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=CHINA)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=CHINA)
    return Case.objects.filter(region__path__startswith=region.path, registered_at__gte=low, registered_at__lt=high)


def _daily(region: Region, period: Period) -> list[tuple[datetime.date, int]]:
    """Cases received on each day of the period (Beijing dates), days without any as 0."""
    counts = dict(
        _region_cases(region, period.start, period.end)
        .annotate(day=TruncDate("registered_at", tzinfo=CHINA))
        .order_by()
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    days = (period.end - period.start).days + 1
    return [(day, counts.get(day, 0)) for day in (period.start + datetime.timedelta(days=n) for n in range(days))]


def _overdue_cases(region: Region, period: Period, now: datetime.datetime) -> list[OverdueCase]:
    """The period's cases late in their round (as the statistics count them), the open ones first, oldest first."""
    rows = (
        _region_cases(region, period.start, period.end)
        .filter(late_in_round_q(now))
        .annotate(
            closed=SqlCase(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("closed", "registered_at", "pk")
        .select_related("region", "unit")[:TOP_OVERDUE]
    )
    out = []
    for case in rows:
        step = step_deadline(case.status)
        due = getattr(case, step.field) if step is not None else None
        waiting = due is not None and due < now
        out.append(
            OverdueCase(
                receipt_code=case.receipt_code,
                registered_on=case.registered_at.astimezone(CHINA).date(),
                region=case.region.name,
                # Titles are written by clerks from what citizens said: a phone number in one is masked.
                title=shorten(mask_text(case.title), 40),
                unit=case.unit.name if case.unit else "",
                status=Status(case.status).label,
                waiting_for=step.label if waiting and step is not None else "",
                due=due.astimezone(CHINA).date() if waiting and due is not None else None,
            )
        )
    return out


def _children(region: Region, period: Period) -> list[ChildFigures]:
    """One statistics per child region: the same figures as the region's own, by the same function."""
    out = []
    for child in Region.objects.filter(parent=region).order_by("code"):
        figures = report_figures(child, period.start, period.end)
        out.append(ChildFigures(child.code, child.name, figures.totals, figures.year_on_year))
    return out


def report_collect(region: Region, period: Period | str, *, now: datetime.datetime | None = None) -> RegionReport:
    """The figures of the region's report for the period (a Period or its code, e.g. "2026-11")."""
    now = now or timezone.now()
    if isinstance(period, str):
        period = period_parse(period, today=timezone.localtime(now, CHINA).date())
    previous_period = period.previous()
    statistics = report_figures(region, period.start, period.end)
    previous = report_figures(region, previous_period.start, previous_period.end).totals
    return RegionReport(
        region_code=region.code,
        region_name=region.name,
        period=period,
        previous_period=previous_period,
        statistics=statistics,
        previous=previous,
        month_on_month=totals_change(statistics.totals, previous),
        daily=_daily(region, period),
        children=_children(region, period),
        overdue_cases=_overdue_cases(region, period, now),
        made_at=now,
    )


# --- words and numbers ---------------------------------------------------------------------------------------------

# (field of Totals and YearOnYear, label, kind): "count" relative change, "rate" a change in percentage points,
# "days" a change in working days.
MEASURES = (
    ("received", "收到意见建议（件）", "count"),
    ("people_received", "接待群众（人次）", "count"),
    ("accepted", "受理（件）", "count"),
    ("resolved", "办结（件）", "count"),
    ("resolution_rate", "办结率", "rate"),
    ("average_handling_days", "平均办结用时（工作日）", "days"),
    ("overdue", "超期（件）", "count"),
    ("online_share", "线上占比", "rate"),
    ("satisfaction_rate", "满意率", "rate"),
)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _value(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "rate":
        return percent(value)
    if kind == "days":
        return f"{value:.1f}"
    return str(value)


def change_words(change: float | None, kind: str) -> str:
    """A change in words, as reports write it: 增长12.5%, 下降3.0个百分点, 减少0.5天, 持平; — without a base."""
    if change is None:
        return "—"
    if change == 0:
        return "持平"
    if kind == "count":
        return f"{'增长' if change > 0 else '下降'}{abs(change) * 100:.1f}%"
    if kind == "rate":
        return f"{'提高' if change > 0 else '降低'}{abs(change) * 100:.1f}个百分点"
    return f"{'增加' if change > 0 else '减少'}{abs(change):.1f}天"


def _summary(report: RegionReport) -> str:
    t = report.totals
    yoy = report.statistics.year_on_year
    text = (
        f"{report.period.label}，{report.region_name}共收到群众意见建议{t.received}件，受理{t.accepted}件，"
        f"办结{t.resolved}件，办结率{percent(t.resolution_rate)}；"
        f"平均办结用时{_value(t.average_handling_days, 'days')}个工作日，超期{t.overdue}件，"
        f"线上占比{percent(t.online_share)}，满意率{percent(t.satisfaction_rate)}。"
    )
    if yoy.received is not None:
        text += f"收到件数同比{change_words(yoy.received, 'count')}。"
    return text


# --- PDF -----------------------------------------------------------------------------------------------------------


def _totals_rows(report: RegionReport) -> list[list[str]]:
    rows = []
    for name, label, kind in MEASURES:
        row = [label, _value(getattr(report.totals, name), kind)]
        if report.period.kind != PeriodKind.YEAR:  # a year's previous period is the year before: 同比 says it
            row += [
                _value(getattr(report.previous, name), kind),
                change_words(getattr(report.month_on_month, name), kind),
            ]
        row += [
            _value(getattr(report.statistics.previous, name), kind),
            change_words(getattr(report.statistics.year_on_year, name), kind),
        ]
        rows.append(row)
    return rows


def _totals_table(report: RegionReport, width: float) -> Any:
    shares: tuple[int, ...]
    if report.period.kind == PeriodKind.YEAR:
        header, shares = ["指标", "本期", "去年同期", "同比"], (30, 15, 15, 25)
    else:
        header, shares = ["指标", "本期", "上期", "环比", "去年同期", "同比"], (28, 12, 12, 20, 12, 20)
    return table(header, _totals_rows(report), widths(width, *shares), size=8.5)


BREAKDOWN_HEADER = ["名称", "收到", "受理", "办结", "办结率", "平均用时", "超期", "满意率"]


def _breakdown_rows(items: list[Breakdown]) -> list[list[Any]]:
    return [
        [
            item.label,
            item.received,
            item.accepted,
            item.resolved,
            percent(item.resolution_rate),
            _value(item.average_handling_days, "days"),
            item.overdue,
            percent(item.satisfaction_rate),
        ]
        for item in items
    ]


def report_pdf(report: RegionReport) -> bytes:
    """A4 portrait: the summary and the totals with 环比 and 同比, the daily line, the categories as bars and a
    table, the units, the channels, the child regions and the overdue cases."""
    width = content_width()
    period = report.period
    story: list[Any] = [
        para(report.title, 18, leading=26),
        para(
            f"统计期间：{period.start:%Y年%m月%d日}至{period.end:%Y年%m月%d日}（按登记时间）；"
            + ("" if period.kind == PeriodKind.YEAR else f"环比：{report.previous_period.label}；")
            + f"同比：{report.statistics.previous_start:%Y年%m月%d日}至{report.statistics.previous_end:%Y年%m月%d日}。"
            f"超期件数截至{timezone.localtime(report.made_at, CHINA):%Y年%m月%d日 %H:%M}。",
            9,
        ),
        Spacer(0, 4),
        para(_summary(report), 10.5),
        heading("一、总体情况"),
        _totals_table(report, width),
        heading("二、每日收件"),
        line_chart(report.daily, width=width, title=f"每日收到意见建议（件），共{report.totals.received}件"),
        heading("三、按问题类别"),
        bar_chart(
            [(item.label, item.received) for item in report.statistics.by_category],
            width=width,
            title="各类别收到件数（件）",
        ),
        Spacer(0, 4),
    ]
    shares = widths(width, 26, 9, 9, 9, 11, 11, 9, 11)
    story += [_table_or_none(report.statistics.by_category, shares)]
    story += [heading("四、按承办单位"), _table_or_none(report.statistics.by_unit, shares)]
    story += [heading("五、按渠道"), _table_or_none(report.statistics.by_channel, shares)]
    if report.children:
        story += [
            heading("六、下级区划"),
            table(
                ["区划", "收到", "受理", "办结", "办结率", "超期", "满意率", "收到同比"],
                [
                    [
                        child.name,
                        child.totals.received,
                        child.totals.accepted,
                        child.totals.resolved,
                        percent(child.totals.resolution_rate),
                        child.totals.overdue,
                        percent(child.totals.satisfaction_rate),
                        change_words(child.year_on_year.received, "count"),
                    ]
                    for child in report.children
                ],
                widths(width, 24, 9, 9, 9, 11, 9, 11, 18),
                size=8,
            ),
        ]
    number = "七" if report.children else "六"
    story.append(heading(f"{number}、超期件（共{report.totals.overdue}件）"))
    if report.overdue_cases:
        if report.totals.overdue > len(report.overdue_cases):
            story.append(
                para(
                    f"列出未办结的在前、登记早的在前的{len(report.overdue_cases)}件；全部超期件见工作台的意见建议列表。",
                    9,
                )
            )
        story.append(
            table(
                ["查询码", "登记日期", "区划", "标题", "承办单位", "状态", "超期环节"],
                [
                    [
                        case.receipt_code,
                        f"{case.registered_on:%m-%d}",
                        case.region,
                        case.title,
                        case.unit or "—",
                        case.status,
                        f"{case.waiting_for}（{case.due:%m-%d}到期）" if case.due else "已超期",
                    ]
                    for case in report.overdue_cases
                ],
                widths(width, 13, 8, 12, 26, 15, 8, 18),
                size=8,
            )
        )
    else:
        story.append(para("本期没有超期件。", 9))
    return render(story, title=report.title, footer=report.title)


def _table_or_none(items: list[Breakdown], shares: list[float]) -> Any:
    if not items:
        return para("本期没有意见建议。", 9)
    return table(BREAKDOWN_HEADER, _breakdown_rows(items), shares, size=8)


# --- xlsx ----------------------------------------------------------------------------------------------------------


class Percent(Parser):
    """A fraction shown as a percentage (export only)."""

    number_format = "0.0%"


class OneDecimal(Parser):
    number_format = "0.0"


TOTALS_COLUMNS = [
    Column("指标", "label", parse=Text()),
    Column("本期", "now", parse=Number()),
    Column("上期", "previous", parse=Number()),
    Column("环比", "month_on_month", parse=Text()),
    Column("去年同期", "year_before", parse=Number()),
    Column("同比", "year_on_year", parse=Text()),
]
DAILY_COLUMNS = [Column("日期", "day", parse=Date()), Column("收到（件）", "received", parse=Integer())]
BREAKDOWN_COLUMNS = [
    Column("名称", "label", parse=Text()),
    Column("收到", "received", parse=Integer()),
    Column("受理", "accepted", parse=Integer()),
    Column("办结", "resolved", parse=Integer()),
    Column("办结率", "resolution_rate", parse=Percent()),
    Column("平均办结用时（工作日）", "average_handling_days", parse=OneDecimal()),
    Column("超期", "overdue", parse=Integer()),
    Column("线上", "online", parse=Integer()),
    Column("已评价", "rated", parse=Integer()),
    Column("满意率", "satisfaction_rate", parse=Percent()),
]
CHILD_COLUMNS = [
    Column("区划代码", "code", parse=Text()),
    Column("区划", "name", parse=Text()),
    *BREAKDOWN_COLUMNS[1:],
    Column("收到同比", "received_change", parse=Text()),
]
OVERDUE_COLUMNS = [
    Column("查询码", "receipt_code", parse=Text()),
    Column("登记日期", "registered_on", parse=Date()),
    Column("区划", "region", parse=Text()),
    Column("标题", "title", parse=Text(), width=40),
    Column("承办单位", "unit", parse=Text()),
    Column("状态", "status", parse=Text()),
    Column("超期环节", "waiting_for", parse=Text()),
    Column("时限", "due", parse=Date()),
]


def _in_sheet(value: Any, kind: str) -> Any:
    """Totals as numbers: rates in percent (87.5), days to one decimal."""
    if value is None:
        return None
    if kind == "rate":
        return round(value * 100, 1)
    return value


def _totals_sheet_rows(report: RegionReport) -> list[dict[str, Any]]:
    rows = []
    for name, label, kind in MEASURES:
        rows.append(
            {
                "label": f"{label}（%）" if kind == "rate" else label,
                "now": _in_sheet(getattr(report.totals, name), kind),
                "previous": _in_sheet(getattr(report.previous, name), kind),
                "month_on_month": change_words(getattr(report.month_on_month, name), kind),
                "year_before": _in_sheet(getattr(report.statistics.previous, name), kind),
                "year_on_year": change_words(getattr(report.statistics.year_on_year, name), kind),
            }
        )
    return rows


def _breakdown_dicts(items: list[Breakdown]) -> list[dict[str, Any]]:
    return [vars(item) for item in items]


def report_xlsx(report: RegionReport) -> bytes:
    """The PDF's tables as sheets (numbers as numbers); every text cell goes through the tabular writer, which makes
    formula-looking text (a unit named "=…") inert."""
    children = [
        {
            "code": c.code,
            "name": c.name,
            **vars(c.totals),
            "received_change": change_words(c.year_on_year.received, "count"),
        }
        for c in report.children
    ]
    sheets: list[tuple[str, list[Column], list[dict[str, Any]]]] = [
        ("总体情况", TOTALS_COLUMNS, _totals_sheet_rows(report)),
        ("每日收件", DAILY_COLUMNS, [{"day": day, "received": n} for day, n in report.daily]),
        ("按类别", BREAKDOWN_COLUMNS, _breakdown_dicts(report.statistics.by_category)),
        ("按承办单位", BREAKDOWN_COLUMNS, _breakdown_dicts(report.statistics.by_unit)),
        ("按渠道", BREAKDOWN_COLUMNS, _breakdown_dicts(report.statistics.by_channel)),
        ("下级区划", CHILD_COLUMNS, children),
        ("超期件", OVERDUE_COLUMNS, [vars(case) for case in report.overdue_cases]),
    ]
    return write_xlsx_sheets(sheets)


def report_filename(report: RegionReport | Report, suffix: str) -> str:
    """德清县-2026年11月月报.pdf"""
    if isinstance(report, Report):
        return f"{report.region.name}-{report.label}{suffix}"
    return f"{report.region_name}-{report.period.label}{report.period.report_name}{suffix}"


# --- stored reports ------------------------------------------------------------------------------------------------


def can_view_reports(user: Any, region: Region) -> bool:
    return may(user, REPORT_PERM, region.path)


def reports_visible_to(user: Any) -> QuerySet[Report]:
    """The stored reports of the regions where the user supervises cases, newest period first."""
    return (
        Report.objects.filter(region_scope_q(user, "region__path", REPORT_PERM))
        .select_related("region", "created_by")
        .order_by("-period_start", "kind", "region__path")
    )


def report_regions_for(user: Any) -> QuerySet[Region]:
    """The regions a user may make a report of: cities, counties and townships where they supervise cases."""
    return Region.objects.filter(
        region_scope_q(user, "path", REPORT_PERM), level__in=("prefecture", "county", "township")
    ).order_by("path")


def _store(
    *, region: Region, report: RegionReport, pdf: bytes, xlsx: bytes, actor: Any, replace: bool
) -> tuple[Report | None, list[str]]:
    """Write the row and its files inside the caller's transaction. Returns the row (None when it exists and
    `replace` is False) and the names of the files it replaced, to delete after the commit."""
    period = report.period
    existing = (
        Report.objects.select_for_update().filter(region=region, kind=period.kind, period_start=period.start).first()
    )
    if existing is not None and not replace:
        return None, []
    stem = f"{region.code}-{period.code}-{uuid.uuid4().hex[:12]}"
    row = existing or Report(region=region, kind=period.kind, period_start=period.start)
    old = [name for name in (row.pdf.name, row.xlsx.name) if name] if existing else []
    before = {"created_at": existing.created_at.isoformat(), "created_by": existing.created_by_id} if existing else {}
    row.period_end = period.end
    row.created_at = timezone.now()
    row.created_by = actor if getattr(actor, "pk", None) else None
    row.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
    row.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # another process made it between our read and our insert
        row.pdf.delete(save=False)
        row.xlsx.delete(save=False)
        return None, []
    audit_record(
        actor=actor,
        action="insight.report_replace" if existing else "insight.report_create",
        obj=row,
        changes={
            "period": period.code,
            "created_at": [before.get("created_at"), row.created_at.isoformat()],
            "received": report.totals.received,
        },
        region_path=region.path,
    )
    return row, old


def _delete_files(names: list[str]) -> None:
    storage = Report._meta.get_field("pdf").storage  # type: ignore[attr-defined]
    for name in names:
        storage.delete(name)


def report_generate(*, region: Region, period: Period | str, actor: Any = None) -> Report:
    """Make (or make again) the region's report of the period and store its PDF and .xlsx; audited. `actor` None is
    the worker; a member of staff must supervise cases in the region (PermissionDenied otherwise)."""
    if actor is not None and not can_view_reports(actor, region):
        raise PermissionDenied("您不能生成该区划的报表")
    report = report_collect(region, period)
    pdf, xlsx = report_pdf(report), report_xlsx(report)
    with transaction.atomic():
        row, old = _store(region=region, report=report, pdf=pdf, xlsx=xlsx, actor=actor, replace=True)
        if row is None:  # another process inserted it between our read and our insert: replace that one
            row, old = _store(region=region, report=report, pdf=pdf, xlsx=xlsx, actor=actor, replace=True)
        if row is None:
            raise DomainError("report_busy", "该报表正在由其他任务生成，请稍后再试")
        transaction.on_commit(lambda: _delete_files(old))
    return row


def report_generate_once(
    *, region: Region, period: Period, on_created: Callable[[Report, RegionReport], None] | None = None
) -> Report | None:
    """The worker's call: make the report unless it exists (the unique key decides between two workers); run
    `on_created(row, report)` inside the same transaction (the notifications). None when it existed."""
    if Report.objects.filter(region=region, kind=period.kind, period_start=period.start).exists():
        return None
    report = report_collect(region, period)
    pdf, xlsx = report_pdf(report), report_xlsx(report)
    with transaction.atomic():
        row, _ = _store(region=region, report=report, pdf=pdf, xlsx=xlsx, actor=None, replace=False)
        if row is not None and on_created is not None:
            on_created(row, report)
    return row


def report_get_visible_to(*, user: Any, pk: int) -> Report | None:
    return reports_visible_to(user).filter(pk=pk).first()
