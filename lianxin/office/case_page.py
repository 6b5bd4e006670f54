"""The case page of the office (issue 15): what a clerk needs to handle one case, on one page.

The facts and deadlines, the text and the citizen's photos, the person's contacts (masked unless the user may see
them), the timeline in Chinese, the grid workers' follow-up notes (网格员跟进), the router's proposal and the cases
that probably repeat this one; then one small form per action this user may take now. Which actions those are is
the workflow's answer (`available_actions`), never decided here; a form only collects its action's own fields and
posts them to `case_transition` with the version it was shown, so of two clerks acting at once one is told the
other came first.
A refusal is shown beside the form that was posted; a success redirects back to the page (POST-redirect-GET).
"""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.accounts.actors import account_of
from lianxin.cases.deadlines import limits_for, step_deadline
from lianxin.cases.models import Case, CaseEvent, Rating, Scope, Status, Urgency
from lianxin.cases.photos import attachment_response, is_image
from lianxin.cases.selectors import (
    attachment_get_visible_to,
    attachments_visible_to,
    case_contact_visible,
    case_events_visible_to,
    case_follow_ups_visible_to,
    case_get_visible_to,
    case_list_visible_to,
    category_list,
    unit_list_visible_to,
)
from lianxin.cases.services import unit_propose
from lianxin.cases.workflow import MASTER_STATUSES, Action, available_actions, case_transition
from lianxin.core.errors import DomainError, NotFound
from lianxin.core.masking import mask_phone
from lianxin.office.access import office_required
from lianxin.routing.models import Proposal
from lianxin.routing.selectors import MERGEABLE, Duplicate, duplicates_of_visible_to, proposal_list_visible_to
from lianxin.workdays.calendar import CHINA, workdays_between

# Below this similarity a candidate is noise, not a duplicate. The score is the duplicate index's cosine of
# IDF-weighted character 2-grams (lianxin/routing/duplicates.py). Measured on the 210 hand-labelled pairs of
# hot_issues.csv (lianxin/routing/tests/data/hotspot_pairs.csv, 122 the same problem), scored in an index of all
# 4,326 letters: at 0.17, 89 % of the pairs shown are the same problem and 93 % of the same-problem pairs are
# shown (F1 0.91, the best of 0.05-0.50); at 0.10 precision is 0.69, at 0.25 recall falls to 0.71. Among the top
# five candidates of 500 random letters, 70 % score below it (the median is 0.10): the 2-7 % rows the old panel
# showed are gone. test_case_page.py re-measures it on the same data.
DUPLICATE_MIN_SCORE = 0.17

# Events written outside the transitions table (registration, the deadline worker, a merge's master): their
# labels. The workflow's own actions are labelled by `Action`.
OTHER_EVENTS = {
    "register": "登记",
    "common": "改为普遍问题",
    "remind": "时限提醒",
    "overdue": "超期",
    "deadline": "时限调整",
}


def event_label(code: str) -> str:
    if code in Action.values:
        return str(Action(code).label)
    return OTHER_EVENTS.get(code, "办理记录")


def status_label(code: str) -> str:
    return str(Status(code).label) if code in Status.values else ""


# --- one form per action ----------------------------------------------------------------------------------------
# Fields are optional here: the workflow validates every input and its message names the field in Chinese, so the
# page says exactly what the API says.


class ActionForm(forms.Form):
    """The fields every action has: the case's version (optimistic locking) and a note."""

    note_label = "说明（选填）"
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, case: Case, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})["version"] = case.version
        super().__init__(*args, **kwargs)
        self.case, self.user = case, user
        self.fields["note"].label = self.note_label
        self.setup()

    def setup(self) -> None:
        """Choices and suggestions that depend on the case or the user."""

    def params(self) -> dict[str, Any]:
        return {}


def _text(widget_rows: int = 3) -> forms.CharField:
    return forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": widget_rows}))


class AcceptForm(ActionForm):
    category = forms.ModelChoiceField(label="类别", queryset=category_list(), required=False, empty_label="请选择")
    scope = forms.ChoiceField(label="问题性质", choices=Scope.choices, required=False)
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, required=False)

    def setup(self) -> None:
        proposal = _proposal(self.user, self.case)
        self.initial.setdefault("category", self.case.category_id or (proposal and proposal.category_id))
        self.initial.setdefault("scope", self.case.scope)
        self.initial.setdefault("urgency", self.case.urgency)
        if proposal is not None and proposal.category is not None and not self.case.category_id:
            self.fields[
                "category"
            ].help_text = f"分办建议：{proposal.category.name}（置信度 {proposal.confidence:.0%}）"

    def params(self) -> dict[str, Any]:
        data = self.cleaned_data
        category = data.get("category")
        return {"category": category.code if category else None, "scope": data["scope"], "urgency": data["urgency"]}


class ReplyForm(ActionForm):
    reply = forms.CharField(label="答复内容", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def params(self) -> dict[str, Any]:
        return {"reply": self.cleaned_data["reply"]}


class TransferForm(ActionForm):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label="承办单位", queryset=None, required=False, empty_label="请选择"
    )
    reply_days = forms.IntegerField(label="答复时限（工作日）", required=False, min_value=0, max_value=90)

    def setup(self) -> None:
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = unit_list_visible_to(user=self.user)
        proposed = unit_propose(category=self.case.category, region=self.case.region)
        routed = _proposal(self.user, self.case)
        first = routed.unit if routed is not None and routed.unit is not None else (proposed[0] if proposed else None)
        if first is not None:
            self.initial.setdefault("unit", first.pk)
        if proposed:
            unit_field.help_text = "建议：" + "、".join(u.name for u in proposed[:3])
        self.fields["reply_days"].help_text = f"留空按办理时限：{limits_for(self.case).reply_days} 个工作日"

    def params(self) -> dict[str, Any]:
        unit = self.cleaned_data.get("unit")
        return {"unit": unit.pk if unit else None, "reply_days": self.cleaned_data.get("reply_days")}


class ConvertForm(ActionForm):
    suggestion_ref = forms.CharField(label="代表建议编号（选填）", required=False, max_length=64)

    def params(self) -> dict[str, Any]:
        return {"suggestion_ref": self.cleaned_data["suggestion_ref"]}


class MergeForm(ActionForm):
    master = forms.CharField(
        label="主件查询码", required=False, max_length=16, help_text="须为已受理、尚未反馈的其他件"
    )

    def clean_master(self) -> int | None:
        code = self.cleaned_data["master"].strip().upper()
        if not code:
            return None
        found = case_list_visible_to(user=self.user, q=code).filter(receipt_code=code).first()
        if found is None:
            raise forms.ValidationError("普遍问题主件: 查询码不存在或不在您的管辖范围内")
        return found.pk

    def params(self) -> dict[str, Any]:
        return {"master": self.cleaned_data["master"]}


class DeclineForm(ActionForm):
    reason = forms.CharField(
        label="不予受理理由", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def params(self) -> dict[str, Any]:
        return {"reason": self.cleaned_data["reason"]}


class RateForm(ActionForm):
    rating = forms.ChoiceField(
        label="群众评价",
        choices=[(Rating.SATISFIED.value, Rating.SATISFIED.label), (Rating.BASICALLY.value, Rating.BASICALLY.label)],
        help_text="群众不满意时请用“重新办理”或“督办”",
        required=False,
    )
    comment = forms.CharField(label="评价意见（选填）", required=False, max_length=1000)

    def params(self) -> dict[str, Any]:
        return {"rating": self.cleaned_data["rating"], "comment": self.cleaned_data["comment"]}


class CommentForm(ActionForm):
    """重新办理 and 督办: the person's (or the supervisor's) words on why."""

    comment = forms.CharField(label="评价意见（选填）", required=False, max_length=1000)

    def params(self) -> dict[str, Any]:
        return {"comment": self.cleaned_data["comment"]}


class FeedBackForm(ActionForm):
    note_label = "反馈情况（如：已电话告知）"


class CloseForm(ActionForm):
    note_label = "说明（群众未评价时必填）"


class PublishForm(ActionForm):
    public_title = forms.CharField(label="公开标题（选填）", required=False, max_length=100)
    public_text = _text(4)

    def setup(self) -> None:
        self.fields["public_text"].label = "公开内容（选填）"
        self.fields["public_text"].help_text = "留空则用原文与答复，并自动去除个人信息"

    def params(self) -> dict[str, Any]:
        return {"public_title": self.cleaned_data["public_title"], "public_text": self.cleaned_data["public_text"]}


FORMS: dict[str, type[ActionForm]] = {
    Action.ACCEPT: AcceptForm,
    Action.ANSWER: ReplyForm,
    Action.COORDINATE: ActionForm,
    Action.TRANSFER: TransferForm,
    Action.CONVERT: ConvertForm,
    Action.MERGE: MergeForm,
    Action.DECLINE: DeclineForm,
    Action.REPLY: ReplyForm,
    Action.FEED_BACK: FeedBackForm,
    Action.RATE: RateForm,
    Action.REOPEN: CommentForm,
    Action.ESCALATE: CommentForm,
    Action.CLOSE: CloseForm,
    Action.PUBLISH: PublishForm,
}


def form_for(action: str, case: Case, user: Any, data: Any = None) -> ActionForm:
    # Several forms on one page have a `note` (and two a `reply`): ids carry the action so labels stay unique,
    # while the posted names stay plain.
    return FORMS[action](data, case=case, user=user, auto_id=f"{action}-%s")


# --- what the page shows ----------------------------------------------------------------------------------------


def _proposal(user: Any, case: Case) -> Proposal | None:
    """The router's proposal for the case, for those who may read routing (a unit's handler may not)."""
    # Read once per request: the page and two of its forms ask.
    if "_office_proposal" not in case.__dict__:
        try:
            case.__dict__["_office_proposal"] = proposal_list_visible_to(user=user).filter(case_id=case.pk).first()
        except DomainError:
            case.__dict__["_office_proposal"] = None
    return case.__dict__["_office_proposal"]


@dataclass
class DeadlineRow:
    label: str
    due: Any
    running: bool
    state: str  # "还剩 3 个工作日", "今天到期", "已超期 2 个工作日", "" when not running
    late: bool


def deadline_rows(case: Case) -> list[DeadlineRow]:
    """The case's deadlines; the one the case waits for now says how many working days are left or late."""
    running = step_deadline(case.status)
    today = timezone.localdate(timezone=CHINA)
    rows = []
    for field, label in (("accept_due", "受理时限"), ("reply_due", "答复时限"), ("feedback_due", "反馈时限")):
        due = getattr(case, field)
        if due is None:
            continue
        is_running = running is not None and running.field == field
        state, late = "", False
        if is_running:
            day = timezone.localtime(due, CHINA).date()
            if day < today or timezone.now() > due:
                state, late = f"已超期 {max(workdays_between(day, today), 1)} 个工作日", True
            elif day == today:
                state = "今天到期"
            else:
                state = f"还剩 {workdays_between(today, day)} 个工作日"
        rows.append(DeadlineRow(label, due, is_running, state, late))
    return rows


@dataclass
class TimelineRow:
    event: CaseEvent
    label: str
    from_label: str
    to_label: str


def timeline(user: Any, case: Case) -> list[TimelineRow]:
    return [
        TimelineRow(e, event_label(e.action), status_label(e.from_status), status_label(e.to_status))
        for e in case_events_visible_to(user=user, case_id=case.pk)
    ]


def duplicates(user: Any, case: Case) -> list[Duplicate]:
    """The open cases that probably repeat this one, while it can still be merged; noise below the threshold
    is left out."""
    if case.status not in MERGEABLE:
        return []
    return [d for d in duplicates_of_visible_to(user=user, case=case) if d.score >= DUPLICATE_MIN_SCORE]


def _mask_name(name: str) -> str:
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def contact(user: Any, case: Case) -> dict[str, Any]:
    if case.is_anonymous:
        return {"anonymous": True}
    if case_contact_visible(user=user, case=case):
        return {"visible": True, "name": case.person_name, "phone": case.person_phone}
    return {"visible": False, "name": _mask_name(case.person_name), "phone": mask_phone(case.person_phone)}


@dataclass
class ActionBlock:
    action: str
    label: str
    form: ActionForm
    error: str = ""


def _case_or_404(request: HttpRequest, pk: int) -> Case:
    try:
        return case_get_visible_to(user=request.user, case_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _render(request: HttpRequest, case: Case, *, posted: ActionBlock | None = None, status: int = 200) -> HttpResponse:
    blocks = []
    actions = available_actions(case=case, actor=account_of(request))
    for action in actions:
        if posted is not None and posted.action == action:
            blocks.append(posted)
        elif action in FORMS:
            blocks.append(ActionBlock(action, str(Action(action).label), form_for(action, case, request.user)))
    # A refusal of an action no longer offered (the case moved on meanwhile) is said at the top of the page.
    page_error = posted.error if posted is not None and posted.action not in actions else ""
    attachments = list(attachments_visible_to(user=request.user, case_id=case.pk))
    context = {
        "case": case,
        "contact": contact(request.user, case),
        "deadlines": deadline_rows(case),
        "photos": [a for a in attachments if is_image(a)],
        "files": [a for a in attachments if not is_image(a)],
        "attachment_count": len(attachments),
        "timeline": timeline(request.user, case),
        "follow_ups": list(case_follow_ups_visible_to(user=request.user, case_id=case.pk)),
        "proposal": _proposal(request.user, case),
        "duplicates": duplicates(request.user, case),
        "duplicate_min_score": DUPLICATE_MIN_SCORE,
        "can_merge": Action.MERGE in actions,
        "master_statuses": MASTER_STATUSES,
        "blocks": blocks,
        "page_error": page_error,
    }
    return render(request, "office/cases/case.html", context, status=status)


@office_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, _case_or_404(request, pk))


@require_POST
@office_required
def case_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = _case_or_404(request, pk)
    if action not in FORMS:
        raise Http404("没有这一操作")
    label = str(Action(action).label)
    form = form_for(action, case, request.user, data=request.POST)
    if not form.is_valid():
        error = "；".join(str(m) for messages_ in form.errors.values() for m in messages_)
        return _render(request, case, posted=ActionBlock(action, label, form, error), status=400)
    try:
        case_transition(
            case=case,
            action=action,
            actor=account_of(request),
            note=form.cleaned_data["note"],
            params=form.params(),
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as exc:
        fresh = _case_or_404(request, pk)  # the page shows the case as it is now
        return _render(request, fresh, posted=ActionBlock(action, label, form, exc.message), status=exc.status)
    messages.success(request, f"已{label}")
    return redirect("office:case", pk=case.pk)


@office_required  # type: ignore[arg-type]  # typed for HttpResponse, it returns whatever the view returns
def case_attachment(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponseBase:
    """A photo or file of the case, or its thumbnail (?thumb=1); a 404 outside the user's scope."""
    try:
        attachment = attachment_get_visible_to(user=request.user, case_id=pk, attachment_id=attachment_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return attachment_response(attachment, thumb="thumb" in request.GET)


# Included by lianxin/office/urls.py under cases/<int:pk>/ (the names stay in the office namespace).
urlpatterns = [
    path("", case_detail, name="case"),
    path("photos/<int:attachment_id>/", case_attachment, name="case_attachment"),
    path("<slug:action>/", case_act, name="case_act"),
]
