"""Duty performance (履职): activities with their attendees, the QR sign-in, and a deputy's score for a year.

Thin: writes are lianxin.duties.services (activity_create, attendance_sign_in), reads lianxin.duties.selectors. An
activity is seen by those whose region holds it and by the deputies invited to it (or signed in); anything else,
like a deputy outside the caller's scope, answers 404 as if it did not exist.
"""

import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from lianxin.accounts.models import User
from lianxin.api.auth import caller
from lianxin.api.duty_schemas import (
    ActivityDetailOut,
    ActivityFilters,
    ActivityIn,
    ActivityOut,
    DutiesOut,
    DutiesQuery,
    SignInIn,
    SignInOut,
)
from lianxin.api.pagination import LimitOffset
from lianxin.api.schemas import ErrorOut, ValidationErrorOut
from lianxin.core.errors import DomainError, NotFound
from lianxin.deputies.models import Deputy, MandateLevel
from lianxin.duties.models import Activity, ActivityKind, Attendance
from lianxin.duties.selectors import activities_visible_to, activity_counts_by_kind, score_of_deputy
from lianxin.duties.services import activity_create, attendance_sign_in
from lianxin.regions.models import Region
from lianxin.venues.models import Place
from lianxin.workdays.calendar import CHINA

router = Router(tags=["履职活动与履职积分"])
READ_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _activities(user: User) -> QuerySet[Activity]:
    """Those of the caller's regions, and those the caller (a deputy) was invited to or signed in at."""
    mine = Q(pk__in=Attendance.objects.filter(deputy__user=user).values("activity_id"))
    scoped = Q(pk__in=activities_visible_to(user=user).values("pk"))
    return (
        Activity.objects.filter(scoped | mine)
        .select_related("region", "place")
        .prefetch_related(Prefetch("attendances", queryset=Attendance.objects.select_related("deputy")))
    )


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=CHINA)


@router.get(
    "/activities",
    response={200: list[ActivityOut], **READ_ERRORS},
    summary="履职活动列表",
    description=(
        "您管辖区划内的履职活动，以及您（代表）受邀或签到的活动，最近的在前，各含受邀和签到代表的出席情况"
        "（attendees）。可按类型、起止日期（from、to，北京时间，含当日）、区划和代表筛选。接待选民（坐诊、巡诊）"
        "记录在群众意见的接待登记中，不在此列出，计入 GET /deputies/{deputy_id}/duties 的次数。"
    ),
)
@paginate(LimitOffset)
def activity_index(request: HttpRequest, filters: Query[ActivityFilters]) -> QuerySet[Activity]:
    rows = _activities(caller(request))
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.from_:
        rows = rows.filter(starts_at__gte=_day_start(filters.from_))
    if filters.to:
        rows = rows.filter(starts_at__lt=_day_start(filters.to + datetime.timedelta(days=1)))
    if filters.region:
        region = Region.objects.filter(code=filters.region).first()
        rows = rows.filter(region__path__startswith=region.path) if region is not None else rows.none()
    if filters.deputy:
        rows = rows.filter(attendances__deputy_id=filters.deputy)
    return rows.order_by("-starts_at", "-id")


def _get(user: User, activity_id: int) -> Activity:
    activity = _activities(user).filter(pk=activity_id).first()
    if activity is None:
        raise NotFound()
    return activity


@router.post(
    "/activities",
    response={201: ActivityDetailOut, **WRITE_ERRORS},
    summary="组织履职活动",
    description=(
        "组织一次履职活动（状态为计划），返回 201 和它的详情（含签到码）。须为活动所在区划的人大或家站室工作人员"
        "（否则 403）。接待选民请在接待登记中记录（reception_elsewhere）；区划、家站室或受邀代表不存在或不在您的"
        "管辖范围内、结束时间不晚于开始时间时返回 400，指明字段；字段格式有误时返回 422。"
    ),
)
def activity_create_view(request: HttpRequest, response: HttpResponse, payload: ActivityIn) -> Status[Activity]:
    user = caller(request)
    region = Region.objects.filter(code=payload.region).first()
    if region is None:
        raise DomainError("region_unknown", f"区划代码: “{payload.region}”不存在", field="region")
    place = None
    if payload.place is not None:
        place = Place.objects.visible_to(user).filter(pk=payload.place).first()
        if place is None:
            raise DomainError("place_unknown", "家站室: 不存在或不在您的管辖范围内", field="place")
    wanted = list(dict.fromkeys(payload.invited))
    invited = list(Deputy.objects.visible_to(user).filter(pk__in=wanted))
    if len(invited) != len(wanted):
        missing = next(pk for pk in wanted if pk not in {d.pk for d in invited})
        raise DomainError("deputy_unknown", f"受邀代表: 代表 {missing} 不存在或不在您的管辖范围内", field="invited")
    activity = activity_create(
        actor=user,
        kind=str(payload.kind),
        title=payload.title,
        region=region,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        place=place,
        location=payload.location,
        organiser_name=payload.organiser_name,
        hours=payload.hours,
        invited=invited,
    )
    response["Location"] = f"/api/v1/activities/{activity.pk}"
    return Status(201, _get(user, activity.pk))


@router.get(
    "/activities/{activity_id}",
    response={200: ActivityDetailOut, **READ_ERRORS},
    summary="履职活动详情",
    description="含受邀和签到代表的出席情况；签到码只给可组织该活动的工作人员。不存在或看不到时返回 404。",
)
def activity_detail(request: HttpRequest, activity_id: int) -> Activity:
    return _get(caller(request), activity_id)


@router.post(
    "/activities/{activity_id}/sign-in",
    response={200: SignInOut, **WRITE_ERRORS},
    summary="扫码签到",
    description=(
        "代表本人扫描活动二维码签到：code 为二维码中的签到码，lat、lng 为手机定位（可选，须同时给出）。返回本人的"
        "出席记录；未受邀的代表也可签到，记为未受邀（invited 为 false）。签到码不是该活动的、已更换或不在签到时间"
        "（开始前1小时至结束后2小时）、重复签到、活动已取消时返回 400，指明字段；非代表返回 403；"
        "看不到该活动且签到码不是该活动的时返回 404（持有签到码的代表即使不在该区划、未受邀也可签到）。"
    ),
)
def activity_sign_in(request: HttpRequest, activity_id: int, payload: SignInIn) -> Attendance:
    user = caller(request)
    # The code opens its activity to whoever holds it: a deputy of another township who came uninvited is signed in
    # (marked uninvited) like one at the door, though the activity is outside what they see otherwise.
    activity = (
        _activities(user).filter(pk=activity_id).first()
        or Activity.objects.filter(pk=activity_id, signin_code=payload.code.strip()).first()
    )
    if activity is None:
        raise NotFound()
    if payload.code.strip() != activity.signin_code:
        raise DomainError("signin_code_unknown", "签到码无效：请扫描本次活动现场出示的二维码", field="code")
    return attendance_sign_in(actor=user, code=payload.code, lat=payload.lat, lng=payload.lng)


@router.get(
    "/deputies/{deputy_id}/duties",
    response={200: DutiesOut, **READ_ERRORS},
    summary="代表的履职积分",
    description=(
        "该代表某年度在各级人大的履职积分（scores：总分和各计分项目的得分、最高分、是否待组织评定）及各类履职活动"
        "的次数（activities，含接待选民）。工作人员可查看管辖范围内的代表，代表可查看本人；"
        "代表不存在或不在您的范围内时返回 404。"
    ),
)
def deputy_duties(request: HttpRequest, deputy_id: int, query: Query[DutiesQuery]) -> dict[str, object]:
    user = caller(request)
    deputy = Deputy.objects.filter(Q(pk__in=Deputy.objects.visible_to(user).values("pk")) | Q(user=user)).filter(
        pk=deputy_id
    )
    found = deputy.first()
    if found is None:
        raise NotFound()
    year = query.year or timezone.localdate().year
    scores = []
    for mandate, items, line in score_of_deputy(deputy=found, year=year):
        points = line.items if line is not None else {}
        pending = line.pending if line is not None else set()
        scores.append(
            {
                "congress": mandate.congress_region,
                "level": mandate.level,
                "level_label": MandateLevel(mandate.level).label,
                "total": line.total if line is not None else 0,
                "items": [
                    {
                        "id": item.pk,
                        "name": item.name,
                        "source": item.source,
                        "points": points.get(item.pk, 0),
                        "max": item.max_points,
                        "pending": item.pk in pending,
                    }
                    for item in items
                ],
            }
        )
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    counts = activity_counts_by_kind(deputy=found, start=start, end=end)
    return {
        "deputy": found,
        "year": year,
        "scores": scores,
        "activities": [
            {"kind": kind, "kind_label": ActivityKind(kind).label, "count": count} for kind, count in counts.items()
        ],
    }
