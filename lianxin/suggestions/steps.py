"""What each action of the transitions table (lianxin.suggestions.workflow) checks and changes.

An applier gets a `Step` (the suggestion, the actor, the action's params, the time, the unit's part for unit actions),
validates the inputs and returns {field: new value} for the suggestion; it may write the rows its action owns
(co-signers, versions, unit assignments, contacts): it runs inside the workflow's transaction, after the row lock.
A refusal raises DomainError naming the field, and the transaction leaves nothing behind.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Max

from lianxin.accounts.actors import Actor, is_user
from lianxin.cases.models import Case, ResponsibleUnit
from lianxin.cases.models import Status as CaseStatus
from lianxin.cases.workflow import Action as CaseAction
from lianxin.cases.workflow import case_transition
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.fields import clean_choice, clean_text
from lianxin.deputies.models import SERVING_STATUSES, Deputy, Mandate
from lianxin.suggestions import notify
from lianxin.suggestions import permissions as p
from lianxin.suggestions.models import (
    ContactWay,
    CoSigner,
    Field,
    Kind,
    Rating,
    ReplyClass,
    Session,
    SignStatus,
    Status,
    Suggestion,
    SuggestionVersion,
    UnitAssignment,
    UnitContact,
    UnitRole,
)
from lianxin.suggestions.rules import months_due, reassign_until, rules_for
from lianxin.workdays.calendar import CHINA

# --- input ---------------------------------------------------------------------------------------------------------


def text_param(params: dict[str, Any], name: str, label: str, *, required: bool, limit: int = 20000) -> str:
    return clean_text(params.get(name), name, label, limit=limit, required=required)


def _choice(params: dict[str, Any], name: str, label: str, choices: type[models.TextChoices], *, required: bool) -> str:
    return clean_choice(params.get(name), name, label, choices) if required or params.get(name) else ""


def _date(params: dict[str, Any], name: str, label: str, *, required: bool) -> datetime.date | None:
    value = params.get(name)
    if value in (None, ""):
        if required:
            raise DomainError("field_required", f"{label}: 不能为空", field=name)
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError("field_invalid", f"{label}: 应为日期，如 2026-12-31", field=name) from None


def _ids(params: dict[str, Any], name: str, label: str) -> list[int]:
    value = params.get(name) or []
    if isinstance(value, int | str):
        value = [value]
    try:
        return sorted({int(v) for v in value})
    except (TypeError, ValueError):
        raise DomainError("field_invalid", f"{label}: 应为编号列表", field=name) from None


def _today(now: datetime.datetime) -> datetime.date:
    return now.astimezone(CHINA).date()


def serving_deputies(suggestion: Suggestion) -> models.QuerySet[Deputy]:
    """The deputies serving in the suggestion's congress (its region, level and term)."""
    session = suggestion.session
    mandates = Mandate.objects.filter(
        congress_region_id=session.congress_region_id,
        level=session.level,
        term=session.term,
        status__in=SERVING_STATUSES,
    )
    return Deputy.objects.filter(id__in=mandates.values("deputy_id"))


# --- what each action changes ---------------------------------------------------------------------------------------
# An applier validates the inputs and returns {field: new value} for the suggestion; it may write the rows the action
# owns (co-signers, assignments, versions): it runs inside the transaction, after the row lock.


@dataclass
class Step:
    suggestion: Suggestion
    actor: Actor
    params: dict[str, Any]
    now: datetime.datetime
    assignment: UnitAssignment | None = None
    data: dict[str, Any] | None = None  # what the event row records beyond the changed fields

    def record(self, **data: Any) -> None:
        self.data = {**(self.data or {}), **data}


EDITABLE = {
    "title": ("标题", 120),
    "reasons": ("案由", 20000),
    "content": ("建议内容", 20000),
    "draft_resolution": ("议案草案", 50000),
}


def _edit(step: Step) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name, (label, limit) in EDITABLE.items():
        if name in step.params:
            changes[name] = text_param(step.params, name, label, required=name == "title", limit=limit)
    if "field" in step.params:
        changes["field"] = _choice(step.params, "field", "领域", Field, required=True)
    if "public_consent" in step.params:
        changes["public_consent"] = bool(step.params["public_consent"])
    if "case_ids" in step.params:
        cases = cases_for(actor=step.actor, suggestion=step.suggestion, ids=_ids(step.params, "case_ids", "来源意见"))
        step.suggestion.cases.set(cases)
        step.record(case_ids=[c.pk for c in cases])
    return changes


def cases_for(*, actor: Actor, suggestion: Suggestion, ids: list[int]) -> list[Case]:
    """Citizens' cases a suggestion may grow from: those the actor (the deputy, staff) may see."""
    if not ids:
        return []
    if not is_user(actor):
        raise PermissionDenied()
    found = list(Case.objects.visible_to(actor).filter(pk__in=ids))
    missing = sorted(set(ids) - {c.pk for c in found})
    if missing:
        raise DomainError("case_unknown", f"来源意见: 编号 {missing[0]} 不存在或不在您的范围内", field="case_ids")
    return found


def _invite(step: Step) -> dict[str, Any]:
    ids = _ids(step.params, "deputies", "附议代表")
    if not ids:
        raise DomainError("field_required", "附议代表: 请至少邀请一位代表", field="deputies")
    serving = {d.pk: d for d in serving_deputies(step.suggestion).filter(pk__in=ids)}
    for deputy_id in ids:
        if deputy_id not in serving:
            name = Deputy.objects.filter(pk=deputy_id).values_list("name", flat=True).first() or f"编号 {deputy_id}"
            raise DomainError("co_signer_not_serving", f"附议代表: {name} 不是本届人大的在任代表", field="deputies")
    # 纸质联名: staff entering a suggestion that came on paper record the co-signers who signed it as signed, and
    # nobody is invited (the import of a session's suggestions, lianxin.suggestions.imports).
    on_paper = step.params.get("signed_on_paper") is True
    if on_paper and not p.is_staff_of(step.actor, step.suggestion):
        raise PermissionDenied("只有人大工作人员可以登记代表在纸质建议上的联名")
    lead_id = step.suggestion.lead_deputy_id
    invited = []
    for deputy_id in ids:
        if deputy_id == lead_id:
            continue
        row, created = CoSigner.objects.get_or_create(suggestion=step.suggestion, deputy=serving[deputy_id])
        if on_paper and row.status != SignStatus.SIGNED:
            CoSigner.objects.filter(pk=row.pk).update(status=SignStatus.SIGNED, answered_at=step.now)
        if created:
            invited.append(serving[deputy_id])
    if on_paper:
        step.record(signed_on_paper=[serving[i].name for i in ids if i != lead_id])
        return {}
    step.record(invited=[d.name for d in invited])
    notify.notify_users(
        step.suggestion,
        [d.user for d in invited],
        "invited",
        f"{lead_name(step.suggestion)}代表邀请您附议“{step.suggestion.title}”，请在工作台查看并附议。",
    )
    return {}


def _sign(step: Step, status: str) -> dict[str, Any]:
    assert is_user(step.actor)
    row = CoSigner.objects.get(suggestion=step.suggestion, deputy__user=step.actor)
    CoSigner.objects.filter(pk=row.pk).update(status=status, answered_at=step.now)
    step.record(deputy=row.deputy.name, sign=status)
    return {}


def signer_count(suggestion: Suggestion) -> int:
    """The lead deputy and the co-signers who signed."""
    lead = 1 if suggestion.lead_deputy_id else 0
    return lead + suggestion.co_signers.filter(status=SignStatus.SIGNED).count()


def _complete_problem(suggestion: Suggestion) -> DomainError | None:
    if not suggestion.title.strip():
        return DomainError("field_required", "标题: 不能为空", field="title")
    if not suggestion.content.strip():
        return DomainError("field_required", "建议内容: 提交前须填写", field="content")
    if suggestion.kind == Kind.BILL:
        if not suggestion.draft_resolution.strip():
            return DomainError("field_required", "议案草案: 议案须附草案或决议建议稿", field="draft_resolution")
        need = rules_for(suggestion).bill_min_co_signers
        have = signer_count(suggestion)
        if suggestion.proposer == "deputy" and have < need:
            return DomainError(
                "bill_too_few_signers",
                f"联名代表: 议案须有 {need} 名以上代表联名（含领衔代表），现有 {have} 名；"
                "可继续征集附议，或经领衔代表同意转为建议",
                field="co_signers",
            )
    return None


def _snapshot(suggestion: Suggestion, now: datetime.datetime) -> None:
    number = (suggestion.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    SuggestionVersion.objects.create(
        suggestion=suggestion,
        number=number,
        title=suggestion.title,
        reasons=suggestion.reasons,
        content=suggestion.content,
        draft_resolution=suggestion.draft_resolution,
    )


def _submit(step: Step) -> dict[str, Any]:
    problem = _complete_problem(step.suggestion)
    if problem is not None:
        raise problem
    _snapshot(step.suggestion, step.now)
    _convert_cases(step)
    return {"submitted_at": step.now}


def _convert_cases(step: Step) -> None:
    """The citizens' cases it grew from close their loop into the suggestion (case workflow: convert)."""
    from lianxin.accounts.actors import SYSTEM

    reference = f"代表建议（{lead_name(step.suggestion)}）：{step.suggestion.title}"[:64]
    for case in step.suggestion.cases.filter(status=CaseStatus.ACCEPTED).select_related("region"):
        case_transition(
            case=case,
            action=CaseAction.CONVERT,
            actor=step.actor if p.is_user(step.actor) and _may_convert(step.actor, case) else SYSTEM,
            note="已转为代表建议",
            params={"suggestion_ref": reference},
        )


def _may_convert(actor: Actor, case: Case) -> bool:
    from lianxin.cases.workflow import TRANSITIONS as CASE_TRANSITIONS

    return CASE_TRANSITIONS[CaseAction.CONVERT].permission(actor, case)


def _convert(step: Step) -> dict[str, Any]:
    s = step.suggestion
    if s.kind != Kind.BILL:
        raise DomainError("not_a_bill", "转为建议: 只有议案可以转为建议", field="action")
    if not p.is_lead_deputy(step.actor, s) and step.params.get("deputy_consent") is not True:
        raise DomainError(
            "deputy_consent_required",
            "领衔代表同意: 议案转为建议须经领衔代表同意，请确认已征得同意",
            field="deputy_consent",
        )
    return {"kind": Kind.SUGGESTION}


def _withdraw(step: Step) -> dict[str, Any]:
    return {}


def _return(step: Step) -> dict[str, Any]:
    reason = text_param(step.params, "reason", "退回理由", required=True, limit=2000)
    notify.notify_lead_deputy(step.suggestion, "returned", f"您的建议“{step.suggestion.title}”被退回修改：{reason}")
    return {"review_note": reason}


def _resubmit(step: Step) -> dict[str, Any]:
    problem = _complete_problem(step.suggestion)
    if problem is not None:
        raise problem
    _snapshot(step.suggestion, step.now)
    return {"submitted_at": step.now}


def _pass(step: Step) -> dict[str, Any]:
    master_id = step.params.get("merge_with")
    if master_id in (None, ""):
        return {}
    master = Suggestion.objects.filter(pk=master_id, session=step.suggestion.session).first()
    if master is None or master.pk == step.suggestion.pk or master.merged_into_id is not None:
        raise DomainError("merge_invalid", "并案: 请选择本次会议的另一件建议作为主件", field="merge_with")
    if master.status not in {Status.SUBMITTED, Status.PRE_REVIEWED, Status.ACCEPTED}:
        raise DomainError(
            "merge_invalid", f"并案: 主件已{Status(master.status).label}，只能与尚未交办的建议并案", field="merge_with"
        )
    step.record(merged_into=master.number_label)
    return {"merged_into": master}


def _next_number(suggestion: Suggestion, kind: str) -> int:
    Session.objects.select_for_update().filter(pk=suggestion.session_id).first()  # numbers one at a time
    latest = Suggestion.objects.filter(session_id=suggestion.session_id, kind=kind).aggregate(n=Max("number"))["n"]
    return (latest or 0) + 1


def _accept(step: Step) -> dict[str, Any]:
    if step.suggestion.kind == Kind.BILL:
        raise DomainError(
            "bill_needs_decision", "立案: 议案请“作为议案提交主席团”，或经领衔代表同意转为建议后立案", field="action"
        )
    number = _next_number(step.suggestion, Kind.SUGGESTION)
    note = text_param(step.params, "note", "审查意见", required=False, limit=2000)
    notify.notify_lead_deputy(
        step.suggestion, "accepted", f"您的建议“{step.suggestion.title}”已立案，编号第{number}号。"
    )
    return {"number": number, "accepted_at": step.now, "review_note": note or step.suggestion.review_note}


def _to_presidium(step: Step) -> dict[str, Any]:
    if step.suggestion.kind != Kind.BILL:
        raise DomainError("not_a_bill", "提交主席团: 只有议案提交主席团决定", field="action")
    problem = _complete_problem(step.suggestion)
    if problem is not None:
        raise problem
    return {"number": _next_number(step.suggestion, Kind.BILL), "accepted_at": step.now}


def _reject(step: Step) -> dict[str, Any]:
    reason = text_param(step.params, "reason", "不予立案理由", required=True, limit=2000)
    notify.notify_lead_deputy(step.suggestion, "rejected", f"您的建议“{step.suggestion.title}”不予立案：{reason}")
    return {"review_note": reason}


def _agenda(step: Step) -> dict[str, Any]:
    return {}


def _refer(step: Step) -> dict[str, Any]:
    """The presidium hands a bill on as a suggestion: it is numbered again among the session's suggestions."""
    step.record(bill_number=step.suggestion.number)
    return {"kind": Kind.SUGGESTION, "number": _next_number(step.suggestion, Kind.SUGGESTION)}


def active_unit(value: Any) -> ResponsibleUnit | None:
    """The active unit of an id given as a number or its text; None for anything else."""
    try:
        key = int(value)
    except (TypeError, ValueError):
        return None
    return ResponsibleUnit.objects.filter(pk=key, is_active=True).first()


def _units(params: dict[str, Any]) -> list[tuple[ResponsibleUnit, str]]:
    raw = params.get("units") or []
    if not isinstance(raw, list) or not raw:
        raise DomainError("units_required", "承办单位: 请至少选择一个主办单位", field="units")
    out: list[tuple[ResponsibleUnit, str]] = []
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise DomainError("field_invalid", f"承办单位第 {index} 项: 应含 unit 与 role", field="units")
        role = item.get("role") or UnitRole.LEAD
        if role not in UnitRole.values:
            raise DomainError(
                "field_invalid", f"承办单位第 {index} 项: 承办方式应为 lead（主办）或 co（协办）", field="units"
            )
        unit = active_unit(item.get("unit"))
        if unit is None:
            raise DomainError("unit_unknown", f"承办单位第 {index} 项: 单位不存在或已停用", field="units")
        out.append((unit, role))
    if len({u.pk for u, _ in out}) != len(out):
        raise DomainError("unit_twice", "承办单位: 同一单位只能选择一次", field="units")
    if not any(role == UnitRole.LEAD for _, role in out):
        raise DomainError("units_required", "承办单位: 须有至少一个主办单位", field="units")
    return out


def _new_assignment(step: Step, unit: ResponsibleUnit, role: str, *, suggestion: Suggestion) -> UnitAssignment:
    rules = rules_for(suggestion)
    today = _today(step.now)
    assignment = UnitAssignment.objects.create(
        suggestion=suggestion,
        unit=unit,
        role=role,
        assigned_at=step.now,
        due_date=months_due(today, rules.reply_months if role == UnitRole.LEAD else rules.co_opinion_months),
        reassign_until=reassign_until(today, rules),
    )
    notify.notify_unit(
        assignment,
        "assigned",
        f"交办{'主办' if role == UnitRole.LEAD else '协办'}：{suggestion.number_label}“{suggestion.title}”，"
        f"请于 {assignment.due_date:%Y-%m-%d} 前{'答复代表' if role == UnitRole.LEAD else '向主办单位提出协办意见'}。",
    )
    return assignment


def _assign(step: Step) -> dict[str, Any]:
    units = _units(step.params)
    s = step.suggestion
    for unit, role in units:
        _new_assignment(step, unit, role, suggestion=s)
    step.record(units=[{"name": u.name, "role": role} for u, role in units])
    due = months_due(_today(step.now), rules_for(s).reply_months)
    notify.notify_lead_deputy(
        s, "assigned", f"您的建议“{s.title}”已交办{'、'.join(u.name for u, r in units if r == UnitRole.LEAD)}办理。"
    )
    return {"assigned_at": step.now, "due_date": due}


def assign_merged(step: Step) -> None:
    """并案: the suggestions merged into this one are assigned to the same units with it."""
    from lianxin.suggestions.workflow import suggestion_transition

    for child in Suggestion.objects.filter(merged_into=step.suggestion, status=Status.ACCEPTED):
        suggestion_transition(
            suggestion=child,
            action="assign",
            actor=step.actor,
            note=f"随主件 {step.suggestion.number_label} 并案交办",
            params={"units": step.params.get("units")},
        )


def _request_reassign(step: Step) -> dict[str, Any]:
    a = _assignment(step)
    if a.reassign_requested_at is not None:
        raise DomainError("reassign_pending", "申请调整: 已提交申请，等待审核", field="reason")
    if _today(step.now) > a.reassign_until:
        raise DomainError(
            "reassign_too_late",
            f"申请调整: 须在交办后规定期限内（{a.reassign_until:%Y-%m-%d} 前）提出，已逾期",
            field="reason",
        )
    reason = text_param(step.params, "reason", "申请理由", required=True, limit=500)
    UnitAssignment.objects.filter(pk=a.pk).update(reassign_reason=reason, reassign_requested_at=step.now)
    return {}


def _reassign(step: Step) -> dict[str, Any]:
    a = _assignment(step)
    unit = active_unit(step.params.get("unit"))
    if unit is None:
        raise DomainError("unit_unknown", "新承办单位: 请选择一个有效的承办单位", field="unit")
    if unit.pk == a.unit_id or step.suggestion.units.filter(unit=unit, is_active=True).exists():
        raise DomainError("unit_twice", f"新承办单位: {unit.name} 已在承办本件", field="unit")
    if a.replied_at is not None:
        raise DomainError("already_replied", "调整承办单位: 该单位已答复，不能调整", field="unit")
    UnitAssignment.objects.filter(pk=a.pk).update(is_active=False)
    new = _new_assignment(step, unit, a.role, suggestion=step.suggestion)
    step.record(from_unit=a.unit.name, to_unit=unit.name, new_assignment=new.pk)
    return {}


def _refuse_reassign(step: Step) -> dict[str, Any]:
    a = _assignment(step)
    if a.reassign_requested_at is None:
        raise DomainError("no_reassign_request", "不同意调整: 该单位没有申请调整", field="assignment")
    reason = text_param(step.params, "reason", "理由", required=True, limit=500)
    UnitAssignment.objects.filter(pk=a.pk).update(reassign_requested_at=None, reassign_reason="")
    notify.notify_unit(a, "reassign_refused", f"调整承办单位的申请未获同意：{reason}。请继续办理。")
    return {}


def _contact(step: Step) -> dict[str, Any]:
    a = _assignment(step)
    contacted_on = _date(step.params, "contacted_on", "联系日期", required=True)
    assert contacted_on is not None
    if contacted_on > _today(step.now) or contacted_on < _today(a.assigned_at):
        raise DomainError("field_invalid", "联系日期: 应在交办之后、今天之前", field="contacted_on")
    contact = UnitContact.objects.create(
        assignment=a,
        contacted_on=contacted_on,
        way=_choice(step.params, "way", "联系方式", ContactWay, required=True),
        person=text_param(step.params, "person", "联系人", required=True, limit=50),
        note=text_param(step.params, "note", "情况", required=False, limit=2000),
    )
    step.record(contact=contact.pk, way=contact.way, contacted_on=contacted_on.isoformat())
    return {}


def _co_opinion(step: Step) -> dict[str, Any]:
    a = _assignment(step)
    text = text_param(step.params, "opinion", "协办意见", required=True)
    UnitAssignment.objects.filter(pk=a.pk).update(co_opinion=text, co_opinion_at=step.now)
    return {}


def _extend(step: Step) -> dict[str, Any]:
    a = _assignment(step)
    rules = rules_for(step.suggestion)
    until = _date(step.params, "due_date", "延期至", required=True)
    assert until is not None
    latest = months_due(_today(a.assigned_at), rules.max_extension_months)
    if until <= a.due_date or until > latest:
        raise DomainError(
            "extension_invalid",
            f"延期至: 应晚于原期限 {a.due_date:%Y-%m-%d}，且不超过交办后 {rules.max_extension_months} 个月"
            f"（{latest:%Y-%m-%d}）",
            field="due_date",
        )
    reason = text_param(step.params, "reason", "延期理由", required=True, limit=500)
    UnitAssignment.objects.filter(pk=a.pk).update(due_date=until, is_overdue=False)
    step.record(unit=a.unit.name, due_date=until.isoformat(), previous=a.due_date.isoformat())
    notify.notify_unit(a, "extended", f"{step.suggestion.number_label}的答复期限延至 {until:%Y-%m-%d}。")
    changes: dict[str, Any] = {"extension_reason": reason}
    if a.role == UnitRole.LEAD:
        changes["due_date"] = max(until, step.suggestion.due_date or until)
    return changes


REPLY_FILE_TYPES = {".pdf", ".ofd", ".doc", ".docx", ".jpg", ".jpeg", ".png"}
REPLY_FILE_MAX_BYTES = 20 * 1024 * 1024


def reply_file_check(upload: Any) -> None:
    """A unit's reply letter (答复函) is a PDF, OFD, Word file or a picture of at most 20 MB, however it arrives."""
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1]
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if suffix not in REPLY_FILE_TYPES:
        raise DomainError(
            "file_type", f"答复函: 不支持“{suffix or name}”，请上传 PDF、OFD、Word 或图片", field="reply_file"
        )
    if (getattr(upload, "size", 0) or 0) > REPLY_FILE_MAX_BYTES:
        raise DomainError("file_too_large", "答复函: 不能超过 20 MB", field="reply_file")


def _reply(step: Step) -> dict[str, Any]:
    a = _assignment(step)
    if a.replied_at is not None:
        raise DomainError("already_replied", f"答复: {a.unit.name} 已答复", field="assignment")
    reply_class = _choice(step.params, "reply_class", "答复类别", ReplyClass, required=True)
    text = text_param(step.params, "reply_text", "答复内容", required=not step.params.get("reply_file"))
    signed_by = text_param(step.params, "signed_by", "签发人", required=True, limit=50)
    promised_on = _date(step.params, "promised_on", "承诺完成日期", required=reply_class == ReplyClass.B)
    if reply_class == ReplyClass.B and promised_on is not None and promised_on <= _today(step.now):
        raise DomainError("field_invalid", "承诺完成日期: B类答复的承诺完成日期应在今天之后", field="promised_on")
    if reply_class == ReplyClass.C and len(text) < 10:
        raise DomainError("field_required", "答复内容: C类答复须说明暂不能解决的原因", field="reply_text")
    if step.params.get("reply_file"):
        reply_file_check(step.params["reply_file"])
    late = _today(step.now) > a.due_date
    update: dict[str, Any] = {
        "reply_class": reply_class,
        "reply_text": text,
        "signed_by": signed_by,
        "promised_on": promised_on if reply_class == ReplyClass.B else None,
        "replied_at": step.now,
        "replied_late": late,
        "rating": "",
        "rating_comment": "",
        "rated_at": None,
    }
    reply_file = step.params.get("reply_file")
    if reply_file:
        a.reply_file = reply_file
        a.save(update_fields=["reply_file"])
    UnitAssignment.objects.filter(pk=a.pk).update(**update)
    step.record(unit=a.unit.name, reply_class=reply_class, late=late)
    notify.notify_lead_deputy(
        step.suggestion,
        "replied",
        f"{a.unit.name}已答复您的建议“{step.suggestion.title}”（{ReplyClass(reply_class).label}），请查看并评价。",
    )
    return {}


def _rate(step: Step) -> dict[str, Any]:
    a = _assignment(step)
    if a.replied_at is None:
        raise DomainError("not_replied", f"评价: {a.unit.name} 尚未答复", field="assignment")
    if a.rating:
        raise DomainError("already_rated", f"评价: 已对{a.unit.name}的答复作出评价", field="rating")
    rating = _choice(step.params, "rating", "评价", Rating, required=True)
    comment = text_param(step.params, "comment", "评价意见", required=rating == Rating.UNSATISFIED, limit=2000)
    rules = rules_for(step.suggestion)
    if rating == Rating.UNSATISFIED and a.rehandle_count == 0:
        # 重新办理: the first reply and rating go to the history; the unit replies again.
        first = {
            "reply_class": a.reply_class,
            "reply_text": a.reply_text,
            "signed_by": a.signed_by,
            "replied_at": a.replied_at.isoformat(),
            "rating": rating,
            "comment": comment,
            "rated_at": step.now.isoformat(),
        }
        due = months_due(_today(step.now), rules.rehandle_months)
        UnitAssignment.objects.filter(pk=a.pk).update(
            rating="",
            rating_comment="",
            rated_at=None,
            replied_at=None,
            reply_class="",
            rehandle_count=a.rehandle_count + 1,
            history=[*a.history, first],
            due_date=due,
            is_overdue=False,
        )
        step.record(unit=a.unit.name, rating=rating, rehandle_due=due.isoformat())
        notify.notify_unit(
            a,
            "rehandle",
            f"代表对{step.suggestion.number_label}的答复不满意，请于 {due:%Y-%m-%d} 前重新办理并答复：{comment}",
        )
        return {}
    UnitAssignment.objects.filter(pk=a.pk).update(rating=rating, rating_comment=comment, rated_at=step.now)
    step.record(unit=a.unit.name, rating=rating)
    return {}


def _mark_key(step: Step) -> dict[str, Any]:
    from lianxin.accounts.models import User

    leader_name = text_param(step.params, "leader_name", "督办领导", required=True, limit=50)
    leader = None
    if step.params.get("leader"):
        leader = User.objects.filter(pk=step.params["leader"], is_active=True).first()
        if leader is None:
            raise DomainError("field_invalid", "督办领导账号: 不存在或已停用", field="leader")
    step.record(leader=leader_name)
    return {"is_key": True, "key_leader": leader, "key_leader_name": leader_name}


def _key_note(step: Step) -> dict[str, Any]:
    if not step.suggestion.is_key:
        raise DomainError("not_key", "督办记录: 本件尚未列为重点督办", field="action")
    text = text_param(step.params, "text", "督办情况", required=True, limit=5000)
    met_on = _date(step.params, "met_on", "督办会议日期", required=False)
    step.record(text=text, met_on=met_on.isoformat() if met_on else None)
    return {}


def _close(step: Step) -> dict[str, Any]:
    s = step.suggestion
    if s.status == Status.REPLIED and not step.params.get("note"):
        raise DomainError("field_required", "说明: 代表尚未评价全部答复，办结须说明理由", field="note")
    return {"closed_at": step.now}


def _publish(step: Step) -> dict[str, Any]:
    from lianxin.suggestions.redaction import public_text_of

    s = step.suggestion
    if not s.public_consent:
        raise DomainError("no_consent", "公开: 领衔代表未同意公开本件", field="action")
    title, text = public_text_of(s)
    return {
        "public_title": text_param(step.params, "public_title", "公开标题", required=False, limit=120) or title,
        "public_text": text_param(step.params, "public_text", "公开内容", required=False) or text,
        "published_at": step.now,
    }


def _fulfil(step: Step) -> dict[str, Any]:
    a = _assignment(step)
    if a.reply_class != ReplyClass.B or a.promise_done_at is not None:
        raise DomainError("no_promise", "承诺兑现: 只有尚未兑现的B类答复可以登记兑现", field="assignment")
    note = text_param(step.params, "note", "兑现情况", required=True, limit=2000)
    UnitAssignment.objects.filter(pk=a.pk).update(promise_done_at=step.now, promise_note=note)
    step.record(unit=a.unit.name)
    return {}


APPLIERS: dict[str, Callable[[Step], dict[str, Any]]] = {
    "edit": _edit,
    "invite": _invite,
    "sign": lambda step: _sign(step, SignStatus.SIGNED),
    "decline_sign": lambda step: _sign(step, SignStatus.DECLINED),
    "submit": _submit,
    "convert": _convert,
    "withdraw": _withdraw,
    "return": _return,
    "resubmit": _resubmit,
    "pass": _pass,
    "accept": _accept,
    "to_presidium": _to_presidium,
    "reject": _reject,
    "agenda": _agenda,
    "refer": _refer,
    "assign": _assign,
    "request_reassign": _request_reassign,
    "reassign": _reassign,
    "refuse_reassign": _refuse_reassign,
    "contact": _contact,
    "co_opinion": _co_opinion,
    "extend": _extend,
    "reply": _reply,
    "rate": _rate,
    "mark_key": _mark_key,
    "key_note": _key_note,
    "close": _close,
    "publish": _publish,
    "fulfil": _fulfil,
}


def _assignment(step: Step) -> UnitAssignment:
    assert step.assignment is not None  # on_unit actions are given one (suggestion_transition)
    return step.assignment


def lead_name(suggestion: Suggestion) -> str:
    if suggestion.lead_deputy is not None:
        return suggestion.lead_deputy.name
    return suggestion.get_proposer_display()
