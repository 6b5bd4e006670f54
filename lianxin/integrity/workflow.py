"""A clue's path to the discipline commission: the transitions table and its one entry point, `clue_transition`.

    registered ─share─▶ verifying ─check─▶ joint_check ─check (another date)─▶ joint_check
         │                  │                   │
         │                  └────transfer───────┴──▶ transferred ─feedback─▶ transferred (the commission answered)
         └──────close───────┴──────close────────┘──▶ closed (with a reason)

share = 信息互通 (entered in the register shared with the commission), check = 联合督查 (a dated check and its result),
transfer = 问题移送 (with the commission's receipt number and date), feedback = the commission's answer.
Only integrity staff of the clue's region act (manage_integrity); anyone else gets NotFound, the attempt audited.
Every action locks the clue, checks its state, validates its inputs, updates by compare-and-swap on (status, version),
writes a ClueEvent and an audit row, in one transaction.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from lianxin.core.errors import DomainError, NotFound
from lianxin.core.fields import clean_text
from lianxin.integrity import notify
from lianxin.integrity.audit import audit_clue, audit_denied
from lianxin.integrity.models import Clue, ClueEvent, ClueStatus, JointCheck
from lianxin.integrity.permissions import can_handle_clue
from lianxin.integrity.selectors import CLUE_NOT_FOUND

S = ClueStatus


class ClueAction(models.TextChoices):
    SHARE = "share", "信息互通"
    CHECK = "check", "联合督查"
    TRANSFER = "transfer", "问题移送"
    FEEDBACK = "feedback", "登记纪委反馈"
    CLOSE = "close", "了结"


@dataclass(frozen=True)
class Step:
    """What an action writes: the clue's fields, the event's note, and for 联合督查 the check."""

    values: dict[str, Any]
    note: str = ""
    check: dict[str, Any] | None = None


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str | None  # None: the status stays


OPEN = frozenset({S.REGISTERED, S.VERIFYING, S.JOINT_CHECK})
TRANSITIONS: dict[str, Transition] = {
    ClueAction.SHARE: Transition(frozenset({S.REGISTERED}), S.VERIFYING),
    ClueAction.CHECK: Transition(frozenset({S.VERIFYING, S.JOINT_CHECK}), S.JOINT_CHECK),
    ClueAction.TRANSFER: Transition(frozenset({S.VERIFYING, S.JOINT_CHECK}), S.TRANSFERRED),
    ClueAction.FEEDBACK: Transition(frozenset({S.TRANSFERRED}), None),
    ClueAction.CLOSE: Transition(OPEN, S.CLOSED),
}


def available_actions(user: Any, clue: Clue) -> list[str]:
    if not can_handle_clue(user, clue):
        return []
    return [action for action, rule in TRANSITIONS.items() if clue.status in rule.sources]


def clue_transition(
    *, clue: Clue, action: str, actor: Any, params: dict[str, Any] | None = None, today: datetime.date | None = None
) -> Clue:
    params = params or {}
    today = today or timezone.localdate()
    try:
        rule = TRANSITIONS[ClueAction(action)]
    except ValueError:
        raise DomainError("clue_bad_action", f"未知的操作“{action}”") from None
    # Checked before the transaction, so that the audit row of a refused attempt is not rolled back with it (a
    # clue's region never changes, so the check still holds under the lock).
    found = Clue.objects.select_related("region").filter(pk=clue.pk).first()
    if found is None or not can_handle_clue(actor, found):
        audit_denied(actor=actor, clue_id=clue.pk, where=f"操作：{ClueAction(action).label}")
        raise NotFound(CLUE_NOT_FOUND)
    with transaction.atomic():
        current = Clue.objects.select_for_update().get(pk=clue.pk)
        if current.status not in rule.sources:
            raise _bad_state(current, action)
        step = _APPLY[ClueAction(action)](current, params, today)
        values = dict(step.values)
        target = rule.target or current.status
        values.update(status=target, version=current.version + 1, updated_at=timezone.now())
        changed = Clue.objects.filter(pk=current.pk, status=current.status, version=current.version).update(**values)
        if changed != 1:  # pragma: no cover - the row lock makes this unreachable on PostgreSQL
            raise DomainError("clue_conflict", "线索已被他人处理，请刷新后重试")
        ClueEvent.objects.create(
            clue=current, action=action, old_status=current.status, new_status=target, actor=actor, note=step.note
        )
        if step.check is not None:
            JointCheck.objects.create(clue=current, created_by=actor, **step.check)
        audit_clue(
            actor=actor,
            action=f"integrity.clue_{action}",
            clue=current,
            changes={"status": [current.status, target], **_public_changes(current, step.values)},
        )
        if target != current.status:
            notify.clue_status_changed(current, target, actor=actor)
    clue.refresh_from_db()
    return clue


def _bad_state(clue: Clue, action: str) -> DomainError:
    if action == ClueAction.FEEDBACK:
        return DomainError("clue_not_transferred", "线索尚未移送纪委，不能登记纪委反馈", field="feedback")
    if clue.status == S.TRANSFERRED:
        return DomainError("clue_already_transferred", "线索已移送纪委，不能再" + ClueAction(action).label)
    return DomainError("clue_bad_state", f"线索当前状态为“{S(clue.status).label}”，不能{ClueAction(action).label}")


def _date(value: Any, name: str, label: str, today: datetime.date, *, required: bool) -> datetime.date | None:
    if value in (None, ""):
        if required:
            raise DomainError("field_required", f"{label}: 不能为空", field=name)
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value))
        except ValueError:
            raise DomainError("field_invalid", f"{label}: 应为日期，如 2026-03-01", field=name) from None
    if value > today:
        raise DomainError("date_in_future", f"{label}: 不能晚于今天", field=name)
    return value


def _share(clue: Clue, params: dict[str, Any], today: datetime.date) -> Step:
    ref = clean_text(params.get("register_ref"), "register_ref", "互通登记号", limit=50, required=False)
    note = clean_text(params.get("note"), "note", "说明", limit=1000, required=False)
    return Step({"register_ref": ref}, note)


def _check(clue: Clue, params: dict[str, Any], today: datetime.date) -> Step:
    when = _date(params.get("check_date"), "check_date", "督查日期", today, required=True)
    result = clean_text(params.get("result"), "result", "督查结果", limit=4000, required=True)
    participants = clean_text(params.get("participants"), "participants", "参加人员", limit=300, required=False)
    check = {"check_date": when, "result": result, "participants": participants}
    return Step({}, f"督查日期 {when}", check)


def _transfer(clue: Clue, params: dict[str, Any], today: datetime.date) -> Step:
    receipt = clean_text(params.get("receipt_number"), "receipt_number", "移送回执号", limit=50, required=False)
    if not receipt:
        raise DomainError("clue_receipt_required", "移送纪委须填写纪委出具的回执号", field="receipt_number")
    when = _date(params.get("transferred_on"), "transferred_on", "移送日期", today, required=False) or today
    note = clean_text(params.get("note"), "note", "说明", limit=1000, required=False)
    return Step({"receipt_number": receipt, "transferred_on": when}, note)


def _feedback(clue: Clue, params: dict[str, Any], today: datetime.date) -> Step:
    feedback = clean_text(params.get("feedback"), "feedback", "纪委反馈", limit=4000, required=True)
    when = _date(params.get("feedback_on"), "feedback_on", "反馈日期", today, required=False) or today
    if clue.transferred_on and when < clue.transferred_on:
        raise DomainError("feedback_before_transfer_date", "反馈日期: 不能早于移送日期", field="feedback_on")
    return Step({"feedback": feedback, "feedback_on": when})


def _close(clue: Clue, params: dict[str, Any], today: datetime.date) -> Step:
    reason = clean_text(params.get("reason"), "reason", "了结原因", limit=500, required=True)
    return Step({"closed_reason": reason})


_APPLY = {
    ClueAction.SHARE: _share,
    ClueAction.CHECK: _check,
    ClueAction.TRANSFER: _transfer,
    ClueAction.FEEDBACK: _feedback,
    ClueAction.CLOSE: _close,
}

# Values that may go into audit rows (which carry no confidential text).
_AUDITABLE = ("register_ref", "receipt_number", "transferred_on", "feedback_on")


def _public_changes(clue: Clue, values: dict[str, Any]) -> dict[str, Any]:
    return {name: [str(getattr(clue, name) or ""), str(values[name])] for name in _AUDITABLE if name in values}
