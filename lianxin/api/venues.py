"""Places (家站室). Thin: every answer comes from lianxin.venues.selectors (a place with its roster: lianxin.deputies.selectors)."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from lianxin.api.auth import caller
from lianxin.api.pagination import LimitOffset
from lianxin.api.schemas import ErrorOut, PlaceDetailOut, PlaceFilters, PlaceOut, ValidationErrorOut
from lianxin.deputies.selectors import place_get_visible_to
from lianxin.venues.models import Place
from lianxin.venues.selectors import place_list_visible_to

router = Router(tags=["家站室"])
ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


@router.get(
    "/places",
    response={200: list[PlaceOut], **ERRORS},
    summary="家站室列表",
    description="您管辖范围内的代表之家、代表工作站、联络室、便民服务窗和履职岗，附站码地址。",
)
@paginate(LimitOffset)
def place_list(request: HttpRequest, filters: Query[PlaceFilters]) -> QuerySet[Place]:
    return place_list_visible_to(user=caller(request), **filters.model_dump())


@router.get(
    "/places/{place_id}",
    response={200: PlaceDetailOut, **ERRORS},
    summary="家站室详情",
    description="含即将到来的接待排班；不存在或不在管辖范围内时返回 404。",
)
def place_detail(request: HttpRequest, place_id: int) -> Place:
    return place_get_visible_to(user=caller(request), place_id=place_id)
