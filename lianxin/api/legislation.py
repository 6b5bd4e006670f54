"""Drafts and their comments (issue 19): /api/v1/drafts, /api/v1/drafts/{id}/comments.

Reads: the published drafts, and the unpublished ones of the caller's contact points (manage_legislation); the
comments as the public reads them, the hidden ones too for the draft's staff. Write: a deputy's comment (the public
comments on the portal, behind its question and rate limits). Thin: lianxin.legislation.selectors and services."""

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from lianxin.api.auth import caller
from lianxin.api.legislation_schemas import CommentFilters, CommentIn, CommentOut, DraftDetailOut, DraftOut
from lianxin.api.pagination import LimitOffset
from lianxin.api.schemas import ErrorOut, ValidationErrorOut
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.deputies.models import Deputy
from lianxin.legislation import selectors as sel
from lianxin.legislation.models import Comment, Draft
from lianxin.legislation.services import Author, comment_submit, period_check

router = Router(tags=["立法意见征集"])
ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS = {400: ErrorOut, 403: ErrorOut, **ERRORS}


def _accepting(draft: Draft) -> bool:
    try:
        period_check(draft)
    except DomainError:
        return False
    return True


def _draft_out(draft: Draft, *, staff: bool, visible: int, hidden: int) -> dict[str, Any]:
    return {
        "id": draft.pk,
        "title": draft.title,
        "kind": draft.kind,
        "stage": draft.stage,
        "status": draft.status,
        "status_label": draft.get_status_display(),
        "contact_point": {
            "id": draft.contact_point_id,
            "name": draft.contact_point.place.name,
            "region_code": draft.contact_point.region.code,
        },
        "opens_on": draft.opens_on,
        "closes_on": draft.closes_on,
        "accepting_comments": _accepting(draft),
        "comment_count": visible,
        "hidden_count": hidden if staff else None,
        "public_url": f"{settings.SITE_URL}/laws/{draft.pk}/",
    }


@router.get(
    "/drafts",
    response={200: list[DraftOut], **ERRORS},
    summary="法规草案列表",
    description="已发布的法规草案，以及您管理的立法联系点尚未发布的草案；新的在前。",
)
@paginate(LimitOffset)
def draft_list(request: HttpRequest) -> list[dict[str, Any]]:
    user = caller(request)
    drafts: QuerySet[Draft] = sel.drafts_for_reader(user=user)
    staff_ids = set(sel.drafts_visible_to(user=user).values_list("pk", flat=True))
    return _LazyDrafts(drafts, staff_ids)  # type: ignore[return-value]


class _LazyDrafts:
    """A page of drafts turned into their outputs only for the rows on the page (the paginator slices first)."""

    def __init__(self, drafts: QuerySet[Draft], staff_ids: set[int]) -> None:
        self.drafts, self.staff_ids = drafts, staff_ids

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        page = list(self.drafts[item])
        counts = sel.comment_counts_by_draft(drafts=Draft.objects.filter(pk__in=[d.pk for d in page]))
        none = {"visible": 0, "hidden": 0}
        return [_draft_out(d, staff=d.pk in self.staff_ids, **counts.get(d.pk, none)) for d in page]

    def count(self) -> int:
        return self.drafts.count()


@router.get(
    "/drafts/{draft_id}",
    response={200: DraftDetailOut, **ERRORS},
    summary="法规草案详情",
    description="含全部条文（编、章、节、条，按顺序，parent_id 指向上级）及每条的公开意见数；未发布且不归您管理的草案返回 404。",
)
def draft_detail(request: HttpRequest, draft_id: int) -> dict[str, Any]:
    user = caller(request)
    draft = sel.draft_get_for_reader(user=user, draft_id=draft_id)
    counts = sel.comment_counts(draft=draft)
    totals = sel.comment_counts_by_draft(drafts=Draft.objects.filter(pk=draft.pk)).get(draft.pk, {})
    out = _draft_out(
        draft,
        staff=sel.moderates(user=user, draft=draft),
        visible=totals.get("visible", 0),
        hidden=totals.get("hidden", 0),
    )
    out["intro"] = draft.intro
    out["general_comment_count"] = counts.get(None, 0)
    out["sections"] = [
        {
            "id": s.pk,
            "parent_id": s.parent_id,
            "level": s.level,
            "number": s.number,
            "label": s.label,
            "heading": s.heading,
            "text": s.text,
            "order": s.order,
            "comment_count": counts.get(s.pk, 0),
        }
        for s in draft.sections.order_by("order")
    ]
    return out


def _comment_out(comment: Comment, *, staff: bool) -> dict[str, Any]:
    public = sel.public_comment(comment)
    return {
        "id": public.id,
        "section_id": public.section_id,
        "section_label": comment.section.label if comment.section else "总体意见",
        "author": public.author,
        "is_deputy": public.is_deputy,
        "text": public.text,
        "quote_text": public.quote_text,
        "quote_start": public.quote_start,
        "quote_end": public.quote_end,
        "support_count": public.support_count,
        "created_at": public.created_at,
        "status": comment.status,
        "hidden_reason": comment.hidden_reason if staff else "",
    }


@router.get(
    "/drafts/{draft_id}/comments",
    response={200: list[CommentOut], **ERRORS},
    summary="草案的意见",
    description="公开的意见（点赞多的在前）；本草案的工作人员另见已屏蔽的意见及屏蔽理由。电话从不输出。",
)
@paginate(LimitOffset)
def comment_list(request: HttpRequest, draft_id: int, filters: Query[CommentFilters]) -> Any:
    user = caller(request)
    draft = sel.draft_get_for_reader(user=user, draft_id=draft_id)
    staff = sel.moderates(user=user, draft=draft)
    if staff:
        comments = sel.comments_for_staff(draft=draft).order_by("-support_count", "created_at", "id")
        if filters.general:
            comments = comments.filter(section__isnull=True)
        elif filters.section_id:
            comments = comments.filter(section_id=filters.section_id)
    else:
        comments = sel.comments_public(draft=draft, section_id=filters.section_id, general=filters.general)
    return _LazyComments(comments, staff)


class _LazyComments:
    def __init__(self, comments: QuerySet[Comment], staff: bool) -> None:
        self.comments, self.staff = comments, staff

    def __getitem__(self, item: slice) -> list[dict[str, Any]]:
        return [_comment_out(c, staff=self.staff) for c in self.comments.select_related("section", "deputy")[item]]

    def count(self) -> int:
        return self.comments.count()


@router.post(
    "/drafts/{draft_id}/comments",
    response={201: CommentOut, **WRITE_ERRORS},
    summary="代表提交意见",
    description=(
        "代表对某一条（section_id）、某段原文（quote_start/quote_end）或草案整体提出意见，公开显示为代表意见。"
        "群众请在公开页面提交。条文不存在：404 article_not_found；征求意见期外：400 comment_period_closed；"
        "意见为空或超长：400 field_required / field_too_long。"
    ),
)
def comment_create(request: HttpRequest, draft_id: int, payload: CommentIn) -> Status[dict[str, Any]]:
    user = caller(request)
    draft = sel.draft_get_for_reader(user=user, draft_id=draft_id)
    if not Deputy.objects.filter(user=user).exists():
        raise PermissionDenied("只有代表可以通过接口提交意见；群众请在公开页面提交")
    comment = comment_submit(
        draft=draft,
        section_id=payload.section_id,
        text=payload.text,
        author=Author(user=user),
        quote_start=payload.quote_start,
        quote_end=payload.quote_end,
    )
    comment = Comment.objects.select_related("section", "deputy").get(pk=comment.pk)
    return Status(201, _comment_out(comment, staff=False))
