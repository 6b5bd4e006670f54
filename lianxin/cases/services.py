"""Writes that start the loop: registering a case (any channel, idempotent), routing proposals, reception
sessions, and the person's own rating by receipt code. Every later step goes through workflow.case_transition."""

import datetime
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.cases import permissions as p
from lianxin.cases.deadlines import deadline, limits_for
from lianxin.cases.models import (
    Case,
    CaseEvent,
    Category,
    Channel,
    Rating,
    ReceptionKind,
    ReceptionSession,
    ReplyVia,
    ResponsibleUnit,
    Status,
    Urgency,
)
from lianxin.cases.notify import notify_registered
from lianxin.cases.selectors import case_get_by_idempotency_key
from lianxin.cases.workflow import Action, case_transition
from lianxin.core.audit import audit_record
from lianxin.core.codes import ALPHABET
from lianxin.core.errors import DomainError, NotFound, PermissionDenied
from lianxin.deputies.models import Deputy, GridWorker
from lianxin.regions.models import Grid, Region, RegionLevel
from lianxin.regions.services import grid_locate
from lianxin.venues.models import Place

PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TITLE_LIMIT, BODY_LIMIT = 100, 5000
RECEIPT_LENGTH = 12
# When a case may say it was registered: a paper register is entered days or years late, but nothing predates
# the platform's era (a year-0001 date passed every check and then overflowed the deadline arithmetic in the
# worker), and a caller's clock a few minutes ahead of ours is not an error.
REGISTERED_AT_EARLIEST = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
REGISTERED_AT_SKEW = datetime.timedelta(minutes=5)


def new_receipt_code() -> str:
    """12 characters without look-alikes (no 0/O, 1/I/L), ~59 bits: read out on the phone, never guessed.

    One draw from the OS's generator, spelled in base 31 (redrawn when above 31**12, so every code is equally
    likely), instead of twelve: on a busy server each draw is a system call."""
    space = len(ALPHABET) ** RECEIPT_LENGTH
    number = secrets.randbits(space.bit_length())
    while number >= space:
        number = secrets.randbits(space.bit_length())
    letters = []
    for _ in range(RECEIPT_LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        letters.append(ALPHABET[digit])
    return "".join(letters).upper()


def normalize_receipt(code: str | None) -> str:
    """A receipt code as typed or read out ("ab3d-ef7g hk9m") in the form it is stored."""
    return (code or "").strip().upper().replace(" ", "").replace("-", "")


@dataclass(frozen=True)
class Registration:
    case: Case
    created: bool


def _clean(value: Any, name: str, label: str, *, limit: int, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError("field_invalid", f"{label}: 应为文字", field=name)
    # Text is stored as given (pages and the API escape it on output) minus control characters.
    value = CONTROL.sub("", value).strip()
    if required and not value:
        raise DomainError("field_required", f"{label}: 不能为空", field=name)
    if len(value) > limit:
        raise DomainError("field_too_long", f"{label}: 不能超过{limit}字，现为{len(value)}字", field=name)
    return value


def registered_at_problem(value: datetime.datetime) -> str | None:
    """What is wrong with a registration time, in words for people (None: nothing). The API's schema and
    case_check both ask, so a bad date is refused at acceptance and again before anything is written."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value < REGISTERED_AT_EARLIEST:
        return "不能早于2000年1月1日"
    if value > timezone.now() + REGISTERED_AT_SKEW:
        return "不能晚于现在"
    return None


def _resolve_region(
    *,
    region: Region | None,
    grid: Grid | None,
    place: Place | None,
    deputy: Deputy | None,
    lat: float | None,
    lng: float | None,
) -> tuple[Region, Grid | None]:
    if grid is None and lat is not None and lng is not None:
        grid = grid_locate(lat=lat, lng=lng)
    if region is not None and grid is not None and not grid.region.path.startswith(region.path):
        if lat is not None:
            raise DomainError("location_outside", "位置: 所选位置不在该区划范围内", field="lat")
        raise DomainError("grid_outside", "网格: 不在该区划范围内", field="grid")
    for candidate in (grid.region if grid else None, place.region if place else None, region):
        if candidate is not None:
            return candidate, grid
    if deputy is not None:
        mandate = deputy.mandates.exclude(district_region=None).order_by("-district_region__path").first()
        if mandate is not None and mandate.district_region is not None:
            return mandate.district_region, grid
    raise DomainError("region_required", "所在区划: 请选择问题所在的乡镇或村（社区），或提供位置", field="region")


def case_check(
    *,
    actor: Any,
    channel: str,
    title: str,
    body: str,
    region: Region | None = None,
    place: Place | None = None,
    deputy: Deputy | None = None,
    grid: Grid | None = None,
    grid_worker: GridWorker | None = None,
    session: ReceptionSession | None = None,
    category: Category | None = None,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    person_name: str = "",
    person_phone: str = "",
    is_anonymous: bool = False,
    reply_via: str = ReplyVia.ONLINE,
    people_count: int = 1,
    external_id: str = "",
    registered_at: datetime.datetime | None = None,
    urgency: str = Urgency.NORMAL,
) -> dict[str, Any]:
    """Check a registration: every error a registration can meet is raised here, before anything is written,
    so that API intake (lianxin.cases.intake) refuses a bad submission at once instead of queueing it.
    Returns the case's fields, cleaned and resolved (region and grid from a location, a place, a deputy)."""
    if channel not in Channel.values:
        raise DomainError("field_invalid", f"渠道: “{channel}”不是有效的渠道", field="channel")
    title = _clean(title, "title", "标题", limit=TITLE_LIMIT, required=True)
    body = _clean(body, "body", "内容", limit=BODY_LIMIT, required=True)
    address = _clean(address, "address", "地点", limit=200, required=False)
    person_name = "" if is_anonymous else _clean(person_name, "person_name", "姓名", limit=50, required=False)
    person_phone = "" if is_anonymous else _clean(person_phone, "person_phone", "联系电话", limit=20, required=False)
    if person_phone and not PHONE.match(person_phone.replace(" ", "")):
        raise DomainError("phone_invalid", "联系电话: 请填写11位手机号或带区号的固定电话", field="person_phone")
    if reply_via not in ReplyVia.values:
        raise DomainError("field_invalid", f"回复方式: “{reply_via}”无效", field="reply_via")
    if reply_via in (ReplyVia.SMS, ReplyVia.PHONE) and not person_phone:
        raise DomainError("phone_required", "联系电话: 选择短信或电话回复时须留下电话", field="person_phone")
    if (lat is None) != (lng is None):
        raise DomainError("location_invalid", "位置: 纬度和经度须同时提供", field="lat")
    if lat is not None and lng is not None and not (3 <= lat <= 54 and 73 <= lng <= 136):
        raise DomainError("location_invalid", "位置: 坐标不在中国境内", field="lat")
    if urgency not in Urgency.values:
        raise DomainError("field_invalid", f"紧急程度: “{urgency}”无效", field="urgency")
    if not 1 <= people_count <= 10000:
        raise DomainError("field_invalid", "反映人数: 应为 1 到 10000", field="people_count")
    problem = registered_at_problem(registered_at) if registered_at is not None else None
    if problem is not None:
        raise DomainError("registered_at_invalid", f"登记时间: {problem}", field="registered_at")
    if session is not None:
        place, deputy = place or session.place, deputy or session.deputy
    if region is not None and region.level not in (RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE):
        raise DomainError("region_invalid", "所在区划: 请选择县、乡镇或村（社区）", field="region")
    region, grid = _resolve_region(region=region, grid=grid, place=place, deputy=deputy, lat=lat, lng=lng)
    if p.is_user(actor) and not (
        p.can_handle_in(actor, region)
        or _is_actor_deputy(actor, deputy)
        or (grid_worker is not None and grid_worker.user_id == actor.pk)
    ):
        raise PermissionDenied("您不能在该区划登记意见建议")
    return dict(
        channel=channel,
        region=region,
        place=place,
        deputy=deputy,
        grid=grid,
        grid_worker=grid_worker,
        session=session,
        category=category,
        lat=lat,
        lng=lng,
        address=address,
        title=title,
        body=body,
        person_name=person_name,
        person_phone=person_phone,
        is_anonymous=is_anonymous,
        reply_via=reply_via,
        people_count=people_count,
        external_id=_clean(external_id, "external_id", "外部编号", limit=64, required=False),
        registered_at=registered_at or timezone.now(),
        urgency=urgency,
        created_by=actor if p.is_user(actor) else None,
    )


def case_prepare(*, actor: Any, **fields: Any) -> Case:
    """The case a registration would save (unsaved: no receipt code, no deadline yet); see case_check."""
    return Case(**case_check(actor=actor, **fields))


def case_register(
    *, actor: Any, idempotency_key: str | None = None, receipt_code: str | None = None, **fields: Any
) -> Registration:
    """Register a case on any channel (the fields are case_prepare's). With an `idempotency_key`
    ("<client>:<key>") a retried submission returns the case the first attempt created instead of a second one.
    `receipt_code` is given when the person already holds one (a queued API submission); otherwise a new one."""
    try:
        case = case_prepare(actor=actor, **fields)
        case.receipt_code = receipt_code or new_receipt_code()
        case.idempotency_key = idempotency_key or None
        case.accept_due = deadline(case.registered_at, limits_for(case).accept_days)
        with transaction.atomic():
            case.save()
            CaseEvent.objects.create(
                case=case,
                action="register",
                to_status=Status.REGISTERED,
                actor=actor if p.is_user(actor) else None,
                actor_label=str(actor) if p.is_user(actor) else "群众",
                note=f"经{Channel(case.channel).label}登记",
                data={"channel": case.channel},
            )
            notify_registered(case)
    except (DomainError, IntegrityError):
        # A retry, refused now (its session has closed) or stopped by the unique key (looking the key up first
        # would cost every registration a query), or two retries that raced: the first attempt's case answers.
        existing = case_get_by_idempotency_key(key=idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        return Registration(existing, created=False)
    return Registration(case, created=True)


def _is_actor_deputy(actor: Any, deputy: Deputy | None) -> bool:
    return deputy is not None and deputy.user_id == actor.pk


def unit_propose(*, category: Category | None, region: Region) -> list[ResponsibleUnit]:
    """Units that handle this category and serve this region, the most local first."""
    if category is None:
        return []
    codes = [c for c in region.path.split("/") if c]
    units = (
        ResponsibleUnit.objects.filter(is_active=True, categories=category, serves__code__in=codes)
        .select_related("region")
        .prefetch_related("serves")
        .distinct()
    )

    def locality(unit: ResponsibleUnit) -> tuple[int, str]:
        served = [r.path.count("/") for r in unit.serves.all() if region.path.startswith(r.path)]
        return (-max(served, default=0), unit.name)

    return sorted(units, key=locality)


def case_find_by_receipt(receipt_code: str) -> Case:
    code = normalize_receipt(receipt_code)
    case = Case.objects.filter(receipt_code=code).select_related("region", "unit", "category").first()
    if case is None:
        raise NotFound("查询码不存在，请核对后重新输入")
    return case


def case_rate_as_citizen(*, receipt_code: str, rating: str, comment: str = "") -> Case:
    """The person rates the answer. Unsatisfied sends it back to the same unit once, then to supervision (督办)."""
    case = case_find_by_receipt(receipt_code)
    params = {"rating": rating, "comment": comment}
    if rating == Rating.UNSATISFIED:
        action = Action.REOPEN if case.unit_id and case.reopen_count == 0 else Action.ESCALATE
        note = "群众不满意，退回原承办单位重新办理" if action == Action.REOPEN else "群众不满意，转督办"
        return case_transition(case=case, action=action, actor=p.CITIZEN, note=note, params=params)
    return case_transition(case=case, action=Action.RATE, actor=p.CITIZEN, params=params)


def reception_start(
    *,
    actor: Any,
    deputy: Deputy,
    kind: str,
    place: Place | None = None,
    region: Region | None = None,
    location: str = "",
) -> ReceptionSession:
    if kind not in ReceptionKind.values:
        raise DomainError("field_invalid", "接待方式: 应为站内坐诊或流动巡诊", field="kind")
    if kind == ReceptionKind.STATION and place is None:
        raise DomainError("field_required", "家站室: 站内坐诊须选择家站室", field="place")
    region = place.region if place is not None else region
    if region is None:
        raise DomainError("field_required", "所在区划: 流动巡诊须选择地点所在区划", field="region")
    if not (p.can_handle_in(actor, region) or _is_actor_deputy(actor, deputy)):
        raise PermissionDenied("您不能为该代表登记接待活动")
    with transaction.atomic():
        session = ReceptionSession.objects.create(
            kind=kind,
            deputy=deputy,
            place=place,
            region=region,
            location=location,
            started_at=timezone.now(),
            created_by=actor,
        )
        audit_record(actor=actor, action="reception.start", obj=session, region_path=region.path)
    return session


def reception_close(*, actor: Any, session: ReceptionSession, people_received: int, note: str = "") -> ReceptionSession:
    if not (p.can_handle_in(actor, session.region) or _is_actor_deputy(actor, session.deputy)):
        raise PermissionDenied("您不能结束该接待活动")
    if session.ended_at is not None:
        raise DomainError("reception_closed", "该接待活动已结束")
    registered = session.cases.count()
    if people_received < registered:
        raise DomainError(
            "field_invalid", f"接待人数: 不能少于本次已登记的意见建议数（{registered}件）", field="people_received"
        )
    with transaction.atomic():
        changed = ReceptionSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(
            ended_at=timezone.now(), people_received=people_received, note=note
        )
        if changed != 1:
            raise DomainError("reception_closed", "该接待活动已结束")
        session.refresh_from_db()
        audit_record(
            actor=actor,
            action="reception.close",
            obj=session,
            region_path=session.region.path,
            changes={"people_received": [0, people_received]},
        )
    return session
