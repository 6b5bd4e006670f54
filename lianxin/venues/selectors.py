"""Reads for places (家站室). Every read starts from `visible_to(user)`."""

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from lianxin.core.errors import NotFound
from lianxin.deputies.models import DutyShift
from lianxin.regions.selectors import region_get_for_filter
from lianxin.venues.models import Place

# How many upcoming duty shifts a place's detail shows.
UPCOMING_SHIFTS = 20


def place_list_visible_to(
    *,
    user: Any,
    region: str | None = None,
    kind: str | None = None,
    q: str | None = None,
) -> QuerySet[Place]:
    qs = Place.objects.visible_to(user).select_related("region", "grid", "hub")
    if region:
        qs = qs.filter(region__path__startswith=region_get_for_filter(user=user, code=region).path)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q))
    return qs.order_by("region__path", "kind", "name", "id")


def place_get_visible_to(*, user: Any, place_id: int) -> Place:
    """One place with its next duty shifts (`upcoming_shifts`); NotFound outside scope."""
    today = timezone.localdate()
    shifts = DutyShift.objects.filter(date__gte=today).select_related("deputy").order_by("date", "start_time", "id")
    place = (
        Place.objects.visible_to(user)
        .select_related("region", "grid", "hub")
        .prefetch_related(Prefetch("duty_shifts", queryset=shifts[:UPCOMING_SHIFTS], to_attr="upcoming_shifts"))
        .filter(id=place_id)
        .first()
    )
    if place is None:
        raise NotFound()
    return place
