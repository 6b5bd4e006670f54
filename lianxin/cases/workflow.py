"""The closed loop as a transitions table with one entry point, `case_transition`.

    registered ─accept─▶ accepted ─┬─answer──────────────────────────────▶ fed_back ─rate─▶ rated ─close─▶ closed ─publish─▶ published
                                   ├─coordinate─▶ coordinating ─reply─▶ replied ─feed_back─▶ fed_back
                                   ├─transfer───▶ transferred ──reply─▶ replied
                                   ├─convert────▶ converted ─close─▶ closed
                                   ├─merge──────▶ merged ─follow_master─▶ fed_back
                                   └─decline────▶ declined ─feed_back─▶ fed_back
    fed_back ─reopen (unsatisfied, first time)─▶ transferred;  fed_back/transferred ─escalate─▶ supervising ─transfer─▶ …

`docs/workflow.md` is generated from TRANSITIONS by `lianxin workflow_diagram`. Every action checks its source
state and permission, validates its inputs, updates the row by compare-and-swap on (status, version), writes a
CaseEvent and queues notifications — all in one transaction. Of two people acting at once, one wins and the other
gets CaseConflict.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from lianxin.accounts.actors import Actor, StandIn
from lianxin.cases import permissions as p
from lianxin.cases.deadlines import deadline, limits_for
from lianxin.cases.models import Case, CaseEvent, Category, Handling, Rating, ResponsibleUnit, Scope, Status, Urgency
from lianxin.cases.notify import notify_transition
from lianxin.core.errors import DomainError, NotFound, PermissionDenied
from lianxin.core.fields import clean_choice, clean_text


class Action(models.TextChoices):
    ACCEPT = "accept", "受理"
    ANSWER = "answer", "当场答复"
    COORDINATE = "coordinate", "属地协调"
    TRANSFER = "transfer", "交办"
    CONVERT = "convert", "转为代表建议"
    MERGE = "merge", "并入普遍问题"
    DECLINE = "decline", "不予受理"
    REPLY = "reply", "答复"
    FEED_BACK = "feed_back", "反馈"
    FOLLOW_MASTER = "follow_master", "随主件反馈"
    RATE = "rate", "评价"
    REOPEN = "reopen", "重新办理"
    ESCALATE = "escalate", "督办"
    CLOSE = "close", "销号"
    PUBLISH = "publish", "公开"


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    permission: Callable[[Any, Case], bool]


S = Status
TRANSITIONS: dict[str, Transition] = {
    Action.ACCEPT: Transition(frozenset({S.REGISTERED}), S.ACCEPTED, p.can_handle_or_deputy),
    Action.ANSWER: Transition(frozenset({S.ACCEPTED}), S.FED_BACK, p.can_handle_or_deputy),
    Action.COORDINATE: Transition(frozenset({S.ACCEPTED}), S.COORDINATING, p.can_handle_or_deputy),
    Action.TRANSFER: Transition(frozenset({S.ACCEPTED, S.COORDINATING, S.SUPERVISING}), S.TRANSFERRED, p.can_supervise),
    Action.CONVERT: Transition(frozenset({S.ACCEPTED}), S.CONVERTED, p.can_handle_or_deputy),
    Action.MERGE: Transition(frozenset({S.ACCEPTED}), S.MERGED, p.can_handle),
    Action.DECLINE: Transition(frozenset({S.REGISTERED, S.ACCEPTED}), S.DECLINED, p.can_handle),
    Action.REPLY: Transition(frozenset({S.TRANSFERRED, S.COORDINATING, S.SUPERVISING}), S.REPLIED, p.can_reply),
    Action.FEED_BACK: Transition(frozenset({S.REPLIED, S.DECLINED}), S.FED_BACK, p.can_handle_or_deputy),
    Action.FOLLOW_MASTER: Transition(frozenset({S.MERGED}), S.FED_BACK, p.only_system),
    Action.RATE: Transition(frozenset({S.FED_BACK}), S.RATED, p.can_rate),
    Action.REOPEN: Transition(frozenset({S.FED_BACK}), S.TRANSFERRED, p.can_rate),
    Action.ESCALATE: Transition(frozenset({S.FED_BACK, S.TRANSFERRED}), S.SUPERVISING, p.can_escalate),
    Action.CLOSE: Transition(frozenset({S.RATED, S.FED_BACK, S.CONVERTED}), S.CLOSED, p.can_supervise),
    Action.PUBLISH: Transition(frozenset({S.CLOSED}), S.PUBLISHED, p.can_supervise),
}


class CaseConflict(DomainError):
    status = 409

    def __init__(self, case: Case) -> None:
        current = Case.objects.filter(pk=case.pk).values_list("status", flat=True).first()
        label = Status(current).label if current else "未知"
        super().__init__("case_conflict", f"该意见建议刚刚已被他人处理（当前状态：{label}），请刷新后重试")


def _required(params: dict[str, Any], name: str, label: str) -> Any:
    value = params.get(name)
    if value in (None, ""):
        raise DomainError("field_required", f"{label}: 不能为空", field=name)
    return value


def _text(params: dict[str, Any], name: str, label: str, *, required: bool, limit: int = 5000) -> str:
    return clean_text(params.get(name), name, label, limit=limit, required=required)


def _choice(params: dict[str, Any], name: str, label: str, choices: type[models.TextChoices], default: str) -> str:
    return clean_choice(params.get(name), name, label, choices, default=default)


# --- what each action changes -----------------------------------------------------------------------------------
# An applier validates the action's inputs and returns {field: new value}; it must not write.


def _accept(case: Case, actor: Actor, params: dict[str, Any], now) -> dict[str, Any]:
    category = params.get("category")
    if isinstance(category, str):
        category = Category.objects.filter(code=category, is_active=True).first()
        if category is None:
            raise DomainError("category_unknown", f"类别: “{params['category']}”不存在", field="category")
    if category is None:
        category = case.category
    if category is None:
        raise DomainError("field_required", "类别: 受理时须确定类别", field="category")
    return {
        "category": category,
        "scope": _choice(params, "scope", "问题性质", Scope, case.scope),
        "urgency": _choice(params, "urgency", "紧急程度", Urgency, case.urgency),
        "accepted_at": now,
    }


def _answer(case: Case, actor: Actor, params: dict[str, Any], now) -> dict[str, Any]:
    reply = _text(params, "reply", "答复内容", required=True)
    return {"reply": reply, "handling": Handling.ANSWERED, "replied_at": now, "fed_back_at": now}


def _coordinate(case: Case, actor: Actor, params: dict[str, Any], now) -> dict[str, Any]:
    limits = limits_for(case)
    return {"handling": Handling.COORDINATED, "reply_due": deadline(now, limits.reply_days)}


def _transfer(case: Case, actor: Actor, params: dict[str, Any], now) -> dict[str, Any]:
    unit = params.get("unit")
    if isinstance(unit, int | str) and not isinstance(unit, bool):
        unit = ResponsibleUnit.objects.filter(pk=unit, is_active=True).first()
    if not isinstance(unit, ResponsibleUnit) or not unit.is_active:
        raise DomainError("unit_required", "承办单位: 请选择一个有效的承办单位", field="unit")
    days = params.get("reply_days")
    if days is None:
        days = limits_for(case).reply_days
    elif not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 90:
        raise DomainError("field_invalid", "答复时限: 应为 0 到 90 个工作日", field="reply_days")
    return {
        "unit": unit,
        "handling": Handling.TRANSFERRED,
        "transferred_at": now,
        "reply_due": deadline(now, days),
        "is_overdue": False,
    }


def _convert(case: Case, actor: Actor, params: dict[str, Any], now) -> dict[str, Any]:
    merged = Case.objects.filter(master_id=case.pk, status=S.MERGED).count()
    if merged:
        # A converted case is never fed back, so its merged cases would never follow it.
        raise DomainError(
            "has_merged_cases",
            f"该件有 {merged} 件并入的同类意见，须答复反馈后由它们随主件反馈，不能转为代表建议",
            field="action",
        )
    return {
        "handling": Handling.CONVERTED,
        "suggestion_ref": _text(params, "suggestion_ref", "代表建议编号", required=False, limit=64),
    }


# A master must still be on its way to a feed-back: its feed-back is what moves the merged cases on
# (`_children_follow`). A master already fed back, rated, closed, converted or declined would leave them in
# `merged` for good.
MASTER_STATUSES = frozenset({S.ACCEPTED, S.COORDINATING, S.TRANSFERRED, S.SUPERVISING, S.REPLIED})


def _master_refusal(master: Case, case: Case) -> DomainError | None:
    if master.pk == case.pk or master.master_id is not None or master.status not in MASTER_STATUSES:
        return DomainError(
            "master_invalid",
            f"普遍问题主件: {master.receipt_code} 不能作为主件（须为已受理、尚未反馈的其他件，"
            f"当前状态：{Status(master.status).label}）",
            field="master",
        )
    return None


def _merge(case: Case, actor: Actor, params: dict[str, Any], now) -> dict[str, Any]:
    master = params.get("master")
    if isinstance(master, int | str) and not isinstance(master, bool):
        master = Case.objects.visible_to(actor).filter(pk=master).first() if p.is_user(actor) else None
    if not isinstance(master, Case):
        raise DomainError("master_required", "普遍问题主件: 请选择要并入的主件", field="master")
    refusal = _master_refusal(master, case)
    if refusal is not None:
        raise refusal
    return {
        "master": master,
        "scope": Scope.COMMON,
        "handling": Handling.MERGED,
        "category": case.category or master.category,
    }


def _merge_into_master(case: Case, actor: Actor, event: CaseEvent) -> None:
    """Inside the merge's transaction, after the child's compare-and-swap: lock the master and check it again (its
    feed-back may have committed since the applier looked), then mark it a common problem, with its own event.
    A refusal here rolls the child back too, so a merge that loses a race changes nothing."""
    assert case.master_id is not None
    master = Case.objects.select_for_update().get(pk=case.master_id)
    refusal = _master_refusal(master, case)
    if refusal is not None:
        raise refusal
    if master.scope != Scope.COMMON:
        Case.objects.filter(pk=master.pk).update(scope=Scope.COMMON)
        CaseEvent.objects.create(
            case=master,
            action="common",
            from_status=master.status,
            to_status=master.status,
            actor=actor if p.is_user(actor) else None,
            actor_label=_actor_label(actor, master),
            note=f"{case.receipt_code} 并入，本件改为普遍问题",
            data={"scope": Scope.COMMON, "merged": case.receipt_code},
            is_public=False,
        )


def _decline(case: Case, actor: Actor, params: dict[str, Any], now) -> dict[str, Any]:
    if Case.objects.filter(master_id=case.pk, status=S.MERGED).exists():
        raise DomainError("has_merged_cases", "该件有并入的同类意见，不能不予受理；请先答复反馈", field="action")
    return {
        "decline_reason": _text(params, "reason", "不予受理理由", required=True, limit=1000),
        "handling": Handling.DECLINED,
    }


def _reply(case: Case, actor: Actor, params: dict[str, Any], now) -> dict[str, Any]:
    limits = limits_for(case)
    overdue = case.reply_due is not None and now > case.reply_due
    return {
        "reply": _text(params, "reply", "答复内容", required=True),
        "replied_at": now,
        "feedback_due": deadline(now, limits.feedback_days),
        "is_overdue": overdue,
    }


def _feed_back(case: Case, actor: Actor, params: dict[str, Any], now) -> dict[str, Any]:
    return {"fed_back_at": now}


def _follow_master(case: Case, actor: Actor, params: dict[str, Any], now) -> dict[str, Any]:
    master = case.master
    assert master is not None  # only merged cases follow a master (TRANSITIONS: MERGED → FED_BACK)
    return {"reply": master.reply, "replied_at": master.replied_at, "fed_back_at": now, "unit": master.unit}


def _rate(case: Case, actor: Actor, params: dict[str, Any], now) -> dict[str, Any]:
    rating = _choice(params, "rating", "评价", Rating, "")
    if rating == Rating.UNSATISFIED:
        raise DomainError("rating_unsatisfied", "评价: 不满意请使用“重新办理”或“督办”", field="rating")
    return {
        "rating": rating,
        "rating_comment": _text(params, "comment", "评价意见", required=False, limit=1000),
        "rated_at": now,
    }


def _reopen(case: Case, actor: Actor, params: dict[str, Any], now) -> dict[str, Any]:
    if case.unit_id is None or case.reopen_count >= 1:
        raise DomainError("reopen_not_allowed", "重新办理: 只能退回原承办单位重办一次，之后请督办", field="rating")
    return {
        "rating": Rating.UNSATISFIED,
        "rating_comment": _text(params, "comment", "评价意见", required=False, limit=1000),
        "rated_at": now,
        "reopen_count": case.reopen_count + 1,
        "transferred_at": now,
        "reply_due": deadline(now, limits_for(case).reply_days),
        "is_overdue": False,
    }


def _escalate(case: Case, actor: Actor, params: dict[str, Any], now) -> dict[str, Any]:
    changes: dict[str, Any] = {"is_supervised": True}
    if case.status == S.FED_BACK:
        # Handled again under supervision: a new reply deadline from now, not the one the first reply met.
        changes.update(
            rating=Rating.UNSATISFIED,
            rating_comment=_text(params, "comment", "评价意见", required=False, limit=1000),
            rated_at=now,
            reply_due=deadline(now, limits_for(case).reply_days),
            is_overdue=False,
        )
    return changes


def _close(case: Case, actor: Actor, params: dict[str, Any], now) -> dict[str, Any]:
    if case.status == S.FED_BACK and not params.get("note"):
        raise DomainError("field_required", "说明: 群众尚未评价，销号须说明理由（如：多次联系未评价）", field="note")
    return {"closed_at": now}


def _publish(case: Case, actor: Actor, params: dict[str, Any], now) -> dict[str, Any]:
    from lianxin.cases.redaction import redact

    title = _text(params, "public_title", "公开标题", required=False, limit=100) or redact(case.title, case)
    text = _text(params, "public_text", "公开内容", required=False) or redact(
        f"{case.body}\n\n答复：{case.reply}" if case.reply else case.body, case
    )
    return {"public_title": redact(title, case), "public_text": redact(text, case), "published_at": now}


APPLIERS: dict[str, Callable[[Case, Any, dict[str, Any], Any], dict[str, Any]]] = {
    Action.ACCEPT: _accept,
    Action.ANSWER: _answer,
    Action.COORDINATE: _coordinate,
    Action.TRANSFER: _transfer,
    Action.CONVERT: _convert,
    Action.MERGE: _merge,
    Action.DECLINE: _decline,
    Action.REPLY: _reply,
    Action.FEED_BACK: _feed_back,
    Action.FOLLOW_MASTER: _follow_master,
    Action.RATE: _rate,
    Action.REOPEN: _reopen,
    Action.ESCALATE: _escalate,
    Action.CLOSE: _close,
    Action.PUBLISH: _publish,
}


def available_actions(*, case: Case, actor: Actor) -> list[str]:
    """The actions this actor may take on this case now (for buttons and the API's `actions` field)."""
    return [
        action
        for action, transition in TRANSITIONS.items()
        if case.status in transition.sources and action != Action.FOLLOW_MASTER and transition.permission(actor, case)
    ]


def case_transition(
    *,
    case: Case,
    action: str,
    actor: Actor,
    note: str = "",
    params: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Case:
    """Apply `action` to `case`. Raises NotFound (unknown action), PermissionDenied, DomainError (bad input or
    wrong state) or CaseConflict (someone else acted first). Returns the updated case."""
    if action not in TRANSITIONS:
        raise NotFound(f"没有“{action}”这一操作")
    transition = TRANSITIONS[action]
    if not transition.permission(actor, case):
        raise PermissionDenied(f"您不能对该意见建议执行“{Action(action).label}”")
    version = case.version if expected_version is None else expected_version
    if case.status not in transition.sources:
        if expected_version is not None and expected_version != case.version:
            raise CaseConflict(case)
        raise DomainError(
            "invalid_transition",
            f"当前状态“{Status(case.status).label}”下不能“{Action(action).label}”",
            field="action",
        )
    params = params or {}
    note = _text({"note": note}, "note", "说明", required=False, limit=2000)
    now = timezone.now()
    source = case.status
    with transaction.atomic():
        # The applier runs inside the transaction: what it reads (a merge's master) is checked again under lock.
        changes = APPLIERS[action](case, actor, {**params, "note": note}, now)
        updated = Case.objects.filter(pk=case.pk, status=source, version=version).update(
            status=transition.target, version=F("version") + 1, **changes
        )
        if updated != 1:
            raise CaseConflict(case)
        for name, value in changes.items():
            setattr(case, name, value)
        case.status, case.version = transition.target, version + 1
        event = CaseEvent.objects.create(
            case=case,
            action=action,
            from_status=source,
            to_status=transition.target,
            actor=actor if p.is_user(actor) else None,
            actor_label=_actor_label(actor, case),
            note=note,
            data=_event_data(changes),
        )
        if action == Action.MERGE:
            _merge_into_master(case, actor, event)
        notify_transition(case=case, event=event)
        if transition.target == S.FED_BACK and action != Action.FOLLOW_MASTER:
            # Ids first: most cases have no merged children, and a one-column query is cheap to build and run.
            children = list(Case.objects.filter(master_id=case.pk, status=S.MERGED).values_list("pk", flat=True))
            for child in Case.objects.filter(pk__in=children).select_related("master", "region") if children else []:
                case_transition(
                    case=child, action=Action.FOLLOW_MASTER, actor=p.SYSTEM, note=f"随主件 {case.receipt_code} 答复"
                )
    return case


def _actor_label(actor: Actor, case: Case) -> str:
    if isinstance(actor, StandIn):
        return actor.label
    if case.unit is not None and p.is_unit_handler(actor, case):
        return case.unit.name
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
