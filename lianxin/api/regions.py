"""Regions (区划) and grids (网格). Thin: every answer comes from lianxin.regions.selectors."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from lianxin.api.auth import caller
from lianxin.api.pagination import LimitOffset
from lianxin.api.schemas import (
    ErrorOut,
    GridDetailOut,
    GridFilters,
    GridOut,
    LocateQuery,
    RegionFilters,
    RegionOut,
    ValidationErrorOut,
)
from lianxin.regions.models import Grid, Region
from lianxin.regions.selectors import (
    grid_get_visible_to,
    grid_list_visible_to,
    grid_locate_visible_to,
    region_get_visible_to,
    region_list_visible_to,
)

router = Router(tags=["区划与网格"])
ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


@router.get(
    "/regions",
    response={200: list[RegionOut], **ERRORS},
    summary="区划列表",
    description="您管辖范围内的行政区划，按代码排序。可按下级范围、直接下级、层级和名称筛选。",
)
@paginate(LimitOffset)
def region_list(request: HttpRequest, filters: Query[RegionFilters]) -> QuerySet[Region]:
    return region_list_visible_to(user=caller(request), **filters.model_dump())


@router.get(
    "/regions/{code}",
    response={200: RegionOut, **ERRORS},
    summary="区划详情",
    description="按12位区划代码查询；不存在或不在管辖范围内时返回 404。",
)
def region_detail(request: HttpRequest, code: str) -> Region:
    return region_get_visible_to(user=caller(request), code=code)


@router.get(
    "/grids",
    response={200: list[GridOut], **ERRORS},
    summary="网格列表",
    description="您管辖范围内的网格，按编码排序，附编入代表人数。",
)
@paginate(LimitOffset)
def grid_list(request: HttpRequest, filters: Query[GridFilters]) -> QuerySet[Grid]:
    return grid_list_visible_to(user=caller(request), **filters.model_dump())


# Before /grids/{code}, which would otherwise take "locate" for a code.
@router.get(
    "/grids/locate",
    response={200: GridDetailOut, **ERRORS},
    summary="按位置查找网格",
    description="返回包含该点（WGS-84 经纬度）的网格；该点不在您可查看的任何网格内时返回 404。",
)
def grid_locate(request: HttpRequest, point: Query[LocateQuery]) -> Grid:
    return grid_locate_visible_to(user=caller(request), lat=point.lat, lng=point.lng)


@router.get(
    "/grids/{code}",
    response={200: GridDetailOut, **ERRORS},
    summary="网格详情",
    description="按网格编码查询，含边界和编入的代表；不存在或不在管辖范围内时返回 404。",
)
def grid_detail(request: HttpRequest, code: str) -> Grid:
    return grid_get_visible_to(user=caller(request), code=code)
