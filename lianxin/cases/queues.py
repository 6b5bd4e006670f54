"""The to-do queues (待办) of the staff home: which open cases wait for whom.

One condition per queue (`QUEUES[key].condition(now)`), applied to the cases the user may see: the home's count
and the case list filtered by the queue read the same rows, so the two cannot disagree. A queue is offered to
those who hold its permission somewhere (`queues_for`); what it contains is always limited by
`Case.objects.visible_to(user)`, so a township clerk counts their township and a unit's handler their unit.

The routing app's queues (the triage queue, common-problem candidates) live above cases and are added by the
office from lianxin.routing.selectors.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case as CaseWhen
from django.db.models import Count, F, Q, QuerySet, When
from django.utils import timezone

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.cases.deadlines import STEP_DEADLINES, late_open_q, step_deadline
from lianxin.cases.models import Case, CaseEvent, Status
from lianxin.cases.workflow import Action
from lianxin.workdays.calendar import due_at

# "即将超期": the current deadline falls within this many working days (today counts as the first). The same
# window the deadline worker reminds in by default (deadlines.DEFAULT_LIMITS, remind_before_days=2).
DUE_SOON_WORKDAYS = 2

# The statuses waiting for a unit's or the locality's reply, whose running deadline is `reply_due`.
AWAITING_REPLY = (Status.COORDINATING, Status.TRANSFERRED, Status.SUPERVISING)


def current_deadline(case: Case) -> tuple[datetime.datetime | None, str]:
    """The deadline of the step the case waits for, and the step's name (none once the result reached the person)."""
    step = step_deadline(case.status)
    return (getattr(case, step.field), step.label) if step is not None else (None, "")


def current_due() -> CaseWhen:
    """current_deadline as an SQL expression, to order a list by it (soonest first)."""
    return CaseWhen(*(When(status__in=step.statuses, then=F(step.field)) for step in STEP_DEADLINES), default=None)


def _due_soon_q(now: datetime.datetime) -> Q:
    """Open cases whose current deadline is still ahead but ends within DUE_SOON_WORKDAYS working days."""
    horizon = due_at(now, DUE_SOON_WORKDAYS - 1)
    running = Q(pk__in=[])
    for step in STEP_DEADLINES:
        running |= Q(status__in=step.statuses, **{f"{step.field}__gte": now, f"{step.field}__lte": horizon})
    return running & ~late_open_q(now)


@dataclass(frozen=True)
class Queue:
    key: str
    label: str
    hint: str
    perm: Perm
    condition: Callable[[datetime.datetime], Q]


QUEUES: dict[str, Queue] = {
    q.key: q
    for q in (
        Queue(
            "to_accept",
            "待受理",
            "已登记、尚未受理的意见建议",
            Perm.HANDLE_CASES,
            lambda now: Q(status=Status.REGISTERED),
        ),
        Queue(
            "to_transfer",
            "待交办",
            "已受理、尚未决定办理方式（交办、属地协调、当场答复等）",
            Perm.HANDLE_CASES,
            lambda now: Q(status=Status.ACCEPTED),
        ),
        Queue(
            "to_reply",
            "待答复",
            "已交办或属地协调、等待答复",
            Perm.REPLY_AS_UNIT,
            lambda now: Q(status__in=AWAITING_REPLY),
        ),
        Queue(
            "due_soon",
            "即将超期",
            f"当前环节的办理时限在 {DUE_SOON_WORKDAYS} 个工作日内到期",
            Perm.USE_BACKOFFICE,
            _due_soon_q,
        ),
        Queue("overdue", "已超期", "当前环节已超过办理时限", Perm.USE_BACKOFFICE, late_open_q),
        Queue(
            "supervising", "督办中", "列入督办、等待答复", Perm.USE_BACKOFFICE, lambda now: Q(status=Status.SUPERVISING)
        ),
        Queue(
            "to_feed_back",
            "待回访",
            "已答复或不予受理、尚未反馈给群众",
            Perm.HANDLE_CASES,
            lambda now: Q(status__in=[Status.REPLIED, Status.DECLINED]),
        ),
    )
}


def queues_for(*, user: Any) -> list[Queue]:
    """The queues this user works on (those of their permissions), in the order of the closed loop."""
    return [q for q in QUEUES.values() if may(user, q.perm)]


def queue_get(*, key: str) -> Queue | None:
    return QUEUES.get(key)


def queue_cases(*, user: Any, key: str, now: datetime.datetime | None = None) -> QuerySet[Case]:
    """The cases of one queue that the user may see (unordered; callers order and load what they show)."""
    queue = QUEUES[key]
    return Case.objects.visible_to(user).filter(queue.condition(now or timezone.now()))


def queue_counts(*, user: Any, now: datetime.datetime | None = None) -> dict[str, int]:
    """{key: number of cases} of the user's queues, in one query (each count is `queue_cases(...).count()`)."""
    queues = queues_for(user=user)
    if not queues:
        return {}
    now = now or timezone.now()
    aggregates = {q.key: Count("pk", filter=q.condition(now)) for q in queues}
    return dict(Case.objects.visible_to(user).aggregate(**aggregates))


# --- recent activity ---------------------------------------------------------------------------------------------

# Steps written outside the transitions table (registration, the deadline worker, a merge's master).
_OTHER_STEPS = {
    "register": "登记",
    "remind": "到期提醒",
    "overdue": "标记超期",
    "deadline": "调整办理时限",
    "common": "改为普遍问题",
}


def event_label(action: str) -> str:
    """A case event's step in Chinese (events store the action's code: `register`, `accept`, `follow_master`)."""
    if action in Action.values:
        return str(Action(action).label)
    return _OTHER_STEPS.get(action, action)


def events_recent_visible_to(*, user: Any, limit: int = 15) -> list[CaseEvent]:
    """The latest steps of the cases the user may see, newest first, with their case and actor loaded."""
    visible = Case.objects.visible_to(user).values("pk")
    return list(
        CaseEvent.objects.filter(case_id__in=visible)
        .select_related("case", "case__region", "actor")
        .order_by("-created_at", "-id")[:limit]
    )
