"""The deputies' phone pages of legislation (issue 19). Included by lianxin/workbench/urls.py under legislation/.

A deputy reads the published drafts article by article and comments on an article, a passage of it or the draft in
general; the comment is marked 代表 with the deputy's name (lianxin.legislation.services.comment_submit knows the
account is a deputy's). No question to solve: the deputy is logged in."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from lianxin.core.errors import DomainError, NotFound
from lianxin.legislation import selectors as sel
from lianxin.legislation.models import Draft, Section
from lianxin.legislation.services import COMMENT_LIMIT, Author, comment_submit, period_closed_reason
from lianxin.workbench.views import deputy_required


class DeputyCommentForm(forms.Form):
    text = forms.CharField(
        label="我的意见",
        max_length=COMMENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "修改意见和理由"}),
    )
    quote_start = forms.IntegerField(required=False, widget=forms.HiddenInput)
    quote_end = forms.IntegerField(required=False, widget=forms.HiddenInput)


def _draft(pk: int) -> Draft:
    try:
        return sel.draft_get_public(draft_id=pk)
    except NotFound as error:
        raise Http404(error.message) from error


@deputy_required
def w_laws(request: HttpRequest) -> HttpResponse:
    open_now, others = sel.drafts_public_split()
    return render(
        request,
        "workbench/legislation/list.html",
        {
            "open_drafts": open_now,
            "other_drafts": others[:20],
        },
    )


@deputy_required
def w_law(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(pk)
    counts = sel.comment_counts(draft=draft)
    mine = set(
        draft.comments.filter(deputy=request.deputy).values_list("section_id", flat=True)  # type: ignore[attr-defined]
    )
    return render(
        request,
        "workbench/legislation/draft.html",
        {
            "draft": draft,
            "tree": sel.draft_tree(draft=draft),
            "general": counts.get(None, 0),
            "mine": mine,
            "closed_reason": period_closed_reason(draft),
        },
    )


def _comment(request: HttpRequest, draft: Draft, section: Section | None) -> HttpResponse:
    user: Any = request.user
    closed_reason = period_closed_reason(draft)
    form = DeputyCommentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                comment_submit(
                    draft=draft,
                    section_id=section.pk if section else None,
                    text=data["text"],
                    author=Author(user=user),
                    quote_start=data["quote_start"],
                    quote_end=data["quote_end"],
                )
            except DomainError as error:
                form.add_error(error.field if error.field in ("text",) else None, error.message)
                status = 404 if error.status == 404 else 400
            else:
                messages.success(request, "意见已提交，将以代表身份公开显示")
                return redirect(request.path)
        else:
            status = 400
    comments = [
        sel.public_comment(c)
        for c in sel.comments_public(draft=draft, section_id=section.pk if section else None, general=section is None)
    ]
    context = {
        "draft": draft,
        "section": section,
        "form": None if closed_reason and request.method != "POST" else form,
        "comments": comments,
        "closed_reason": closed_reason,
        "back": reverse("workbench:law", args=[draft.pk]),
    }
    return render(request, "workbench/legislation/article.html", context, status=status)


@deputy_required
@require_http_methods(["GET", "POST"])
def w_law_article(request: HttpRequest, pk: int, section_id: int) -> HttpResponse:
    draft = _draft(pk)
    section = draft.sections.filter(pk=section_id).first()
    if section is None:
        raise Http404("草案中没有该条文")
    return _comment(request, draft, section)


@deputy_required
@require_http_methods(["GET", "POST"])
def w_law_general(request: HttpRequest, pk: int) -> HttpResponse:
    return _comment(request, _draft(pk), None)


urlpatterns = [
    path("", w_laws, name="laws"),
    path("<int:pk>/", w_law, name="law"),
    path("<int:pk>/articles/<int:section_id>/", w_law_article, name="law_article"),
    path("<int:pk>/general/", w_law_general, name="law_general"),
]
