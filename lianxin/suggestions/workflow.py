"""The ten-step work method as one transitions table with one entry point, `suggestion_transition`.

    draft ─invite─▶ collecting ─submit─▶ submitted ─pass─▶ pre_reviewed ─accept──────▶ accepted ─assign─▶ assigned
      └──────────────submit──────────────▲    │                  ├─to_presidium─▶ to_presidium ─agenda─▶ on_agenda
                                              │                  │                     └─refer─▶ accepted
                 returned ◀─return───────────┘                  └─reject─▶ not_accepted
                     └─resubmit─▶ submitted
    assigned ─reply (every lead unit)─▶ replied ─rate (every lead reply)─▶ rated ─close─▶ closed
    replied ─rate 不满意 (first time)─▶ assigned (re-handling, a second reply)

Actions without a target leave the status as it is (a co-signer signs, a unit records its contact before replying,
staff extend the deadline). Unit actions name their assignment (`params["assignment"]`): a unit acts on its own part
only. Every action checks its source state and permission, validates its inputs, updates the suggestion by
compare-and-swap on (status, version), writes a SuggestionEvent and queues notifications, in one transaction. Of two
people acting at once, one wins and the other gets SuggestionConflict. docs/suggestions.md's diagram and permission
table are generated from TRANSITIONS (`lianxin suggestions_doc`).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from lianxin.accounts.actors import Actor, StandIn, is_user
from lianxin.core.errors import DomainError, NotFound, PermissionDenied
from lianxin.suggestions import permissions as p
from lianxin.suggestions.models import (
    Status,
    Suggestion,
    SuggestionEvent,
    UnitAssignment,
    UnitRole,
)
from lianxin.suggestions.rules import add_months, months_due, reassign_until, rules_for
from lianxin.suggestions.steps import APPLIERS, Step, assign_merged, text_param


class Action(models.TextChoices):
    EDIT = "edit", "修改"
    INVITE = "invite", "邀请附议"
    SIGN = "sign", "附议"
    DECLINE_SIGN = "decline_sign", "谢绝附议"
    SUBMIT = "submit", "提交"
    CONVERT = "convert", "议案转为建议"
    WITHDRAW = "withdraw", "撤回"
    RETURN = "return", "退回修改"
    RESUBMIT = "resubmit", "修改后重新提交"
    PASS = "pass", "预审通过"
    ACCEPT = "accept", "立案（作为建议）"
    TO_PRESIDIUM = "to_presidium", "作为议案提交主席团"
    REJECT = "reject", "不予立案"
    AGENDA = "agenda", "主席团决定列入议程"
    REFER = "refer", "主席团决定作为建议处理"
    ASSIGN = "assign", "交办"
    REQUEST_REASSIGN = "request_reassign", "申请调整承办单位"
    REASSIGN = "reassign", "调整承办单位"
    REFUSE_REASSIGN = "refuse_reassign", "不同意调整"
    CONTACT = "contact", "办前联系"
    CO_OPINION = "co_opinion", "协办意见"
    EXTEND = "extend", "延期"
    REPLY = "reply", "答复"
    RATE = "rate", "评价答复"
    MARK_KEY = "mark_key", "列为重点督办"
    KEY_NOTE = "key_note", "督办记录"
    CLOSE = "close", "办结"
    PUBLISH = "publish", "公开"
    FULFIL = "fulfil", "承诺事项已兑现"


Rule = Callable[[Actor, Suggestion, UnitAssignment | None], bool]


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the status stays (or is settled from the units' parts: reply, rate)
    permission: Rule
    on_unit: bool = False  # names an assignment (params["assignment"])


S = Status
BEFORE_REVIEW = frozenset({S.DRAFT, S.COLLECTING, S.SUBMITTED, S.RETURNED})
HANDLING = frozenset({S.ACCEPTED, S.ASSIGNED, S.REPLIED, S.RATED})
TRANSITIONS: dict[str, Transition] = {
    Action.EDIT: Transition(frozenset({S.DRAFT, S.RETURNED}), None, p.lead_or_staff),
    Action.INVITE: Transition(frozenset({S.DRAFT, S.COLLECTING}), S.COLLECTING, p.lead_or_staff),
    Action.SIGN: Transition(frozenset({S.COLLECTING}), None, p.invited_deputy),
    Action.DECLINE_SIGN: Transition(frozenset({S.COLLECTING}), None, p.invited_deputy),
    Action.SUBMIT: Transition(frozenset({S.DRAFT, S.COLLECTING}), S.SUBMITTED, p.lead_or_staff),
    Action.CONVERT: Transition(BEFORE_REVIEW | {S.PRE_REVIEWED}, None, p.lead_or_staff),
    Action.WITHDRAW: Transition(BEFORE_REVIEW, S.WITHDRAWN, p.lead_only),
    Action.RETURN: Transition(frozenset({S.SUBMITTED}), S.RETURNED, p.staff),
    Action.RESUBMIT: Transition(frozenset({S.RETURNED}), S.SUBMITTED, p.lead_or_staff),
    Action.PASS: Transition(frozenset({S.SUBMITTED}), S.PRE_REVIEWED, p.staff),
    Action.ACCEPT: Transition(frozenset({S.PRE_REVIEWED}), S.ACCEPTED, p.staff),
    Action.TO_PRESIDIUM: Transition(frozenset({S.PRE_REVIEWED}), S.TO_PRESIDIUM, p.staff),
    Action.REJECT: Transition(frozenset({S.SUBMITTED, S.PRE_REVIEWED}), S.NOT_ACCEPTED, p.staff),
    Action.AGENDA: Transition(frozenset({S.TO_PRESIDIUM}), S.ON_AGENDA, p.staff),
    Action.REFER: Transition(frozenset({S.TO_PRESIDIUM}), S.ACCEPTED, p.staff),
    Action.ASSIGN: Transition(frozenset({S.ACCEPTED}), S.ASSIGNED, p.staff),
    Action.REQUEST_REASSIGN: Transition(frozenset({S.ASSIGNED}), None, p.unit, on_unit=True),
    Action.REASSIGN: Transition(frozenset({S.ASSIGNED}), None, p.staff, on_unit=True),
    Action.REFUSE_REASSIGN: Transition(frozenset({S.ASSIGNED}), None, p.staff, on_unit=True),
    Action.CONTACT: Transition(frozenset({S.ASSIGNED}), None, p.unit_or_staff, on_unit=True),
    Action.CO_OPINION: Transition(frozenset({S.ASSIGNED}), None, p.co_unit_or_staff, on_unit=True),
    Action.EXTEND: Transition(frozenset({S.ASSIGNED}), None, p.staff, on_unit=True),
    Action.REPLY: Transition(frozenset({S.ASSIGNED}), None, p.lead_unit_or_staff, on_unit=True),
    Action.RATE: Transition(frozenset({S.REPLIED}), None, p.rater, on_unit=True),
    Action.MARK_KEY: Transition(HANDLING, None, p.staff),
    Action.KEY_NOTE: Transition(HANDLING | {S.CLOSED}, None, p.staff_or_leader),
    Action.CLOSE: Transition(frozenset({S.RATED, S.REPLIED}), S.CLOSED, p.staff),
    Action.PUBLISH: Transition(frozenset({S.REPLIED, S.RATED, S.CLOSED}), None, p.staff),
    Action.FULFIL: Transition(frozenset({S.REPLIED, S.RATED, S.CLOSED}), None, p.lead_unit_or_staff, on_unit=True),
}

# Reply and rate settle the status from the lead units' parts (`_settled`); the diagram shows where they can lead.
SETTLED_TARGETS: dict[str, tuple[str, ...]] = {
    Action.REPLY: (S.ASSIGNED, S.REPLIED),  # replied when every lead unit has replied
    Action.RATE: (S.REPLIED, S.RATED, S.ASSIGNED),  # rated when every reply is rated; 不满意 → re-handling
}


class SuggestionConflict(DomainError):
    status = 409

    def __init__(self, suggestion: Suggestion) -> None:
        current = Suggestion.objects.filter(pk=suggestion.pk).values_list("status", flat=True).first()
        label = Status(current).label if current else "未知"
        super().__init__("suggestion_conflict", f"该建议刚刚已被他人处理（当前状态：{label}），请刷新后重试")


def _settled(suggestion: Suggestion, status: str) -> str:
    """Reply and rate settle the status from the lead units' parts: replied when every active lead unit replied,
    rated when every reply is rated, back to assigned while a lead unit re-handles."""
    if status not in (S.ASSIGNED, S.REPLIED):
        return status
    leads = list(suggestion.units.filter(is_active=True, role=UnitRole.LEAD).values("replied_at", "rating"))
    if not leads:
        return status
    if any(lead["replied_at"] is None for lead in leads):
        return S.ASSIGNED
    if all(lead["rating"] for lead in leads):
        return S.RATED
    return S.REPLIED


def available_actions(*, suggestion: Suggestion, actor: Actor, assignment: UnitAssignment | None = None) -> list[str]:
    """The actions this actor may take now (buttons, the API's `actions`). Unit actions are listed for the given
    assignment, or for any active assignment of the suggestion when none is given."""
    out = []
    parts: list[UnitAssignment | None]
    if assignment is not None:
        parts = [assignment]
    else:
        parts = list(suggestion.units.filter(is_active=True).select_related("unit"))
    for action, transition in TRANSITIONS.items():
        if suggestion.status not in transition.sources:
            continue
        candidates = parts if transition.on_unit else [None]
        if any(transition.permission(actor, suggestion, part) for part in candidates):
            out.append(str(action))
    return out


def suggestion_transition(
    *,
    suggestion: Suggestion,
    action: str,
    actor: Actor,
    note: str = "",
    params: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Suggestion:
    """Apply `action`. Raises NotFound (unknown action or assignment), PermissionDenied, DomainError (bad input or
    wrong state) or SuggestionConflict (someone else acted first). Returns the updated suggestion."""
    if action not in TRANSITIONS:
        raise NotFound(f"没有“{action}”这一操作")
    transition = TRANSITIONS[action]
    params = dict(params or {})
    assignment = _find_assignment(suggestion, params) if transition.on_unit else None
    if not transition.permission(actor, suggestion, assignment):
        # A unit acting on a suggestion not assigned to it: for the unit, the suggestion does not exist.
        if not p.can_view(actor, suggestion):
            raise NotFound()
        raise PermissionDenied(f"您不能对该建议执行“{Action(action).label}”")
    version = suggestion.version if expected_version is None else expected_version
    if suggestion.status not in transition.sources:
        if expected_version is not None and expected_version != suggestion.version:
            raise SuggestionConflict(suggestion)
        raise DomainError(
            "invalid_transition",
            f"当前状态“{Status(suggestion.status).label}”下不能“{Action(action).label}”",
            field="action",
        )
    note = text_param({"note": note}, "note", "说明", required=False, limit=2000)
    now = timezone.now()
    source = suggestion.status
    with transaction.atomic():
        locked = Suggestion.objects.select_for_update().filter(pk=suggestion.pk, status=source, version=version)
        if locked.values_list("pk", flat=True).first() is None:
            raise SuggestionConflict(suggestion)
        if assignment is not None:
            assignment.refresh_from_db()
            if not assignment.is_active:
                raise SuggestionConflict(suggestion)
        step = Step(suggestion=suggestion, actor=actor, params={**params, "note": note}, now=now, assignment=assignment)
        changes = APPLIERS[action](step)
        target = transition.target or source
        if action in (Action.REPLY, Action.RATE):
            target = _settled(suggestion, source)
        try:
            updated = Suggestion.objects.filter(pk=suggestion.pk, status=source, version=version).update(
                status=target, version=F("version") + 1, **changes
            )
        except IntegrityError:
            raise SuggestionConflict(suggestion) from None
        if updated != 1:
            raise SuggestionConflict(suggestion)
        for name, value in changes.items():
            setattr(suggestion, name, value)
        suggestion.status, suggestion.version = target, version + 1
        if target == S.REPLIED and source == S.ASSIGNED:
            Suggestion.objects.filter(pk=suggestion.pk).update(replied_at=now)
            suggestion.replied_at = now
        SuggestionEvent.objects.create(
            suggestion=suggestion,
            assignment=assignment,
            action=action,
            from_status=source,
            to_status=target,
            actor=actor if is_user(actor) else None,
            actor_label=_actor_label(actor, suggestion, assignment),
            note=note,
            data={**_event_data(changes), **(step.data or {})},
        )
        if action == Action.ASSIGN:
            assign_merged(step)
    return suggestion


def _find_assignment(suggestion: Suggestion, params: dict[str, Any]) -> UnitAssignment:
    value = params.get("assignment")
    if isinstance(value, UnitAssignment):
        value = value.pk
    try:
        key = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DomainError("field_required", "承办单位: 请指明是哪个承办单位的办理", field="assignment") from None
    found = suggestion.units.filter(pk=key, is_active=True).select_related("unit", "suggestion").first()
    if found is None:
        raise NotFound()
    return found


def _actor_label(actor: Actor, suggestion: Suggestion, assignment: UnitAssignment | None) -> str:
    if isinstance(actor, StandIn):
        return actor.label
    if assignment is not None and p.is_unit_handler(actor, assignment):
        return assignment.unit.name
    if p.is_lead_deputy(actor, suggestion):
        return f"{suggestion.lead_deputy}代表"
    return str(actor)


def _event_data(changes: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in changes.items():
        if isinstance(value, models.Model):
            out[name] = {"id": value.pk, "name": str(value)}
        elif hasattr(value, "isoformat"):
            out[name] = value.isoformat()
        else:
            out[name] = value
    return out


def due_dates_preview(*, start: datetime.date, suggestion: Suggestion) -> dict[str, datetime.date]:
    """What an assignment made today would set: shown on the assignment form."""
    rules = rules_for(suggestion)
    return {
        "reply": months_due(start, rules.reply_months),
        "co_opinion": months_due(start, rules.co_opinion_months),
        "reassign_until": reassign_until(start, rules),
        "latest_extension": add_months(start, rules.max_extension_months),
    }
