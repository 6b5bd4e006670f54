"""The worker's jobs for suggestions (办理跟踪): remind units before their deadline, mark late parts overdue, and
remind units of B-class promises past their date. Registered in `lianxin run_worker` by `suggestion_jobs()`.

Each job takes `now`, may run again at any time and in several processes at once (each write is a compare-and-swap
that acts only when it changed the row), and returns how many parts it acted on. None of them changes a
suggestion's status: an overdue mark is a flag on the unit's part with its event row, not a transition.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from lianxin.accounts.actors import SYSTEM
from lianxin.notifications.worker import At, Every, Job
from lianxin.suggestions import notify
from lianxin.suggestions.models import ReplyClass, Status, SuggestionEvent, UnitAssignment, UnitRole
from lianxin.suggestions.routing import suggestion_router_retrain_due
from lianxin.suggestions.rules import Rules, rules_of
from lianxin.workdays.calendar import CHINA

logger = logging.getLogger("lianxin.worker")

# A B-class promise past its date is recalled to the unit once in this many days until it is kept.
PROMISE_REMIND_EVERY_DAYS = 30


def _today(now: datetime.datetime) -> datetime.date:
    return timezone.localtime(now, CHINA).date()


def _open_parts() -> "Q":
    """Parts still owing something: a lead unit its reply, a co-unit its opinion to the lead unit."""
    return Q(role=UnitRole.LEAD, replied_at__isnull=True) | Q(role=UnitRole.CO, co_opinion_at__isnull=True)


def _claim_reminder(part: UnitAssignment, today: datetime.date, *, not_since: datetime.date) -> bool:
    """Record today's reminder on the part unless one was sent on or after `not_since` (another worker, an earlier
    round): True when this process is the one to send it."""
    fresh = Q(reminded_on__isnull=True) | Q(reminded_on__lt=not_since)
    return UnitAssignment.objects.filter(fresh, pk=part.pk).update(reminded_on=today) == 1


# --- reminders before the deadline ------------------------------------------------------------------------------


def suggestions_remind_due(*, now: datetime.datetime | None = None) -> int:
    """Remind the handlers of every unit whose reply (lead) or opinion (co-unit) falls due within the congress's
    `remind_days`, once per part per day until it is given or the day has passed."""
    today = _today(now or timezone.now())
    rules: dict[tuple[int, str], Rules] = {}
    candidates = (
        UnitAssignment.objects.filter(_open_parts(), is_active=True, suggestion__status=Status.ASSIGNED)
        .filter(due_date__gte=today, due_date__lte=today + datetime.timedelta(days=_max_remind_days()))
        .exclude(reminded_on=today)
        .select_related("suggestion__session", "suggestion__region", "unit")
        .order_by("due_date", "id")
    )
    reminded = 0
    for part in candidates:
        s = part.suggestion
        key = (s.region_id, s.session.level)
        if key not in rules:
            rules[key] = rules_of(region_id=s.region_id, level=s.session.level)
        if part.due_date - today > datetime.timedelta(days=rules[key].remind_days):
            continue
        with transaction.atomic():
            if not _claim_reminder(part, today, not_since=today):
                continue
            days = (part.due_date - today).days
            when = "今天到期" if days == 0 else f"还有 {days} 天到期"
            owed = "答复代表" if part.role == UnitRole.LEAD else "向主办单位提出协办意见"
            notify.notify_unit(
                part,
                "remind",
                f"办理提醒：{s.number_label}“{s.title}”须于 {part.due_date:%Y-%m-%d} 前{owed}（{when}）。",
            )
        reminded += 1
    return reminded


def _max_remind_days() -> int:
    from django.db.models import Max

    from lianxin.suggestions.models import SuggestionRules

    configured = SuggestionRules.objects.aggregate(m=Max("remind_days"))["m"] or 0
    return max(configured, Rules(bill_min_co_signers=0).remind_days)


# --- overdue ---------------------------------------------------------------------------------------------------


def assignment_mark_overdue(*, assignment: UnitAssignment, today: datetime.date) -> bool:
    """Flag one late part (超期) with an `overdue` event by the system and tell the unit. Not a transition: the
    suggestion's status and version stay; `extend` and a re-handling clear the flag. False when it was already
    flagged (another worker) or is no longer late."""
    s = assignment.suggestion
    with transaction.atomic():
        won = (
            UnitAssignment.objects.filter(_open_parts(), pk=assignment.pk, is_active=True, is_overdue=False)
            .filter(due_date__lt=today, suggestion__status=Status.ASSIGNED)
            .update(is_overdue=True)
        )
        if not won:
            return False
        owed = "答复" if assignment.role == UnitRole.LEAD else "协办意见"
        note = f"{assignment.unit.name}超过{owed}期限（{assignment.due_date:%Y-%m-%d}）"
        SuggestionEvent.objects.create(
            suggestion=s,
            assignment=assignment,
            action="overdue",
            from_status=s.status,
            to_status=s.status,
            actor=None,
            actor_label=SYSTEM.label,
            note=note,
            data={"unit": assignment.unit.name, "role": assignment.role, "due": assignment.due_date.isoformat()},
        )
        notify.notify_unit(
            assignment,
            "overdue",
            f"{s.number_label}“{s.title}”已超过{owed}期限（{assignment.due_date:%Y-%m-%d}），请尽快办理。",
        )
    return True


def suggestions_mark_overdue(*, now: datetime.datetime | None = None) -> int:
    """Mark every part past its due date without its reply or opinion (selectors.overdue_parts)."""
    # Here, not at the top: the selectors import routing's similarity index (scikit-learn, ~2 s), which the
    # worker's command must not load at start (lianxin/core/tests/test_startup.py).
    from lianxin.suggestions.selectors import overdue_parts

    today = _today(now or timezone.now())
    late = overdue_parts(today=today).filter(is_overdue=False).select_related("suggestion__region", "unit")
    return sum(assignment_mark_overdue(assignment=part, today=today) for part in late.order_by("due_date", "id"))


# --- B-class promises -------------------------------------------------------------------------------------------


def suggestions_remind_promises(*, now: datetime.datetime | None = None) -> int:
    """B-class replies whose promised date has passed without being kept (fulfil): recalled to the unit once every
    PROMISE_REMIND_EVERY_DAYS days, into the next year, until the unit records it kept."""
    today = _today(now or timezone.now())
    since = today - datetime.timedelta(days=PROMISE_REMIND_EVERY_DAYS - 1)
    promises = (
        UnitAssignment.objects.filter(
            is_active=True,
            role=UnitRole.LEAD,
            reply_class=ReplyClass.B,
            replied_at__isnull=False,
            promise_done_at__isnull=True,
            promised_on__lt=today,
        )
        .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=since))
        .exclude(suggestion__status=Status.WITHDRAWN)
        .select_related("suggestion__region", "unit")
        .order_by("promised_on", "id")
    )
    reminded = 0
    for part in promises:
        s = part.suggestion
        with transaction.atomic():
            if not _claim_reminder(part, today, not_since=since):
                continue
            assert part.promised_on is not None  # filtered above
            notify.notify_unit(
                part,
                "promise_due",
                f"承诺事项提醒：{s.number_label}“{s.title}”的B类答复承诺于 {part.promised_on:%Y-%m-%d} 前完成，"
                "已过期仍未登记兑现，请抓紧落实并登记兑现情况。",
            )
        reminded += 1
    return reminded


def suggestion_jobs() -> list[Job]:
    at = datetime.time.fromisoformat(settings.WORKER_SUMMARY_TIME)
    return [
        # Daily: deadlines and promises are days, so once a day is as often as anything changes.
        Job("suggestions_remind_due", At(at), suggestions_remind_due),
        Job("suggestions_remind_promises", At(at), suggestions_remind_promises),
        # Every deadline round: cheap (one indexed query when nothing is late), and a worker started late still
        # marks the parts the same day.
        Job(
            "suggestions_mark_overdue",
            Every(datetime.timedelta(minutes=settings.WORKER_DEADLINE_MINUTES)),
            suggestions_mark_overdue,
        ),
        # Nightly, after the cases' router: the unit router learns from the suggestions assigned since.
        Job("suggestions_router_retrain", At(datetime.time(2, 45)), suggestion_router_retrain_due),
    ]
