"""The reports' charts, drawn on the server with reportlab's graphics (vector shapes in the PDF, no browser): a bar
chart of the cases per category and a line of the cases received per day. Labels in the embedded CJK font
(lianxin.publicweb.fonts), the colours of the printed sheets (lianxin.publicweb.printing)."""

import datetime
from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib.colors import Color

from lianxin.publicweb.fonts import FONT, font_register
from lianxin.publicweb.printing import GREY, RED, RULE

BAR = Color(0.64, 0.08, 0.11, alpha=0.85)
# A bar chart shows this many categories; the rest are summed into 其余类别 (the table beside it lists them all).
MAX_BARS = 12
LABEL_SIZE = 8


STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000)


def _scale(highest: int) -> tuple[int, int]:
    """(top, step) of the value axis: a round step giving at most 8 intervals, at least 5 so that a quiet period
    still has a readable scale."""
    top = max(highest, 5)
    step = next((s for s in STEPS if top / s <= 8), -(-top // 8))
    return -(-top // step) * step, step


def _title(drawing: Drawing, text: str, width: float, height: float) -> None:
    drawing.add(String(0, height - LABEL_SIZE - 2, text, fontName=FONT, fontSize=LABEL_SIZE + 1, fillColor=GREY))


def bar_chart(items: Sequence[tuple[str, int]], *, width: float, title: str) -> Drawing:
    """Horizontal bars, one per (label, count), largest first; beyond MAX_BARS the rest as 其余类别."""
    font_register()
    items = sorted(items, key=lambda item: -item[1])
    if len(items) > MAX_BARS:
        items = [*items[: MAX_BARS - 1], ("其余类别", sum(count for _, count in items[MAX_BARS - 1 :]))]
    rows = max(len(items), 1)
    bar_space = 16
    height = rows * bar_space + 40
    drawing = Drawing(width, height)
    _title(drawing, title, width, height)
    chart = HorizontalBarChart()
    label_width = 90
    chart.x, chart.y = label_width, 18
    chart.width, chart.height = width - label_width - 30, rows * bar_space
    # reportlab draws the first category at the bottom: reversed, the largest is on top.
    shown = list(reversed(items)) or [("（无）", 0)]
    chart.data = [[count for _, count in shown]]
    chart.categoryAxis.categoryNames = [label[:10] for label, _ in shown]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = LABEL_SIZE
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.strokeColor = RULE
    top, step = _scale(max((count for _, count in shown), default=0))
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, top, step
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = LABEL_SIZE - 1
    chart.valueAxis.strokeColor = RULE
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = RULE
    chart.bars[0].fillColor = BAR
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = LABEL_SIZE - 1
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def line_chart(points: Sequence[tuple[datetime.date, int]], *, width: float, title: str) -> Drawing:
    """The count per day as a line; a date under the axis every few days (the first of each month in a year)."""
    font_register()
    height = 150
    drawing = Drawing(width, height)
    _title(drawing, title, width, height)
    chart = HorizontalLineChart()
    chart.x, chart.y = 30, 24
    chart.width, chart.height = width - 40, height - 50
    counts = [count for _, count in points] or [0]
    chart.data = [counts]
    chart.categoryAxis.categoryNames = _date_labels([day for day, _ in points]) or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = LABEL_SIZE - 1
    chart.categoryAxis.labels.boxAnchor = "n"
    chart.categoryAxis.strokeColor = RULE
    chart.categoryAxis.tickDown = 0
    top, step = _scale(max(counts))
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, top, step
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = LABEL_SIZE - 1
    chart.valueAxis.strokeColor = RULE
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = RULE
    chart.lines[0].strokeColor = RED
    chart.lines[0].strokeWidth = 1.2
    drawing.add(chart)
    return drawing


def _date_labels(days: Sequence[datetime.date]) -> list[str]:
    """A label on about ten days of a month or quarter ("11-05"), on the first of each month in a year ("3月")."""
    if len(days) > 100:
        return [f"{day.month}月" if day.day == 1 else "" for day in days]
    every = 3 if len(days) <= 31 else 10
    return [f"{day:%m-%d}" if n % every == 0 else "" for n, day in enumerate(days)]
