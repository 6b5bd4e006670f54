"""The dashboard's tables as .xlsx: one workbook with a sheet per chart and table, or one sheet (`sheet=KEY`) for
the export link under a single chart. Numbers stay numbers, rates are in percent, and every text goes through
core.tabular's writer, so a unit named "=HYPERLINK(…)" stays inert text."""

from typing import Any

from lianxin.core.tabular import Column, Date, Integer, Number, Text, write_xlsx_sheets
from lianxin.insight.reports import BREAKDOWN_COLUMNS, change_words
from lianxin.office.insight.build import HEADLINE, Dashboard, change_of, panels, region_map_parts
from lianxin.workdays.calendar import CHINA

TOTALS_COLUMNS = [
    Column("指标", "label", parse=Text()),
    Column("本期", "now", parse=Number()),
    Column("去年同期", "before", parse=Number()),
    Column("同比", "change", parse=Text()),
    Column("上期", "previous", parse=Number()),
    Column("环比", "change_previous", parse=Text()),
]
TREND_COLUMNS = [
    Column("起", "start", parse=Date()),
    Column("止", "end", parse=Date()),
    Column("收件", "received", parse=Integer()),
    Column("办结", "resolved", parse=Integer()),
]
MAP_COLUMNS = [
    Column("代码", "code", parse=Text()),
    Column("名称", "name", parse=Text()),
    Column("常住人口", "population", parse=Integer()),
    Column("收件", "received", parse=Integer()),
    Column("指标值", "value", parse=Number()),
]
CASE_COLUMNS = [
    Column("查询码", "receipt_code", parse=Text()),
    Column("标题", "title", parse=Text()),
    Column("所在区划", "region", parse=Text()),
    Column("承办单位", "unit", parse=Text()),
    Column("登记日期", "day", parse=Date()),
]


def _in_sheet(value: Any, kind: str) -> Any:
    if value is None:
        return None
    return round(value * 100, 1) if kind == "rate" else value


def _totals(d: Dashboard) -> list[dict[str, Any]]:
    rows = []
    for name, label, kind, unit in HEADLINE:
        if not hasattr(d.now.totals, name):
            continue
        rows.append(
            {
                "label": f"{label}（%）" if kind == "rate" else (f"{label}（{unit}）" if unit == "件" else label),
                "now": _in_sheet(getattr(d.now.totals, name), kind),
                "before": _in_sheet(getattr(d.before.totals, name), kind),
                "change": change_words(change_of(d, name, d.before, d.change), kind),
                "previous": _in_sheet(getattr(d.previous.totals, name), kind),
                "change_previous": change_words(change_of(d, name, d.previous, d.change_previous), kind),
            }
        )
    return rows


def _cases(cases: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "receipt_code": c.receipt_code,
            "title": c.title,
            "region": c.region.name,
            "unit": c.unit.name if c.unit else "",
            "day": c.registered_at.astimezone(CHINA).date(),
        }
        for c in cases
    ]


def sheets(d: Dashboard, lists: dict[str, Any]) -> list[tuple[str, str, list[Column], list[dict[str, Any]]]]:
    """(key, sheet title, columns, rows) of every table of the page, in the page's order."""
    out: list[tuple[str, str, list[Column], list[dict[str, Any]]]] = [
        ("totals", "总体情况", TOTALS_COLUMNS, _totals(d))
    ]
    for panel in panels(d):
        columns = [Column(panel["first"], "label", parse=Text()), *BREAKDOWN_COLUMNS[1:]]
        out.append((panel["dim"], panel["title"], columns, [vars(item) for item in d.by[panel["dim"]]]))
    parts = region_map_parts(d)
    if parts["areas"]:
        label, unit = parts["label"], parts["unit"]
        columns = [*MAP_COLUMNS[:-1], Column(f"{label}（{unit}）", "value", parse=Number())]
        rows = [
            {
                "code": a.code,
                "name": a.name,
                "population": a.population,
                "received": a.received,
                "value": _in_sheet(a.value, "rate" if d.measure != "per10k" else "count"),
            }
            for a in parts["areas"]
        ]
        out.append(("map", f"地图-{label}", columns, rows))
    trend = [{"start": p.start, "end": p.end, "received": p.received, "resolved": p.resolved} for p in d.trend]
    out.append(("trend", "走势", TREND_COLUMNS, trend))
    out.append(("overdue", "超期件", CASE_COLUMNS, _cases(lists["overdue"].cases)))
    out.append(("supervised", "督办件", CASE_COLUMNS, _cases(lists["supervised"].cases)))
    return out


def workbook(d: Dashboard, lists: dict[str, Any], sheet: str = "") -> bytes | None:
    """Every table, a sheet each; or only the sheet `sheet` (None when the page has no such table)."""
    chosen = [(title, columns, rows) for key, title, columns, rows in sheets(d, lists) if not sheet or key == sheet]
    return write_xlsx_sheets(chosen) if chosen else None
