"""Routing intelligence (分办), read-only: router versions with their figures, the router's proposals per case and
candidate common problems. Thin: every answer comes from lianxin.routing.selectors; those who do not handle cases
anywhere are refused (403), proposals outside the scope do not exist (404)."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from lianxin.api.auth import caller
from lianxin.api.pagination import LimitOffset
from lianxin.api.routing_schemas import HotspotFilters, HotspotOut, ProposalFilters, ProposalOut, RouterVersionOut
from lianxin.api.schemas import ErrorOut, ValidationErrorOut
from lianxin.routing.models import Proposal, RouterVersion
from lianxin.routing.selectors import (
    hotspot_candidates_visible_to,
    proposal_get_visible_to,
    proposal_list_visible_to,
    router_versions_visible_to,
)

router = Router(tags=["分办"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


@router.get(
    "/routing/routers",
    response={200: list[RouterVersionOut], **ERRORS},
    summary="分办模型版本",
    description="各版本的训练数据、样本数、评估指标和转人工阈值，新的在前；启用的版本 is_active 为 true。",
)
@paginate(LimitOffset)
def router_list(request: HttpRequest) -> QuerySet[RouterVersion]:
    return router_versions_visible_to(user=caller(request))


@router.get(
    "/routing/proposals",
    response={200: list[ProposalOut], **ERRORS},
    summary="分办建议列表",
    description="您办理范围内各件的分办建议（类别、置信度、承办单位）和确定结果，新的在前。",
)
@paginate(LimitOffset)
def proposal_list(request: HttpRequest, filters: Query[ProposalFilters]) -> QuerySet[Proposal]:
    return proposal_list_visible_to(user=caller(request), **filters.model_dump())


@router.get(
    "/routing/proposals/{proposal_id}",
    response={200: ProposalOut, **ERRORS},
    summary="分办建议详情",
    description="不存在或不在您的办理范围内时返回 404。",
)
def proposal_detail(request: HttpRequest, proposal_id: int) -> Proposal:
    return proposal_get_visible_to(user=caller(request), proposal_id=proposal_id)


@router.get(
    "/routing/hotspots",
    response={200: list[HotspotOut], **ERRORS},
    summary="普遍问题候选",
    description="您范围内近期未办结、尚未合并的意见建议中，反映同一地点同一问题的组，按热度从高到低。",
)
def hotspot_list(request: HttpRequest, filters: Query[HotspotFilters]) -> list[dict[str, Any]]:
    user = caller(request)
    return [HotspotOut.of(c) for c in hotspot_candidates_visible_to(user=user, **filters.model_dump())]
