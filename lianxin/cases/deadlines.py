"""Working-day limits for a case, from DeadlinePolicy rows (per category and urgency) or the defaults."""

import datetime
import time
from dataclasses import dataclass

from django.db.models import Q

from lianxin.cases.models import Case, DeadlinePolicy, Urgency
from lianxin.workdays.calendar import due_at


@dataclass(frozen=True)
class Limits:
    accept_days: int
    transfer_days: int
    reply_days: int
    feedback_days: int
    remind_before_days: int


# 德清: 当天受理、当天流转、当天反馈、当天交办; units reply within 15 working days, 5 when urgent.
DEFAULT_LIMITS = {
    Urgency.NORMAL: Limits(accept_days=0, transfer_days=0, reply_days=15, feedback_days=1, remind_before_days=2),
    Urgency.URGENT: Limits(accept_days=0, transfer_days=0, reply_days=5, feedback_days=1, remind_before_days=1),
}


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
