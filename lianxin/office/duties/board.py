"""履职频次: the compliance board of the frequency rules (selectors.compliance_board) for the user's deputies, per
rule how many meet it and how many are behind in the period, who is behind by township, how many by deputy group,
and the places behind on the place rules. A switch picks the monthly, quarterly, yearly or term rules and the month whose period is shown. The rules are edited in the admin."""

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from lianxin.duties.models import RulePeriod, RuleSubject
from lianxin.duties.selectors import compliance_board
from lianxin.office.duties.common import duties_required, tabs

PERIODS = [RulePeriod.MONTH, RulePeriod.QUARTER, RulePeriod.YEAR, RulePeriod.TERM]


def _day(text: str) -> datetime.date:
    today = timezone.localdate()
    try:
        month = datetime.datetime.strptime(text, "%Y-%m").date() if text else today.replace(day=1)
    except ValueError:
        return today
    # The current month counts up to today; a past month is shown as it ended.
    return today if (month.year, month.month) == (today.year, today.month) else month


@duties_required
def board(request: HttpRequest) -> HttpResponse:
    period = request.GET.get("period") or RulePeriod.MONTH
    if period not in PERIODS:
        period = RulePeriod.MONTH
    day = _day(request.GET.get("on", ""))
    result = compliance_board(user=request.user, day=day)
    rules = [r for r in result.rules if r.period == period]
    deputy_rules = [r for r in rules if r.subject == RuleSubject.DEPUTY]
    wanted = {r.pk for r in rules}
    summary = [
        {"rule": r, "met": result.met(r), "behind": result.behind(r), "period": result.periods.get(r.pk)} for r in rules
    ]
    names = {r.pk: r.name for r in rules}
    townships: dict[str, list[dict[str, Any]]] = {}
    for row in result.rows:
        behind = [pk for pk in row.behind if pk in wanted]
        if behind:
            townships.setdefault(row.township or "（未设选区）", []).append(
                {"deputy": row.deputy, "rules": [f"{names[pk]}（{row.counts.get(pk, 0)}次）" for pk in behind]}
            )
    places: dict[str, list[dict[str, Any]]] = {}
    for place_row in result.places:
        behind = [pk for pk in place_row.behind if pk in wanted]
        if behind:
            places.setdefault(place_row.township or "（县级）", []).append(
                {
                    "place": place_row.place,
                    "rules": [f"{names[pk]}（{place_row.counts.get(pk, 0)}次）" for pk in behind],
                }
            )
    context = {
        "tabs": tabs(request),
        "periods": [(p.value, p.label) for p in PERIODS],
        "period": period,
        "on": f"{day:%Y-%m}",
        "summary": summary,
        "townships": sorted(townships.items()),
        "places": sorted(places.items()),
        "groups": result.by_group(deputy_rules) if deputy_rules else [],
        "deputies": len(result.rows),
    }
    return render(request, "office/duties/board.html", context)


urlpatterns = [path("", board, name="duty_board")]
