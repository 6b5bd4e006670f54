"""Writes outside the transitions table: creating a draft, its sources and attachments, sessions, rules,
evaluations and awards. Everything that moves a suggestion along goes through `workflow.suggestion_transition`."""

import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from lianxin.accounts.actors import Actor, is_user
from lianxin.accounts.models import User
from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.cases.models import ResponsibleUnit
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.deputies.models import Deputy, DeputyGroup
from lianxin.regions.models import Region
from lianxin.suggestions import permissions as p
from lianxin.suggestions.models import (
    Attachment,
    Award,
    AwardKind,
    AwardStatus,
    Field,
    Kind,
    Proposer,
    Session,
    SessionKind,
    SourceKind,
    Status,
    Suggestion,
    SuggestionEvent,
    SuggestionSource,
    UnitEvaluation,
)
from lianxin.suggestions.steps import cases_for, serving_deputies, text_param

ATTACHMENT_TYPES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".txt"}
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


def suggestion_draft_create(**fields: Any) -> Suggestion:
    """A new draft (suggestion_draft_get_or_create without saying whether it was made now)."""
    return suggestion_draft_get_or_create(**fields)[0]


def _made_with_key(actor: User, client_key: str) -> Suggestion | None:
    return Suggestion.objects.filter(created_by=actor, client_key=client_key[:64]).first()


def suggestion_draft_get_or_create(
    *,
    actor: User,
    session: Session,
    title: str,
    content: str = "",
    reasons: str = "",
    kind: str = Kind.SUGGESTION,
    field: str = Field.OTHER,
    draft_resolution: str = "",
    lead_deputy: Deputy | None = None,
    proposer: str = Proposer.DEPUTY,
    delegation: DeputyGroup | None = None,
    case_ids: list[int] | None = None,
    public_consent: bool = False,
    client_key: str = "",
) -> tuple[Suggestion, bool]:
    """A new draft, and True; or, when the same `client_key` from the same account made one already (a double-clicked
    form, a retried request, two at once), that one and False. A deputy drafts as themselves; staff enter one for a
    deputy, a delegation or the presidium."""
    if not is_user(actor):
        raise PermissionDenied()
    if client_key and (existing := _made_with_key(actor, client_key)) is not None:
        return existing, False
    own = Deputy.objects.filter(user=actor).first()
    is_staff = may(actor, Perm.MANAGE_SUGGESTIONS, session.congress_region.path)
    if not is_staff and own is None:
        # Neither a deputy nor the congress's staff (a unit's handler, staff of another region): not theirs to draft.
        raise PermissionDenied("只有代表本人或该人大的工作人员可以起草建议")
    if lead_deputy is None and proposer == Proposer.DEPUTY:
        lead_deputy = own
    if proposer == Proposer.DEPUTY and lead_deputy is None:
        raise DomainError("lead_deputy_required", "领衔代表: 请选择领衔代表", field="lead_deputy")
    if not is_staff and (proposer != Proposer.DEPUTY or lead_deputy != own):
        raise PermissionDenied("只有人大工作人员可以代为录入其他代表或代表团的建议")
    if kind not in Kind.values:
        raise DomainError("field_invalid", "类型: 应为 suggestion（建议）或 bill（议案）", field="kind")
    if field not in Field.values:
        raise DomainError("field_invalid", f"领域: “{field}”不是可选的领域", field="field")
    if not session.is_open:
        raise DomainError("session_closed", f"会议: {session.name} 已停止接收建议", field="session")
    draft = Suggestion(
        session=session,
        region=session.congress_region,
        kind=kind,
        field=field,
        title=text_param({"title": title}, "title", "标题", required=True, limit=120),
        reasons=text_param({"reasons": reasons}, "reasons", "案由", required=False),
        content=text_param({"content": content}, "content", "建议内容", required=False),
        draft_resolution=text_param({"d": draft_resolution}, "d", "议案草案", required=False, limit=50000),
        proposer=proposer,
        lead_deputy=lead_deputy if proposer == Proposer.DEPUTY else None,
        delegation=delegation if proposer == Proposer.DELEGATION else None,
        public_consent=public_consent,
        created_by=actor,
        client_key=client_key[:64],
    )
    if draft.lead_deputy is not None and not serving_deputies(draft).filter(pk=draft.lead_deputy.pk).exists():
        raise DomainError(
            "lead_not_serving",
            f"领衔代表: {draft.lead_deputy.name} 不是{session.name}所属人大的在任代表",
            field="lead_deputy",
        )
    if proposer == Proposer.DELEGATION and delegation is None:
        raise DomainError("field_required", "代表团: 请选择提出建议的代表团", field="delegation")
    cases = cases_for(actor=actor, suggestion=draft, ids=sorted(set(case_ids or [])))
    try:
        with transaction.atomic():
            draft.save()
            draft.cases.set(cases)
            SuggestionEvent.objects.create(
                suggestion=draft,
                action="create",
                from_status="",
                to_status=Status.DRAFT,
                actor=actor,
                actor_label=f"{lead_deputy.name}代表" if lead_deputy is not None and lead_deputy == own else str(actor),
                data={"case_ids": [c.pk for c in cases], "kind": kind},
            )
    except IntegrityError:
        if client_key and (existing := _made_with_key(actor, client_key)) is not None:
            return existing, False  # the same key arrived twice at once: the other request made it
        raise
    return draft, True


def _require_editor(actor: Actor, suggestion: Suggestion) -> None:
    if not p.lead_or_staff(actor, suggestion, None):
        raise PermissionDenied()
    if suggestion.status not in (Status.DRAFT, Status.COLLECTING, Status.RETURNED):
        raise DomainError("not_editable", f"当前状态“{suggestion.get_status_display()}”下不能修改", field="action")


def suggestion_source_add(
    *,
    actor: Actor,
    suggestion: Suggestion,
    kind: str,
    title: str,
    happened_on: datetime.date | None = None,
    note: str = "",
) -> SuggestionSource:
    """培训、调研: link an activity or a research note the suggestion grew from."""
    _require_editor(actor, suggestion)
    if kind not in SourceKind.values:
        raise DomainError("field_invalid", "来源类型: 应为培训、调研、履职活动或其他", field="kind")
    with transaction.atomic():
        source = SuggestionSource.objects.create(
            suggestion=suggestion,
            kind=kind,
            title=text_param({"title": title}, "title", "名称", required=True, limit=200),
            happened_on=happened_on,
            note=text_param({"note": note}, "note", "记录", required=False),
        )
        _event(suggestion, actor, "source_add", {"kind": kind, "title": source.title})
    return source


def suggestion_attachment_add(*, actor: Actor, suggestion: Suggestion, upload: UploadedFile) -> Attachment:
    _require_editor(actor, suggestion)
    name = (upload.name or "").rsplit("/", 1)[-1]
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if suffix not in ATTACHMENT_TYPES:
        raise DomainError("file_type", f"附件: 不支持“{suffix or name}”，请上传 PDF、Word、Excel 或图片", field="file")
    if (upload.size or 0) > ATTACHMENT_MAX_BYTES:
        raise DomainError("file_too_large", "附件: 不能超过 20 MB", field="file")
    with transaction.atomic():
        attachment = Attachment.objects.create(suggestion=suggestion, file=upload, name=name[:200])
        _event(suggestion, actor, "attachment_add", {"name": attachment.name})
    return attachment


def _event(suggestion: Suggestion, actor: Actor, action: str, data: dict[str, Any]) -> None:
    SuggestionEvent.objects.create(
        suggestion=suggestion,
        action=action,
        from_status=suggestion.status,
        to_status=suggestion.status,
        actor=actor if is_user(actor) else None,
        actor_label=str(actor),
        data=data,
    )


def session_create(
    *,
    actor: User,
    congress_region: Region,
    level: str,
    term: int,
    number: int,
    kind: str = SessionKind.MEETING,
    opens_on: datetime.date,
    closes_on: datetime.date | None = None,
    name: str = "",
) -> Session:
    if not may(actor, Perm.MANAGE_SUGGESTIONS, congress_region.path):
        raise PermissionDenied()
    if not name:
        name = f"{congress_region.name}第{chinese_number(term)}届人民代表大会第{chinese_number(number)}次会议"
        if kind == SessionKind.INTERVAL:
            name += "闭会期间"
    with transaction.atomic():
        session = Session.objects.create(
            congress_region=congress_region,
            level=level,
            term=term,
            number=number,
            kind=kind,
            opens_on=opens_on,
            closes_on=closes_on,
            name=name,
        )
        audit_record(actor=actor, action="session_create", obj=session, region_path=congress_region.path)
    return session


DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 … 99 the way terms and sessions are written: 十七, 二十, 三."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else DIGITS[tens] + "十")
    return head + (DIGITS[ones] if ones else "")


def evaluation_record(
    *,
    actor: User,
    region: Region,
    year: int,
    unit: ResponsibleUnit,
    reported_on: datetime.date | None,
    report: str,
    satisfied: int,
    basic: int,
    unsatisfied: int,
    note: str = "",
) -> UnitEvaluation:
    """评议: a unit's report to the standing committee and the members' satisfaction vote (its counts)."""
    if not may(actor, Perm.MANAGE_SUGGESTIONS, region.path):
        raise PermissionDenied()
    for label, value in (("满意票", satisfied), ("基本满意票", basic), ("不满意票", unsatisfied)):
        if value < 0:
            raise DomainError("field_invalid", f"{label}: 不能为负数", field="votes")
    with transaction.atomic():
        evaluation, created = UnitEvaluation.objects.update_or_create(
            region=region,
            year=year,
            unit=unit,
            defaults={
                "reported_on": reported_on,
                "report": report,
                "satisfied": satisfied,
                "basic": basic,
                "unsatisfied": unsatisfied,
                "note": note,
            },
        )
        audit_record(
            actor=actor,
            action="evaluation_record",
            obj=evaluation,
            region_path=region.path,
            changes={"votes": [satisfied, basic, unsatisfied], "created": created},
        )
    return evaluation


def award_nominate(
    *,
    actor: User,
    region: Region,
    year: int,
    kind: str,
    suggestion: Suggestion | None = None,
    unit: ResponsibleUnit | None = None,
    reason: str = "",
) -> Award:
    if not may(actor, Perm.MANAGE_SUGGESTIONS, region.path):
        raise PermissionDenied()
    if kind == AwardKind.BEST_SUGGESTION and (suggestion is None or unit is not None):
        raise DomainError("field_required", "优秀建议: 请选择一件建议", field="suggestion")
    if kind == AwardKind.BEST_UNIT and (unit is None or suggestion is not None):
        raise DomainError("field_required", "先进承办单位: 请选择一个承办单位", field="unit")
    if suggestion is not None and suggestion.status not in (Status.RATED, Status.CLOSED):
        raise DomainError("not_finished", "优秀建议: 只能推荐已评价或已办结的建议", field="suggestion")
    with transaction.atomic():
        award = Award.objects.create(
            region=region, year=year, kind=kind, suggestion=suggestion, unit=unit, reason=reason.strip()
        )
        audit_record(actor=actor, action="award_nominate", obj=award, region_path=region.path)
    return award


def award_confirm(*, actor: User, award: Award, decided_on: datetime.date) -> Award:
    if not may(actor, Perm.MANAGE_SUGGESTIONS, award.region.path):
        raise PermissionDenied()
    with transaction.atomic():
        updated = Award.objects.filter(pk=award.pk, status=AwardStatus.NOMINATED).update(
            status=AwardStatus.AWARDED, decided_on=decided_on
        )
        if updated != 1:
            raise DomainError("award_conflict", "表彰: 该提名已确认", field="award")
        award.status, award.decided_on = AwardStatus.AWARDED, decided_on
        audit_record(actor=actor, action="award_confirm", obj=award, region_path=award.region.path)
    return award
