"""数据看板's views: the page and its .xlsx. See the package's docstring."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header

from lianxin.accounts.permissions import may
from lianxin.cases.models import Channel
from lianxin.cases.reports import MIN_BASE
from lianxin.cases.selectors import category_list, unit_list_visible_to
from lianxin.core.errors import DomainError
from lianxin.insight.dashboard import common_problems
from lianxin.insight.models import PeriodKind
from lianxin.insight.reports import FORMAT_HINT
from lianxin.office.access import office_required
from lianxin.office.insight import build, export
from lianxin.office.insight.params import (
    PERM,
    STEP_LABELS,
    breadcrumb,
    filters_read,
    grid_read,
    last_full,
    measure_read,
    period_following,
    period_read,
    region_read,
    step_read,
    year_before,
)
from lianxin.regions.selectors import RegionNotFound

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROBLEM_DAYS = 90


def _load(request: HttpRequest) -> tuple[dict[str, Any], build.Dashboard | None]:
    """The page's context and the dashboard (None after a bad parameter, whose message is in the context); Http404
    for a region or grid outside the scope."""
    user = request.user
    region = region_read(user, request.GET.get("region", "").strip())
    grid = grid_read(region, request.GET.get("grid", "").strip())
    context: dict[str, Any] = {
        "region": region,
        "grid": grid,
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
        step = step_read(request.GET.get("trend"))
        measure = measure_read(request.GET.get("measure"))
    except DomainError as exc:
        context["error"] = exc.message
        context["chosen"] = {k: request.GET.get(k, "").strip() for k in ("category", "channel", "unit")}
        return context, None
    try:
        d = build.dashboard(user, region, grid, period, chosen, step, measure)
    except RegionNotFound as exc:  # supervising without handling the region's cases: as outside the scope
        raise Http404 from exc
    context["chosen"] = chosen.query()
    context["period_text"] = period.code
    return context, d


def _none(request: HttpRequest) -> HttpResponse:
    return render(request, "office/insight/none.html", status=403)


@office_required
def insight(request: HttpRequest) -> HttpResponse:
    if not may(request.user, PERM):
        return _none(request)
    context, d = _load(request)
    if d is None:
        return render(request, "office/insight/page.html", context, status=400)
    previous, following = d.period.previous(), period_following(d.period)
    here = build.address(d)
    crumbs = [(r, build.address(d, region=r.code, grid="")) for r in context["crumbs"]]
    if d.grid is not None:
        crumbs.append((d.grid, here))
    problems = common_problems(user=request.user, region=d.region, days=PROBLEM_DAYS) if d.grid is None else []
    context.update(
        {
            "d": d,
            "here": here,
            "headline": build.headline(d),
            "lists": build.case_lists(request.user, d),
            "panels": build.panels(d),
            "trend": build.trend_chart(d),
            "steps": [
                {"label": label, "url": build.address(d, trend=key), "current": key == d.step}
                for key, label in STEP_LABELS.items()
            ],
            "map": build.region_map_parts(d),
            "problems": problems,
            "problem_days": PROBLEM_DAYS,
            "earlier": year_before(d.period),
            "previous": previous,
            "previous_url": build.address(d, period=previous.code),
            "following": following,
            "following_url": build.address(d, period=following.code) if following else "",
            "kinds": [
                {"label": label, "url": build.address(d, period=p.code), "current": p.kind == d.period.kind}
                for label, p in (
                    ("月", last_full(PeriodKind.MONTH)),
                    ("季度", last_full(PeriodKind.QUARTER)),
                    ("年", last_full(PeriodKind.YEAR)),
                )
            ],
            "xlsx_url": reverse("office:insight_xlsx") + here,
            "crumb_urls": crumbs,
            "min_base": MIN_BASE,
        }
    )
    return render(request, "office/insight/page.html", context)


@office_required
def insight_xlsx(request: HttpRequest) -> HttpResponse:
    """Every table as one workbook, or `sheet=KEY` one table (totals, child, category, unit, channel, deputy, place,
    map, trend, overdue, supervised)."""
    if not may(request.user, PERM):
        return _none(request)
    context, d = _load(request)
    if d is None:
        return render(request, "office/insight/page.html", context, status=400)
    sheet = request.GET.get("sheet", "").strip()
    content = export.workbook(d, build.case_lists(request.user, d), sheet)
    if content is None:
        raise Http404
    response = HttpResponse(content, content_type=XLSX_TYPE)
    suffix = f"-{sheet}" if sheet else ""
    filename = f"数据看板-{d.name}-{d.period.label}{suffix}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
