"""Livelihood projects (民生实事项目): projects with their sites and monthly reports, and the lead deputy's monthly
report. Thin: reads come from lianxin.projects.selectors, the write is lianxin.projects.services.site_report_file."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from lianxin.api.auth import caller
from lianxin.api.pagination import LimitOffset
from lianxin.api.project_schemas import (
    ProjectDetailOut,
    ProjectFilters,
    ProjectOut,
    SiteDetailOut,
    SiteFilters,
    SiteOut,
    SiteReportIn,
    SiteReportOut,
)
from lianxin.api.schemas import ErrorOut, ValidationErrorOut
from lianxin.projects.models import Project, Site, SiteReport
from lianxin.projects.selectors import (
    project_get_visible_to,
    project_query_visible_to,
    site_get_visible_to,
    site_query_visible_to,
)
from lianxin.projects.services import site_report_file

router = Router(tags=["民生实事项目"])
ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {400: ErrorOut, 403: ErrorOut, **ERRORS}


@router.get(
    "/projects",
    response={200: list[ProjectOut], **ERRORS},
    summary="民生实事项目列表",
    description="您管辖范围内的民生实事项目，按年度（新的在前）、区划和序号排序。",
)
@paginate(LimitOffset)
def project_list(request: HttpRequest, filters: Query[ProjectFilters]) -> QuerySet[Project]:
    return project_query_visible_to(user=caller(request), **filters.model_dump())


@router.get(
    "/projects/{project_id}",
    response={200: ProjectDetailOut, **ERRORS},
    summary="民生实事项目详情",
    description="含各点位及其月报；不存在或不在管辖范围内时返回 404。",
)
def project_detail(request: HttpRequest, project_id: int) -> Project:
    return project_get_visible_to(user=caller(request), project_id=project_id)


@router.get(
    "/sites",
    response={200: list[SiteOut], **ERRORS},
    summary="项目点位列表",
    description="您管辖范围内的项目点位（领办代表、状态、进度），可按年度、项目、区划和状态筛选。",
)
@paginate(LimitOffset)
def site_list(request: HttpRequest, filters: Query[SiteFilters]) -> QuerySet[Site]:
    return site_query_visible_to(user=caller(request), **filters.model_dump())


@router.get(
    "/sites/{site_id}",
    response={200: SiteDetailOut, **ERRORS},
    summary="项目点位详情",
    description="含月报（新的在前）；不存在或不在管辖范围内时返回 404。",
)
def site_detail(request: HttpRequest, site_id: int) -> Site:
    return site_get_visible_to(user=caller(request), site_id=site_id)


@router.post(
    "/sites/{site_id}/reports",
    response={201: SiteReportOut, **WRITE_ERRORS},
    summary="填报点位月报",
    description=(
        "领办代表填报本月进度；同一月份再次填报时替换该月月报。工作人员代填时传 on_behalf=true（须有民生实事项目"
        "管理权限）。看不到该点位时返回 404，不是领办代表（或代填无权限）时返回 403，点位已完工、进度倒退等返回 400。"
    ),
)
def site_report(request: HttpRequest, site_id: int, payload: SiteReportIn) -> Status[SiteReport]:
    user = caller(request)
    site = site_get_visible_to(user=user, site_id=site_id)
    report = site_report_file(
        actor=user,
        site=site,
        month=payload.month,
        progress=payload.progress,
        done=payload.done,
        problems=payload.problems,
        on_behalf=payload.on_behalf,
    )
    return Status(201, report)
