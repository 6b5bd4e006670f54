"""Reads of the service circle: the plans a user may see, the regions a user may plan for."""

from typing import Any

from django.db.models import QuerySet

from lianxin.circle.models import CirclePlan
from lianxin.circle.services import CIRCLE_PERM, may_plan
from lianxin.core.errors import DomainError
from lianxin.core.scoping import region_scope_q
from lianxin.regions.models import Region, RegionLevel


def plans_visible_to(user: Any) -> QuerySet[CirclePlan]:
    return CirclePlan.objects.filter(region_scope_q(user, "region__path", CIRCLE_PERM)).select_related("region")


def plan_get_visible_to(*, user: Any, pk: int) -> CirclePlan | None:
    return plans_visible_to(user).filter(pk=pk).first()


def regions_for(user: Any) -> list[Region]:
    """The regions a user may plan for, down to townships: a county's staff choose the county or a township."""
    deepest = [RegionLevel.PROVINCE, RegionLevel.PREFECTURE, RegionLevel.COUNTY, RegionLevel.TOWNSHIP]
    return list(
        Region.objects.filter(region_scope_q(user, "path", CIRCLE_PERM), level__in=deepest).order_by("path")[:500]
    )


def region_for_code(*, user: Any, code: str) -> Region:
    """The region a plan is asked for: an unknown code and one outside the scope answer alike."""
    region = Region.objects.filter(code=(code or "").strip()).first()
    if region is None or not may_plan(user, region):
        raise DomainError("region_not_found", "区划代码不存在或不在您的管辖范围内", field="region")
    return region
