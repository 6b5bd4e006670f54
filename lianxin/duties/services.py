"""Writes of duty performance: activities, invitations, QR sign-in, leave, meeting points, pledges, scores, honours,
the publication of duty records and funds. Each is one function, keyword-only, atomic, audited; refusals are DomainErrors naming the field."""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.accounts.actors import Actor, is_user
from lianxin.accounts.models import User
from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import Case, Channel
from lianxin.cases.services import case_register
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, NotFound, PermissionDenied
from lianxin.core.fields import clean_text
from lianxin.deputies.models import Deputy, MandateLevel
from lianxin.duties.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Attendance,
    AttendanceStatus,
    EntryStatus,
    FundAllocation,
    FundEntry,
    Honour,
    HonourStatus,
    MeetingPoint,
    Pledge,
    PointHandling,
    RecordPublication,
    ScoreEntry,
    ScoreItem,
    ScoreSource,
    SignInMethod,
    VoterEvaluation,
    new_signin_code,
)
from lianxin.regions.models import Region
from lianxin.suggestions.models import Session, Suggestion
from lianxin.suggestions.services import suggestion_draft_create
from lianxin.venues.models import Place

# A deputy may sign in from an hour before the start until two hours after the end (late arrivals, long meetings).
SIGNIN_OPENS_BEFORE = datetime.timedelta(hours=1)
SIGNIN_CLOSES_AFTER = datetime.timedelta(hours=2)


def can_organise(actor: Actor, activity_region: Region) -> bool:
    return is_user(actor) and may(actor, Perm.MANAGE_DUTIES, activity_region.path)


def _require_organiser(actor: Actor, activity: Activity) -> User:
    if not can_organise(actor, activity.region):
        raise PermissionDenied("只有活动所在区划的人大或家站室工作人员可以操作")
    assert is_user(actor)
    return actor


def _text(value: str, label: str, field: str, *, required: bool, limit: int) -> str:
    return clean_text(value, field, label, limit=limit, required=required)


def _audit(actor: Actor, action: str, obj: Any, region: Region, **changes: Any) -> None:
    audit_record(actor=actor, action=f"duties.{action}", obj=obj, region_path=region.path, changes=changes)


# --- activities ----------------------------------------------------------------------------------------------------


def activity_create(
    *,
    actor: User,
    kind: str,
    title: str,
    region: Region,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: Place | None = None,
    location: str = "",
    organiser_name: str = "",
    hours: Decimal | None = None,
    invited: list[Deputy] | None = None,
) -> Activity:
    if not can_organise(actor, region):
        raise PermissionDenied("只能在本人管辖的区划组织履职活动")
    if kind not in ActivityKind.values:
        raise DomainError("field_invalid", f"活动类型: “{kind}”不是可选的类型", field="kind")
    if kind == ActivityKind.RECEPTION:
        raise DomainError("reception_elsewhere", "活动类型: 接待选民请在“接待登记”中记录，会自动计入履职", field="kind")
    if ends_at <= starts_at:
        raise DomainError("field_invalid", "结束时间: 应晚于开始时间", field="ends_at")
    if (
        place is not None
        and not place.region.path.startswith(region.path)
        and not region.path.startswith(place.region.path)
    ):
        raise DomainError("field_invalid", f"家站室: {place.name} 不在{region.name}", field="place")
    if hours is not None and not Decimal("0") < hours <= Decimal("100"):
        raise DomainError("field_invalid", "学时: 应在 0 到 100 之间", field="hours")
    with transaction.atomic():
        activity = Activity.objects.create(
            kind=kind,
            title=_text(title, "名称", "title", required=True, limit=120),
            region=region,
            place=place,
            location=_text(location, "地点", "location", required=False, limit=200),
            organiser=actor,
            organiser_name=_text(organiser_name, "组织单位", "organiser_name", required=False, limit=100),
            starts_at=starts_at,
            ends_at=ends_at,
            hours=hours,
        )
        _audit(actor, "activity_create", activity, region, kind=kind, starts_at=starts_at.isoformat())
        if invited:
            _invite(activity, invited)
    return activity


def _invite(activity: Activity, deputies: list[Deputy]) -> int:
    existing = set(Attendance.objects.filter(activity=activity).values_list("deputy_id", flat=True))
    new = [
        Attendance(activity=activity, deputy=d) for d in {d.pk: d for d in deputies}.values() if d.pk not in existing
    ]
    Attendance.objects.bulk_create(new)
    return len(new)


def activity_invite(*, actor: User, activity: Activity, deputies: list[Deputy]) -> int:
    """Invite deputies (the ones of the actor's scope); returns how many were new."""
    _require_organiser(actor, activity)
    if activity.status != ActivityStatus.PLANNED:
        raise DomainError("activity_not_planned", "邀请代表: 活动已举行或已取消", field="deputies")
    visible = set(Deputy.objects.visible_to(actor).filter(pk__in=[d.pk for d in deputies]).values_list("pk", flat=True))
    outside = [d.name for d in deputies if d.pk not in visible]
    if outside:
        raise DomainError("deputy_outside", f"邀请代表: {outside[0]} 不在您的管辖范围内", field="deputies")
    with transaction.atomic():
        count = _invite(activity, deputies)
        _audit(actor, "activity_invite", activity, activity.region, invited=[d.name for d in deputies])
    return count


def activity_signin_code_renew(*, actor: User, activity: Activity) -> Activity:
    """A code seen by the wrong people (a photo in a group chat) is replaced; the old one stops working."""
    _require_organiser(actor, activity)
    with transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(signin_code=new_signin_code())
        activity.refresh_from_db(fields=["signin_code"])
        _audit(actor, "signin_code_renew", activity, activity.region)
    return activity


def attendance_sign_in(
    *, actor: User, code: str, lat: float | None = None, lng: float | None = None, now: datetime.datetime | None = None
) -> Attendance:
    """The deputy scanned the activity's code. A deputy who was not invited is signed in too, marked uninvited."""
    now = now or timezone.now()
    deputy = Deputy.objects.filter(user=actor).first() if is_user(actor) else None
    if deputy is None:
        raise PermissionDenied("只有代表本人可以扫码签到")
    activity = Activity.objects.filter(signin_code=(code or "").strip()).select_related("region").first()
    if activity is None:
        raise DomainError("signin_code_unknown", "签到码无效：请扫描活动现场出示的二维码", field="code")
    if activity.status == ActivityStatus.CANCELLED:
        raise DomainError("activity_cancelled", f"签到: “{activity.title}”已取消", field="code")
    if not activity.starts_at - SIGNIN_OPENS_BEFORE <= now <= activity.ends_at + SIGNIN_CLOSES_AFTER:
        raise DomainError(
            "signin_closed",
            f"签到: “{activity.title}”的签到时间为开始前1小时至结束后2小时，现在不在签到时间内",
            field="code",
        )
    _check_point(lat, lng)
    with transaction.atomic():
        attendance, _created = Attendance.objects.select_for_update().get_or_create(
            activity=activity, deputy=deputy, defaults={"invited": False}
        )
        if attendance.status == AttendanceStatus.PRESENT:
            raise DomainError(
                "already_signed_in",
                f"签到: 您已于 {timezone.localtime(attendance.signed_in_at):%H:%M} 签到",
                field="code",
            )
        Attendance.objects.filter(pk=attendance.pk).update(
            status=AttendanceStatus.PRESENT, signed_in_at=now, method=SignInMethod.QR, lat=lat, lng=lng
        )
        attendance.refresh_from_db()
        _audit(actor, "sign_in", attendance, activity.region, activity=activity.pk, invited=attendance.invited)
    return attendance


def _check_point(lat: float | None, lng: float | None) -> None:
    if (lat is None) != (lng is None):
        raise DomainError("field_invalid", "签到位置: 经纬度须同时提供", field="lat")
    if lat is not None and lng is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise DomainError("field_invalid", "签到位置: 经纬度超出范围", field="lat")


def attendance_sign_in_by_hand(*, actor: User, activity: Activity, deputy: Deputy, reason: str) -> Attendance:
    """Staff sign a deputy in (a phone without signal, an old phone), with the reason."""
    _require_organiser(actor, activity)
    reason = _text(reason, "补签理由", "reason", required=True, limit=300)
    if activity.starts_at > timezone.now() + SIGNIN_OPENS_BEFORE:
        raise DomainError("activity_not_started", "补签: 活动尚未开始", field="deputy")
    with transaction.atomic():
        attendance, _ = Attendance.objects.select_for_update().get_or_create(
            activity=activity, deputy=deputy, defaults={"invited": False}
        )
        if attendance.status == AttendanceStatus.PRESENT:
            raise DomainError("already_signed_in", f"补签: {deputy.name} 已签到", field="deputy")
        Attendance.objects.filter(pk=attendance.pk).update(
            status=AttendanceStatus.PRESENT,
            signed_in_at=timezone.now(),
            method=SignInMethod.MANUAL,
            reason=reason,
            decided_by=actor,
        )
        attendance.refresh_from_db()
        _audit(actor, "sign_in_by_hand", attendance, activity.region, deputy=deputy.name, reason=reason)
    return attendance


def leave_request(*, actor: User, activity: Activity, reason: str) -> Attendance:
    """请假: before the start, by an invited deputy."""
    deputy = Deputy.objects.filter(user=actor).first() if is_user(actor) else None
    attendance = Attendance.objects.filter(activity=activity, deputy=deputy).first() if deputy else None
    if attendance is None:
        raise NotFound()
    if timezone.now() >= activity.starts_at:
        raise DomainError("leave_too_late", "请假: 须在活动开始前提出", field="reason")
    if attendance.status != AttendanceStatus.INVITED:
        raise DomainError("leave_not_allowed", f"请假: 当前为“{attendance.get_status_display()}”", field="reason")
    reason = _text(reason, "请假理由", "reason", required=True, limit=300)
    with transaction.atomic():
        updated = Attendance.objects.filter(pk=attendance.pk, status=AttendanceStatus.INVITED).update(
            status=AttendanceStatus.LEAVE_REQUESTED, reason=reason
        )
        if updated != 1:
            raise DomainError("leave_not_allowed", "请假: 状态刚刚已变化，请刷新", field="reason")
        attendance.refresh_from_db()
        _audit(actor, "leave_request", attendance, activity.region, reason=reason)
    return attendance


def leave_decide(*, actor: User, attendance: Attendance, approve: bool) -> Attendance:
    activity = attendance.activity
    _require_organiser(actor, activity)
    target = AttendanceStatus.ON_LEAVE if approve else AttendanceStatus.INVITED
    with transaction.atomic():
        updated = Attendance.objects.filter(pk=attendance.pk, status=AttendanceStatus.LEAVE_REQUESTED).update(
            status=target, decided_by=actor, decided_at=timezone.now()
        )
        if updated != 1:
            raise DomainError("no_leave_request", "审批请假: 该代表没有待批的请假", field="attendance")
        attendance.refresh_from_db()
        _audit(actor, "leave_decide", attendance, activity.region, approve=approve)
    return attendance


def activity_mark_held(*, actor: User, activity: Activity, outcome: str = "") -> Activity:
    """The activity took place: invited deputies who neither signed in nor were given leave are absent."""
    _require_organiser(actor, activity)
    if activity.starts_at > timezone.now():
        raise DomainError("activity_in_future", "已举行: 活动尚未开始，不能标记为已举行", field="status")
    with transaction.atomic():
        updated = Activity.objects.filter(pk=activity.pk, status=ActivityStatus.PLANNED).update(
            status=ActivityStatus.HELD, outcome=_text(outcome, "活动成果", "outcome", required=False, limit=20000)
        )
        if updated != 1:
            raise DomainError("activity_not_planned", "已举行: 活动已标记或已取消", field="status")
        absent = Attendance.objects.filter(
            activity=activity, status__in=[AttendanceStatus.INVITED, AttendanceStatus.LEAVE_REQUESTED]
        ).update(status=AttendanceStatus.ABSENT)
        activity.refresh_from_db()
        _audit(actor, "activity_held", activity, activity.region, absent=absent)
    return activity


def activity_cancel(*, actor: User, activity: Activity, reason: str) -> Activity:
    _require_organiser(actor, activity)
    reason = _text(reason, "取消理由", "reason", required=True, limit=300)
    with transaction.atomic():
        updated = Activity.objects.filter(pk=activity.pk, status=ActivityStatus.PLANNED).update(
            status=ActivityStatus.CANCELLED
        )
        if updated != 1:
            raise DomainError("activity_not_planned", "取消: 活动已举行或已取消", field="status")
        activity.refresh_from_db()
        _audit(actor, "activity_cancel", activity, activity.region, reason=reason)
    return activity


# --- meetings and their points -------------------------------------------------------------------------------------


def meeting_point_add(
    *,
    actor: User,
    activity: Activity,
    text: str,
    raised_by: Deputy | None = None,
    raised_by_name: str = "",
    counterpart: str = "",
    answer: str = "",
) -> MeetingPoint:
    """A point raised at the meeting; with an answer it was answered on the spot (当场答复)."""
    _require_organiser(actor, activity)
    answer = _text(answer, "当场答复", "answer", required=False, limit=5000)
    with transaction.atomic():
        point = MeetingPoint.objects.create(
            activity=activity,
            raised_by=raised_by,
            raised_by_name=_text(raised_by_name, "提出人", "raised_by_name", required=False, limit=50),
            counterpart=_text(counterpart, "答复部门及负责人", "counterpart", required=False, limit=100),
            text=_text(text, "意见建议", "text", required=True, limit=5000),
            answer=answer,
            handling=PointHandling.ANSWERED if answer else PointHandling.PENDING,
        )
        _audit(actor, "point_add", point, activity.region, handling=point.handling)
    return point


def _require_pending(point: MeetingPoint) -> None:
    if point.handling != PointHandling.PENDING:
        raise DomainError("point_handled", f"转办: 该意见已{point.get_handling_display()}", field="point")


def meeting_point_to_case(*, actor: User, point: MeetingPoint, region: Region | None = None) -> Case:
    """Transferred after the meeting into the closed loop: a case of the channel 议事协商会."""
    activity = point.activity
    _require_organiser(actor, activity)
    _require_pending(point)
    with transaction.atomic():
        result = case_register(
            actor=actor,
            draft=CaseDraft(
                channel=Channel.MEETING,
                title="",
                body=point.text,
                region=region or activity.region,
                place=activity.place,
                deputy=point.raised_by,
                person_name=point.raised_by_name,
            ),
        )
        updated = MeetingPoint.objects.filter(pk=point.pk, handling=PointHandling.PENDING).update(
            handling=PointHandling.TRANSFERRED, case=result.case
        )
        if updated != 1:
            raise DomainError("point_handled", "转办: 该意见刚刚已被处理", field="point")
        _audit(actor, "point_to_case", point, activity.region, case=result.case.receipt_code)
    return result.case


def meeting_point_to_suggestion(*, actor: User, point: MeetingPoint, session: Session) -> Suggestion:
    """Transferred as a formal suggestion: a draft of the deputy who raised it (or entered by staff for them)."""
    activity = point.activity
    _require_organiser(actor, activity)
    _require_pending(point)
    if point.raised_by is None:
        raise DomainError("point_no_deputy", "转为代表建议: 须由代表提出的意见才能转为代表建议", field="point")
    with transaction.atomic():
        suggestion = suggestion_draft_create(
            actor=actor,
            session=session,
            title=point.text[:30] + ("…" if len(point.text) > 30 else ""),
            content=point.text,
            reasons=f"{activity.get_kind_display()}“{activity.title}”（{activity.starts_at:%Y-%m-%d}）上提出。",
            lead_deputy=point.raised_by,
        )
        updated = MeetingPoint.objects.filter(pk=point.pk, handling=PointHandling.PENDING).update(
            handling=PointHandling.TRANSFERRED, suggestion=suggestion
        )
        if updated != 1:
            raise DomainError("point_handled", "转办: 该意见刚刚已被处理", field="point")
        _audit(actor, "point_to_suggestion", point, activity.region, suggestion=suggestion.pk)
    return suggestion


# --- pledges -------------------------------------------------------------------------------------------------------


def pledge_make(*, actor: User, year: int, text: str) -> Pledge:
    deputy = Deputy.objects.filter(user=actor).first() if is_user(actor) else None
    if deputy is None:
        raise PermissionDenied("只有代表本人可以作出履职承诺")
    with transaction.atomic():
        pledge = Pledge.objects.create(
            deputy=deputy, year=year, text=_text(text, "承诺事项", "text", required=True, limit=2000)
        )
        audit_record(actor=actor, action="duties.pledge_make", obj=pledge)
    return pledge


def pledge_assess(*, actor: User, pledge: Pledge, result: str, kept: bool) -> Pledge:
    """Year end: the result, and whether the pledge was kept (staff of the deputy's scope)."""
    if not Deputy.objects.visible_to(actor).filter(pk=pledge.deputy_id).exists() or not may(actor, Perm.MANAGE_DUTIES):
        raise PermissionDenied()
    with transaction.atomic():
        Pledge.objects.filter(pk=pledge.pk).update(
            result=_text(result, "完成情况", "result", required=True, limit=2000),
            is_kept=kept,
            assessed_at=timezone.now(),
        )
        pledge.refresh_from_db()
        audit_record(actor=actor, action="duties.pledge_assess", obj=pledge, changes={"is_kept": kept})
    return pledge


# --- scores and honours --------------------------------------------------------------------------------------------


def _points(value: Any, item: ScoreItem, field: str) -> Decimal:
    try:
        points = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise DomainError("field_invalid", f"{item.name}: 分值应为数字", field=field) from None
    if points < 0 or points > item.max_points:
        raise DomainError(
            "score_above_maximum" if points > 0 else "field_invalid",
            f"{item.name}: 分值应在 0 到 {item.max_points} 分之间，填写的是 {points}",
            field=field,
        )
    return points


def score_claim(*, actor: User, item: ScoreItem, points: Any, evidence: str) -> ScoreEntry:
    """自评: the deputy claims points for a self-assessed item, with evidence; staff confirm or correct them."""
    deputy = Deputy.objects.filter(user=actor).first() if is_user(actor) else None
    if deputy is None:
        raise PermissionDenied("只有代表本人可以自评")
    if item.source != ScoreSource.SELF:
        raise DomainError("item_computed", f"{item.name}: 由系统按履职记录计算，无需自评", field="item")
    value = _points(points, item, "points")
    with transaction.atomic():
        entry, created = ScoreEntry.objects.select_for_update().get_or_create(
            deputy=deputy, item=item, defaults={"claimed": value, "evidence": evidence.strip()}
        )
        if not created:
            if entry.status == EntryStatus.CONFIRMED:
                raise DomainError("entry_confirmed", f"{item.name}: 已由组织评定，不能再修改自评", field="points")
            before = entry.claimed
            ScoreEntry.objects.filter(pk=entry.pk).update(claimed=value, evidence=evidence.strip())
            entry.refresh_from_db()
        else:
            before = None
        audit_record(
            actor=actor,
            action="duties.score_claim",
            obj=entry,
            region_path=item.region.path,
            changes={"claimed": [str(before) if before is not None else None, str(value)]},
        )
    return entry


def score_confirm(*, actor: User, entry: ScoreEntry, points: Any, note: str = "") -> ScoreEntry:
    """组织评定: staff of the congress confirm the claimed points or correct them (a correction needs a note)."""
    item = entry.item
    if not may(actor, Perm.MANAGE_DUTIES, item.region.path):
        raise PermissionDenied()
    value = _points(points, item, "points")
    note = _text(note, "评定说明", "note", required=value != entry.claimed, limit=300)
    with transaction.atomic():
        before = entry.confirmed
        ScoreEntry.objects.filter(pk=entry.pk).update(
            confirmed=value, status=EntryStatus.CONFIRMED, confirmed_by=actor, note=note
        )
        entry.refresh_from_db()
        audit_record(
            actor=actor,
            action="duties.score_confirm",
            obj=entry,
            region_path=item.region.path,
            changes={
                "confirmed": [str(before) if before is not None else None, str(value)],
                "claimed": str(entry.claimed),
            },
            note=note,
        )
    return entry


def honour_propose(*, actor: User, region: Region, year: int, deputy: Deputy, score: Decimal, rank: int) -> Honour:
    if not may(actor, Perm.MANAGE_DUTIES, region.path):
        raise PermissionDenied()
    try:
        with transaction.atomic():
            honour = Honour.objects.create(deputy=deputy, region=region, year=year, score=score, rank=rank)
            _audit(actor, "honour_propose", honour, region, rank=rank, score=str(score))
    except IntegrityError:
        raise DomainError("honour_exists", f"推荐: {deputy.name} 已被推荐", field="deputy") from None
    return honour


def honour_decide(*, actor: User, honour: Honour, award: bool) -> Honour:
    if not may(actor, Perm.MANAGE_DUTIES, honour.region.path):
        raise PermissionDenied()
    target = HonourStatus.AWARDED if award else HonourStatus.DECLINED
    with transaction.atomic():
        updated = Honour.objects.filter(pk=honour.pk, status=HonourStatus.PROPOSED).update(
            status=target, decided_by=actor, decided_at=timezone.now()
        )
        if updated != 1:
            raise DomainError("honour_decided", "决定: 该推荐已有决定", field="honour")
        honour.refresh_from_db()
        _audit(actor, "honour_decide", honour, honour.region, status=target)
    return honour


# --- publication of duty records -----------------------------------------------------------------------------------


def _require_publisher(actor: User, region: Region, level: str) -> str:
    if not may(actor, Perm.MANAGE_DUTIES, region.path):
        raise PermissionDenied(f"只有{region.name}人大的工作人员可以公开或撤回本级代表的履职档案")
    if level not in MandateLevel.values:
        raise DomainError("field_invalid", f"人大层级: “{level}”不是可选的层级", field="level")
    return f"{region.name}{MandateLevel(level).label}人大"


def record_publish(
    *, actor: User, region: Region, level: str, year: int, today: datetime.date | None = None
) -> RecordPublication:
    """履职档案公开: the congress's deputies' records of a past year appear on their public pages (counts only).
    Publishing a year already published changes nothing and writes nothing."""
    congress = _require_publisher(actor, region, level)
    today = today or timezone.localdate()
    if year >= today.year:
        raise DomainError(
            "record_year_open",
            f"公开履职档案: {year}年度尚未结束，{year + 1}年1月1日起才能公开{congress}代表的{year}年度履职档案",
            field="year",
        )
    with transaction.atomic():
        publication, created = RecordPublication.objects.get_or_create(
            region=region, level=level, year=year, defaults={"published_by": actor}
        )
        if created:
            _audit(actor, "record_publish", publication, region, level=level, year=year)
    return publication


def record_unpublish(*, actor: User, region: Region, level: str, year: int) -> bool:
    """撤回公开: the year disappears from the public pages again. False (and nothing written) when it was not
    published."""
    _require_publisher(actor, region, level)
    with transaction.atomic():
        publication = (
            RecordPublication.objects.select_for_update().filter(region=region, level=level, year=year).first()
        )
        if publication is None:
            return False
        _audit(actor, "record_unpublish", publication, region, level=level, year=year)
        publication.delete()
    return True


# --- funds ---------------------------------------------------------------------------------------------------------


def _amount(value: Any, label: str, *, positive: bool) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise DomainError("field_invalid", f"{label}: 应为金额，如 200.00", field="amount") from None
    if amount < 0 or (positive and amount == 0):
        raise DomainError("amount_not_positive", f"{label}: 应大于 0，填写的是 {amount}", field="amount")
    return amount


def _require_fund_staff(actor: User, deputy: Deputy) -> None:
    if not may(actor, Perm.MANAGE_DUTIES) or not Deputy.objects.visible_to(actor).filter(pk=deputy.pk).exists():
        raise PermissionDenied()


def fund_allocate(*, actor: User, deputy: Deputy, year: int, amount: Any) -> FundAllocation:
    _require_fund_staff(actor, deputy)
    value = _amount(amount, "额度", positive=False)
    with transaction.atomic():
        allocation, _created = FundAllocation.objects.update_or_create(
            deputy=deputy, year=year, defaults={"amount": value}
        )
        audit_record(actor=actor, action="duties.fund_allocate", obj=allocation, changes={"amount": str(value)})
    return allocation


def fund_spend(
    *, actor: User, deputy: Deputy, spent_on: datetime.date, amount: Any, purpose: str, receipt: Any = None
) -> FundEntry:
    _require_fund_staff(actor, deputy)
    value = _amount(amount, "金额", positive=True)
    if spent_on > timezone.localdate():
        raise DomainError("field_invalid", "日期: 不能晚于今天", field="spent_on")
    with transaction.atomic():
        entry = FundEntry.objects.create(
            deputy=deputy,
            spent_on=spent_on,
            amount=value,
            purpose=_text(purpose, "用途", "purpose", required=True, limit=200),
            receipt=receipt or "",
            recorded_by=actor,
        )
        audit_record(actor=actor, action="duties.fund_spend", obj=entry, changes={"amount": str(value)})
    return entry


# --- voters' evaluation of a 述职 ----------------------------------------------------------------------------------


def voter_evaluation_submit(*, code: str, deputy_id: int, rating: str, comment: str = "") -> VoterEvaluation:
    """A voter's evaluation through the 述职 activity's code (the portal applies its abuse protection first)."""
    activity = Activity.objects.filter(signin_code=(code or "").strip(), kind=ActivityKind.REPORT).first()
    if activity is None or activity.status == ActivityStatus.CANCELLED:
        raise DomainError("evaluation_code_unknown", "评议码无效：请扫描述职会现场的二维码", field="code")
    deputy = Deputy.objects.filter(
        pk=deputy_id, attendances__activity=activity, attendances__status=AttendanceStatus.PRESENT
    ).first()
    if deputy is None:
        raise DomainError("field_invalid", "代表: 请选择在本次述职会上述职的代表", field="deputy")
    if rating not in ("satisfied", "basic", "unsatisfied"):
        raise DomainError("field_invalid", "评价: 应为满意、基本满意或不满意", field="rating")
    return VoterEvaluation.objects.create(
        activity=activity,
        deputy=deputy,
        rating=rating,
        comment=_text(comment, "意见", "comment", required=False, limit=1000),
    )
