"""普遍问题线索: the routing app's common-problem candidates among the open cases of the user's scope, hottest first,
each with its cases linked to their case pages (where the duplicates panel and the 并入普遍问题 form merge them).
Read-only; who does not handle cases anywhere gets 403 (routing_require_access)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from lianxin.core.errors import DomainError
from lianxin.office.access import office_required
from lianxin.routing.selectors import hotspot_candidates_visible_to

DAYS = 90


@office_required
def hotspots(request: HttpRequest) -> HttpResponse:
    try:
        candidates = hotspot_candidates_visible_to(user=request.user, days=DAYS)
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc
    return render(request, "office/hotspots.html", {"candidates": candidates, "days": DAYS})


# Included by lianxin/office/urls.py under hotspots/.
urlpatterns = [path("", hotspots, name="hotspots")]
