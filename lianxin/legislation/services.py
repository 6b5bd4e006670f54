"""Writes of the legislative contact points: designate a contact point, create a draft from its text, move it
through its workflow, take a comment (a citizen's or a deputy's), support it, hide and restore it, and summarise an
article. Each is one function that checks its input (DomainError with a stable code and a Chinese message), the
permission in the draft's region, changes the rows in one transaction and writes an audit row."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, NotFound, PermissionDenied
from lianxin.core.fields import clean_choice, clean_text
from lianxin.core.phones import PhoneInvalid, phone_normalize
from lianxin.deputies.models import Deputy
from lianxin.legislation.models import (
    ACTION_LABELS,
    ArticleSummary,
    AuthorKind,
    Comment,
    CommentStatus,
    ContactPoint,
    Draft,
    DraftEvent,
    DraftKind,
    DraftStatus,
    Outcome,
    Section,
    SectionLevel,
    Stage,
    Support,
)
from lianxin.legislation.splitting import Split, split_text
from lianxin.venues.models import Place

COMMENT_LIMIT = 2000
QUOTE_LIMIT = 500


class ArticleNotFound(DomainError):
    """A comment on an article the draft does not have (a stale page, a crafted request)."""

    status = 404

    def __init__(self) -> None:
        super().__init__("article_not_found", "草案中没有该条文，请返回草案页面重新选择", field="section")


def _require(actor: Any, region_path: str) -> None:
    """Manage_legislation over the region: elsewhere it is a 404 (nothing leaks), nowhere a 403."""
    if may(actor, Perm.MANAGE_LEGISLATION, region_path):
        return
    if may(actor, Perm.MANAGE_LEGISLATION):
        raise NotFound()
    raise PermissionDenied("您没有管理立法联系点的权限")


def _path(draft: Draft) -> str:
    return draft.contact_point.region.path


# --- contact points and drafts ---------------------------------------------------------------------------------


def contact_point_designate(
    *, actor: Any, place: Place, designated_on: datetime.date | None = None, note: str = ""
) -> ContactPoint:
    _require(actor, place.region.path)
    note = clean_text(note, "note", "说明", limit=200, required=False)
    if ContactPoint.objects.filter(place=place).exists():
        raise DomainError("already_contact_point", f"{place.name}已是基层立法联系点", field="place")
    point = ContactPoint.objects.create(
        place=place, region=place.region, designated_on=designated_on or timezone.localdate(), note=note
    )
    audit_record(actor=actor, action="legislation.contact_point_designate", obj=point, region_path=place.region.path)
    return point


def _check_period(opens_on: Any, closes_on: Any) -> None:
    if not isinstance(opens_on, datetime.date):
        raise DomainError("field_required", "征求意见开始日期: 不能为空", field="opens_on")
    if not isinstance(closes_on, datetime.date):
        raise DomainError("field_required", "征求意见截止日期: 不能为空", field="closes_on")
    if closes_on < opens_on:
        raise DomainError("period_invalid", "征求意见截止日期不能早于开始日期", field="closes_on")


@transaction.atomic
def draft_create(
    *,
    actor: Any,
    contact_point: ContactPoint,
    title: str,
    text: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    kind: str = DraftKind.LOCAL,
    stage: str = Stage.REVIEW,
    intro: str = "",
) -> Draft:
    """A draft (not yet published) with its sections as split_text finds them in `text`."""
    _require(actor, contact_point.region.path)
    split = split_text(text)  # text_empty / no_article first: the most useful message
    title = clean_text(title or split.title, "title", "标题", limit=200, required=True)
    kind = clean_choice(kind, "kind", "类别", DraftKind, default=DraftKind.LOCAL)
    stage = clean_choice(stage, "stage", "立法阶段", Stage, default=Stage.REVIEW)
    intro = clean_text(intro, "intro", "征求意见说明", limit=5000, required=False)
    _check_period(opens_on, closes_on)
    draft = Draft.objects.create(
        contact_point=contact_point,
        title=title,
        kind=kind,
        stage=stage,
        intro=intro,
        source_text=text,
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _write_sections(draft, split)
    audit_record(
        actor=actor,
        action="legislation.draft_create",
        obj=draft,
        changes={"articles": len(split.articles), "status": [None, draft.status]},
        region_path=contact_point.region.path,
    )
    return draft


def _write_sections(draft: Draft, split: Split) -> None:
    created: dict[int, Section] = {}
    for order, node in enumerate(split.nodes, start=1):
        created[order - 1] = Section.objects.create(
            draft=draft,
            parent=created[node.parent] if node.parent is not None else None,
            level=SectionLevel(node.level),
            number=node.number,
            label=node.label,
            heading=node.heading[:200],
            text=node.text,
            order=order,
        )


@transaction.atomic
def draft_replace_text(*, actor: Any, draft: Draft, text: str) -> Draft:
    """Split the text again, while the draft is not published (nobody has commented on its articles yet)."""
    draft = Draft.objects.select_for_update().select_related("contact_point__region").get(pk=draft.pk)
    _require(actor, _path(draft))
    if draft.status != DraftStatus.DRAFT:
        raise DomainError("draft_published", "草案已发布，条文不能再替换", field="text")
    split = split_text(text)
    draft.sections.all().delete()
    _write_sections(draft, split)
    draft.source_text = text
    draft.save(update_fields=["source_text"])
    audit_record(
        actor=actor,
        action="legislation.draft_replace_text",
        obj=draft,
        changes={"articles": len(split.articles)},
        region_path=_path(draft),
    )
    return draft


# The workflow: action → (allowed sources, target). One entry point, draft_transition.
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    action: (frozenset(sources), target, ACTION_LABELS[action])
    for action, sources, target in (
        ("publish", {DraftStatus.DRAFT}, DraftStatus.OPEN),
        ("close", {DraftStatus.OPEN}, DraftStatus.CLOSED),
        ("reopen", {DraftStatus.CLOSED}, DraftStatus.OPEN),
        ("summarise", {DraftStatus.CLOSED}, DraftStatus.SUMMARISED),
        ("pass", {DraftStatus.SUMMARISED}, DraftStatus.PASSED),
    )
}


@transaction.atomic
def draft_transition(
    *,
    actor: Any,
    draft: Draft,
    action: str,
    note: str = "",
    closes_on: datetime.date | None = None,
    passed_on: datetime.date | None = None,
    feedback_note: str = "",
) -> Draft:
    if action not in TRANSITIONS:
        raise DomainError("action_invalid", "不支持该操作", field="action")
    draft = Draft.objects.select_for_update().select_related("contact_point__region").get(pk=draft.pk)
    _require(actor, _path(draft))
    sources, target, label = TRANSITIONS[action]
    if draft.status not in sources:
        raise DomainError("status_invalid", f"草案当前为“{draft.get_status_display()}”，不能{label}", field="action")
    note = clean_text(note, "note", "说明", limit=200, required=False)
    old = draft.status
    fields = ["status"]
    today = timezone.localdate()
    if action == "publish":
        draft.published_at = timezone.now()
        fields.append("published_at")
    elif action == "close" and draft.closes_on > today:
        draft.closes_on = max(today, draft.opens_on)  # closed early: the period ends today
        fields.append("closes_on")
    elif action == "reopen":
        if closes_on is None or closes_on < today:
            raise DomainError("field_required", "重新开放需填写新的截止日期（不早于今天）", field="closes_on")
        draft.closes_on = closes_on
        fields.append("closes_on")
    elif action == "summarise":
        missing = _articles_without_summary(draft)
        if missing:
            shown = "、".join(missing[:10]) + ("等" if len(missing) > 10 else "")
            raise DomainError(
                "summary_incomplete", f"还有{len(missing)}处有意见的条文未作结论：{shown}", field="action"
            )
    elif action == "pass":
        draft.passed_on = passed_on or today
        draft.feedback_note = clean_text(feedback_note, "feedback_note", "反馈说明", limit=5000, required=False)
        fields += ["passed_on", "feedback_note"]
    draft.status = target
    draft.save(update_fields=fields)
    DraftEvent.objects.create(
        draft=draft,
        action=action,
        old_status=old,
        new_status=target,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note,
    )
    audit_record(
        actor=actor,
        action=f"legislation.draft_{action}",
        obj=draft,
        changes={"status": [old, target]},
        note=note,
        region_path=_path(draft),
    )
    return draft


def _articles_without_summary(draft: Draft) -> list[str]:
    commented = (
        Comment.objects.filter(draft=draft, status=CommentStatus.VISIBLE)
        .values_list("section_id", flat=True)
        .distinct()
    )
    summarised = set(draft.summaries.values_list("section_id", flat=True))
    labels = dict(draft.sections.values_list("pk", "label"))
    return [
        labels.get(s, "总体意见") if s else "总体意见"
        for s in sorted(commented, key=lambda x: x or 0)
        if s not in summarised
    ]


# --- comments ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Author:
    """Who comments: a citizen (name and phone optional) or a deputy's account."""

    user: Any = None
    person_name: str = ""
    person_phone: str = ""
    participant: str = ""  # "b:<hash>" for a browser; the user's id is used for accounts


def period_check(draft: Draft, today: datetime.date | None = None) -> None:
    """Comments are taken while the draft is open and today is inside its period."""
    today = today or timezone.localdate()
    if draft.status == DraftStatus.OPEN and today < draft.opens_on:
        raise DomainError(
            "comment_period_not_started", f"征求意见将于{draft.opens_on:%Y年%m月%d日}开始，届时欢迎提出意见"
        )
    if draft.status != DraftStatus.OPEN or today > draft.closes_on:
        raise DomainError(
            "comment_period_closed",
            f"本草案征求意见已于{draft.closes_on:%Y年%m月%d日}截止，不再接收意见。感谢您的关注",
        )


def period_closed_reason(draft: Draft, today: datetime.date | None = None) -> str:
    """ "" while comments are taken, else the Chinese reason they are not (period_check's message)."""
    try:
        period_check(draft, today)
    except DomainError as error:
        return error.message
    return ""


def _quote(section: Section | None, start: Any, end: Any) -> tuple[int | None, int | None, str]:
    if start in (None, "") and end in (None, ""):
        return None, None, ""
    bad = DomainError("quote_invalid", "引用的原文不在该条文中，请重新选择要引用的文字", field="quote")
    if section is None:
        raise bad
    try:
        first, last = int(start), int(end)
    except (TypeError, ValueError) as error:
        raise bad from error
    if not 0 <= first < last <= len(section.text):
        raise bad
    if last - first > QUOTE_LIMIT:
        raise DomainError("quote_too_long", f"引用原文不能超过{QUOTE_LIMIT}字", field="quote")
    return first, last, section.text[first:last]


@transaction.atomic
def comment_submit(
    *,
    draft: Draft,
    section_id: int | None,
    text: str,
    author: Author,
    quote_start: Any = None,
    quote_end: Any = None,
    form_token: str = "",
    today: datetime.date | None = None,
) -> Comment:
    """A comment on an article (section_id) or on the draft in general (None). A deputy's account comments as
    代表; anyone else as a citizen. The same form token twice gives the first comment back."""
    if form_token:
        already = Comment.objects.filter(form_token=form_token).first()
        if already is not None:
            return already
    draft = Draft.objects.select_related("contact_point__region").get(pk=draft.pk)
    if not draft.is_published:
        raise NotFound("未找到该草案")
    section = None
    if section_id is not None:
        section = draft.sections.filter(pk=section_id).first()
        if section is None:
            raise ArticleNotFound()
    period_check(draft, today)
    text = clean_text(text, "text", "意见", limit=COMMENT_LIMIT, required=True)
    first, last, quoted = _quote(section, quote_start, quote_end)
    user = author.user if getattr(author.user, "is_authenticated", False) else None
    deputy = Deputy.objects.filter(user=user).first() if user is not None else None
    name = clean_text(author.person_name, "person_name", "姓名", limit=50, required=False)
    try:
        phone = phone_normalize(author.person_phone or "")
    except PhoneInvalid as error:
        raise DomainError("field_invalid", f"手机号: {error}", field="person_phone") from error
    comment = Comment(
        draft=draft,
        section=section,
        author_kind=AuthorKind.DEPUTY if deputy else AuthorKind.CITIZEN,
        user=user,
        deputy=deputy,
        person_name="" if deputy else name,
        person_phone="" if deputy else phone,
        text=text,
        quote_start=first,
        quote_end=last,
        quote_text=quoted,
        participant=f"u:{user.pk}" if user is not None else author.participant[:80],
        form_token=form_token or None,
    )
    try:
        with transaction.atomic():
            comment.save()
    except IntegrityError:
        already = Comment.objects.filter(form_token=form_token).first() if form_token else None
        if already is None:
            raise
        return already  # the same form posted twice at once
    audit_record(
        actor=user,
        action="legislation.comment_submit",
        obj=comment,
        changes={"section": section.label if section else "总体意见", "author_kind": comment.author_kind},
        region_path=_path(draft),
    )
    return comment


def comment_support(*, comment: Comment, voter: str) -> bool:
    """One 点赞 per voter ("u:<id>" or "b:<browser hash>"); False when this voter had already supported it. The
    Support row is the record (no audit row: it carries nobody's identity and nothing is taken back)."""
    if not voter:
        raise DomainError("voter_missing", "请允许浏览器保存 Cookie 后再点赞")
    comment = Comment.objects.select_related("draft").get(pk=comment.pk)
    if not comment.is_visible or not comment.draft.is_published:
        raise NotFound("未找到该意见")
    if comment.draft.status != DraftStatus.OPEN:
        raise DomainError("comment_period_closed", "征求意见已截止，不能再点赞")
    try:
        with transaction.atomic():
            Support.objects.create(comment=comment, voter=voter[:80])
            Comment.objects.filter(pk=comment.pk).update(support_count=F("support_count") + 1)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def comment_hide(*, actor: Any, comment: Comment, reason: str) -> Comment:
    """Hidden from the public with a reason; the text stays as it was written, for staff and the summary."""
    comment = Comment.objects.select_for_update().select_related("draft__contact_point__region").get(pk=comment.pk)
    _require(actor, _path(comment.draft))
    reason = clean_text(reason, "reason", "屏蔽理由", limit=200, required=True)
    changed = Comment.objects.filter(pk=comment.pk, status=CommentStatus.VISIBLE).update(
        status=CommentStatus.HIDDEN, hidden_reason=reason, hidden_by=actor, hidden_at=timezone.now()
    )
    if not changed:
        raise DomainError("status_invalid", "该意见已被屏蔽", field="reason")
    audit_record(
        actor=actor,
        action="legislation.comment_hide",
        obj=comment,
        changes={"status": [CommentStatus.VISIBLE, CommentStatus.HIDDEN], "hidden_reason": ["", reason]},
        region_path=_path(comment.draft),
    )
    comment.refresh_from_db()
    return comment


@transaction.atomic
def comment_restore(*, actor: Any, comment: Comment, note: str = "") -> Comment:
    comment = Comment.objects.select_for_update().select_related("draft__contact_point__region").get(pk=comment.pk)
    _require(actor, _path(comment.draft))
    old_reason = comment.hidden_reason
    changed = Comment.objects.filter(pk=comment.pk, status=CommentStatus.HIDDEN).update(
        status=CommentStatus.VISIBLE, hidden_reason="", hidden_by=None, hidden_at=None
    )
    if not changed:
        raise DomainError("status_invalid", "该意见未被屏蔽，无需恢复")
    audit_record(
        actor=actor,
        action="legislation.comment_restore",
        obj=comment,
        changes={"status": [CommentStatus.HIDDEN, CommentStatus.VISIBLE], "hidden_reason": [old_reason, ""]},
        note=clean_text(note, "note", "说明", limit=200, required=False),
        region_path=_path(comment.draft),
    )
    comment.refresh_from_db()
    return comment


# --- the summary -------------------------------------------------------------------------------------------------


@transaction.atomic
def summary_set(*, actor: Any, draft: Draft, section_id: int | None, outcome: str, reason: str) -> ArticleSummary:
    """The conclusion on one article's comments (section_id None: the general comments), made after the comment
    period and until the regulation has passed."""
    draft = Draft.objects.select_for_update().select_related("contact_point__region").get(pk=draft.pk)
    _require(actor, _path(draft))
    if draft.status == DraftStatus.PASSED:
        raise DomainError("draft_passed", "法规已通过并公开反馈，汇总不能再修改", field="outcome")
    if draft.status not in (DraftStatus.CLOSED, DraftStatus.SUMMARISED):
        raise DomainError("summary_not_allowed", "征求意见结束后才能逐条汇总", field="outcome")
    section = None
    if section_id is not None:
        section = draft.sections.filter(pk=section_id).first()
        if section is None:
            raise ArticleNotFound()
    outcome = clean_choice(outcome, "outcome", "采纳情况", Outcome)
    reason = clean_text(reason, "reason", "理由", limit=2000, required=True)
    summary = ArticleSummary.objects.filter(draft=draft, section=section).first()
    before = [summary.outcome, summary.reason] if summary else [None, None]
    if summary is None:
        summary = ArticleSummary(draft=draft, section=section)
    summary.outcome, summary.reason = outcome, reason
    summary.updated_by = actor if getattr(actor, "pk", None) else None
    summary.save()
    audit_record(
        actor=actor,
        action="legislation.summary_set",
        obj=summary,
        changes={"outcome": [before[0], outcome], "reason": [before[1], reason]},
        note=section.label if section else "总体意见",
        region_path=_path(draft),
    )
    return summary
