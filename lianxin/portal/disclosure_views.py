"""公开问效: a county's public figures (lianxin/insight/disclosure.py) with their charts and tables, and the list of
counties. Served from the public page cache: the same for everyone, and heavy to compute."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from lianxin.core.errors import DomainError
from lianxin.core.pagecache import public_page
from lianxin.insight.disclosure import (
    CountyDisclosure,
    Period,
    Row,
    counties_public,
    county_disclosure,
    county_get_public,
    period_default,
    period_parse,
)

KINDS = (("month", "月度"), ("quarter", "季度"), ("year", "年度"))


@public_page
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/disclosure/index.html", {"counties": counties_public()})


@public_page
def county_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        county = county_get_public(code=code)
        period = period_parse(request.GET.get("p"))
    except DomainError as error:  # an unknown code, not a county, a period not begun or malformed
        raise Http404(error.message) from error
    disclosure = county_disclosure(county=county, period=period)
    return render(
        request,
        "portal/disclosure/county.html",
        {
            "d": disclosure,
            "kinds": _kinds(period),
            "previous": period.previous(),
            "following": period.following(),
            "charts": _charts(disclosure),
        },
    )


def _kinds(period: Period) -> list[dict[str, Any]]:
    """The switch: each kind's latest full period (the year to date for a year)."""
    return [
        {"label": label, "code": period_default(kind).code, "current": kind == period.kind} for kind, label in KINDS
    ]


def _series(rows: list[Row], *fields: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"name": name, "data": [getattr(row, field).value for row in rows]} for field, name in fields]


def _charts(d: CountyDisclosure) -> dict[str, dict[str, Any]]:
    """What each chart draws: the same cells as the tables under the charts (None where a table shows "<N" or —)."""
    return {
        "townships": {
            "type": "bar",
            "unit": "件",
            "categories": [row.label for row in d.by_township],
            "series": _series(d.by_township, ("received", "收到"), ("resolved", "办结")),
        },
        "township_rates": {
            "type": "bar",
            "unit": "%",
            "categories": [row.label for row in d.by_township],
            "series": _series(d.by_township, ("resolution_rate", "办结率"), ("satisfaction_rate", "满意率")),
        },
        "categories": {
            "type": "pie",
            "unit": "件",
            "series": [
                {"name": "收到", "data": [{"name": row.label, "value": row.received.value} for row in d.by_category]}
            ],
        },
        "trend": {
            "type": "line",
            "unit": "件",
            "categories": [row.label for row in d.trend],
            "series": _series(d.trend, ("received", "收到"), ("resolved", "办结")),
        },
    }


urlpatterns = [
    path("", index, name="disclosure_index"),
    path("<str:code>/", county_page, name="disclosure"),
]
