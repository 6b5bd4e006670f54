"""Who may act on a case. Plain functions: pages use them to show buttons, the workflow calls them to enforce.

The actor is a User, or one of two stand-ins: CITIZEN (the person who submitted, proven by the receipt code)
and SYSTEM (the worker: deadlines, escalation, merged cases following their master): lianxin.accounts.actors.
"""

from lianxin.accounts.actors import CITIZEN, SYSTEM, Actor
from lianxin.accounts.actors import is_user as is_user
from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.cases.models import Case, Status
from lianxin.regions.models import Region


def can_handle(actor: Actor, case: Case) -> bool:
    """Congress or place staff of the case's region."""
    return can_handle_in(actor, case.region)


def can_handle_in(actor: Actor, region: Region) -> bool:
    """Congress or place staff of this region: who may register or receive cases there."""
    return is_user(actor) and may(actor, Perm.HANDLE_CASES, region.path)


def can_supervise(actor: Actor, case: Case) -> bool:
    """Congress staff of the region (county, township, city) and administrators."""
    return is_user(actor) and may(actor, Perm.SUPERVISE_CASES, case.region.path)


def is_case_deputy(actor: Actor, case: Case) -> bool:
    """The deputy the case came to: 码上答、交、办."""
    return is_user(actor) and case.deputy is not None and case.deputy.user_id == actor.pk


def is_unit_handler(actor: Actor, case: Case) -> bool:
    return (
        is_user(actor)
        and case.unit is not None
        and may(actor, Perm.REPLY_AS_UNIT, case.region.path)
        and case.unit.handlers.filter(pk=actor.pk).exists()
    )


def can_handle_or_deputy(actor: Actor, case: Case) -> bool:
    """Staff of the region, or the deputy the case came to."""
    return can_handle(actor, case) or is_case_deputy(actor, case)


def can_reply(actor: Actor, case: Case) -> bool:
    """A unit replies to what it was given; local coordination is answered by staff or the deputy; congress
    staff may record a reply that a unit sent on paper."""
    if case.status == Status.COORDINATING:
        return can_handle_or_deputy(actor, case)
    return can_supervise(actor, case) or is_unit_handler(actor, case)  # the cheap check first


def can_rate(actor: Actor, case: Case) -> bool:
    """The person rates; staff may record a rating given by phone."""
    return actor is CITIZEN or can_handle_or_deputy(actor, case)


def can_escalate(actor: Actor, case: Case) -> bool:
    """The worker (overdue), the person (unsatisfied again), or supervising staff.

    The worker escalates a transferred case that is not replied in time, the person a reply fed back to them: the
    person may not put a case the unit is still handling under supervision, nor the worker a case that was answered
    (lianxin/accounts/permission_matrix.py)."""
    if actor is SYSTEM:
        return case.status == Status.TRANSFERRED
    if actor is CITIZEN:
        return case.status == Status.FED_BACK
    return can_supervise(actor, case)


def only_system(actor: Actor, case: Case) -> bool:
    """The system only (merged cases follow their master)."""
    return actor is SYSTEM
