"""The worker's supervision jobs: a reminder before the rectification report, the 约见 follow-up and the 直通车's
reply fall due, once a day however often the job runs; an overdue mark (event, audit row, notice) once; a late report
still accepted afterwards, marked late."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from lianxin.core.models import AuditEvent
from lianxin.notifications.models import Notification
from lianxin.ops.management.commands.run_worker import jobs
from lianxin.suggestions.services import suggestion_draft_create
from lianxin.supervision import services
from lianxin.supervision.jobs import supervision_mark_overdue, supervision_remind_due
from lianxin.supervision.models import DirectLine, SupervisionEvent

pytestmark = pytest.mark.django_db


def later(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def test_the_jobs_are_in_the_workers_list():
    names = {job.name for job in jobs()}
    assert {"supervision_remind_due", "supervision_mark_overdue"} <= names


def test_a_department_is_reminded_once_a_day_before_its_report_then_marked_overdue_once(sv, personas):
    due = timezone.localdate() + datetime.timedelta(days=10)
    services.item_opinions_send(actor=personas.county_staff, item=sv.item, opinions="意见", report_due=due)
    assert supervision_remind_due(now=later(1)) == 0  # nine days ahead: not yet
    assert supervision_remind_due(now=later(8)) == 1
    assert supervision_remind_due(now=later(8)) == 0  # the same day again
    assert supervision_remind_due(now=later(9)) == 1  # the next day
    reminders = Notification.objects.filter(kind="supervision.remind", user=personas.unit_handler)
    assert reminders.count() == 2
    assert "整改报告须于" in reminders.first().body
    assert supervision_mark_overdue(now=later(10)) == 0  # the due day itself is still in time
    assert supervision_mark_overdue(now=later(11)) == 1
    assert supervision_mark_overdue(now=later(12)) == 0
    sv.item.refresh_from_db()
    assert sv.item.is_overdue
    assert SupervisionEvent.objects.filter(item=sv.item, action="overdue").count() == 1
    assert AuditEvent.objects.filter(action="supervision.overdue", object_id=str(sv.item.pk)).count() == 1
    assert Notification.objects.filter(kind="supervision.overdue", user=personas.unit_handler).count() == 1
    with time_machine.travel(later(13), tick=False):
        services.item_report_submit(actor=personas.unit_handler, item=sv.item, report="迟到的整改报告")
    sv.item.refresh_from_db()
    assert sv.item.report_late and sv.item.report == "迟到的整改报告"


def test_an_organ_without_its_follow_up_is_marked_overdue_and_one_that_answered_is_not(sv, personas):
    due = timezone.localdate() + datetime.timedelta(days=5)
    meetings = []
    for subject in ("道路积水", "公交线路"):
        meeting = services.meeting_request(
            actor=personas.deputy,
            organ=sv.transport,
            subject=subject,
            proposed_at=later(2),
        )
        services.meeting_arrange(actor=personas.county_staff, meeting=meeting, scheduled_at=later(1), place="会议室")
        with time_machine.travel(later(1) + datetime.timedelta(hours=3), tick=False):
            services.meeting_record(
                actor=personas.county_staff,
                meeting=meeting,
                record="记录",
                followup_due=due,
            )
        meetings.append(meeting)
    services.meeting_followup(actor=personas.unit_handler, meeting=meetings[1], text="已办理")
    assert supervision_remind_due(now=later(3)) == 1
    assert supervision_mark_overdue(now=later(5)) == 0
    assert supervision_mark_overdue(now=later(6)) == 1
    meetings[0].refresh_from_db()
    meetings[1].refresh_from_db()
    assert (meetings[0].is_overdue, meetings[1].is_overdue) == (True, False)


def test_a_direct_line_without_a_reply_is_marked_overdue(sv, personas):
    suggestion = suggestion_draft_create(
        actor=personas.deputy, session=sv.interval, title="关于修复护栏的建议", reasons="理由", content="内容"
    )
    line = services.direct_line_send(
        actor=personas.county_staff, suggestion=suggestion, unit=sv.transport, urgency="危及安全", reply_days=5
    )
    days = (line.reply_due - timezone.localdate()).days
    assert supervision_remind_due(now=later(days - 1)) == 1
    assert Notification.objects.filter(kind="supervision.remind", user=personas.unit_handler).exists()
    assert supervision_mark_overdue(now=later(days + 1)) == 1
    assert DirectLine.objects.get(pk=line.pk).is_overdue
