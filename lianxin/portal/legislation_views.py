"""The public pages of the legislative contact points (issue 19): drafts by article and comments. Included by
lianxin/portal/urls.py under laws/.

No account: a comment is protected as the portal's opinion form is (lianxin.publicweb.abuse: the honeypot, the
one-time arithmetic question, rate limits per address and per phone) and posted once per form token. A browser is
recognised by a random cookie (lx_bid), hashed before it is stored: one 点赞 per browser and comment, and the
participants of the statistics. What a page shows of a comment is lianxin.legislation.selectors.PublicComment:
never a phone, never a hidden comment."""

import hashlib
import secrets
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from lianxin.core.errors import DomainError, NotFound
from lianxin.core.pagecache import public_page
from lianxin.legislation import selectors as sel
from lianxin.legislation.models import Comment, Draft, DraftStatus, Section
from lianxin.legislation.services import (
    COMMENT_LIMIT,
    Author,
    comment_submit,
    comment_support,
    period_check,
    period_closed_reason,
)
from lianxin.publicweb.abuse import (
    HONEYPOT_FIELD,
    captcha_check,
    captcha_new,
    captcha_refresh,
    client_ip,
    honeypot_check,
    rate_limit,
)

BROWSER_COOKIE = "lx_bid"
BROWSER_COOKIE_AGE = 3 * 365 * 24 * 3600


class CommentForm(forms.Form):
    text = forms.CharField(
        label="您的意见",
        max_length=COMMENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "请写明您对本条的修改意见和理由"}),
    )
    quote_start = forms.IntegerField(required=False, widget=forms.HiddenInput)
    quote_end = forms.IntegerField(required=False, widget=forms.HiddenInput)
    person_name = forms.CharField(label="姓名（可不填）", max_length=50, required=False)
    person_phone = forms.CharField(
        label="手机号（可不填，便于回访，不公开）",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    captcha = forms.CharField(label="验证题", max_length=4, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    captcha_token = forms.CharField(widget=forms.HiddenInput)
    form_token = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, captcha_question: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["captcha"].label = f"验证题：{captcha_question}" if captcha_question else "验证题"
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            label="网址（请勿填写）",
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )


def _browser(request: HttpRequest) -> tuple[str, bool]:
    """The browser's random id (a new one when it has none) and whether it is new."""
    bid = request.COOKIES.get(BROWSER_COOKIE, "")
    if 16 <= len(bid) <= 64 and bid.replace("-", "").replace("_", "").isalnum():
        return bid, False
    return secrets.token_urlsafe(24), True


def _participant(bid: str) -> str:
    return "b:" + hashlib.sha256(f"lianxin.legislation:{bid}".encode()).hexdigest()[:40]


def _keep_browser(response: HttpResponse, bid: str, new: bool) -> HttpResponse:
    if new:
        response.set_cookie(BROWSER_COOKIE, bid, max_age=BROWSER_COOKIE_AGE, httponly=True, samesite="Lax")
    return response


def _draft(pk: int) -> Draft:
    try:
        return sel.draft_get_public(draft_id=pk)
    except NotFound as error:
        raise Http404(error.message) from error


@public_page
def law_list(request: HttpRequest) -> HttpResponse:
    open_now, others = sel.drafts_public_split()
    return render(request, "portal/legislation/list.html", {"open_drafts": open_now, "other_drafts": others})


@public_page
def law_draft(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(pk)
    counts = sel.comment_counts(draft=draft)
    return render(
        request,
        "portal/legislation/draft.html",
        {
            "draft": draft,
            "tree": sel.draft_tree(draft=draft),
            "general": counts.get(None, 0),
            "total": sum(counts.values()),
            "closed_reason": period_closed_reason(draft),
        },
    )


def _comment_page(request: HttpRequest, draft: Draft, section: Section | None) -> HttpResponse:
    bid, new = _browser(request)
    closed_reason = period_closed_reason(draft)
    status = 200
    form = None
    if request.method == "POST":
        form = CommentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                period_check(draft)  # the clearest answer first: no question to solve for a closed draft
                honeypot_check(data.get(HONEYPOT_FIELD, ""))
                already = Comment.objects.filter(form_token=data["form_token"]).exists()
                if not already:
                    ip = client_ip(request)
                    rate_limit("submit_ip", ip)
                    if data["person_phone"]:
                        rate_limit("submit_phone", data["person_phone"])
                    captcha_check(token=data["captcha_token"], answer=data["captcha"], form_token=data["form_token"])
                comment = comment_submit(
                    draft=draft,
                    section_id=section.pk if section else None,
                    text=data["text"],
                    author=Author(
                        person_name=data["person_name"],
                        person_phone=data["person_phone"],
                        participant=_participant(bid),
                    ),
                    quote_start=data["quote_start"],
                    quote_end=data["quote_end"],
                    form_token=data["form_token"],
                )
            except DomainError as error:
                shown = error.field in form.fields and not form.fields[error.field].widget.is_hidden
                form.add_error(error.field if shown else None, error.message)
                status = 429 if error.code == "rate_limited" else 404 if error.status == 404 else 400
            else:
                back = request.path + f"?posted={comment.pk}#comment-{comment.pk}"
                return _keep_browser(redirect(back), bid, new)
        else:
            status = 400
        captcha_refresh(form, request.POST)
    elif not closed_reason:
        captcha = captcha_new()
        form = CommentForm(
            initial={"form_token": secrets.token_urlsafe(24), "captcha_token": captcha.token},
            captcha_question=captcha.question,
        )
    comments = [
        sel.public_comment(c)
        for c in sel.comments_public(draft=draft, section_id=section.pk if section else None, general=section is None)
    ]
    context = {
        "draft": draft,
        "section": section,
        "comments": comments,
        "form": form,
        "honeypot": HONEYPOT_FIELD,
        "closed_reason": closed_reason,
        "posted": request.GET.get("posted", ""),
        "neighbours": _neighbours(draft, section),
    }
    return _keep_browser(render(request, "portal/legislation/article.html", context, status=status), bid, new)


def _neighbours(draft: Draft, section: Section | None) -> dict[str, Section | None]:
    if section is None:
        return {"previous": None, "next": None}
    articles = sel.articles_of(draft)
    return {
        "previous": articles.filter(order__lt=section.order).order_by("-order").first(),
        "next": articles.filter(order__gt=section.order).first(),
    }


@require_http_methods(["GET", "POST"])
def law_article(request: HttpRequest, pk: int, section_id: int) -> HttpResponse:
    draft = _draft(pk)
    section = draft.sections.filter(pk=section_id).first()
    if section is None:
        raise Http404("草案中没有该条文")
    return _comment_page(request, draft, section)


@require_http_methods(["GET", "POST"])
def law_general(request: HttpRequest, pk: int) -> HttpResponse:
    return _comment_page(request, _draft(pk), None)


@require_POST
def law_support(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = Comment.objects.select_related("draft").filter(pk=comment_id).first()
    if comment is None:
        raise Http404("未找到该意见")
    bid, new = _browser(request)
    target = reverse("portal:law_general", args=[comment.draft_id])
    if comment.section_id:
        target = reverse("portal:law_article", args=[comment.draft_id, comment.section_id])
    try:
        rate_limit("rate_ip", client_ip(request))
        added = comment_support(comment=comment, voter=_participant(bid))
    except NotFound as error:
        raise Http404(error.message) from error
    except DomainError as error:
        return HttpResponse(
            error.message, status=429 if error.code == "rate_limited" else 400, content_type="text/plain; charset=utf-8"
        )
    return _keep_browser(redirect(f"{target}?supported={int(added)}#comment-{comment.pk}"), bid, new)


@public_page
def law_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(pk)
    if draft.status != DraftStatus.PASSED:
        raise Http404("法规通过后公开反馈")
    return render(
        request,
        "portal/legislation/feedback.html",
        {"draft": draft, "rows": sel.feedback_rows(draft=draft), "totals": sel.draft_totals(draft=draft)},
    )


urlpatterns = [
    path("", law_list, name="laws"),
    path("<int:pk>/", law_draft, name="law_draft"),
    path("<int:pk>/articles/<int:section_id>/", law_article, name="law_article"),
    path("<int:pk>/general/", law_general, name="law_general"),
    path("<int:pk>/feedback/", law_feedback, name="law_feedback"),
    path("comments/<int:comment_id>/support/", law_support, name="law_support"),
]
