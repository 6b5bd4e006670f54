"""Reads for places (家站室). Every read starts from `visible_to(user)`.

A place with its duty roster (`place_get_visible_to`) is read in `lianxin.deputies.selectors`: the roster
(`DutyShift`) belongs to the deputies app, which sits above venues in the layers.
"""

from typing import Any

from django.db.models import Q, QuerySet

from lianxin.regions.selectors import region_get_for_filter
from lianxin.venues.models import Place


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
