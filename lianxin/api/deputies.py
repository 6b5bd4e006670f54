"""Deputies (代表) and deputy groups (代表小组). Thin: every answer comes from lianxin.deputies.selectors."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from lianxin.api.auth import caller
from lianxin.api.pagination import LimitOffset
from lianxin.api.schemas import (
    DeputyDetailOut,
    DeputyFilters,
    DeputyOut,
    ErrorOut,
    GroupDetailOut,
    GroupFilters,
    GroupOut,
    ValidationErrorOut,
)
from lianxin.deputies.models import Deputy, DeputyGroup
from lianxin.deputies.selectors import (
    deputy_get_visible_to,
    deputy_list_visible_to,
    group_get_visible_to,
    group_list_visible_to,
)

router = Router(tags=["代表与代表小组"])
ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


@router.get(
    "/deputies",
    response={200: list[DeputyOut], **ERRORS},
    summary="代表列表",
    description=(
        "您管辖范围内的代表（其人大、选区或所进网格位于您的区划内），按姓名排序。"
        "联系方式仅对有“查看联系方式”权限的用户提供，其他用户为 null。"
    ),
)
@paginate(LimitOffset)
def deputy_list(request: HttpRequest, filters: Query[DeputyFilters]) -> QuerySet[Deputy]:
    return deputy_list_visible_to(user=caller(request), **filters.model_dump())


@router.get(
    "/deputies/{deputy_id}",
    response={200: DeputyDetailOut, **ERRORS},
    summary="代表详情",
    description="含各级代表资格、所在小组、所进网格和结对网格员；不存在或不在管辖范围内时返回 404。",
)
def deputy_detail(request: HttpRequest, deputy_id: int) -> Deputy:
    return deputy_get_visible_to(user=caller(request), deputy_id=deputy_id)


@router.get(
    "/groups",
    response={200: list[GroupOut], **ERRORS},
    summary="代表小组列表",
    description="您管辖范围内的专业代表小组、代表小组和监督小组。",
)
@paginate(LimitOffset)
def group_list(request: HttpRequest, filters: Query[GroupFilters]) -> QuerySet[DeputyGroup]:
    return group_list_visible_to(user=caller(request), **filters.model_dump())


@router.get(
    "/groups/{group_id}",
    response={200: GroupDetailOut, **ERRORS},
    summary="代表小组详情",
    description="含成员和结对共建的网格；不存在或不在管辖范围内时返回 404。",
)
def group_detail(request: HttpRequest, group_id: int) -> DeputyGroup:
    return group_get_visible_to(user=caller(request), group_id=group_id)
