"""我的数据 on the workbench: a deputy's own figures (the cases that came to them, their receptions, the
satisfaction of those they answered) and, for place staff, a place's (the cases received there and its receptions),
for a month, a quarter or a year (`?period=2026-11 | 2026-Q4 | 2026`, default this year; a period under way counts
to today), with the months as a chart and its table. Counted live from the cases by the statistics' measures
(lianxin.insight.dashboard.deputy_figures / place_figures); another place is a 404.

Included by lianxin/workbench/urls.py under insight/.
"""

import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from lianxin.cases.models import Case
from lianxin.core.errors import DomainError
from lianxin.insight.dashboard import OwnFigures, deputy_figures, own_by_month, place_figures
from lianxin.insight.models import PeriodKind
from lianxin.insight.reports import FORMAT_HINT, Period, percent, period_of, period_parse
from lianxin.workbench import selectors as s
from lianxin.workbench.views import deputy_required, workbench_required
from lianxin.workdays.calendar import CHINA


def _today() -> datetime.date:
    return timezone.localtime(timezone.now(), CHINA).date()


def _period(request: HttpRequest) -> tuple[Period, str]:
    """The period of the address (default: this year), and an error message for a bad one (this year then)."""
    text = (request.GET.get("period") or "").strip()
    today = _today()
    if not text:
        return period_of(PeriodKind.YEAR, today), ""
    try:
        period = period_parse(text, today=datetime.date(2101, 1, 1))
    except DomainError as exc:
        return period_of(PeriodKind.YEAR, today), exc.message
    if period.start > today:
        return period_of(PeriodKind.YEAR, today), f"统计期间: {period.label}尚未开始"
    return period, ""


def _months(period: Period, end: datetime.date) -> list[datetime.date]:
    out, month = [], period.start
    while month <= end:
        out.append(month)
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return out


def _context(period: Period, error: str, figures: OwnFigures, cases: Any) -> dict[str, Any]:
    end = min(period.end, _today())
    months = own_by_month(cases=cases, months=_months(period, end))
    return {
        "period": period,
        "end": end,
        "error": error,
        "format_hint": FORMAT_HINT.replace("应为 ", "如 "),
        "f": figures,
        "kpis": [
            ("received", "收件", f"{figures.received}", "件"),
            ("resolved", "办结", f"{figures.resolved}", "件"),
            ("resolution_rate", "办结率", percent(figures.resolution_rate), ""),
            (
                "average_handling_days",
                "平均办结时间（工作日）",
                "—" if figures.average_handling_days is None else f"{figures.average_handling_days:.1f}",
                "天" if figures.average_handling_days is not None else "",
            ),
            ("satisfaction_rate", "满意率", percent(figures.satisfaction_rate), ""),
            ("overdue", "超期", f"{figures.overdue}", "件"),
            ("sessions", "接待活动", f"{figures.sessions}", "场"),
            ("people_received", "接待群众", f"{figures.people_received}", "人次"),
        ],
        "months": [{"label": f"{m.year}年{m.month}月", "received": a, "resolved": b} for m, a, b in months],
        "chart": {
            "type": "bar",
            "unit": "件",
            "categories": [f"{m.month}月" for m, _, _ in months],
            "series": [
                {"name": "收件", "data": [a for _, a, _ in months]},
                {"name": "办结", "data": [b for _, _, b in months]},
            ],
        },
    }


@deputy_required
def my_figures(request: HttpRequest) -> HttpResponse:
    deputy = request.deputy  # type: ignore[attr-defined]
    period, error = _period(request)
    end = min(period.end, _today())
    figures = deputy_figures(deputy=deputy, start=period.start, end=end)
    context = _context(period, error, figures, Case.objects.filter(deputy=deputy))
    context.update({"title": f"{deputy.name}代表的数据", "who": "deputy"})
    return render(request, "workbench/insight/figures.html", context, status=400 if error else 200)


@workbench_required
def place_figures_view(request: HttpRequest, place_id: int) -> HttpResponse:
    place = next((p for p in s.staff_places(user=request.user) if p.pk == place_id), None)
    if place is None:
        raise Http404("未找到该家站室，或不在您的管辖范围内")
    period, error = _period(request)
    end = min(period.end, _today())
    figures = place_figures(place=place, start=period.start, end=end)
    context = _context(period, error, figures, Case.objects.filter(place=place))
    context.update({"title": f"{place.name}的数据", "who": "place", "place": place})
    return render(request, "workbench/insight/figures.html", context, status=400 if error else 200)


urlpatterns = [
    path("", my_figures, name="insight_mine"),
    path("places/<int:place_id>", place_figures_view, name="insight_place"),
]
