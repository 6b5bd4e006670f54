"""Reads for regions and grids. Every read starts from `visible_to(user)`: outside the user's scope is the
same as not existing."""

from typing import Any

from django.db.models import Count, Q, QuerySet

from lianxin.core.errors import DomainError, NotFound
from lianxin.regions.models import Grid, Region
from lianxin.regions.services import grid_locate


class RegionNotFound(DomainError):
    """A region named in a filter that does not exist or lies outside the user's scope (the two answer the
    same, so a filter cannot be used to probe for regions)."""

    status = 404

    def __init__(self, code: str, *, field: str = "region") -> None:
        super().__init__("region_not_found", f"区划 {code} 不存在或不在您的管辖范围内", field=field)


class GridNotFound(DomainError):
    status = 404

    def __init__(self, code: str, *, field: str = "grid") -> None:
        super().__init__("grid_not_found", f"网格 {code} 不存在或不在您的管辖范围内", field=field)


def region_get_for_filter(*, user: Any, code: str, field: str = "region") -> Region:
    """The visible region with this code, for use as a filter; RegionNotFound otherwise."""
    region = Region.objects.visible_to(user).filter(code=code).first()
    if region is None:
        raise RegionNotFound(code, field=field)
    return region


def region_list_visible_to(
    *,
    user: Any,
    region: str | None = None,
    parent: str | None = None,
    level: str | None = None,
    q: str | None = None,
) -> QuerySet[Region]:
    """Regions the user may see. `region`: that region's subtree; `parent`: its direct children."""
    qs = Region.objects.visible_to(user).select_related("parent")
    if region:
        qs = qs.filter(path__startswith=region_get_for_filter(user=user, code=region).path)
    if parent:
        qs = qs.filter(parent=region_get_for_filter(user=user, code=parent, field="parent"))
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    return qs.order_by("code")


def region_get_visible_to(*, user: Any, code: str) -> Region:
    region = Region.objects.visible_to(user).select_related("parent").filter(code=code).first()
    if region is None:
        raise NotFound()
    return region


def _grid_base(user: Any) -> QuerySet[Grid]:
    return (
        Grid.objects.visible_to(user)
        .select_related("region")
        .annotate(deputy_count=Count("deputy_assignments__deputy", distinct=True))
    )


def grid_list_visible_to(
    *,
    user: Any,
    region: str | None = None,
    kind: str | None = None,
    q: str | None = None,
) -> QuerySet[Grid]:
    qs = _grid_base(user)
    if region:
        qs = qs.filter(region__path__startswith=region_get_for_filter(user=user, code=region).path)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return qs.order_by("code")


def grid_get_for_filter(*, user: Any, code: str, field: str = "grid") -> Grid:
    """The visible grid with this code, for use as a filter; GridNotFound otherwise."""
    grid = Grid.objects.visible_to(user).filter(code=code).first()
    if grid is None:
        raise GridNotFound(code, field=field)
    return grid


def grid_get_visible_to(*, user: Any, code: str) -> Grid:
    grid = _grid_base(user).prefetch_related("deputy_assignments__deputy").filter(code=code).first()
    if grid is None:
        raise NotFound()
    return grid


def grid_locate_visible_to(*, user: Any, lat: float, lng: float) -> Grid:
    """The visible grid that contains the point; NotFound when the point lies in none of them."""
    grid = grid_locate(lat=lat, lng=lng, queryset=Grid.objects.visible_to(user))
    if grid is None:
        raise NotFound("该位置不在您可查看的任何网格内")
    return grid_get_visible_to(user=user, code=grid.code)
