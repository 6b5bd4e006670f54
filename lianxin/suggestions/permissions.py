"""Who may do what to a suggestion. Plain functions: pages use them to show buttons, the workflow calls them again.

- the lead deputy (领衔代表) drafts, invites co-signers, submits, revises, rates the replies;
- an invited deputy signs or declines;
- congress staff of the congress's region (manage_suggestions) review, assign, extend, supervise, close, and may
  act for a deputy or a unit that sent their part on paper (recorded as theirs);
- a unit's handler acts on its own assignment only (a unit role is scoped to the unit, not to a region);
- the leader of a key suggestion adds progress notes.
"""

from lianxin.accounts.actors import Actor, is_user
from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.suggestions.models import Suggestion, UnitAssignment, UnitRole


def is_staff_of(actor: Actor, suggestion: Suggestion) -> bool:
    return is_user(actor) and may(actor, Perm.MANAGE_SUGGESTIONS, suggestion.region.path)


def is_lead_deputy(actor: Actor, suggestion: Suggestion) -> bool:
    deputy = suggestion.lead_deputy
    return is_user(actor) and deputy is not None and deputy.user_id == actor.pk


def is_invited(actor: Actor, suggestion: Suggestion) -> bool:
    return is_user(actor) and suggestion.co_signers.filter(deputy__user=actor).exists()


def is_unit_handler(actor: Actor, assignment: UnitAssignment | None) -> bool:
    return (
        is_user(actor)
        and assignment is not None
        and assignment.is_active
        and actor.has_perm_anywhere(Perm.REPLY_AS_UNIT)
        and assignment.unit.handlers.filter(pk=actor.pk).exists()
    )


def is_key_leader(actor: Actor, suggestion: Suggestion) -> bool:
    return is_user(actor) and suggestion.is_key and suggestion.key_leader_id == actor.pk


# --- the rules of the transitions table: (actor, suggestion, assignment or None) -> bool --------------------------


def lead_or_staff(actor: Actor, suggestion: Suggestion, assignment: UnitAssignment | None) -> bool:
    """The lead deputy, or congress staff of the congress (entering for a deputy who sent it on paper)."""
    return is_lead_deputy(actor, suggestion) or is_staff_of(actor, suggestion)


def lead_only(actor: Actor, suggestion: Suggestion, assignment: UnitAssignment | None) -> bool:
    """The lead deputy alone."""
    return is_lead_deputy(actor, suggestion)


def invited_deputy(actor: Actor, suggestion: Suggestion, assignment: UnitAssignment | None) -> bool:
    """A deputy invited to co-sign answers (and may change their answer while signatures are collected)."""
    return is_invited(actor, suggestion)


def staff(actor: Actor, suggestion: Suggestion, assignment: UnitAssignment | None) -> bool:
    """Congress staff of the congress's region (manage_suggestions)."""
    return is_staff_of(actor, suggestion)


def staff_or_leader(actor: Actor, suggestion: Suggestion, assignment: UnitAssignment | None) -> bool:
    """Congress staff, or the leader who supervises this key suggestion."""
    return is_staff_of(actor, suggestion) or is_key_leader(actor, suggestion)


def unit(actor: Actor, suggestion: Suggestion, assignment: UnitAssignment | None) -> bool:
    """The assignment's own unit (any role)."""
    return is_unit_handler(actor, assignment)


def unit_or_staff(actor: Actor, suggestion: Suggestion, assignment: UnitAssignment | None) -> bool:
    """The unit of the part, or congress staff recording it for the unit."""
    return is_unit_handler(actor, assignment) or (assignment is not None and is_staff_of(actor, suggestion))


def lead_unit_or_staff(actor: Actor, suggestion: Suggestion, assignment: UnitAssignment | None) -> bool:
    """A lead unit's reply: the unit, or staff recording a reply letter that came on paper."""
    if assignment is None or assignment.role != UnitRole.LEAD:
        return False
    return is_unit_handler(actor, assignment) or is_staff_of(actor, suggestion)


def co_unit_or_staff(actor: Actor, suggestion: Suggestion, assignment: UnitAssignment | None) -> bool:
    """A co-unit (协办) of the part, or congress staff recording its opinion."""
    if assignment is None or assignment.role != UnitRole.CO:
        return False
    return is_unit_handler(actor, assignment) or is_staff_of(actor, suggestion)


def rater(actor: Actor, suggestion: Suggestion, assignment: UnitAssignment | None) -> bool:
    """The lead deputy rates a lead unit's reply; staff may record a rating given by phone."""
    if assignment is None or assignment.role != UnitRole.LEAD:
        return False
    return is_lead_deputy(actor, suggestion) or is_staff_of(actor, suggestion)


def can_view(actor: Actor, suggestion: Suggestion) -> bool:
    return is_user(actor) and Suggestion.objects.visible_to(actor).filter(pk=suggestion.pk).exists()
