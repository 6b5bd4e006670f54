"""The worker's jobs for supervision: remind before a deadline (the department's rectification report, the organ's
follow-up after a 约见, the 直通车's reply) and mark what is past it overdue. Registered in `lianxin run_worker` by
`supervision_jobs()`.

Each job takes `now`, may run again at any time and in several processes at once: a reminder is claimed by a
compare-and-swap on `reminded_on`, an overdue mark by one on `is_overdue`, and only the process whose update changed
the row writes the event and the notification.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from lianxin.accounts.actors import SYSTEM
from lianxin.core.audit import audit_record
from lianxin.notifications.worker import At, Every, Job
from lianxin.supervision import notify
from lianxin.supervision.models import (
    DirectLine,
    ItemStatus,
    Meeting,
    MeetingStatus,
    SupervisionEvent,
    SupervisionItem,
)
from lianxin.workdays.calendar import CHINA

# Reminders start this many days before a deadline, once a day.
REMIND_DAYS = 3


def _today(now: datetime.datetime | None) -> datetime.date:
    return timezone.localtime(now or timezone.now(), CHINA).date()


def _fresh(today: datetime.date) -> Q:
    return Q(reminded_on__isnull=True) | Q(reminded_on__lt=today)


def _when(due: datetime.date, today: datetime.date) -> str:
    days = (due - today).days
    return "今天到期" if days == 0 else f"还有 {days} 天到期"


def _mark(obj: SupervisionItem | Meeting | DirectLine, field: str, due: datetime.date) -> None:
    target = {SupervisionItem: "item", Meeting: "meeting", DirectLine: "direct"}[type(obj)]
    SupervisionEvent.objects.create(
        **{target: obj}, action="overdue", actor_label=SYSTEM.label, data={field: due.isoformat()}
    )
    audit_record(actor=SYSTEM, action="supervision.overdue", obj=obj, region_path=obj.region.path)


def supervision_remind_due(*, now: datetime.datetime | None = None) -> int:
    """Remind the department, the organ or the unit whose report, follow-up or reply falls due within REMIND_DAYS,
    once a day until it arrives or the day has passed."""
    today = _today(now)
    horizon = today + datetime.timedelta(days=REMIND_DAYS)
    sent = 0
    items = SupervisionItem.objects.filter(
        _fresh(today), status=ItemStatus.OPINIONS_SENT, report_due__gte=today, report_due__lte=horizon
    ).select_related("region", "unit")
    for item in items:
        assert item.report_due is not None
        with transaction.atomic():
            if SupervisionItem.objects.filter(_fresh(today), pk=item.pk).update(reminded_on=today) != 1:
                continue
            notify.item_unit(
                item,
                "remind",
                f"整改报告提醒：“{item.title}”的整改报告须于 {item.report_due:%Y-%m-%d} 前报送（{_when(item.report_due, today)}）。",
            )
        sent += 1
    meetings = Meeting.objects.filter(
        _fresh(today), status=MeetingStatus.HELD, followup_due__gte=today, followup_due__lte=horizon
    ).select_related("region", "organ")
    for meeting in meetings:
        assert meeting.followup_due is not None
        with transaction.atomic():
            if Meeting.objects.filter(_fresh(today), pk=meeting.pk).update(reminded_on=today) != 1:
                continue
            notify.meeting_organ(
                meeting,
                "remind",
                f"约见反馈提醒：“{meeting.subject}”的办理反馈须于 {meeting.followup_due:%Y-%m-%d} 前报送（{_when(meeting.followup_due, today)}）。",
            )
        sent += 1
    lines = (
        DirectLine.objects.filter(_fresh(today), reply_due__gte=today, reply_due__lte=horizon)
        .filter(_unreplied())
        .select_related("region", "suggestion")
    )
    for line in lines:
        with transaction.atomic():
            if DirectLine.objects.filter(_fresh(today), pk=line.pk).update(reminded_on=today) != 1:
                continue
            notify.direct_unit(
                line,
                "remind",
                f"直通车提醒：“{line.suggestion.title}”须于 {line.reply_due:%Y-%m-%d} 前答复代表（{_when(line.reply_due, today)}）。",
            )
        sent += 1
    return sent


def _unreplied() -> Q:
    """A 直通车 whose lead unit has not replied yet (the reply lives in the suggestions app)."""
    return Q(
        suggestion__units__is_active=True, suggestion__units__role="lead", suggestion__units__replied_at__isnull=True
    )


def supervision_mark_overdue(*, now: datetime.datetime | None = None) -> int:
    """Flag what is past its deadline (an event and an audit row each, the staff told); a late report, follow-up or
    reply is still accepted afterwards, and marked late."""
    today = _today(now)
    marked = 0
    for item in SupervisionItem.objects.filter(
        status=ItemStatus.OPINIONS_SENT, report_due__lt=today, is_overdue=False
    ).select_related("region", "unit"):
        with transaction.atomic():
            if SupervisionItem.objects.filter(pk=item.pk, is_overdue=False).update(is_overdue=True) != 1:
                continue
            assert item.report_due is not None
            _mark(item, "report_due", item.report_due)
            notify.item_unit(
                item, "overdue", f"“{item.title}”的整改报告已逾期（期限 {item.report_due:%Y-%m-%d}），请尽快报送。"
            )
        marked += 1
    for meeting in Meeting.objects.filter(
        status=MeetingStatus.HELD, followup_due__lt=today, is_overdue=False
    ).select_related("region", "organ"):
        with transaction.atomic():
            if Meeting.objects.filter(pk=meeting.pk, is_overdue=False).update(is_overdue=True) != 1:
                continue
            assert meeting.followup_due is not None
            _mark(meeting, "followup_due", meeting.followup_due)
            notify.meeting_organ(meeting, "overdue", f"约见“{meeting.subject}”的办理反馈已逾期，请尽快报送。")
        marked += 1
    for line in (
        DirectLine.objects.filter(reply_due__lt=today, is_overdue=False)
        .filter(_unreplied())
        .distinct()
        .select_related("region", "suggestion")
    ):
        with transaction.atomic():
            if DirectLine.objects.filter(pk=line.pk, is_overdue=False).update(is_overdue=True) != 1:
                continue
            _mark(line, "reply_due", line.reply_due)
            notify.direct_unit(line, "overdue", f"直通车“{line.suggestion.title}”已超过答复期限，请尽快答复代表。")
        marked += 1
    return marked


def supervision_jobs() -> list[Job]:
    at = datetime.time.fromisoformat(settings.WORKER_SUMMARY_TIME)
    return [
        Job("supervision_remind_due", At(at), supervision_remind_due),
        Job(
            "supervision_mark_overdue",
            Every(datetime.timedelta(minutes=settings.WORKER_DEADLINE_MINUTES)),
            supervision_mark_overdue,
        ),
    ]
