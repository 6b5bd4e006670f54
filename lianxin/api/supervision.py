"""Supervision items (issue 19): /api/v1/supervision-items. Thin: reads from lianxin.supervision.selectors, writes
through lianxin.supervision.services; outside the caller's scope an item does not exist (404)."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from lianxin.api.auth import caller
from lianxin.api.pagination import LimitOffset
from lianxin.api.schemas import ErrorOut, ValidationErrorOut
from lianxin.api.supervision_schemas import (
    RectificationReportIn,
    SupervisionItemDetailOut,
    SupervisionItemFilters,
    SupervisionItemIn,
    SupervisionItemOut,
    SupervisionRecordIn,
    SupervisionRecordOut,
)
from lianxin.cases.models import ResponsibleUnit
from lianxin.core.errors import DomainError
from lianxin.deputies.models import Deputy, DeputyGroup
from lianxin.projects.models import Project
from lianxin.regions.models import Region
from lianxin.supervision import services
from lianxin.supervision.models import ItemRecord, SupervisionItem
from lianxin.supervision.selectors import items_visible_to

router = Router(tags=["监督事项"])
ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {400: ErrorOut, 403: ErrorOut, **ERRORS}


def _item(request: HttpRequest, item_id: int) -> SupervisionItem:
    item: SupervisionItem = services.get_or_404(items_visible_to(user=caller(request)), item_id)
    return item


@router.get(
    "/supervision-items",
    response={200: list[SupervisionItemOut], **ERRORS},
    summary="年度监督事项列表",
    description="工作人员看到管辖范围内人大的监督事项；代表看到所在监督组的事项；被监督部门的经办人看到本部门的事项。",
)
@paginate(LimitOffset)
def item_list(request: HttpRequest, filters: Query[SupervisionItemFilters]) -> QuerySet[SupervisionItem]:
    items = items_visible_to(user=caller(request))
    if filters.year:
        items = items.filter(year=filters.year)
    if filters.region:
        items = items.filter(region__path__contains=f"{filters.region}/")
    if filters.status:
        items = items.filter(status=filters.status)
    return items


@router.get(
    "/supervision-items/{item_id}",
    response={200: SupervisionItemDetailOut, **ERRORS},
    summary="监督事项详情",
    description="含监督组分工、事前事中事后记录、审议意见、整改报告和满意度测评结果；不存在或不在范围内时返回 404。",
)
def item_detail(request: HttpRequest, item_id: int) -> SupervisionItem:
    return _item(request, item_id)


@router.post(
    "/supervision-items",
    response={201: SupervisionItemDetailOut, **WRITE_ERRORS},
    summary="新建年度监督事项",
    description="须有该人大的监督管理权限（403）；监督组须为监督小组且属于该区划，部门、法律法规或项目按类型必填（400）。",
)
def item_create(request: HttpRequest, payload: SupervisionItemIn) -> Status[SupervisionItem]:
    user = caller(request)
    region = Region.objects.filter(code=payload.region).first()
    if region is None:
        raise DomainError("region_unknown", f"区划: 没有代码为 {payload.region} 的区划", field="region")
    unit = ResponsibleUnit.objects.filter(pk=payload.unit).first() if payload.unit else None
    if payload.unit and unit is None:
        raise DomainError("unit_unknown", "被监督部门: 不存在", field="unit")
    project = Project.objects.filter(pk=payload.project).first() if payload.project else None
    if payload.project and project is None:
        raise DomainError("project_unknown", "民生实事项目: 不存在", field="project")
    groups = {g.pk: g for g in DeputyGroup.objects.filter(pk__in=payload.groups)}
    if len(groups) != len(set(payload.groups)):
        raise DomainError("group_unknown", "监督组: 有不存在的监督组", field="groups")
    members = list(Deputy.objects.visible_to(user).filter(pk__in=payload.members))
    if len(members) != len(set(payload.members)):
        raise DomainError("deputy_unknown", "成员: 有不存在或不在管辖范围内的代表", field="members")
    ordered = [groups[pk] for pk in dict.fromkeys(payload.groups)]
    item = services.item_create(
        actor=user,
        region=region,
        year=payload.year,
        title=payload.title,
        subject_kind=payload.subject_kind,
        unit=unit,
        law_name=payload.law_name,
        project=project,
        plan=payload.plan,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        groups=ordered,
        lead_group=ordered[0] if ordered else None,
        members=members,
    )
    return Status(201, item)


@router.get(
    "/supervision-items/{item_id}/records",
    response={200: list[SupervisionRecordOut], **ERRORS},
    summary="监督事项的记录",
    description="事前、事中、事后记录，按时间先后。",
)
def item_records(request: HttpRequest, item_id: int) -> list[ItemRecord]:
    return list(_item(request, item_id).records.order_by("created_at", "id"))


@router.post(
    "/supervision-items/{item_id}/records",
    response={201: SupervisionRecordOut, **WRITE_ERRORS},
    summary="添加监督记录",
    description="工作方案、发现问题或其他记录；视察、审议意见、整改报告和测评各有其操作（400）。",
)
def item_record_add(request: HttpRequest, item_id: int, payload: SupervisionRecordIn) -> Status[ItemRecord]:
    record = services.item_record_add(
        actor=caller(request), item=_item(request, item_id), kind=payload.kind, text=payload.text
    )
    return Status(201, record)


@router.post(
    "/supervision-items/{item_id}/report",
    response={200: SupervisionItemDetailOut, **WRITE_ERRORS},
    summary="报送整改报告",
    description="被监督部门的经办人或工作人员报送；逾期报送照收并标记迟交（report_late）；尚未送达审议意见时返回 400。",
)
def item_report(request: HttpRequest, item_id: int, payload: RectificationReportIn) -> SupervisionItem:
    item = _item(request, item_id)
    return services.item_report_submit(actor=caller(request), item=item, report=payload.report)
