"""Supervision items from plan to evaluation, 约见 from request to the organ's follow-up, and the 直通车 through the
suggestions workflow: each step's rule, its refusal in Chinese with a code, and its side effects (events, audit,
duty activities, notifications)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.models import AuditEvent
from lianxin.duties.models import Activity, ActivityKind, ActivityStatus, Attendance, AttendanceStatus
from lianxin.notifications.models import Notification
from lianxin.suggestions.models import Status as SuggestionStatus
from lianxin.suggestions.models import SuggestionEvent
from lianxin.suggestions.services import suggestion_draft_create
from lianxin.supervision import services
from lianxin.supervision.models import (
    DirectLine,
    ItemRecord,
    ItemStatus,
    ItemVote,
    MeetingStatus,
    RecordKind,
    SupervisionEvent,
)

pytestmark = pytest.mark.django_db


def soon(days: int = 3, hour: int = 9) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def send_opinions(sv, personas, days: int = 20):
    return services.item_opinions_send(
        actor=personas.county_staff,
        item=sv.item,
        opinions="一、加快危桥改造；二、落实养护经费。",
        report_due=timezone.localdate() + datetime.timedelta(days=days),
    )


# --- items -----------------------------------------------------------------------------------------------------------


def test_an_item_is_created_with_its_groups_plan_record_event_and_audit_row(sv):
    assert sv.item.status == ItemStatus.PLANNED
    assert list(sv.item.item_groups.values_list("group__name", "is_lead")) == [("武康监督组", True)]
    assert ItemRecord.objects.filter(item=sv.item, kind=RecordKind.PLAN, stage="before").count() == 1
    assert SupervisionEvent.objects.filter(item=sv.item, action="create", to_status="planned").exists()
    assert AuditEvent.objects.filter(action="supervision.create", object_id=str(sv.item.pk)).exists()
    assert services.item_member_ids(sv.item) == {sv.lead.pk, sv.member.pk, sv.third.pk}


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"subject_kind": "department", "unit": None}, "field_required", "unit"),
        ({"subject_kind": "law", "unit": None}, "field_required", "law_name"),
        ({"subject_kind": "project", "unit": None}, "field_required", "project"),
        ({"subject_kind": "weather"}, "field_invalid", "subject_kind"),
        ({"title": "  "}, "field_required", "title"),
        ({"groups": []}, "field_required", "groups"),
        ({"ends_on": datetime.date(2000, 1, 1)}, "field_invalid", "ends_on"),
    ],
)
def test_a_bad_item_is_refused_naming_the_field(sv, personas, regions, fields, code, field):
    values = {
        "actor": personas.county_staff,
        "region": regions.deqing,
        "year": sv.year,
        "title": "道路交通安全法实施情况",
        "subject_kind": "department",
        "unit": sv.transport,
        "starts_on": datetime.date(sv.year, 3, 1),
        "ends_on": datetime.date(sv.year, 9, 30),
        "groups": [sv.group],
    }
    values.update(fields)
    with pytest.raises(DomainError) as raised:
        services.item_create(**values)
    assert (raised.value.code, raised.value.field) == (code, field)
    assert "：" in raised.value.message or ":" in raised.value.message


def test_only_a_supervision_group_can_take_an_item(sv, personas, regions):
    with pytest.raises(DomainError, match="不是监督小组"):
        services.item_create(
            actor=personas.county_staff,
            region=regions.deqing,
            year=sv.year,
            title="x",
            subject_kind="law",
            law_name="道路交通安全法",
            starts_on=datetime.date(sv.year, 3, 1),
            ends_on=datetime.date(sv.year, 3, 2),
            groups=[sv.other_group],
        )


def test_a_deputy_and_staff_of_another_township_cannot_manage_an_item(sv, personas):
    for actor in (personas.deputy, personas.outsider, personas.unit_handler, personas.place_staff):
        with pytest.raises(PermissionDenied):
            services.item_record_add(actor=actor, item=sv.item, kind="finding", text="桥梁护栏缺失")


def test_an_inspection_is_a_duty_activity_with_the_members_invited_and_starts_the_item(sv, personas):
    record = services.item_inspection_schedule(
        actor=personas.county_staff,
        item=sv.item,
        kind="inspection",
        title="视察农村公路养护",
        starts_at=soon(),
        ends_at=soon(hour=11),
        location="武康街道",
    )
    activity = record.activity
    assert activity.kind == ActivityKind.INSPECTION
    assert set(Attendance.objects.filter(activity=activity).values_list("deputy_id", flat=True)) == {
        sv.lead.pk,
        sv.member.pk,
        sv.third.pk,
    }
    sv.item.refresh_from_db()
    assert sv.item.status == ItemStatus.ONGOING
    assert record.stage == "during"
    law = services.item_inspection_schedule(
        actor=personas.county_staff,
        item=sv.item,
        kind="law_check",
        title="道路交通安全法执法检查",
        starts_at=soon(4),
        ends_at=soon(4, 11),
    )
    assert law.activity.kind == ActivityKind.LAW_CHECK


def test_a_finding_moves_a_planned_item_under_way(sv, personas):
    services.item_record_add(actor=personas.county_staff, item=sv.item, kind="finding", text="部分桥梁护栏缺失")
    sv.item.refresh_from_db()
    assert sv.item.status == ItemStatus.ONGOING
    with pytest.raises(DomainError) as raised:
        services.item_record_add(actor=personas.county_staff, item=sv.item, kind="report", text="x")
    assert raised.value.code == "field_invalid"


def test_opinions_need_a_future_deadline_and_tell_the_department(sv, personas):
    with pytest.raises(DomainError) as raised:
        services.item_opinions_send(
            actor=personas.county_staff, item=sv.item, opinions="意见", report_due=timezone.localdate()
        )
    assert (raised.value.code, raised.value.field) == ("field_invalid", "report_due")
    send_opinions(sv, personas)
    assert sv.item.status == ItemStatus.OPINIONS_SENT
    assert Notification.objects.filter(kind="supervision.opinions", user=personas.unit_handler).count() == 1
    with pytest.raises(DomainError) as raised:
        send_opinions(sv, personas)
    assert raised.value.code == "invalid_transition"


def test_the_department_reports_in_time_and_it_is_not_marked_late(sv, personas):
    send_opinions(sv, personas)
    services.item_report_submit(actor=personas.unit_handler, item=sv.item, report="已完成危桥改造 12 座。")
    assert sv.item.status == ItemStatus.REPORTED
    assert sv.item.report_late is False
    assert SupervisionEvent.objects.filter(item=sv.item, action="report_submit", data__late=False).exists()


def test_a_report_after_its_deadline_is_accepted_and_marked_late(sv, personas):
    send_opinions(sv, personas, days=5)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=9), tick=False):
        services.item_report_submit(actor=personas.unit_handler, item=sv.item, report="整改情况报告")
    sv.item.refresh_from_db()
    assert (sv.item.status, sv.item.report_late, sv.item.report) == (ItemStatus.REPORTED, True, "整改情况报告")


def test_another_departments_handler_cannot_report(sv, personas, make_user):
    send_opinions(sv, personas)
    with pytest.raises(PermissionDenied):
        services.item_report_submit(actor=personas.deputy, item=sv.item, report="x")


def test_each_member_votes_once_in_secret_and_the_result_is_computed(sv, personas):
    send_opinions(sv, personas)
    services.item_report_submit(actor=personas.county_staff, item=sv.item, report="整改报告")
    with pytest.raises(DomainError) as raised:
        services.item_vote(actor=personas.deputy, item=sv.item, verdict="satisfied")
    assert raised.value.code == "evaluation_closed"
    services.item_evaluation_open(actor=personas.county_staff, item=sv.item)
    assert Notification.objects.filter(kind="supervision.evaluation").count() == 2  # the two members with accounts
    services.item_vote(actor=personas.deputy, item=sv.item, verdict="satisfied")
    with pytest.raises(DomainError) as raised:
        services.item_vote(actor=personas.deputy, item=sv.item, verdict="unsatisfied")
    assert (raised.value.code, raised.value.message) == ("already_voted", "满意度测评: 您已经投过票，每人只能投一次")
    services.item_vote(actor=sv.member_user, item=sv.item, verdict="unsatisfied")
    with pytest.raises(PermissionDenied):
        services.item_vote(actor=sv.stranger_user, item=sv.item, verdict="satisfied")
    with pytest.raises(DomainError) as raised:
        services.item_vote(actor=sv.member_user, item=sv.item, verdict="maybe")
    assert raised.value.field == "verdict"
    # Who voted is kept, what they voted is not: the vote rows have no choice, the audit rows no verdict.
    assert ItemVote.objects.filter(item=sv.item).count() == 2
    assert {f.name for f in ItemVote._meta.get_fields()} == {"id", "item", "deputy", "voted_at"}
    assert all("verdict" not in a.changes for a in AuditEvent.objects.filter(action="supervision.vote"))
    services.item_evaluation_close(actor=personas.county_staff, item=sv.item)
    assert sv.item.status == ItemStatus.EVALUATED
    result = services.evaluation_result(sv.item)
    assert result == {"satisfied": 1, "basic": 0, "unsatisfied": 1, "total": 2, "rate": 50.0, "passed": False}
    assert ItemRecord.objects.get(item=sv.item, kind=RecordKind.EVALUATION).text.startswith("满意 1 票")
    with pytest.raises(DomainError):
        services.item_vote(actor=sv.member_user, item=sv.item, verdict="satisfied")


def test_an_evaluation_cannot_open_before_the_report_or_close_without_votes(sv, personas):
    with pytest.raises(DomainError) as raised:
        services.item_evaluation_open(actor=personas.county_staff, item=sv.item)
    assert raised.value.code == "evaluation_not_ready"
    send_opinions(sv, personas)
    services.item_report_submit(actor=personas.county_staff, item=sv.item, report="整改报告")
    services.item_evaluation_open(actor=personas.county_staff, item=sv.item)
    with pytest.raises(DomainError) as raised:
        services.item_evaluation_close(actor=personas.county_staff, item=sv.item)
    assert raised.value.code == "evaluation_empty"


# --- 约见 ------------------------------------------------------------------------------------------------------------


def request_meeting(sv, personas, **fields):
    values = {
        "actor": personas.deputy,
        "organ": sv.transport,
        "subject": "城东片区道路积水问题",
        "organ_head": "县交通运输局局长",
        "proposed_at": soon(5),
        "deputies": [sv.member],
    }
    values.update(fields)
    return services.meeting_request(**values)


def test_a_deputy_requests_a_meeting_with_others_and_staff_hear_of_it(sv, personas):
    meeting = request_meeting(sv, personas)
    assert set(meeting.deputies.all()) == {sv.lead, sv.member}
    assert meeting.region == sv.transport.region
    assert Notification.objects.filter(kind="supervision.requested", user=personas.county_staff).exists()
    assert SupervisionEvent.objects.filter(meeting=meeting, action="meeting_request").exists()


def test_a_meeting_in_the_past_is_refused(sv, personas):
    with pytest.raises(DomainError) as raised:
        request_meeting(sv, personas, proposed_at=timezone.now() - datetime.timedelta(hours=1))
    assert (raised.value.code, raised.value.field) == ("meeting_in_past", "proposed_at")
    assert "不能早于现在" in raised.value.message


def test_someone_neither_deputy_nor_staff_cannot_request_a_meeting(sv, personas):
    with pytest.raises(PermissionDenied):
        request_meeting(sv, personas, actor=personas.grid_worker)


def test_a_meeting_arranged_held_and_followed_up_is_on_the_deputies_duty_record(sv, personas):
    meeting = request_meeting(sv, personas)
    services.meeting_arrange(
        actor=personas.county_staff, meeting=meeting, scheduled_at=soon(2), place="县人大常委会第一会议室"
    )
    assert meeting.status == MeetingStatus.ARRANGED
    activity = meeting.activity
    assert activity.kind == ActivityKind.BRIEFING and activity.title.startswith("约见县交通运输局")
    assert Notification.objects.filter(kind="supervision.arranged", user=personas.deputy).exists()
    with pytest.raises(DomainError) as raised:
        services.meeting_record(actor=personas.county_staff, meeting=meeting, record="局长答复")
    assert raised.value.code == "meeting_not_held"
    with time_machine.travel(soon(2, 12), tick=False):
        services.meeting_record(
            actor=personas.county_staff, meeting=meeting, record="局长答复：一个月内完成排水改造。", present=[sv.lead]
        )
    assert meeting.status == MeetingStatus.HELD
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.HELD
    statuses = dict(Attendance.objects.filter(activity=activity).values_list("deputy_id", "status"))
    assert statuses == {sv.lead.pk: AttendanceStatus.PRESENT, sv.member.pk: AttendanceStatus.ABSENT}
    assert Notification.objects.filter(kind="supervision.followup", user=personas.unit_handler).exists()
    services.meeting_followup(actor=personas.unit_handler, meeting=meeting, text="已完成排水管网改造。")
    assert (meeting.status, meeting.followup_late) == (MeetingStatus.FOLLOWED_UP, False)
    actions = list(SupervisionEvent.objects.filter(meeting=meeting).order_by("id").values_list("action", flat=True))
    assert actions == ["meeting_request", "meeting_arrange", "meeting_record", "meeting_followup"]


def test_a_declined_meeting_keeps_its_reason_and_cannot_be_arranged(sv, personas):
    meeting = request_meeting(sv, personas)
    with pytest.raises(DomainError) as raised:
        services.meeting_decline(actor=personas.county_staff, meeting=meeting, reason="")
    assert raised.value.field == "reason"
    services.meeting_decline(actor=personas.county_staff, meeting=meeting, reason="该事项已列入县政府常务会议议题")
    assert meeting.status == MeetingStatus.DECLINED
    with pytest.raises(DomainError) as raised:
        services.meeting_arrange(actor=personas.county_staff, meeting=meeting, scheduled_at=soon(), place="会议室")
    assert raised.value.code == "invalid_transition"
    assert not Activity.objects.exists()


def test_township_staff_cannot_arrange_a_county_meeting(sv, personas):
    meeting = request_meeting(sv, personas)
    for actor in (personas.township_staff, personas.outsider, personas.deputy):
        with pytest.raises(PermissionDenied):
            services.meeting_arrange(actor=actor, meeting=meeting, scheduled_at=soon(), place="会议室")


# --- 直通车 -----------------------------------------------------------------------------------------------------------


def interval_draft(sv, personas):
    return suggestion_draft_create(
        actor=personas.deputy,
        session=sv.interval,
        title="关于尽快修复武康大桥护栏的建议",
        reasons="护栏断裂，存在坠落风险。",
        content="建议县交通运输局一周内完成临时防护并修复护栏。",
    )


def test_a_direct_line_takes_an_interval_suggestion_through_the_workflow_to_its_unit(sv, personas):
    suggestion = interval_draft(sv, personas)
    line = services.direct_line_send(
        actor=personas.county_staff, suggestion=suggestion, unit=sv.transport, urgency="护栏断裂，危及通行安全"
    )
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.ASSIGNED
    assert suggestion.number is not None
    events = list(SuggestionEvent.objects.filter(suggestion=suggestion).values_list("action", flat=True))
    assert events == ["create", "submit", "pass", "accept", "assign"]
    assert line.reply_due > timezone.localdate()
    assert Notification.objects.filter(kind="supervision.sent", user=personas.unit_handler).exists()
    with pytest.raises(DomainError) as raised:
        services.direct_line_send(actor=personas.county_staff, suggestion=suggestion, unit=sv.transport, urgency="x")
    assert raised.value.code == "already_direct"
    assert DirectLine.objects.count() == 1


def test_a_direct_line_is_refused_for_a_session_suggestion_and_for_a_deputy(sv, personas, regions):
    from lianxin.suggestions.models import Session

    meeting_session = Session.objects.create(
        congress_region=regions.deqing,
        level="county",
        term=17,
        number=4,
        name="第四次会议",
        opens_on=sv.interval.opens_on,
    )
    suggestion = suggestion_draft_create(
        actor=personas.deputy, session=meeting_session, title="关于某事的建议", reasons="理由", content="内容"
    )
    with pytest.raises(DomainError) as raised:
        services.direct_line_send(actor=personas.county_staff, suggestion=suggestion, unit=sv.transport, urgency="急")
    assert raised.value.code == "not_interval"
    with pytest.raises(PermissionDenied):
        services.direct_line_send(
            actor=personas.deputy, suggestion=interval_draft(sv, personas), unit=sv.transport, urgency="急"
        )


def test_paper_ballots_add_to_the_counts_but_never_past_the_members(sv, personas):
    send_opinions(sv, personas)
    services.item_report_submit(actor=personas.county_staff, item=sv.item, report="整改报告")
    with pytest.raises(DomainError) as raised:
        services.item_paper_votes_add(actor=personas.county_staff, item=sv.item, satisfied=1, basic=0, unsatisfied=0)
    assert raised.value.code == "evaluation_closed"
    services.item_evaluation_open(actor=personas.county_staff, item=sv.item)
    services.item_vote(actor=personas.deputy, item=sv.item, verdict="satisfied")
    with pytest.raises(DomainError) as raised:
        services.item_paper_votes_add(actor=personas.county_staff, item=sv.item, satisfied=2, basic=1, unsatisfied=0)
    assert raised.value.code == "too_many_votes" and "超过成员人数 3" in raised.value.message
    with pytest.raises(PermissionDenied):
        services.item_paper_votes_add(actor=personas.deputy, item=sv.item, satisfied=1, basic=0, unsatisfied=0)
    item = services.item_paper_votes_add(actor=personas.county_staff, item=sv.item, satisfied=0, basic=2, unsatisfied=0)
    assert services.evaluation_result(item)["rate"] == 100.0
    assert SupervisionEvent.objects.filter(item=sv.item, action="paper_votes", data__basic=2).exists()
