"""Elections (选举): elections with their districts, the roll checks' findings (错·漏·重) and the decisions.
Thin: every answer comes from lianxin.elections.selectors. Only those who run elections in a region
(manage_elections) see its rolls; ID numbers are masked unless the user may see contacts there."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from lianxin.api.auth import caller
from lianxin.api.election_schemas import ElectionDetailOut, ElectionFilters, ElectionOut, FindingFilters, FindingOut
from lianxin.api.pagination import LimitOffset
from lianxin.api.schemas import ErrorOut, ValidationErrorOut
from lianxin.elections.models import Election, Finding
from lianxin.elections.selectors import election_get_visible_to, election_list_visible_to, finding_list_visible_to

router = Router(tags=["选举"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


@router.get(
    "/elections",
    response={200: list[ElectionOut], **ERRORS},
    summary="选举列表",
    description="您负责选举工作的区划内的选举；没有选举工作权限时返回 403。",
)
@paginate(LimitOffset)
def election_list(request: HttpRequest, filters: Query[ElectionFilters]) -> QuerySet[Election]:
    return election_list_visible_to(user=caller(request), **filters.model_dump())


@router.get(
    "/elections/{election_id}",
    response={200: ElectionDetailOut, **ERRORS},
    summary="选举详情",
    description="含选区（名额、名册冻结时间、在册人数）。在您的区划内但无选举工作权限时返回 403，范围之外返回 404。",
)
def election_detail(request: HttpRequest, election_id: int) -> Election:
    return election_get_visible_to(user=caller(request), election_id=election_id)


@router.get(
    "/elections/{election_id}/findings",
    response={200: list[FindingOut], **ERRORS},
    summary="名册核查问题",
    description=(
        "错登、漏登、重登的核查结果及工作人员的处理决定。身份证号仅对有“查看联系方式”权限的用户完整显示，"
        "其他用户只显示前4位和后4位。"
    ),
)
@paginate(LimitOffset)
def finding_list(request: HttpRequest, election_id: int, filters: Query[FindingFilters]) -> QuerySet[Finding]:
    f = filters.model_dump()
    return finding_list_visible_to(user=caller(request), election_id=election_id, kind=f["kind"], open_only=f["open"])
