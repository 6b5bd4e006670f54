"""Votes on livelihood projects (票决): rules, status and the published result with its ballots digest.

Never who voted for what: the selectors behind this router read neither the ballots nor the register of who has
voted, and the schemas have no field that could carry a deputy's choice (lianxin.api.project_schemas)."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from lianxin.api.auth import caller
from lianxin.api.pagination import LimitOffset
from lianxin.api.project_schemas import VoteFilters, VoteOut
from lianxin.api.schemas import ErrorOut, ValidationErrorOut
from lianxin.projects.models import Vote
from lianxin.projects.selectors import vote_get_visible_to, vote_query_visible_to

router = Router(tags=["民生实事项目票决"])
ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


@router.get(
    "/votes",
    response={200: list[VoteOut], **ERRORS},
    summary="票决列表",
    description="您管辖范围内各级人大的民生实事项目票决：规则、状态、候选项目；计票后附结果和选票摘要。",
)
@paginate(LimitOffset)
def vote_list(request: HttpRequest, filters: Query[VoteFilters]) -> QuerySet[Vote]:
    return vote_query_visible_to(user=caller(request), **filters.model_dump())


@router.get(
    "/votes/{vote_id}",
    response={200: VoteOut, **ERRORS},
    summary="票决详情",
    description="不存在或不在管辖范围内时返回 404。不提供任何代表的投票内容。",
)
def vote_detail(request: HttpRequest, vote_id: int) -> Vote:
    return vote_get_visible_to(user=caller(request), vote_id=vote_id)
