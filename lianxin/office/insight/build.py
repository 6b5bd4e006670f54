"""What the dashboard shows, from the rollups (lianxin.insight.figures) and the dashboard's own reads
(lianxin.insight.dashboard): the headline measures with their change on a year earlier (同比) and on the period
before (环比), the breakdowns with their charts and tables, the trend, the map and its table, the overdue and
supervised cases and the common problems."""

from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from lianxin.cases.models import Case
from lianxin.cases.reports import MIN_BASE, Breakdown, Totals, YearOnYear, totals_change
from lianxin.insight import dashboard as dash
from lianxin.insight.figures import Figures, FigureTotals, figures, figures_daily
from lianxin.insight.reports import Period, change_words, percent
from lianxin.office.insight.params import MAP_MEASURES, Chosen, year_before
from lianxin.office.insight.svgmap import Area, bins_for, legend, region_map
from lianxin.regions.models import Grid, Region, RegionLevel

# A bar chart shows at most this many entries (the largest; the table under it has them all).
CHART_BARS = 15
LIST_LIMIT = 10  # overdue and supervised cases listed (the full list is a link)

# The headline measures: (attribute, label, kind for change_words, unit shown after the value).
HEADLINE = (
    ("received", "收件", "count", "件"),
    ("resolved", "办结", "count", "件"),
    ("resolution_rate", "办结率", "rate", ""),
    ("on_time_rate", "按期办结率", "rate", ""),  # shown once FigureTotals counts it
    ("average_handling_days", "平均办结时间（工作日）", "days", "天"),
    ("satisfaction_rate", "满意率", "rate", ""),
    ("online_share", "线上占比", "rate", ""),
    ("overdue", "超期", "count", "件"),
)
# The breakdowns: (key, title of the dimension). "child" is the child regions, or a village's grids.
BREAKDOWNS = (
    ("child", "下级区划"),
    ("category", "类别"),
    ("unit", "承办单位"),
    ("channel", "渠道"),
    ("deputy", "代表"),
    ("place", "家站室"),
)


def as_totals(totals: FigureTotals) -> Totals:
    """cases.reports' Totals (the people received are not in the rollups: 0), so that a change follows its rule;
    measures Totals does not have (按期办结率) are left out."""
    values = {f.name: getattr(totals, f.name, 0) for f in fields(Totals)}
    return Totals(**values)


@dataclass(frozen=True)
class Dashboard:
    region: Region
    grid: Grid | None
    period: Period
    chosen: Chosen
    step: str
    measure: str
    now: Figures
    before: Figures  # the same months a year earlier
    previous: Figures  # the period before (环比)
    change: YearOnYear
    change_previous: YearOnYear
    trend: list[dash.TrendPoint]
    by: dict[str, list[Breakdown]] = field(default_factory=dict)
    population: int = 0
    child_population: dict[str, int] = field(default_factory=dict)
    grid_villages: dict[str, str] = field(default_factory=dict)  # a grid's code → its (lead) village's code

    @property
    def name(self) -> str:
        return self.grid.name if self.grid else self.region.name

    @property
    def filters(self) -> dash.Filters:
        return _filters(self.chosen)


def _filters(chosen: Chosen) -> dash.Filters:
    return dash.Filters(category=chosen.category, channel=chosen.channel or None, unit_id=chosen.unit_id)


def dashboard(
    user: Any, region: Region, grid: Grid | None, period: Period, chosen: Chosen, step: str, measure: str
) -> Dashboard:
    """The figures of `region` (or of its grid) for `period`, a year earlier and the period before, the breakdowns
    and the trend; RegionNotFound when the user does not handle the region's cases (figures' own check)."""
    filters = _filters(chosen)

    def of(months: Period) -> Figures:
        if grid is not None:
            return dash.grid_figures(user=user, grid=grid, start=months.start, end=months.end, filters=filters)
        return figures(
            user=user,
            region=region,
            start=months.start,
            end=months.end,
            category=chosen.category,
            channel=chosen.channel or None,
            unit_id=chosen.unit_id,
        )

    now, before, previous = of(period), of(year_before(period)), of(period.previous())
    low, high = dash.trend_range(step, period.start, period.end)
    daily = None
    if grid is None and not chosen.query():  # the whole region: the daily rollups
        daily = figures_daily(user=user, region=region, start=low, end=high)
    points = dash.trend(
        user=user, region=region, start=period.start, end=period.end, step=step, filters=filters, grid=grid, daily=daily
    )
    span = {"user": user, "region": region, "start": period.start, "end": period.end, "filters": filters}
    by = {
        "child": now.by_child,
        "category": now.by_category,
        "unit": now.by_unit,
        "channel": now.by_channel,
        "deputy": dash.case_breakdown(**span, dim="deputy", grid=grid),
        "place": dash.case_breakdown(**span, dim="place", grid=grid),
    }
    grid_villages: dict[str, str] = {}
    if grid is None and region.level == RegionLevel.VILLAGE:
        by["child"] = dash.grid_breakdown(
            user=user, village=region, start=period.start, end=period.end, filters=filters
        )
        codes = [item.key for item in by["child"] if item.key]
        grid_villages = dict(Grid.objects.filter(code__in=codes).values_list("code", "region__code"))
    return Dashboard(
        region=region,
        grid=grid,
        period=period,
        chosen=chosen,
        step=step,
        measure=measure,
        now=now,
        before=before,
        previous=previous,
        change=totals_change(as_totals(now.totals), as_totals(before.totals)),
        change_previous=totals_change(as_totals(now.totals), as_totals(previous.totals)),
        trend=points,
        by=by,
        population=dash.population_of(region) if grid is None else grid.population,
        child_population=dash.population_by_child(region) if grid is None else {},
        grid_villages=grid_villages,
    )


# --- the page's parts ----------------------------------------------------------------------------------------------


def shown(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "rate":
        return percent(value)
    if kind == "days":
        return f"{value:.1f}"
    return f"{value}"


def change_of(d: Dashboard, name: str, earlier: Figures, change: YearOnYear) -> float | None:
    if hasattr(change, name):
        return getattr(change, name)
    # A measure totals_change does not know (按期办结率): percentage points, on MIN_BASE resolved cases a period
    # earlier, as the other rates.
    now, then = getattr(d.now.totals, name, None), getattr(earlier.totals, name, None)
    if now is None or then is None or earlier.totals.resolved < MIN_BASE:
        return None
    return round(now - then, 4)


def headline(d: Dashboard) -> list[dict[str, Any]]:
    out = []
    for name, label, kind, unit in HEADLINE:
        if not hasattr(d.now.totals, name):
            continue
        value = getattr(d.now.totals, name)
        yoy = change_of(d, name, d.before, d.change)
        mom = change_of(d, name, d.previous, d.change_previous)
        out.append(
            {
                "key": name,
                "label": label,
                "kind": kind,
                "unit_label": unit,
                "value": shown(value, kind),
                "unit": unit if value is not None else "",
                "before": shown(getattr(d.before.totals, name), kind),
                "previous": shown(getattr(d.previous.totals, name), kind),
                "change": change_words(yoy, kind),
                "shown": yoy is not None,
                "change_previous": change_words(mom, kind),
                "shown_previous": mom is not None,
                "raw": (value, getattr(d.before.totals, name), yoy, getattr(d.previous.totals, name), mom),
            }
        )
    return out


def address(d: Dashboard, **override: str) -> str:
    """This view's address with some parameters changed (an empty value drops one)."""
    query = {
        "region": d.region.code,
        "grid": d.grid.code if d.grid else "",
        "period": d.period.code,
        **d.chosen.query(),
        "trend": d.step if d.step != "day" else "",
        "measure": d.measure if d.measure != "per10k" else "",
    }
    query.update(override)
    return "?" + urlencode({k: v for k, v in query.items() if v})


def child_link(d: Dashboard, key: str) -> str:
    """The dashboard of a child region (its code) or, under a village, of a grid (its code)."""
    if not key or d.grid is not None:
        return ""
    if d.region.level == RegionLevel.VILLAGE:  # a grid's page is under its own village
        return address(d, region=d.grid_villages.get(key, d.region.code), grid=key)
    return address(d, region=key, grid="")


def case_list_url(d: Dashboard, bucket: str) -> str:
    """The office case list's queue (已超期, 督办中) of the region, registered in the period, with the filters."""
    query = {
        "bucket": bucket,
        "sort": "due",
        "region": d.region.code,
        "date_from": d.period.start.isoformat(),
        "date_to": d.period.end.isoformat(),
        **d.chosen.query(),
    }
    return reverse("office:cases") + "?" + urlencode(query)


def _rows(d: Dashboard, dim: str, items: list[Breakdown]) -> list[dict[str, Any]]:
    return [
        {
            "label": item.label,
            "link": child_link(d, item.key) if dim == "child" else "",
            "received": item.received,
            "accepted": item.accepted,
            "resolved": item.resolved,
            "resolution_rate": percent(item.resolution_rate),
            "average_handling_days": shown(item.average_handling_days, "days"),
            "overdue": item.overdue,
            "online": item.online,
            "satisfaction_rate": percent(item.satisfaction_rate),
        }
        for item in items
    ]


def bar(items: list[Breakdown]) -> dict[str, Any]:
    top = items[:CHART_BARS]
    return {
        "type": "bar",
        "unit": "件",
        "categories": [item.label for item in top],
        "series": [
            {"name": "收件", "data": [item.received for item in top]},
            {"name": "办结", "data": [item.resolved for item in top]},
        ],
    }


def panel_title(d: Dashboard, dim: str, title: str) -> tuple[str, str]:
    if dim == "child":
        if d.grid is not None:
            return "", ""
        if d.region.level == RegionLevel.VILLAGE:
            return "各网格", "网格"
        return "各下级区划", title
    return f"按{title}", title


def panels(d: Dashboard) -> list[dict[str, Any]]:
    out = []
    for dim, title in BREAKDOWNS:
        heading, first = panel_title(d, dim, title)
        if not heading:
            continue
        items = d.by[dim]
        out.append(
            {
                "dim": dim,
                "title": heading,
                "first": first,
                "rows": _rows(d, dim, items),
                "chart": bar(items),
                "chart_id": f"chart-{dim}",
                "more": len(items) > CHART_BARS,
            }
        )
    return out


def trend_chart(d: Dashboard) -> dict[str, Any]:
    return {
        "type": "line",
        "unit": "件",
        "categories": [point.label for point in d.trend],
        "series": [
            {"name": "收件", "data": [point.received for point in d.trend]},
            {"name": "办结", "data": [point.resolved for point in d.trend]},
        ],
    }


def per10k(received: int, population: int) -> float | None:
    return round(received * 10000 / population, 1) if population else None


def map_areas(d: Dashboard) -> list[Area]:
    """Every child region (a village: every grid) with its outline, residents and the chosen measure."""
    if d.grid is not None:
        return []
    figures_of = {item.key: item for item in d.by["child"]}
    if d.region.level == RegionLevel.VILLAGE:
        places = [(g.code, g.name, g.polygon) for g in Grid.objects.filter(region=d.region).order_by("code")]
    else:
        children = Region.objects.filter(parent=d.region).order_by("code")
        places = [(r.code, r.name, r.boundary) for r in children.only("code", "name", "boundary")]
    out = []
    for code, name, shape in places:
        item = figures_of.get(code)
        population = d.child_population.get(code, 0)
        received = item.received if item else 0
        if d.measure == "per10k":
            value = per10k(received, population)
            text = "—" if value is None else f"{value:g}"
        else:
            value = (item.resolution_rate if d.measure == "resolution" else item.satisfaction_rate) if item else None
            text = percent(value)
        out.append(Area(code, name, child_link(d, code), shape, received, population, value, text))
    return out


def region_map_parts(d: Dashboard) -> dict[str, Any]:
    areas = map_areas(d)
    label, unit = MAP_MEASURES[d.measure]
    bins = bins_for(d.measure, [a.value for a in areas if a.value is not None])
    title = f"{d.region.name}{'各网格' if d.region.level == RegionLevel.VILLAGE else '各下级区划'}{label}分布图"
    return {
        "areas": areas,
        "svg": region_map(areas=areas, bins=bins, title=f"{title}，颜色越深数值越高，数据见下表") if areas else None,
        "legend": legend(d.measure, bins),
        "label": label,
        "unit": unit,
        "title": title,
        "choices": [
            {"key": key, "label": text, "url": address(d, measure=key), "current": key == d.measure}
            for key, (text, _) in MAP_MEASURES.items()
        ],
    }


@dataclass(frozen=True)
class CaseList:
    cases: list[Case]
    count: int
    url: str


def case_lists(user: Any, d: Dashboard) -> dict[str, CaseList]:
    span = {
        "user": user,
        "region": d.region,
        "start": d.period.start,
        "end": d.period.end,
        "filters": d.filters,
        "grid": d.grid,
        "limit": LIST_LIMIT,
    }
    overdue, overdue_count = dash.overdue_cases(**span)
    supervised, supervised_count = dash.supervised_cases(**span)
    return {
        "overdue": CaseList(overdue, overdue_count, case_list_url(d, "overdue")),
        "supervised": CaseList(supervised, supervised_count, case_list_url(d, "supervising")),
    }
