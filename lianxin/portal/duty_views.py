"""Voters evaluate a deputy's 述职 (/duties/evaluate/<code>/, the code in the meeting's QR) with the public opinion
form's protections: a rate limit per address, the honeypot, the one-time arithmetic question, and the form's token
so that a double tap is one evaluation. A browser that evaluated a deputy at a meeting is told so the next time
(a signed cookie; it stops a second vote by mistake, not a determined one — the rate limit does that)."""

import secrets

from django import forms
from django.core.cache import caches
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from lianxin.core.errors import DomainError
from lianxin.core.ratelimit import ALIAS
from lianxin.duties.record import ReportMeeting, report_for_evaluation
from lianxin.duties.services import voter_evaluation_submit
from lianxin.publicweb.abuse import (
    CAPTCHA_MAX_AGE,
    HONEYPOT_FIELD,
    captcha_check,
    captcha_new,
    captcha_refresh,
    client_ip,
    honeypot_check,
    rate_limit,
)

RATING_CHOICES = [("satisfied", "满意"), ("basic", "基本满意"), ("unsatisfied", "不满意")]
COOKIE = "lx_evaluated"
COOKIE_SALT = "lianxin.portal.duty_evaluation"
COOKIE_AGE = 90 * 24 * 3600


class EvaluationForm(forms.Form):
    deputy = forms.TypedChoiceField(label="述职的代表", coerce=int, widget=forms.RadioSelect)
    rating = forms.ChoiceField(label="您对代表的履职满意吗？", choices=RATING_CHOICES, widget=forms.RadioSelect)
    comment = forms.CharField(
        label="意见和建议（可不填）", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    captcha = forms.CharField(label="验证题", max_length=4, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    captcha_token = forms.CharField(widget=forms.HiddenInput)
    form_token = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, meeting: ReportMeeting, captcha_question: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        deputy = self.fields["deputy"]
        assert isinstance(deputy, forms.TypedChoiceField)
        deputy.choices = [(d.pk, d.name) for d in meeting.deputies]
        if len(meeting.deputies) == 1:
            self.fields["deputy"].initial = meeting.deputies[0].pk
        self.fields["captcha"].label = f"验证题：{captcha_question}" if captcha_question else "验证题"
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            label="网址（请勿填写）",
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )


def _evaluated(request: HttpRequest) -> set[str]:
    value = request.get_signed_cookie(COOKIE, default="", salt=COOKIE_SALT, max_age=COOKIE_AGE) or ""
    return set(value.split(",")) - {""}


def _key(activity_id: int, deputy_id: int) -> str:
    return f"{activity_id}:{deputy_id}"


@never_cache
@require_http_methods(["GET", "POST"])
def evaluate(request: HttpRequest, code: str) -> HttpResponse:
    meeting = report_for_evaluation(code=code)
    if meeting is None:
        raise Http404("评议码无效：请扫描述职会现场的二维码")
    activity, status = meeting.activity, 200
    done = _evaluated(request)
    if request.method == "POST":
        form = EvaluationForm(request.POST, meeting=meeting)
        if form.is_valid():
            data = form.cleaned_data
            store, token_key = caches[ALIAS], f"portal:evaluation:{data['form_token']}"
            if not store.add(token_key, 1, CAPTCHA_MAX_AGE):  # the same form posted twice: one evaluation
                return _thanks(request, meeting, done)
            try:
                if _key(activity.pk, data["deputy"]) in done:
                    raise DomainError("already_evaluated", "您已评议过这位代表的本次述职", field="deputy")
                rate_limit("evaluate_ip", client_ip(request))
                honeypot_check(data.get(HONEYPOT_FIELD, ""))
                captcha_check(token=data["captcha_token"], answer=data["captcha"], form_token=data["form_token"])
                evaluation = voter_evaluation_submit(
                    code=code, deputy_id=data["deputy"], rating=data["rating"], comment=data["comment"]
                )
            except DomainError as error:
                store.delete(token_key)  # the form may be sent again once corrected
                shown = error.field in form.fields and not form.fields[error.field].widget.is_hidden
                form.add_error(error.field if shown else None, error.message)
                status = 429 if error.code == "rate_limited" else 400
            else:
                done.add(_key(activity.pk, evaluation.deputy_id))
                return _thanks(request, meeting, done)
        else:
            status = 400
        captcha_refresh(form, request.POST)
    else:
        captcha = captcha_new()
        form = EvaluationForm(
            meeting=meeting,
            initial={"form_token": secrets.token_urlsafe(24), "captcha_token": captcha.token},
            captcha_question=captcha.question,
        )
    evaluated = [d for d in meeting.deputies if _key(activity.pk, d.pk) in done]
    return render(
        request,
        "portal/duties/evaluate.html",
        {"meeting": meeting, "activity": activity, "form": form, "honeypot": HONEYPOT_FIELD, "evaluated": evaluated},
        status=status,
    )


def _thanks(request: HttpRequest, meeting: ReportMeeting, done: set[str]) -> HttpResponse:
    activity = meeting.activity
    remaining = [d for d in meeting.deputies if _key(activity.pk, d.pk) not in done]
    response = render(
        request, "portal/duties/evaluated.html", {"meeting": meeting, "activity": activity, "remaining": remaining}
    )
    response.set_signed_cookie(
        COOKIE,
        ",".join(sorted(done)),
        salt=COOKIE_SALT,
        max_age=COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response
