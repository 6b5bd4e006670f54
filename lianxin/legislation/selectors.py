"""Reads of the legislative contact points. Staff read from their scope (manage_legislation over the contact
point's region; anything else does not exist for them); the public reads published drafts and visible comments
only, and never a commenter's phone."""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from lianxin.accounts.roles import Perm
from lianxin.cases.redaction import redact
from lianxin.core.errors import NotFound
from lianxin.core.scoping import region_scope_q
from lianxin.legislation.models import (
    PUBLISHED_STATUSES,
    ArticleSummary,
    AuthorKind,
    Comment,
    CommentStatus,
    ContactPoint,
    Draft,
    DraftStatus,
    Outcome,
    Section,
    SectionLevel,
)

# --- staff ----------------------------------------------------------------------------------------------------------


def contact_points_visible_to(*, user: Any) -> QuerySet[ContactPoint]:
    return ContactPoint.objects.filter(region_scope_q(user, "region__path", Perm.MANAGE_LEGISLATION)).select_related(
        "place", "region"
    )


def drafts_visible_to(*, user: Any) -> QuerySet[Draft]:
    return Draft.objects.filter(
        region_scope_q(user, "contact_point__region__path", Perm.MANAGE_LEGISLATION)
    ).select_related("contact_point__place", "contact_point__region")


def draft_get_for_staff(*, user: Any, draft_id: int) -> Draft:
    draft = drafts_visible_to(user=user).filter(pk=draft_id).first()
    if draft is None:
        raise NotFound("未找到该草案，或不在您的管辖范围内")
    return draft


def comments_for_staff(*, draft: Draft, status: str = "", section_id: int | None = None) -> QuerySet[Comment]:
    """All of a draft's comments, hidden ones too; section_id 0 for the general ones."""
    comments = draft.comments.select_related("section", "deputy", "hidden_by").order_by("-created_at", "-id")
    if status:
        comments = comments.filter(status=status)
    if section_id == 0:
        comments = comments.filter(section__isnull=True)
    elif section_id is not None:
        comments = comments.filter(section_id=section_id)
    return comments


def comment_counts_by_draft(*, drafts: QuerySet[Draft]) -> dict[int, dict[str, int]]:
    rows = (
        Comment.objects.filter(draft__in=drafts)
        .values("draft_id")
        .annotate(
            visible=Count("id", filter=Q(status=CommentStatus.VISIBLE)),
            hidden=Count("id", filter=Q(status=CommentStatus.HIDDEN)),
        )
    )
    return {row["draft_id"]: {"visible": row["visible"], "hidden": row["hidden"]} for row in rows}


def drafts_for_reader(*, user: Any) -> QuerySet[Draft]:
    """What the API lists: the published drafts, and the unpublished ones of the user's contact points."""
    return (
        Draft.objects.filter(
            Q(status__in=PUBLISHED_STATUSES, contact_point__is_active=True)
            | region_scope_q(user, "contact_point__region__path", Perm.MANAGE_LEGISLATION)
        )
        .select_related("contact_point__place", "contact_point__region")
        .order_by("-opens_on", "-id")
    )


def draft_get_for_reader(*, user: Any, draft_id: int) -> Draft:
    draft = drafts_for_reader(user=user).filter(pk=draft_id).first()
    if draft is None:
        raise NotFound("未找到该草案，或草案尚未发布")
    return draft


def moderates(*, user: Any, draft: Draft) -> bool:
    """Whether the user reads the draft as its staff (hidden comments, their reasons)."""
    return drafts_visible_to(user=user).filter(pk=draft.pk).exists()


# --- the public -----------------------------------------------------------------------------------------------------


def drafts_public_split() -> tuple[list[Draft], list[Draft]]:
    """The published drafts as (open for comments now, the others). A period that ended is not open even before the
    staff close it."""
    today = timezone.localdate()
    drafts = list(drafts_public())

    def is_open(draft: Draft) -> bool:
        return draft.status == DraftStatus.OPEN and draft.closes_on >= today

    return [d for d in drafts if is_open(d)], [d for d in drafts if not is_open(d)]


def drafts_public() -> QuerySet[Draft]:
    return (
        Draft.objects.filter(status__in=PUBLISHED_STATUSES, contact_point__is_active=True)
        .select_related("contact_point__place", "contact_point__region")
        .annotate(n_comments=Count("comments", filter=Q(comments__status=CommentStatus.VISIBLE)))
        .order_by("status", "-opens_on", "-id")  # closed/open/passed/summarised: open ones listed by the page first
    )


def draft_get_public(*, draft_id: int) -> Draft:
    draft = drafts_public().filter(pk=draft_id).first()
    if draft is None:
        raise NotFound("未找到该草案，或草案尚未发布")
    return draft


def comments_public(*, draft: Draft, section_id: int | None, general: bool = False) -> QuerySet[Comment]:
    comments = draft.comments.filter(status=CommentStatus.VISIBLE).select_related("deputy", "section")
    if general:
        comments = comments.filter(section__isnull=True)
    elif section_id is not None:
        comments = comments.filter(section_id=section_id)
    return comments.order_by("-support_count", "created_at", "id")


def public_author(comment: Comment) -> str:
    """A deputy by name; a citizen by the first character of the name given, or 匿名群众. Never a phone."""
    if comment.author_kind == AuthorKind.DEPUTY and comment.deputy is not None:
        return f"{comment.deputy.name} 代表"
    name = comment.person_name.strip()
    if not name:
        return "匿名群众"
    return name[0] + "*" * max(1, len(name) - 1)


@dataclass(frozen=True)
class PublicComment:
    """Only what the public reads of a visible comment: the author as public_author, the text with phone and ID
    numbers redacted (a citizen who typed their number in the text), never the phone field."""

    id: int
    section_id: int | None
    author: str
    is_deputy: bool
    text: str
    quote_text: str
    quote_start: int | None
    quote_end: int | None
    support_count: int
    created_at: datetime.datetime


def public_comment(comment: Comment) -> PublicComment:
    return PublicComment(
        id=comment.pk,
        section_id=comment.section_id,
        author=public_author(comment),
        is_deputy=comment.author_kind == AuthorKind.DEPUTY,
        text=redact(comment.text),
        quote_text=comment.quote_text,
        quote_start=comment.quote_start,
        quote_end=comment.quote_end,
        support_count=comment.support_count,
        created_at=comment.created_at,
    )


def comment_counts(*, draft: Draft, include_hidden: bool = False) -> dict[int | None, int]:
    """Comments per section id (None: general)."""
    comments = draft.comments.all()
    if not include_hidden:
        comments = comments.filter(status=CommentStatus.VISIBLE)
    return {row["section_id"]: row["n"] for row in comments.values("section_id").annotate(n=Count("id"))}


@dataclass
class TreeNode:
    section: Section
    count: int = 0
    children: list["TreeNode"] = field(default_factory=list)


def draft_tree(*, draft: Draft, include_hidden: bool = False) -> list[TreeNode]:
    """The sections as a tree (parts, chapters, sections, articles) with each one's comment count."""
    counts = comment_counts(draft=draft, include_hidden=include_hidden)
    nodes: dict[int, TreeNode] = {}
    roots: list[TreeNode] = []
    for section in draft.sections.order_by("order"):
        node = TreeNode(section=section, count=counts.get(section.pk, 0))
        nodes[section.pk] = node
        parent = nodes.get(section.parent_id) if section.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def articles_of(draft: Draft) -> QuerySet[Section]:
    return draft.sections.filter(level=SectionLevel.ARTICLE).order_by("order")


# --- the summary --------------------------------------------------------------------------------------------------


@dataclass
class SummaryRow:
    section: Section | None  # None: the general comments
    visible: int = 0
    hidden: int = 0
    deputies: int = 0
    supports: int = 0
    summary: ArticleSummary | None = None
    comments: list[Comment] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.section is None:
            return "总体意见"
        return str(self.section)

    @property
    def total(self) -> int:
        return self.visible + self.hidden


def summary_rows(*, draft: Draft, with_comments: bool = True, only_commented: bool = False) -> list[SummaryRow]:
    """One row per article (and one for the general comments, first) with its counts and conclusion; the comments
    of each (visible ones, hidden ones after, marked) when `with_comments`."""
    rows: dict[int | None, SummaryRow] = {None: SummaryRow(section=None)}
    for article in articles_of(draft):
        rows[article.pk] = SummaryRow(section=article)
    for summary in draft.summaries.all():
        if summary.section_id in rows:
            rows[summary.section_id].summary = summary
    for comment in draft.comments.select_related("deputy").order_by("status", "-support_count", "created_at", "id"):
        row = rows.get(comment.section_id)
        if row is None:  # a comment on a chapter heading: counted with the general ones
            row = rows[None]
        if comment.is_visible:
            row.visible += 1
            row.supports += comment.support_count
            row.deputies += comment.author_kind == AuthorKind.DEPUTY
        else:
            row.hidden += 1
        if with_comments:
            row.comments.append(comment)
    out = list(rows.values())
    if only_commented:
        out = [r for r in out if r.total or r.summary]
    return out


@dataclass(frozen=True)
class Totals:
    comments: int
    hidden: int
    participants: int
    deputies: int
    adopted: int
    partly: int
    not_adopted: int

    @property
    def decided(self) -> int:
        return self.adopted + self.partly + self.not_adopted

    @property
    def adoption_rate(self) -> float | None:
        """(adopted + partly adopted) / articles with a conclusion; None before any conclusion."""
        return (self.adopted + self.partly) / self.decided if self.decided else None


def draft_totals(*, draft: Draft) -> Totals:
    return _totals(Draft.objects.filter(pk=draft.pk))


def _totals(drafts: QuerySet[Draft]) -> Totals:
    comments = Comment.objects.filter(draft__in=drafts)
    visible = comments.filter(status=CommentStatus.VISIBLE)
    outcomes = Counter(ArticleSummary.objects.filter(draft__in=drafts).values_list("outcome", flat=True))
    return Totals(
        comments=visible.count(),
        hidden=comments.filter(status=CommentStatus.HIDDEN).count(),
        participants=visible.exclude(participant="").values("participant").distinct().count(),
        deputies=visible.filter(author_kind=AuthorKind.DEPUTY).values("deputy").distinct().count(),
        adopted=outcomes[Outcome.ADOPTED],
        partly=outcomes[Outcome.PARTLY],
        not_adopted=outcomes[Outcome.NOT_ADOPTED],
    )


@dataclass(frozen=True)
class PointYear:
    point: ContactPoint
    drafts: int
    totals: Totals


def statistics(*, user: Any, year: int) -> list[PointYear]:
    """Per contact point of the user's scope: the drafts published with a comment period starting in `year`, their
    comments (visible), participants (distinct people and deputies), and the adoption rate of the conclusions."""
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    out = []
    for point in contact_points_visible_to(user=user).order_by("region__path", "id"):
        drafts = Draft.objects.filter(
            contact_point=point, status__in=PUBLISHED_STATUSES, opens_on__gte=start, opens_on__lte=end
        )
        out.append(PointYear(point=point, drafts=drafts.count(), totals=_totals(drafts)))
    return out


def feedback_rows(*, draft: Draft) -> list[SummaryRow]:
    """公开反馈: after the regulation has passed, per article that had comments, its conclusion (no comment text
    and nobody's name: the counts, the outcome and the reason)."""
    if draft.status != DraftStatus.PASSED:
        return []
    return [r for r in summary_rows(draft=draft, with_comments=False) if r.visible or r.summary is not None]
