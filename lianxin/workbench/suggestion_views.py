"""The deputy's phone pages for suggestions and bills (代表建议、议案): my suggestions, drafting (from citizens' cases
too), co-signers, submitting, the units' replies and the deputy's rating.

Every change goes through the suggestions app: `suggestion_draft_create`, `suggestion_source_add`,
`suggestion_attachment_add` and, for everything that moves a suggestion along, `suggestion_transition`. A page shows
only the deputy's own suggestions and those they were invited to co-sign; any other id is a 404.
"""

import secrets
from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from lianxin.accounts.actors import account_of
from lianxin.cases.models import OPEN_STATUSES, Case
from lianxin.cases.redaction import redact
from lianxin.core.errors import DomainError
from lianxin.core.uploads import body_limit
from lianxin.deputies.models import Deputy
from lianxin.suggestions.models import (
    Attachment,
    Field,
    Kind,
    Rating,
    Session,
    SignStatus,
    SourceKind,
    Status,
    Suggestion,
    UnitAssignment,
    UnitRole,
)
from lianxin.suggestions.rules import rules_for
from lianxin.suggestions.selectors import invitations_of_user, sessions_for_deputy, suggestion_list_visible_to
from lianxin.suggestions.services import (
    ATTACHMENT_MAX_BYTES,
    suggestion_attachment_add,
    suggestion_draft_create,
    suggestion_source_add,
)
from lianxin.suggestions.steps import serving_deputies, signer_count
from lianxin.suggestions.workflow import Action, SuggestionConflict, available_actions, suggestion_transition
from lianxin.workbench.views import deputy_required

# What a deputy finds in the textarea when they start (templates per kind): an outline, not a text.
OUTLINES = {
    Kind.SUGGESTION: {
        "content": "一、建议事项\n1. \n2. \n\n二、建议承办单位\n\n三、预期效果\n",
        "draft_resolution": "",
    },
    Kind.BILL: {
        "content": "一、提出议案的必要性\n\n二、可行性分析\n\n三、议案的主要内容\n1. \n2. \n",
        "draft_resolution": "关于……的决定（草案）\n\n第一条 \n第二条 \n第三条 本决定自公布之日起施行。\n",
    },
}
# The deputy's own steps that are a single button on the suggestion's page (with a note, or a consent).
BUTTONS = (Action.SUBMIT, Action.RESUBMIT, Action.SIGN, Action.DECLINE_SIGN, Action.CONVERT, Action.WITHDRAW)
EVENT_LABELS = {
    **dict(Action.choices),
    "create": "起草",
    "source_add": "添加来源",
    "attachment_add": "添加附件",
    "overdue": "超期",
}
QUIET = (Action.CONVERT, Action.WITHDRAW, Action.DECLINE_SIGN)
MAX_FILE_FORM_BYTES = ATTACHMENT_MAX_BYTES + 1024 * 1024
SEARCH_LIMIT = 30


# --- forms ----------------------------------------------------------------------------------------------------------


class TextsForm(forms.Form):
    """What the deputy writes: shared by a new draft and an edit."""

    field = forms.ChoiceField(label="领域", choices=Field.choices, initial=Field.OTHER)
    title = forms.CharField(label="标题", max_length=120)
    reasons = forms.CharField(
        label="案由（问题和原因）", required=False, widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )
    content = forms.CharField(
        label="建议内容（具体怎么办）", required=False, widget=forms.Textarea(attrs={"rows": 8}), max_length=20000
    )
    draft_resolution = forms.CharField(
        label="议案草案（议案须附）", required=False, widget=forms.Textarea(attrs={"rows": 8}), max_length=50000
    )
    public_consent = forms.BooleanField(label="同意在门户网站公开本件及答复（个人信息将隐去）", required=False)
    case_ids = forms.TypedMultipleChoiceField(
        label="来源于群众意见（可多选）", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, cases: Sequence[Case] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_ids"].choices = [  # type: ignore[attr-defined]
            (c.pk, f"{c.title}（{c.get_status_display()} · {c.registered_at:%m-%d}）") for c in cases
        ]


class DraftForm(TextsForm):
    session = forms.TypedChoiceField(label="会议", coerce=int)
    kind = forms.ChoiceField(label="类型", choices=Kind.choices, widget=forms.RadioSelect, initial=Kind.SUGGESTION)
    client_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    field_order = ["session", "kind", "field", "title", "reasons", "content", "draft_resolution", "case_ids"]

    def __init__(self, *args: Any, sessions: Sequence[Session] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [(x.pk, x.name) for x in sessions]  # type: ignore[attr-defined]


class EditForm(TextsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class StepForm(forms.Form):
    """One button of the suggestion's page; `suggestion_transition` checks everything again."""

    action = forms.ChoiceField(choices=[(a, a) for a in BUTTONS], widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label="说明（可选）", required=False, max_length=2000)
    deputy_consent = forms.BooleanField(label="我同意将本议案转为建议", required=False)


class RateForm(forms.Form):
    assignment = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    rating = forms.ChoiceField(label="评价", choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label="评价意见（不满意时必填）", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SourceForm(forms.Form):
    kind = forms.ChoiceField(label="来源", choices=SourceKind.choices, initial=SourceKind.RESEARCH)
    title = forms.CharField(label="名称", max_length=200, help_text="如：城东片区道路状况调研")
    happened_on = forms.DateField(label="日期（可选）", required=False, widget=forms.DateInput(attrs={"type": "date"}))


class AttachmentForm(forms.Form):
    file = forms.FileField(label="附件（PDF、Word、Excel 或图片，20 MB 以内）")


class InviteForm(forms.Form):
    deputies = forms.TypedMultipleChoiceField(label="选择代表", coerce=int, widget=forms.CheckboxSelectMultiple)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, candidates: Sequence[Deputy] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deputies"].choices = [(d.pk, d.name) for d in candidates]  # type: ignore[attr-defined]


# --- reads ----------------------------------------------------------------------------------------------------------


def _mine(request: HttpRequest) -> Any:
    """The deputy's suggestions: those they lead and those they were invited to co-sign (staff rights that the
    same account may hold elsewhere do not widen these pages)."""
    deputy = request.deputy  # type: ignore[attr-defined]
    return suggestion_list_visible_to(user=request.user, deputy=deputy.pk)


def _suggestion_or_404(request: HttpRequest, suggestion_id: int) -> Suggestion:
    found = _mine(request).filter(pk=suggestion_id).first()
    if found is None:
        raise Http404("未找到该建议，或不是您领衔、附议的建议")
    return found


def _my_cases(request: HttpRequest, keep: Sequence[int] = ()) -> list[Case]:
    """The cases a draft may grow from: the deputy's open ones, and those it already names."""
    rows = Case.objects.visible_to(request.user).filter(
        Q(deputy__user=request.user, status__in=OPEN_STATUSES) | Q(pk__in=list(keep))
    )
    return list(rows.select_related("region").order_by("-registered_at", "-id")[:50])


def _prefill(kind: str, cases: list[Case]) -> dict[str, str]:
    """Title and 案由 from the citizens' cases, without their names and numbers (cases.redaction)."""
    name = Kind(kind).label
    out = dict(OUTLINES[Kind(kind)])
    if not cases:
        return out
    first = cases[0].title.rstrip("。！？!?.")
    more = "等问题" if len(cases) > 1 else ""
    out["title"] = f"关于{first}{more}的{name}"[:120]
    lines = ["群众反映："]
    for i, case in enumerate(cases, start=1):
        lines.append(f"{i}. {redact(case.body, case)}（{case.region.name}，{case.registered_at:%Y年%m月%d日}）")
    out["reasons"] = "\n".join(lines)
    return out


def _unit_parts(suggestion: Suggestion, actor: Any) -> list[dict[str, Any]]:
    """The units' parts the deputy sees: each lead unit's reply (and its first reply when re-handled), the
    contacts the unit recorded, the rating form when the deputy may rate it; co-units by name."""
    parts = []
    rows = suggestion.units.filter(is_active=True).select_related("unit").prefetch_related("contacts")
    for a in rows.order_by("role", "id"):
        rate = Action.RATE in available_actions(suggestion=suggestion, actor=actor, assignment=a)
        parts.append(
            {
                "a": a,
                "is_lead": a.role == UnitRole.LEAD,
                "contacts": list(a.contacts.all()),
                "can_rate": rate,
                "form": RateForm(initial={"assignment": a.pk, "version": suggestion.version}, prefix=f"rate{a.pk}"),
            }
        )
    return parts


# --- pages ----------------------------------------------------------------------------------------------------------


@deputy_required
def suggestion_list(request: HttpRequest) -> HttpResponse:
    """我的建议: invitations to co-sign on top, then those I lead, then those I co-sign."""
    deputy = request.deputy  # type: ignore[attr-defined]
    rows = list(_mine(request).order_by("-created_at", "-id"))
    invitations = list(invitations_of_user(user=request.user).filter(status=SignStatus.INVITED))
    invited_ids = {i.suggestion_id for i in invitations}
    return render(
        request,
        "workbench/suggestions/list.html",
        {
            "invitations": invitations,
            "own": [x for x in rows if x.lead_deputy_id == deputy.pk],
            "co_signed": [x for x in rows if x.lead_deputy_id != deputy.pk and x.pk not in invited_ids],
            "can_draft": sessions_for_deputy(deputy=deputy).exists(),
            "to_rate": set(
                UnitAssignment.objects.filter(
                    suggestion__in=[x for x in rows if x.status == Status.REPLIED and x.lead_deputy_id == deputy.pk],
                    is_active=True,
                    role=UnitRole.LEAD,
                    replied_at__isnull=False,
                    rating="",
                ).values_list("suggestion_id", flat=True)
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@deputy_required
def suggestion_new(request: HttpRequest) -> HttpResponse:
    """A new draft: the session, the kind's outline, and (from the case page or the picker) citizens' cases."""
    deputy = request.deputy  # type: ignore[attr-defined]
    sessions = list(sessions_for_deputy(deputy=deputy))
    if request.method == "POST":
        picked = _int_list(request.POST.getlist("case_ids"))
        form = DraftForm(request.POST, sessions=sessions, cases=_my_cases(request, picked))
        if form.is_valid():
            data = form.cleaned_data
            session = next(x for x in sessions if x.pk == data["session"])
            try:
                draft = suggestion_draft_create(
                    actor=account_of(request),
                    session=session,
                    title=data["title"],
                    reasons=data["reasons"],
                    content=data["content"],
                    kind=data["kind"],
                    field=data["field"],
                    draft_resolution=data["draft_resolution"] if data["kind"] == Kind.BILL else "",
                    case_ids=data["case_ids"],
                    public_consent=data["public_consent"],
                    client_key=data["client_key"],
                )
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(request, "草稿已保存。可以继续添加附件、邀请代表附议，或直接提交")
                return redirect("workbench:suggestion", suggestion_id=draft.pk)
        return render(request, "workbench/suggestions/new.html", _new_context(form, sessions), status=400)
    kind = str(request.GET.get("kind")) if request.GET.get("kind") in Kind.values else Kind.SUGGESTION
    picked = _int_list(request.GET.getlist("case"))
    cases = _my_cases(request, picked)
    chosen = sorted((c for c in cases if c.pk in picked), key=lambda c: picked.index(c.pk))  # in the order picked
    initial = {
        "kind": kind,
        "session": sessions[0].pk if sessions else None,
        "case_ids": [c.pk for c in chosen],
        "client_key": secrets.token_urlsafe(24),  # a double tap sends the same key: one draft
        **_prefill(kind, chosen),
    }
    form = DraftForm(initial=initial, sessions=sessions, cases=cases)
    return render(request, "workbench/suggestions/new.html", _new_context(form, sessions, picked))


def _new_context(form: DraftForm, sessions: list[Session], picked: Sequence[int] = ()) -> dict[str, Any]:
    return {"form": form, "sessions": sessions, "picked": picked, "kinds": Kind.choices}


def _int_list(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


def _form_error(form: forms.Form, error: DomainError) -> None:
    """The domain's message next to its field (the form's top when the field is not on it)."""
    shown = error.field in form.fields and not form.fields[error.field].widget.is_hidden
    form.add_error(error.field if shown else None, error.message)


@deputy_required
def suggestion_detail(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    suggestion = _suggestion_or_404(request, suggestion_id)
    return _detail(request, suggestion)


def _detail(
    request: HttpRequest,
    suggestion: Suggestion,
    *,
    step_error: tuple[str, DomainError] | None = None,
    rate_form: RateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = account_of(request)
    deputy = request.deputy  # type: ignore[attr-defined]
    allowed = available_actions(suggestion=suggestion, actor=actor)
    buttons = []
    for action in BUTTONS:
        if action in allowed and (action != Action.CONVERT or suggestion.kind == Kind.BILL):
            error = step_error[1].message if step_error and step_error[0] == action else ""
            quiet = action in QUIET  # a step one does not take by a slip of the thumb
            buttons.append({"action": action, "label": Action(action).label, "error": error, "quiet": quiet})
    parts = _unit_parts(suggestion, actor)
    if rate_form is not None:
        for part in parts:
            if part["form"].prefix == rate_form.prefix:
                part["form"] = rate_form
    mine = suggestion.co_signers.filter(deputy=deputy).first()
    return render(
        request,
        "workbench/suggestions/detail.html",
        {
            "s": suggestion,
            "is_lead": suggestion.lead_deputy_id == deputy.pk,
            "my_invitation": mine,
            "can_edit": Action.EDIT in allowed,
            "can_invite": Action.INVITE in allowed,
            "can_add": suggestion.lead_deputy_id == deputy.pk
            and suggestion.status in (Status.DRAFT, Status.COLLECTING, Status.RETURNED),
            "buttons": buttons,
            "step_error": step_error[1].message
            if step_error and step_error[0] not in [b["action"] for b in buttons]
            else "",
            "co_signers": list(suggestion.co_signers.select_related("deputy")),
            "signers": signer_count(suggestion),
            "need_signers": rules_for(suggestion).bill_min_co_signers
            if suggestion.kind == Kind.BILL and suggestion.status in (Status.DRAFT, Status.COLLECTING)
            else 0,
            "cases": list(Case.objects.visible_to(request.user).filter(suggestions=suggestion).order_by("id")),
            "sources": list(suggestion.sources.all()),
            "attachments": list(suggestion.attachments.all()),
            "versions": list(suggestion.versions.order_by("-number")),
            "parts": parts,
            "source_form": SourceForm(),
            "attachment_form": AttachmentForm(),
            "events": _timeline(suggestion),
        },
        status=status,
    )


def _timeline(suggestion: Suggestion) -> list[tuple[Any, str, str]]:
    """(event, who, what): a deputy who signed or declined reads as 「姓名代表」, not as their account."""
    events = list(suggestion.events.order_by("created_at", "id"))
    users = {e.actor_id for e in events if e.actor_id}
    deputies = dict(Deputy.objects.filter(user_id__in=users).values_list("user_id", "name"))
    return [
        (
            e,
            f"{deputies[e.actor_id]}代表" if e.actor_id in deputies else e.actor_label,
            EVENT_LABELS.get(e.action, e.action),
        )
        for e in events
    ]


@require_POST
@deputy_required
def suggestion_act(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    """A button of the suggestion's page (submit, sign, convert, withdraw …) or a rating of a unit's reply."""
    suggestion = _suggestion_or_404(request, suggestion_id)
    if request.POST.get("form", "").startswith("rate"):
        return _rate(request, suggestion, prefix=request.POST["form"])
    form = StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, "提交的内容有误，请刷新页面后重试")
        return redirect("workbench:suggestion", suggestion_id=suggestion.pk)
    action = form.cleaned_data["action"]
    params: dict[str, Any] = {}
    if action == Action.CONVERT:
        if not form.cleaned_data["deputy_consent"]:
            error = DomainError("deputy_consent_required", "领衔代表同意: 请勾选同意转为建议", field="deputy_consent")
            return _detail(request, suggestion, step_error=(action, error), status=400)
        params["deputy_consent"] = True
    return _transition(request, suggestion, action, form.cleaned_data["version"], form.cleaned_data["note"], params)


def _transition(
    request: HttpRequest, suggestion: Suggestion, action: str, version: int, note: str, params: dict[str, Any]
) -> HttpResponse:
    try:
        suggestion_transition(
            suggestion=suggestion,
            action=action,
            actor=account_of(request),
            note=note,
            params=params,
            expected_version=version,
        )
    except SuggestionConflict as error:
        if _just_did(request, suggestion, action):  # a double tap: the first tap did it
            messages.success(request, _done(action, suggestion))
        else:
            messages.error(request, error.message)
    except DomainError as error:
        if error.status == 404:
            raise Http404(error.message) from error
        fresh = _suggestion_or_404(request, suggestion.pk)
        return _detail(request, fresh, step_error=(action, error), status=error.status)
    else:
        messages.success(request, _done(action, suggestion))
    return redirect("workbench:suggestion", suggestion_id=suggestion.pk)


def _just_did(request: HttpRequest, suggestion: Suggestion, action: str) -> bool:
    last = suggestion.events.order_by("-created_at", "-id").first()
    return last is not None and last.action == action and last.actor_id == request.user.pk


def _done(action: str, suggestion: Suggestion) -> str:
    if action in (Action.SUBMIT, Action.RESUBMIT):
        return "已提交，等待人大工作人员预审"
    if action == Action.SIGN:
        return "已附议"
    if action == Action.CONVERT:
        return "已转为建议"
    return f"已{Action(action).label}"


def _rate(request: HttpRequest, suggestion: Suggestion, *, prefix: str) -> HttpResponse:
    form = RateForm(request.POST, prefix=prefix)
    if not form.is_valid():
        return _detail(request, suggestion, rate_form=form, status=400)
    data = form.cleaned_data
    params = {"assignment": data["assignment"], "rating": data["rating"], "comment": data["comment"]}
    try:
        suggestion_transition(
            suggestion=suggestion,
            action=Action.RATE,
            actor=account_of(request),
            params=params,
            expected_version=data["version"],
        )
    except SuggestionConflict as error:
        messages.error(request, error.message)
    except DomainError as error:
        if error.status == 404:
            raise Http404(error.message) from error
        _form_error(form, error)
        return _detail(request, _suggestion_or_404(request, suggestion.pk), rate_form=form, status=error.status)
    else:
        if data["rating"] == Rating.UNSATISFIED and not _rated(data["assignment"]):
            messages.success(request, "已评价为不满意，承办单位将重新办理并再次答复")
        else:
            messages.success(request, f"已评价：{Rating(data['rating']).label}")
    return redirect("workbench:suggestion", suggestion_id=suggestion.pk)


def _rated(assignment_id: int) -> bool:
    return UnitAssignment.objects.filter(pk=assignment_id).exclude(rating="").exists()


@require_http_methods(["GET", "POST"])
@deputy_required
def suggestion_edit(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    """修改: while a draft or returned for revision (the workflow's edit)."""
    suggestion = _suggestion_or_404(request, suggestion_id)
    if Action.EDIT not in available_actions(suggestion=suggestion, actor=account_of(request)):
        messages.error(request, f"当前状态“{suggestion.get_status_display()}”下不能修改")
        return redirect("workbench:suggestion", suggestion_id=suggestion.pk)
    linked = list(suggestion.cases.values_list("pk", flat=True))
    if request.method == "POST":
        form = EditForm(request.POST, cases=_my_cases(request, linked + _int_list(request.POST.getlist("case_ids"))))
        if form.is_valid():
            data = form.cleaned_data
            params = {name: data[name] for name in ("title", "reasons", "content", "field", "public_consent")}
            params["case_ids"] = data["case_ids"]
            if suggestion.kind == Kind.BILL:
                params["draft_resolution"] = data["draft_resolution"]
            try:
                suggestion_transition(
                    suggestion=suggestion,
                    action=Action.EDIT,
                    actor=account_of(request),
                    params=params,
                    expected_version=data["version"],
                )
            except SuggestionConflict as error:
                form.add_error(None, error.message)
            except DomainError as error:
                _form_error(form, error)
            else:
                messages.success(request, "已保存修改")
                return redirect("workbench:suggestion", suggestion_id=suggestion.pk)
        status = 400
    else:
        fields = ("title", "reasons", "content", "draft_resolution", "field", "public_consent")
        initial = {name: getattr(suggestion, name) for name in fields}
        form = EditForm(
            initial={**initial, "case_ids": linked, "version": suggestion.version}, cases=_my_cases(request, linked)
        )
        status = 200
    return render(request, "workbench/suggestions/edit.html", {"s": suggestion, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
@deputy_required
def suggestion_invite(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    """邀请附议: search the serving deputies of the suggestion's congress by name, invite, see who signed."""
    suggestion = _suggestion_or_404(request, suggestion_id)
    if Action.INVITE not in available_actions(suggestion=suggestion, actor=account_of(request)):
        messages.error(request, f"当前状态“{suggestion.get_status_display()}”下不能邀请附议")
        return redirect("workbench:suggestion", suggestion_id=suggestion.pk)
    q = (request.GET.get("q") or "").strip()[:20]
    taken = set(suggestion.co_signers.values_list("deputy_id", flat=True)) | {suggestion.lead_deputy_id or 0}
    pool = serving_deputies(suggestion)
    if request.method == "POST":
        candidates = list(pool.filter(pk__in=_int_list(request.POST.getlist("deputies"))))
        form = InviteForm(request.POST, candidates=candidates)
        if form.is_valid():
            try:
                suggestion_transition(
                    suggestion=suggestion,
                    action=Action.INVITE,
                    actor=account_of(request),
                    params={"deputies": form.cleaned_data["deputies"]},
                    expected_version=form.cleaned_data["version"],
                )
            except SuggestionConflict as error:
                form.add_error(None, error.message)
            except DomainError as error:
                _form_error(form, error)
            else:
                names = "、".join(d.name for d in candidates)
                messages.success(request, f"已邀请{names}附议，对方将在工作台收到邀请")
                return redirect("workbench:suggestion_invite", suggestion_id=suggestion.pk)
        status = 400
    else:
        found: list[Deputy] = []
        if q:
            found = list(pool.filter(name__contains=q).exclude(pk__in=taken).order_by("name")[:SEARCH_LIMIT])
        form = InviteForm(initial={"version": suggestion.version}, candidates=found)
        status = 200
    return render(
        request,
        "workbench/suggestions/invite.html",
        {
            "s": suggestion,
            "q": q,
            "form": form,
            "co_signers": list(suggestion.co_signers.select_related("deputy")),
            "signed": 1 + sum(1 for c in suggestion.co_signers.all() if c.status == SignStatus.SIGNED),
        },
        status=status,
    )


@require_POST
@body_limit(MAX_FILE_FORM_BYTES)
@deputy_required
def suggestion_attach(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    suggestion = _suggestion_or_404(request, suggestion_id)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = suggestion_attachment_add(
                actor=account_of(request), suggestion=suggestion, upload=form.cleaned_data["file"]
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, f"已添加附件：{attachment.name}")
            return redirect("workbench:suggestion", suggestion_id=suggestion.pk)
    messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors) or "请选择文件")
    return redirect("workbench:suggestion", suggestion_id=suggestion.pk)


@require_POST
@deputy_required
def suggestion_source(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    """培训、调研: a line naming the activity or research the suggestion grew from."""
    suggestion = _suggestion_or_404(request, suggestion_id)
    form = SourceForm(request.POST)
    if form.is_valid():
        try:
            suggestion_source_add(actor=account_of(request), suggestion=suggestion, **form.cleaned_data)
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, "已添加来源")
            return redirect("workbench:suggestion", suggestion_id=suggestion.pk)
    labels = {name: field.label for name, field in form.fields.items()}
    text = "；".join(
        f"{labels.get(k, '')}: {e}" if k != "__all__" else str(e) for k, v in form.errors.items() for e in v
    )
    messages.error(request, text)
    return redirect("workbench:suggestion", suggestion_id=suggestion.pk)


@deputy_required
def suggestion_file(request: HttpRequest, suggestion_id: int, kind: str, file_id: int) -> FileResponse:
    """An attachment or a unit's reply letter. Never a public /media/ URL."""
    suggestion = _suggestion_or_404(request, suggestion_id)
    if kind == "attachment":
        row = Attachment.objects.filter(suggestion=suggestion, pk=file_id).first()
        file, name = (row.file, row.name) if row is not None else (None, "")
    else:
        part = suggestion.units.filter(pk=file_id, is_active=True, role=UnitRole.LEAD).exclude(reply_file="").first()
        if part is not None and part.replied_at is None:
            part = None  # a re-handled reply's letter is replaced by the next one
        file, name = (
            (part.reply_file, (part.reply_file.name or "").rsplit("/", 1)[-1]) if part is not None else (None, "")
        )
    if not file:
        raise Http404("未找到该文件")
    response = FileResponse(file.open("rb"), as_attachment=False, filename=name)
    response["Cache-Control"] = "private, max-age=600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
