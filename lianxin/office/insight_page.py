"""数据看板: the figures of a region (lianxin.insight.figures, read from the rollups) for staff who supervise cases
there, as the reports page's users: the headline measures with their change on the same months a year earlier, the
breakdowns by child region, category, unit and channel as bar charts with their tables, the days as a line, and
every table in one .xlsx.

The address holds the view, so that it can be shared: `?region=CODE` (default: the user's top region; a child
region's name drills down, the breadcrumb goes back up), `period=2026-11 | 2026-Q4 | 2026` (a complete month,
quarter or year; default the last full month), `category=CODE`, `channel=VALUE`, `unit=ID`. A region outside the
user's scope is a 404, as one that does not exist; a bad period or filter is the page with a Chinese message (400).

Charts are drawn by the portal's charts.js with the vendored ECharts from <script type="application/json"> tables
(the Content-Security-Policy allows no inline script); the tables under them say the same without JavaScript.
"""

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models.functions import Length
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from lianxin.accounts.permissions import may
from lianxin.cases.models import Category, Channel
from lianxin.cases.reports import MIN_BASE, Breakdown, Totals, YearOnYear, totals_change
from lianxin.cases.selectors import category_list, unit_list_visible_to
from lianxin.core.errors import DomainError
from lianxin.core.scoping import region_scope_q
from lianxin.core.tabular import Column, Date, Integer, Number, Text, write_xlsx_sheets
from lianxin.insight.figures import Figures, FigureTotals, figures, figures_daily
from lianxin.insight.models import PeriodKind
from lianxin.insight.reports import (
    BREAKDOWN_COLUMNS,
    FORMAT_HINT,
    REPORT_PERM,
    Period,
    change_words,
    percent,
    period_of,
    period_parse,
)
from lianxin.office.access import office_required
from lianxin.regions.models import Region
from lianxin.regions.selectors import RegionNotFound
from lianxin.workdays.calendar import CHINA

PERM = REPORT_PERM  # supervise_cases: the page counts every case of a region
# A bar chart shows at most this many entries (the largest; the table under it has them all).
CHART_BARS = 15
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The headline measures: (attribute, label, kind for change_words, unit shown after the value).
HEADLINE = (
    ("received", "收件", "count", "件"),
    ("resolved", "办结", "count", "件"),
    ("resolution_rate", "办结率", "rate", ""),
    ("average_handling_days", "平均办结时间（工作日）", "days", "天"),
    ("satisfaction_rate", "满意率", "rate", ""),
    ("online_share", "线上占比", "rate", ""),
    ("overdue", "超期", "count", "件"),
)
BREAKDOWNS = (
    ("child", "by_child", "下级区划"),
    ("category", "by_category", "类别"),
    ("unit", "by_unit", "承办单位"),
    ("channel", "by_channel", "渠道"),
)


# --- the view's parameters -----------------------------------------------------------------------------------------


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


# --- what the page shows -------------------------------------------------------------------------------------------


def as_totals(totals: FigureTotals) -> Totals:
    """cases.reports' Totals (the people received are not in the rollups: 0), so that the change follows its rule."""
    return Totals(people_received=0, **vars(totals))


@dataclass(frozen=True)
class Dashboard:
    region: Region
    period: Period
    chosen: Chosen
    now: Figures
    before: Figures
    change: YearOnYear
    days: list[tuple[datetime.date, int, int]]  # day, received, resolved: every day of the period


def dashboard(user: Any, region: Region, period: Period, chosen: Chosen) -> Dashboard:
    """The figures of `region` for `period` and the same months a year earlier, and the days; RegionNotFound when
    the user does not handle the region's cases (figures' own check)."""

    def of(months: Period) -> Figures:
        return figures(
            user=user,
            region=region,
            start=months.start,
            end=months.end,
            category=chosen.category,
            channel=chosen.channel or None,
            unit_id=chosen.unit_id,
        )

    now, before = of(period), of(year_before(period))
    days = []
    if not chosen.query():  # the days are counted for the whole region (figures_daily has no filters)
        per_day = {d.day: d for d in figures_daily(user=user, region=region, start=period.start, end=period.end)}
        day = period.start
        while day <= period.end:
            entry = per_day.get(day)
            days.append((day, entry.received if entry else 0, entry.resolved if entry else 0))
            day += datetime.timedelta(days=1)
    change = totals_change(as_totals(now.totals), as_totals(before.totals))
    return Dashboard(region, period, chosen, now, before, change, days)


def _shown(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "rate":
        return percent(value)
    if kind == "days":
        return f"{value:.1f}"
    return f"{value}"


def headline(d: Dashboard) -> list[dict[str, Any]]:
    return [
        {
            "key": name,
            "label": label,
            "value": _shown(getattr(d.now.totals, name), kind),
            "unit": unit if getattr(d.now.totals, name) is not None else "",
            "before": _shown(getattr(d.before.totals, name), kind),
            "change": change_words(getattr(d.change, name), kind),
            "shown": getattr(d.change, name) is not None,
        }
        for name, label, kind, unit in HEADLINE
    ]


def _address(region_code: str, period: Period, chosen: Chosen) -> str:
    return "?" + urlencode({"region": region_code, "period": period.code, **chosen.query()})


def overdue_url(d: Dashboard) -> str:
    """The case list's 已超期 queue (open cases now past their step's deadline) of the region, registered in the
    period, with the page's filters."""
    query = {
        "bucket": "overdue",
        "sort": "due",
        "region": d.region.code,
        "date_from": d.period.start.isoformat(),
        "date_to": d.period.end.isoformat(),
        **d.chosen.query(),
    }
    return reverse("office:cases") + "?" + urlencode(query)


def _rows(d: Dashboard, dim: str, items: list[Breakdown]) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        link = _address(item.key, d.period, d.chosen) if dim == "child" and item.key else ""
        rows.append(
            {
                "label": item.label,
                "link": link,
                "received": item.received,
                "accepted": item.accepted,
                "resolved": item.resolved,
                "resolution_rate": percent(item.resolution_rate),
                "average_handling_days": _shown(item.average_handling_days, "days"),
                "overdue": item.overdue,
                "online": item.online,
                "satisfaction_rate": percent(item.satisfaction_rate),
            }
        )
    return rows


def _bar(items: list[Breakdown]) -> dict[str, Any]:
    shown = items[:CHART_BARS]
    return {
        "type": "bar",
        "unit": "件",
        "categories": [item.label for item in shown],
        "series": [
            {"name": "收件", "data": [item.received for item in shown]},
            {"name": "办结", "data": [item.resolved for item in shown]},
        ],
    }


def panels(d: Dashboard) -> list[dict[str, Any]]:
    out = []
    for dim, attribute, title in BREAKDOWNS:
        items = getattr(d.now, attribute)
        out.append(
            {
                "dim": dim,
                "title": f"按{title}" if dim != "child" else "各下级区划",
                "first": title,
                "rows": _rows(d, dim, items),
                "chart": _bar(items),
                "chart_id": f"chart-{dim}",
                "more": len(items) > CHART_BARS,
            }
        )
    return out


def trend_chart(d: Dashboard) -> dict[str, Any]:
    return {
        "type": "line",
        "unit": "件",
        "categories": [f"{day.month}月{day.day}日" for day, _, _ in d.days],
        "series": [
            {"name": "收件", "data": [received for _, received, _ in d.days]},
            {"name": "办结", "data": [resolved for _, _, resolved in d.days]},
        ],
    }


# --- the .xlsx -----------------------------------------------------------------------------------------------------

TOTALS_COLUMNS = [
    Column("指标", "label", parse=Text()),
    Column("本期", "now", parse=Number()),
    Column("去年同期", "before", parse=Number()),
    Column("同比", "change", parse=Text()),
]
DAY_COLUMNS = [
    Column("日期", "day", parse=Date()),
    Column("收件", "received", parse=Integer()),
    Column("办结", "resolved", parse=Integer()),
]


def _in_sheet(value: Any, kind: str) -> Any:
    if value is None:
        return None
    return round(value * 100, 1) if kind == "rate" else value


def workbook(d: Dashboard) -> bytes:
    """Every table of the page, a sheet each; the tabular writer makes formula-looking text (a unit named "=…")
    inert."""
    totals = [
        {
            "label": f"{label}（%）" if kind == "rate" else (f"{label}（{unit}）" if unit == "件" else label),
            "now": _in_sheet(getattr(d.now.totals, name), kind),
            "before": _in_sheet(getattr(d.before.totals, name), kind),
            "change": change_words(getattr(d.change, name), kind),
        }
        for name, label, kind, unit in HEADLINE
    ]
    sheets: list[tuple[str, list[Column], list[dict[str, Any]]]] = [("总体情况", TOTALS_COLUMNS, totals)]
    for _dim, attribute, title in BREAKDOWNS:
        columns = [Column(title, "label", parse=Text()), *BREAKDOWN_COLUMNS[1:]]
        sheets.append((f"按{title}", columns, [vars(item) for item in getattr(d.now, attribute)]))
    if d.days:
        sheets.append(("每日", DAY_COLUMNS, [{"day": a, "received": b, "resolved": c} for a, b, c in d.days]))
    return write_xlsx_sheets(sheets)


def xlsx_filename(d: Dashboard) -> str:
    return f"数据看板-{d.region.name}-{d.period.label}.xlsx"


# --- the views -----------------------------------------------------------------------------------------------------


def _load(request: HttpRequest) -> tuple[Region, dict[str, Any], Dashboard | None]:
    """The region (Http404 outside the scope), the page's context and the dashboard (None after a bad period or
    filter, whose message is in the context)."""
    user = request.user
    region = region_read(user, request.GET.get("region", "").strip())
    context: dict[str, Any] = {
        "region": region,
        "crumbs": breadcrumb(user, region),
        "period_text": request.GET.get("period", "").strip(),
        "format_hint": FORMAT_HINT.replace("应为 ", "如 "),
        "categories": category_list(),
        "channels": Channel.choices,
        "units": unit_list_visible_to(user=user).order_by("name"),
        "error": None,
    }
    try:
        period = period_read(request.GET.get("period"))
        chosen = filters_read(user, request.GET)
    except DomainError as exc:
        context["error"] = exc.message
        context["chosen"] = {k: request.GET.get(k, "").strip() for k in ("category", "channel", "unit")}
        return region, context, None
    try:
        d = dashboard(user, region, period, chosen)
    except RegionNotFound as exc:  # supervising without handling the region's cases: as outside the scope
        raise Http404 from exc
    context["chosen"] = chosen.query()
    context["period_text"] = period.code
    return region, context, d


@office_required
def insight(request: HttpRequest) -> HttpResponse:
    if not may(request.user, PERM):
        return render(request, "office/insight/none.html", status=403)
    region, context, d = _load(request)
    if d is None:
        return render(request, "office/insight/page.html", context, status=400)
    previous, following = d.period.previous(), period_following(d.period)
    earlier = year_before(d.period)
    context.update(
        {
            "d": d,
            "headline": headline(d),
            "overdue_url": overdue_url(d),
            "panels": panels(d),
            "trend": trend_chart(d) if d.days else None,
            "earlier": earlier,
            "previous_url": _address(region.code, previous, d.chosen),
            "previous": previous,
            "following_url": _address(region.code, following, d.chosen) if following else "",
            "following": following,
            "kinds": [
                {"label": label, "url": _address(region.code, p, d.chosen), "current": p.kind == d.period.kind}
                for label, p in (
                    ("月", period_default()),
                    ("季度", period_of(PeriodKind.QUARTER, _last_full(PeriodKind.QUARTER))),
                    ("年", period_of(PeriodKind.YEAR, _last_full(PeriodKind.YEAR))),
                )
            ],
            "xlsx_url": reverse("office:insight_xlsx") + _address(region.code, d.period, d.chosen),
            "crumb_urls": [(r, _address(r.code, d.period, d.chosen)) for r in context["crumbs"]],
            "min_base": MIN_BASE,
        }
    )
    return render(request, "office/insight/page.html", context)


def _last_full(kind: str) -> datetime.date:
    """A day of the last complete period of `kind`."""
    return period_of(kind, today()).start - datetime.timedelta(days=1)


@office_required
def insight_xlsx(request: HttpRequest) -> HttpResponse:
    if not may(request.user, PERM):
        return render(request, "office/insight/none.html", status=403)
    _, context, d = _load(request)
    if d is None:
        return render(request, "office/insight/page.html", context, status=400)
    response = HttpResponse(workbook(d), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, xlsx_filename(d))
    return response


# Included by lianxin/office/urls.py under insight/.
urlpatterns = [
    path("", insight, name="insight"),
    path("insight.xlsx", insight_xlsx, name="insight_xlsx"),
]
