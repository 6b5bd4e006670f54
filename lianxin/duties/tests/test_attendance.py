import datetime

import pytest
import time_machine
from django.utils import timezone

from lianxin.cases.models import Channel
from lianxin.core.errors import DomainError, NotFound, PermissionDenied
from lianxin.core.models import AuditEvent
from lianxin.duties import services
from lianxin.duties.models import ActivityStatus, Attendance, AttendanceStatus, PointHandling, SignInMethod

pytestmark = pytest.mark.django_db


def test_an_invited_deputy_signs_in_by_scanning_the_code_with_time_and_place(duty, personas):
    activity = duty.activity()
    attendance = services.attendance_sign_in(actor=personas.deputy, code=activity.signin_code, lat=30.54, lng=119.96)
    assert attendance.status == AttendanceStatus.PRESENT and attendance.method == SignInMethod.QR
    assert attendance.invited and attendance.lat == 30.54 and attendance.signed_in_at is not None
    assert AuditEvent.objects.filter(action="duties.sign_in", object_id=str(attendance.pk)).count() == 1


def test_a_second_sign_in_is_refused_and_nothing_is_written_twice(duty, personas):
    activity = duty.activity()
    services.attendance_sign_in(actor=personas.deputy, code=activity.signin_code)
    with pytest.raises(DomainError) as again:
        services.attendance_sign_in(actor=personas.deputy, code=activity.signin_code)
    assert again.value.code == "already_signed_in"
    assert AuditEvent.objects.filter(action="duties.sign_in").count() == 1


def test_an_unknown_an_expired_or_a_renewed_code_is_refused(duty, personas):
    activity = duty.activity()
    with pytest.raises(DomainError) as unknown:
        services.attendance_sign_in(actor=personas.deputy, code="not-a-code")
    assert unknown.value.code == "signin_code_unknown"
    with pytest.raises(DomainError) as late:
        services.attendance_sign_in(
            actor=personas.deputy, code=activity.signin_code, now=activity.ends_at + datetime.timedelta(hours=3)
        )
    assert late.value.code == "signin_closed"
    old = activity.signin_code
    services.activity_signin_code_renew(actor=personas.county_staff, activity=activity)
    with pytest.raises(DomainError) as renewed:
        services.attendance_sign_in(actor=personas.deputy, code=old)
    assert renewed.value.code == "signin_code_unknown"
    assert not Attendance.objects.filter(status=AttendanceStatus.PRESENT).exists()


def test_a_deputy_who_was_not_invited_is_signed_in_and_marked_uninvited(duty, personas):
    activity = duty.activity(invited=[duty.first])
    attendance = services.attendance_sign_in(actor=duty.second_user, code=activity.signin_code)
    assert attendance.status == AttendanceStatus.PRESENT and attendance.invited is False


def test_only_a_deputy_signs_in_by_code(duty, personas):
    activity = duty.activity()
    with pytest.raises(PermissionDenied):
        services.attendance_sign_in(actor=personas.county_staff, code=activity.signin_code)


def test_staff_sign_in_by_hand_with_a_reason(duty, personas):
    activity = duty.activity(starts_in=datetime.timedelta(minutes=-10))
    with pytest.raises(DomainError) as no_reason:
        services.attendance_sign_in_by_hand(
            actor=personas.county_staff, activity=activity, deputy=duty.first, reason=""
        )
    assert no_reason.value.field == "reason"
    attendance = services.attendance_sign_in_by_hand(
        actor=personas.county_staff, activity=activity, deputy=duty.first, reason="手机无信号"
    )
    assert attendance.method == SignInMethod.MANUAL and attendance.decided_by == personas.county_staff
    with pytest.raises(PermissionDenied):
        services.attendance_sign_in_by_hand(actor=personas.outsider, activity=activity, deputy=duty.second, reason="x")


def test_leave_is_asked_before_the_start_and_decided_by_the_organiser(duty, personas):
    activity = duty.activity(starts_in=datetime.timedelta(days=2))
    attendance = services.leave_request(actor=personas.deputy, activity=activity, reason="出差")
    assert attendance.status == AttendanceStatus.LEAVE_REQUESTED
    services.leave_decide(actor=personas.county_staff, attendance=attendance, approve=True)
    attendance.refresh_from_db()
    assert attendance.status == AttendanceStatus.ON_LEAVE
    with (
        time_machine.travel(activity.starts_at + datetime.timedelta(minutes=5)),
        pytest.raises(DomainError) as late,
    ):
        services.leave_request(actor=duty.second_user, activity=activity, reason="临时有事")
    assert late.value.code == "leave_too_late"


def test_a_deputy_not_invited_cannot_ask_for_leave(duty, personas):
    activity = duty.activity(invited=[duty.first], starts_in=datetime.timedelta(days=1))
    with pytest.raises(NotFound):
        services.leave_request(actor=duty.second_user, activity=activity, reason="出差")


def test_marking_an_activity_held_records_the_absent_and_refuses_one_in_the_future(duty, personas):
    future = duty.activity(starts_in=datetime.timedelta(days=3))
    with pytest.raises(DomainError) as early:
        services.activity_mark_held(actor=personas.county_staff, activity=future)
    assert early.value.code == "activity_in_future"
    future.refresh_from_db()
    assert future.status == ActivityStatus.PLANNED
    past = duty.activity(starts_in=datetime.timedelta(minutes=-30))
    services.attendance_sign_in(actor=personas.deputy, code=past.signin_code)
    services.activity_mark_held(actor=personas.county_staff, activity=past, outcome="走访5户")
    statuses = dict(Attendance.objects.filter(activity=past).values_list("deputy__name", "status"))
    assert statuses == {"沈建国": AttendanceStatus.PRESENT, "钱立新": AttendanceStatus.ABSENT}


def test_a_point_raised_at_a_meeting_becomes_a_case_or_a_suggestion_with_one_action(duty, personas, regions):
    from lianxin.suggestions.models import Session

    meeting = duty.activity(kind="briefing", title="代表知情议政会", starts_in=datetime.timedelta(minutes=-60))
    answered = services.meeting_point_add(
        actor=personas.county_staff, activity=meeting, text="学校门口缺少减速带", raised_by=duty.first,
        counterpart="县交通运输局 王局长", answer="本月内安装",
    )  # fmt: skip
    assert answered.handling == PointHandling.ANSWERED
    to_case = services.meeting_point_add(
        actor=personas.county_staff, activity=meeting, text="居仁路路灯不亮", raised_by=duty.first
    )
    case = services.meeting_point_to_case(actor=personas.county_staff, point=to_case)
    assert case.channel == Channel.MEETING and case.deputy == duty.first
    to_case.refresh_from_db()
    assert to_case.handling == PointHandling.TRANSFERRED and to_case.case == case
    with pytest.raises(DomainError) as twice:
        services.meeting_point_to_case(actor=personas.county_staff, point=to_case)
    assert twice.value.code == "point_handled"
    session = Session.objects.create(
        congress_region=regions.deqing,
        level="county",
        term=17,
        number=3,
        name="第三次会议",
        opens_on=timezone.localdate(),
    )
    to_suggestion = services.meeting_point_add(
        actor=personas.county_staff, activity=meeting, text="建议统筹建设城乡公交一体化", raised_by=duty.second
    )
    suggestion = services.meeting_point_to_suggestion(actor=personas.county_staff, point=to_suggestion, session=session)
    assert suggestion.lead_deputy == duty.second and "知情议政会" in suggestion.reasons


def test_receptions_cannot_be_entered_twice_as_activities(duty, personas, regions):
    with pytest.raises(DomainError) as refused:
        duty.activity(kind="reception")
    assert refused.value.code == "reception_elsewhere"


def test_funds_refuse_a_negative_or_zero_entry(duty, personas):
    with pytest.raises(DomainError) as negative:
        services.fund_spend(
            actor=personas.county_staff, deputy=duty.first, spent_on=timezone.localdate(), amount="-20", purpose="资料"
        )
    assert negative.value.code == "amount_not_positive"
    entry = services.fund_spend(
        actor=personas.county_staff,
        deputy=duty.first,
        spent_on=timezone.localdate(),
        amount="120.5",
        purpose="调研交通费",
    )
    assert str(entry.amount) == "120.50"
