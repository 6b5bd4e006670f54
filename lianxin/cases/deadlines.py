"""The deadlines of a case, written once: which deadline each status waits for (`STEP_DEADLINES`), what "late"
means (`late_open_q`, `late_in_round_q`), and the working-day limits from DeadlinePolicy rows (per category and
urgency) or the defaults. The deadline worker (deadline_jobs), the case lists and the ledger all read them here."""

import datetime
import time
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from lianxin.cases.defaults import DEADLINES as DEFAULT_DAYS
from lianxin.cases.models import OPEN_STATUSES, Case, DeadlinePolicy, Status, Urgency
from lianxin.workdays.calendar import due_at


@dataclass(frozen=True)
class Limits:
    accept_days: int
    transfer_days: int
    reply_days: int
    feedback_days: int
    remind_before_days: int


# 德清: 当天受理、当天流转、当天反馈、当天交办; units reply within 15 working days, 5 when urgent (defaults.py).
DEFAULT_LIMITS = {Urgency(urgency): Limits(*days) for urgency, days in DEFAULT_DAYS.items()}


@dataclass(frozen=True)
class StepDeadline:
    """The deadline a case waits for while in one of `statuses`: the Case field holding it, the step in words,
    and who must act before it (the unit's handlers, or the staff and deputy of the case)."""

    field: str
    label: str
    statuses: frozenset[str]
    for_unit: bool


STEP_DEADLINES = (
    StepDeadline("accept_due", "受理", frozenset({Status.REGISTERED}), for_unit=False),
    StepDeadline("reply_due", "答复", frozenset({Status.TRANSFERRED, Status.SUPERVISING}), for_unit=True),
    StepDeadline("reply_due", "答复", frozenset({Status.COORDINATING}), for_unit=False),
    StepDeadline("feedback_due", "反馈", frozenset({Status.REPLIED}), for_unit=False),
)


def step_deadline(status: str) -> StepDeadline | None:
    """The deadline a case in `status` waits for (None: it waits for none)."""
    return next((step for step in STEP_DEADLINES if status in step.statuses), None)


def waiting_past_due_q(now: datetime.datetime) -> Q:
    """Waiting now, past the deadline of the step it waits for."""
    late = Q(pk__in=[])
    for step in STEP_DEADLINES:
        late |= Q(status__in=step.statuses, **{f"{step.field}__lt": now})
    return late


def waiting_past_due(case: Any, now: datetime.datetime) -> bool:
    """waiting_past_due_q for one case, or one row of values() (a dict)."""
    get = case.get if isinstance(case, dict) else lambda name: getattr(case, name)
    step = step_deadline(str(get("status")))
    due = get(step.field) if step is not None else None
    return due is not None and due < now


def late_open_q(now: datetime.datetime) -> Q:
    """Still open and late: waiting past its deadline now, or flagged late by the deadline worker (the case lists'
    `overdue` filter, the workbench's red mark)."""
    return Q(status__in=OPEN_STATUSES) & (waiting_past_due_q(now) | Q(is_overdue=True))


def late_in_round_q(now: datetime.datetime) -> Q:
    """Late in its current round, open or not: flagged `is_overdue` (a unit replied after its deadline, or the
    deadline worker marked a step late; a new transfer clears it), or waiting now past its deadline. A case
    resolved late stays late here: the ledger and the statistics report how a period's cases were handled."""
    return Q(is_overdue=True) | waiting_past_due_q(now)


# Policies change a few times a year; registration reads them on every case. Each process keeps them briefly.
POLICY_CACHE_SECONDS = 60
_policy_cache: dict[tuple[int | None, str], tuple[float, Limits]] = {}


def limits_for(case: Case) -> Limits:
    key = (case.category_id, case.urgency)
    cached = _policy_cache.get(key)
    now = time.monotonic()
    if cached is not None and now - cached[0] < POLICY_CACHE_SECONDS:
        return cached[1]
    limits = _load_limits(case.category_id, case.urgency)
    _policy_cache[key] = (now, limits)
    return limits


def limits_cache_clear() -> None:
    """Forget cached policies (tests; an admin who wants a change to apply at once in this process)."""
    _policy_cache.clear()


def _load_limits(category_id: int | None, urgency: str) -> Limits:
    policies = {
        (p.category_id, p.urgency): p
        # Not `category_id__in=[…, None]`: SQL's IN never matches NULL, so the default row would never be found.
        for p in DeadlinePolicy.objects.filter(Q(category_id=category_id) | Q(category__isnull=True), urgency=urgency)
    }
    policy = policies.get((category_id, urgency)) or policies.get((None, urgency))
    if policy is None:
        return DEFAULT_LIMITS[Urgency(urgency)]
    return Limits(
        accept_days=policy.accept_days,
        transfer_days=policy.transfer_days,
        reply_days=policy.reply_days,
        feedback_days=policy.feedback_days,
        remind_before_days=policy.remind_before_days,
    )


def deadline(start: datetime.datetime, working_days: int) -> datetime.datetime:
    """The end of the `working_days`-th working day after `start` (0: the end of start's working day)."""
    return due_at(start, working_days)
