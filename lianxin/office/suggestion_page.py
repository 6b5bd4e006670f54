"""The suggestion page of the office (issue 16): what staff and a unit's handler need to handle one suggestion.

The header (number, kind, status, session, lead deputy, co-signers, the citizens' cases it grew from, sources,
attachments, every submitted version with what changed), each unit's part (due date, contacts before the reply,
co-opinion, reply, rating, the reply that was re-handled), the timeline in Chinese, then one small form per action
this user may take now. Which actions those are is the workflow's answer (`available_actions`, per unit part for
unit actions), never decided here; a form only collects its action's own fields and posts them to
`suggestion_transition` with the version it was shown, so of two people acting at once one is told the other came
first. A refusal is shown next to the field it names; a success redirects back (POST-redirect-GET).
"""

import datetime
import difflib
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.accounts.actors import account_of
from lianxin.accounts.models import User
from lianxin.cases.models import ResponsibleUnit
from lianxin.core.errors import DomainError, NotFound
from lianxin.office.access import office_required
from lianxin.suggestions.models import (
    Attachment,
    ContactWay,
    Rating,
    ReplyClass,
    Status,
    Suggestion,
    SuggestionEvent,
    UnitAssignment,
    UnitRole,
)
from lianxin.suggestions.routing import suggestion_units_propose
from lianxin.suggestions.selectors import similar_in_session, suggestion_get_visible
from lianxin.suggestions.steps import reply_file_check
from lianxin.suggestions.workflow import (
    TRANSITIONS,
    Action,
    SuggestionConflict,
    available_actions,
    due_dates_preview,
    suggestion_transition,
)
from lianxin.workdays.calendar import CHINA

# Events written outside the transitions table (the draft's creation, sources and attachments, the deadline
# worker): their labels. The workflow's own actions are labelled by `Action`.
OTHER_EVENTS = {
    "create": "创建草稿",
    "source_add": "添加来源",
    "attachment_add": "上传附件",
    "remind": "到期提醒",
    "overdue": "超期",
}


def event_label(code: str) -> str:
    if code in Action.values:
        return str(Action(code).label)
    return OTHER_EVENTS.get(code, "办理记录")


def status_label(code: str) -> str:
    return str(Status(code).label) if code in Status.values else ""


def today() -> datetime.date:
    return timezone.localtime(timezone.now(), CHINA).date()


# --- one form per action ----------------------------------------------------------------------------------------
# Fields are optional here: the workflow validates every input and its message names the field in Chinese, so the
# page says exactly what the API says.


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _text(label: str, rows: int = 3) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}))


class ActionForm(forms.Form):
    """The fields every action has: the suggestion's version (optimistic locking) and a note."""

    note_label = "说明（选填）"
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(
        self, *args: Any, suggestion: Suggestion, user: Any, assignment: UnitAssignment | None = None, **kw: Any
    ) -> None:
        kw.setdefault("initial", {})["version"] = suggestion.version
        super().__init__(*args, **kw)
        self.suggestion, self.user, self.assignment = suggestion, user, assignment
        if self.note_label:
            self.fields["note"].label = self.note_label
        else:
            del self.fields["note"]
        self.setup()
        if "note" in self.fields:  # the action's own fields first, the free note last
            self.order_fields([*(name for name in self.fields if name != "note"), "note"])

    def setup(self) -> None:
        """Choices and hints that depend on the suggestion or the user."""

    def params(self) -> dict[str, Any]:
        return {}

    def note_text(self) -> str:
        return self.cleaned_data.get("note") or ""


class ReasonForm(ActionForm):
    """退回修改, 不予立案, 申请调整, 不同意调整: a reason the other side reads."""

    note_label = ""
    reason = _text("理由")

    def params(self) -> dict[str, Any]:
        return {"reason": self.cleaned_data["reason"]}


class ReturnForm(ReasonForm):
    def setup(self) -> None:
        self.fields["reason"].label = "退回理由（发给领衔代表）"


class RejectForm(ReasonForm):
    def setup(self) -> None:
        self.fields["reason"].label = "不予立案理由（发给领衔代表）"


class PassForm(ActionForm):
    """预审通过, optionally joining a similar suggestion of the session as its master (并案)."""

    merge_with = forms.TypedChoiceField(label="并案", required=False, coerce=int, empty_value=None)

    def setup(self) -> None:
        self.similar = similar_in_session(user=self.user, suggestion=self.suggestion)
        choices: list[tuple[Any, str]] = [("", "不并案，单独办理")]
        for item in self.similar:
            s = item.suggestion
            choices.append(
                (s.pk, f"并入 {s.number_label}“{s.title}”（{s.get_status_display()}，相似度 {item.score:.0%}）")
            )
        field_ = self.fields["merge_with"]
        assert isinstance(field_, forms.TypedChoiceField)
        field_.choices = choices
        field_.widget = forms.RadioSelect(choices=choices)
        self.initial.setdefault("merge_with", "")
        if not self.similar:
            field_.help_text = "本次会议没有内容相近的建议"

    def params(self) -> dict[str, Any]:
        merge_with = self.cleaned_data.get("merge_with")
        return {"merge_with": merge_with} if merge_with else {}


class AcceptForm(ActionForm):
    note_label = "审查意见（选填）"


class ConvertForm(ActionForm):
    deputy_consent = forms.BooleanField(label="已征得领衔代表同意，将议案转为建议", required=False)

    def params(self) -> dict[str, Any]:
        return {"deputy_consent": bool(self.cleaned_data["deputy_consent"])}


class AssignForm(ActionForm):
    """交办: one or more lead units (several = 分办) and co-units, among the units of the congress's region and
    below; the due dates the assignment would set are shown before it is made."""

    lead_units = forms.TypedMultipleChoiceField(label="主办单位（可多选，即分办）", required=False, coerce=int)
    co_units = forms.TypedMultipleChoiceField(label="协办单位（选填）", required=False, coerce=int)

    def setup(self) -> None:
        units = assignable_units(self.suggestion)
        choices = [(u.pk, u.name) for u in units]
        for name in ("lead_units", "co_units"):
            field_ = self.fields[name]
            assert isinstance(field_, forms.TypedMultipleChoiceField)
            field_.choices = choices
            field_.widget.attrs["size"] = str(min(8, max(3, len(choices))))
        self.preview = due_dates_preview(start=today(), suggestion=self.suggestion)
        self.proposed = proposed_units(self.suggestion)
        if self.proposed:
            shown = "、".join(f"{unit.name}（{score:.0%}）" for unit, score in self.proposed)
            self.fields["lead_units"].help_text = f"分办模型建议：{shown}"
            self.initial.setdefault("lead_units", [self.proposed[0][0].pk])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        both = set(data.get("lead_units") or []) & set(data.get("co_units") or [])
        if both:
            self.add_error("co_units", "同一单位不能既主办又协办")
        return data

    def params(self) -> dict[str, Any]:
        units = [{"unit": pk, "role": UnitRole.LEAD.value} for pk in self.cleaned_data["lead_units"]]
        units += [{"unit": pk, "role": UnitRole.CO.value} for pk in self.cleaned_data["co_units"]]
        return {"units": units}


def assignable_units(suggestion: Suggestion) -> list[ResponsibleUnit]:
    """The active units of the congress's region and below."""
    return list(
        ResponsibleUnit.objects.filter(is_active=True, region__path__startswith=suggestion.region.path)
        .select_related("region")
        .order_by("region__path", "name", "id")
    )


def proposed_units(suggestion: Suggestion) -> list[tuple[ResponsibleUnit, float]]:
    """The router's proposed lead units for the text (lianxin.suggestions.routing), most likely first, among the
    units this form offers; empty while no model is trained."""
    allowed = {u.pk for u in assignable_units(suggestion)}
    return [(unit, score) for unit, score in suggestion_units_propose(suggestion) if unit.pk in allowed][:3]


class ExtendForm(ActionForm):
    note_label = ""
    due_date = _date_field("延期至")
    reason = forms.CharField(label="延期理由", required=False, max_length=500)

    def setup(self) -> None:
        if self.assignment is not None:
            self.fields["due_date"].help_text = f"原期限 {self.assignment.due_date:%Y-%m-%d}"

    def params(self) -> dict[str, Any]:
        return {"due_date": self.cleaned_data["due_date"], "reason": self.cleaned_data["reason"]}


class ReassignForm(ActionForm):
    """同意调整: the unit's part goes to another unit (with the same role)."""

    unit = forms.TypedChoiceField(label="改由", required=False, coerce=int, empty_value=None)

    def setup(self) -> None:
        taken = {a.unit_id for a in self.suggestion.units.filter(is_active=True)}
        choices = [(u.pk, u.name) for u in assignable_units(self.suggestion) if u.pk not in taken]
        field_ = self.fields["unit"]
        assert isinstance(field_, forms.TypedChoiceField)
        field_.choices = [("", "请选择"), *choices]
        if self.assignment is not None and self.assignment.reassign_reason:
            field_.help_text = f"申请理由：{self.assignment.reassign_reason}"

    def params(self) -> dict[str, Any]:
        return {"unit": self.cleaned_data["unit"]}


class MarkKeyForm(ActionForm):
    leader_name = forms.CharField(label="督办领导", required=False, max_length=50)
    leader = forms.CharField(
        label="督办领导账号（选填）", required=False, max_length=150, help_text="填写后该领导可查看本件并记录督办情况"
    )

    def clean_leader(self) -> int | None:
        username = self.cleaned_data["leader"].strip()
        if not username:
            return None
        found = User.objects.filter(username=username, is_active=True).values_list("pk", flat=True).first()
        if found is None:
            raise forms.ValidationError(f"没有名为“{username}”的有效账号")
        return found

    def params(self) -> dict[str, Any]:
        return {"leader_name": self.cleaned_data["leader_name"], "leader": self.cleaned_data["leader"]}


class KeyNoteForm(ActionForm):
    note_label = ""
    text = _text("督办情况")
    met_on = _date_field("督办会议日期（选填）")

    def params(self) -> dict[str, Any]:
        return {"text": self.cleaned_data["text"], "met_on": self.cleaned_data["met_on"]}


class CloseForm(ActionForm):
    note_label = "说明（代表尚未评价全部答复时必填）"


class PublishForm(ActionForm):
    public_title = forms.CharField(label="公开标题（选填）", required=False, max_length=120)
    public_text = _text("公开内容（选填）", 4)

    def setup(self) -> None:
        self.fields["public_text"].help_text = "留空则用原文与答复，并自动去除个人信息"

    def params(self) -> dict[str, Any]:
        return {"public_title": self.cleaned_data["public_title"], "public_text": self.cleaned_data["public_text"]}


class ContactForm(ActionForm):
    note_label = "情况（选填）"  # the workflow's note is the contact's note
    contacted_on = _date_field("联系日期")
    way = forms.ChoiceField(label="联系方式", required=False, choices=[("", "请选择"), *ContactWay.choices])
    person = forms.CharField(label="联系人（本单位）", required=False, max_length=50)

    def params(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"contacted_on": data["contacted_on"], "way": data["way"], "person": data["person"]}


class CoOpinionForm(ActionForm):
    note_label = ""
    opinion = _text("协办意见（送主办单位）", 4)

    def params(self) -> dict[str, Any]:
        return {"opinion": self.cleaned_data["opinion"]}


class ReplyForm(ActionForm):
    note_label = ""
    reply_class = forms.ChoiceField(label="答复类别", required=False, choices=[("", "请选择"), *ReplyClass.choices])
    reply_text = _text("答复内容（上传答复函时可不填）", 5)
    reply_file = forms.FileField(label="答复函（PDF 等，选填）", required=False)
    signed_by = forms.CharField(label="签发人", required=False, max_length=50)
    promised_on = _date_field("承诺完成日期（B类必填）")

    def clean_reply_file(self) -> Any:
        upload = self.cleaned_data.get("reply_file")
        if not upload:
            return None
        try:
            reply_file_check(upload)  # the service checks it too; here it is said beside the field
        except DomainError as error:
            raise forms.ValidationError(error.message.split(": ", 1)[-1]) from error
        return upload

    def params(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "reply_class": data["reply_class"],
            "reply_text": data["reply_text"],
            "reply_file": data.get("reply_file"),
            "signed_by": data["signed_by"],
            "promised_on": data["promised_on"],
        }


class RateForm(ActionForm):
    """Staff record the rating a deputy gave by phone (the deputy rates on the phone pages themselves)."""

    note_label = ""
    rating = forms.ChoiceField(label="代表评价（电话告知）", required=False, choices=[("", "请选择"), *Rating.choices])
    comment = _text("评价意见（不满意时必填）", 2)

    def params(self) -> dict[str, Any]:
        return {"rating": self.cleaned_data["rating"], "comment": self.cleaned_data["comment"]}


class FulfilForm(ActionForm):
    note_label = "兑现情况"  # the workflow's note is what was done


FORMS: dict[str, type[ActionForm]] = {
    Action.SUBMIT: ActionForm,
    Action.RESUBMIT: ActionForm,
    Action.RETURN: ReturnForm,
    Action.PASS: PassForm,
    Action.ACCEPT: AcceptForm,
    Action.TO_PRESIDIUM: ActionForm,
    Action.CONVERT: ConvertForm,
    Action.REJECT: RejectForm,
    Action.AGENDA: ActionForm,
    Action.REFER: ActionForm,
    Action.ASSIGN: AssignForm,
    Action.REQUEST_REASSIGN: ReasonForm,
    Action.REASSIGN: ReassignForm,
    Action.REFUSE_REASSIGN: ReasonForm,
    Action.CONTACT: ContactForm,
    Action.CO_OPINION: CoOpinionForm,
    Action.EXTEND: ExtendForm,
    Action.REPLY: ReplyForm,
    Action.RATE: RateForm,
    Action.MARK_KEY: MarkKeyForm,
    Action.KEY_NOTE: KeyNoteForm,
    Action.CLOSE: CloseForm,
    Action.PUBLISH: PublishForm,
    Action.FULFIL: FulfilForm,
}


def form_for(
    action: str, suggestion: Suggestion, user: Any, assignment: UnitAssignment | None = None, data: Any = None
) -> ActionForm:
    # Several forms on one page share field names: ids carry the action (and the unit part) so labels stay unique.
    prefix = f"{action}-{assignment.pk}" if assignment is not None else action
    files = data[1] if isinstance(data, tuple) else None
    data = data[0] if isinstance(data, tuple) else data
    return FORMS[action](data, files, suggestion=suggestion, user=user, assignment=assignment, auto_id=f"{prefix}-%s")


# --- what the page shows ----------------------------------------------------------------------------------------


@dataclass
class ActionBlock:
    action: str
    label: str
    form: ActionForm
    error: str = ""
    assignment: UnitAssignment | None = None

    @property
    def dom_id(self) -> str:
        return f"action-{self.action}-{self.assignment.pk}" if self.assignment else f"action-{self.action}"


@dataclass
class UnitGroup:
    """A unit part's own actions in the side panel."""

    assignment: UnitAssignment
    blocks: list[ActionBlock]


@dataclass
class Part:
    """One unit's part as the page shows it."""

    assignment: UnitAssignment
    open: bool
    overdue: bool
    contacts: list[Any]
    events: list["TimelineRow"] = field(default_factory=list)


@dataclass
class TimelineRow:
    event: SuggestionEvent
    label: str
    from_label: str
    to_label: str
    detail: str


def _detail(event: SuggestionEvent) -> str:
    """What the event's data says, in a few words (units assigned, the reply's class, the rating, a new date)."""
    data = event.data or {}
    bits = []
    if data.get("units"):
        roles = dict(UnitRole.choices)
        bits.append("、".join(f"{u['name']}（{roles.get(u['role'], u['role'])}）" for u in data["units"]))
    if data.get("merged_into"):
        bits.append(f"并入 {data['merged_into']}")
    if data.get("invited"):
        bits.append("邀请 " + "、".join(data["invited"]))
    if data.get("from_unit"):
        bits.append(f"{data['from_unit']} → {data.get('to_unit', '')}")
    if data.get("reply_class") in ReplyClass.values:
        bits.append(f"{data['reply_class']}类答复" + ("（逾期）" if data.get("late") else ""))
    if data.get("rating") in Rating.values:
        bits.append(str(Rating(data["rating"]).label))
    if data.get("rehandle_due"):
        bits.append(f"重新办理期限 {data['rehandle_due']}")
    if event.action == Action.EXTEND and data.get("due_date"):
        bits.append(f"{data.get('previous', '')} 延至 {data['due_date']}")
    if event.action == Action.CONTACT and data.get("way") in ContactWay.values:
        bits.append(f"{data.get('contacted_on', '')} {ContactWay(data['way']).label}")
    if data.get("leader"):
        bits.append(f"督办领导 {data['leader']}")
    if data.get("text"):
        bits.append(str(data["text"]))
    if data.get("title") and event.action == "source_add":
        bits.append(str(data["title"]))
    if data.get("name") and event.action == "attachment_add":
        bits.append(str(data["name"]))
    return "；".join(bits)


def timeline(suggestion: Suggestion) -> list[TimelineRow]:
    events = suggestion.events.select_related("assignment__unit").order_by("created_at", "id")
    return [
        TimelineRow(e, event_label(e.action), status_label(e.from_status), status_label(e.to_status), _detail(e))
        for e in events
    ]


@dataclass
class DiffPiece:
    kind: str  # "same", "ins", "del"
    text: str


@dataclass
class VersionView:
    version: Any
    changes: list[tuple[str, list[DiffPiece]]]  # (field label, pieces) of the fields that changed


VERSION_FIELDS = (("title", "标题"), ("reasons", "案由"), ("content", "建议内容"), ("draft_resolution", "议案草案"))


def _diff(old: str, new: str) -> list[DiffPiece]:
    """A character diff (Chinese has no spaces to split words on)."""
    pieces = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(DiffPiece("same", old[a1:a2]))
            continue
        if op in ("delete", "replace"):
            pieces.append(DiffPiece("del", old[a1:a2]))
        if op in ("insert", "replace"):
            pieces.append(DiffPiece("ins", new[b1:b2]))
    return pieces


def versions(suggestion: Suggestion) -> list[VersionView]:
    """Each submitted version, the first in full and each later one as what changed since the one before."""
    out: list[VersionView] = []
    previous = None
    for version in suggestion.versions.order_by("number"):
        changes = []
        for name, label in VERSION_FIELDS:
            new = getattr(version, name)
            old = getattr(previous, name) if previous is not None else ""
            if previous is None and not new:
                continue
            if previous is not None and old == new:
                continue
            changes.append((label, _diff(old, new) if previous is not None else [DiffPiece("same", new)]))
        out.append(VersionView(version, changes))
        previous = version
    return out


def parts(suggestion: Suggestion) -> list[Part]:
    now_day = today()
    out = []
    rows = suggestion.units.select_related("unit").prefetch_related("contacts").order_by("-is_active", "-role", "id")
    for a in rows:
        is_open = (
            a.is_active
            and suggestion.status == Status.ASSIGNED
            and (a.replied_at is None if a.role == UnitRole.LEAD else a.co_opinion_at is None)
        )
        out.append(Part(a, is_open, is_open and (a.is_overdue or a.due_date < now_day), list(a.contacts.all())))
    return out


def _suggestion_or_404(request: HttpRequest, pk: int) -> Suggestion:
    try:
        return suggestion_get_visible(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _blocks(
    request: HttpRequest, suggestion: Suggestion, posted: ActionBlock | None
) -> tuple[list[ActionBlock], list[UnitGroup], set[str]]:
    """The forms this user may use now: the suggestion's own, then each active unit part's."""
    actor = account_of(request)
    offered: set[str] = set()

    def block(action: str, assignment: UnitAssignment | None) -> ActionBlock:
        key = f"{action}:{assignment.pk if assignment else ''}"
        offered.add(key)
        if posted is not None and posted.action == action and posted.assignment == assignment:
            return posted
        form = form_for(action, suggestion, request.user, assignment)
        return ActionBlock(action, str(Action(action).label), form, assignment=assignment)

    own = [
        block(action, None)
        for action in available_actions(suggestion=suggestion, actor=actor)
        if action in FORMS
        and not TRANSITIONS[action].on_unit
        # Progress notes are for key suggestions only (the step refuses them otherwise).
        and not (action == Action.KEY_NOTE and not suggestion.is_key)
    ]
    groups = []
    for a in suggestion.units.filter(is_active=True).select_related("unit", "suggestion").order_by("-role", "id"):
        actions = [
            x for x in available_actions(suggestion=suggestion, actor=actor, assignment=a) if TRANSITIONS[x].on_unit
        ]
        blocks = [block(x, a) for x in actions if x in FORMS and _useful(x, a)]
        if blocks:
            groups.append(UnitGroup(a, blocks))
    return own, groups, offered


def _useful(action: str, a: UnitAssignment) -> bool:
    """Whether a unit action the table allows has anything to do on this part now (the steps would refuse the
    others: a second reply, a request after the window, a decision without a request, a promise that is not one)."""
    if action in (Action.REASSIGN, Action.REFUSE_REASSIGN):
        return a.reassign_requested_at is not None
    if action == Action.REQUEST_REASSIGN:
        return a.reassign_requested_at is None and a.replied_at is None and today() <= a.reassign_until
    if action == Action.REPLY:
        return a.replied_at is None
    if action == Action.RATE:
        return a.replied_at is not None and not a.rating
    if action == Action.FULFIL:
        return a.reply_class == ReplyClass.B and a.promise_done_at is None
    return True


def _render(
    request: HttpRequest, suggestion: Suggestion, *, posted: ActionBlock | None = None, status: int = 200
) -> HttpResponse:
    own, groups, offered = _blocks(request, suggestion, posted)
    page_error = ""
    if posted is not None:
        key = f"{posted.action}:{posted.assignment.pk if posted.assignment else ''}"
        if key not in offered:  # the suggestion moved on meanwhile: say it at the top
            page_error = posted.error
    context = {
        "s": suggestion,
        "co_signers": list(suggestion.co_signers.select_related("deputy")),
        "cases": list(suggestion.cases.order_by("id")),
        "sources": list(suggestion.sources.all()),
        "attachments": list(suggestion.attachments.order_by("id")),
        "versions": versions(suggestion),
        "parts": parts(suggestion),
        "timeline": timeline(suggestion),
        "blocks": own,
        "unit_groups": groups,
        "page_error": page_error,
        "merged": list(suggestion.merged.all()),
    }
    return render(request, "office/suggestions/page.html", context, status=status)


@office_required
def suggestion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, _suggestion_or_404(request, pk))


def _assignment_of(suggestion: Suggestion, raw: str | None) -> UnitAssignment:
    try:
        key = int(raw or "")
    except ValueError:
        raise Http404("未找到该承办单位") from None
    found = suggestion.units.filter(pk=key, is_active=True).select_related("unit", "suggestion").first()
    if found is None:
        raise Http404("未找到该承办单位")
    return found


@require_POST
@office_required
def suggestion_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    suggestion = _suggestion_or_404(request, pk)
    if action not in FORMS:
        raise Http404("没有这一操作")
    assignment = _assignment_of(suggestion, request.POST.get("assignment")) if TRANSITIONS[action].on_unit else None
    label = str(Action(action).label)
    form = form_for(action, suggestion, request.user, assignment, data=(request.POST, request.FILES))
    if not form.is_valid():
        return _render(
            request, suggestion, posted=ActionBlock(action, label, form, "请改正下列错误", assignment), status=400
        )
    params = form.params()
    if assignment is not None:
        params["assignment"] = assignment.pk
    try:
        suggestion_transition(
            suggestion=suggestion,
            action=action,
            actor=account_of(request),
            note=form.note_text(),
            params=params,
            expected_version=form.cleaned_data["version"],
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        fresh = _suggestion_or_404(request, pk)  # the page shows the suggestion as it is now
        error = exc.message
        if not isinstance(exc, SuggestionConflict):  # a conflict is said above the form, as it is
            name = FIELD_ALIASES.get(exc.field or "", exc.field)
            if name and name in form.fields and name != "version":
                form.add_error(name, _without_label(exc.message))
                error = ""
        if assignment is not None:
            assignment.refresh_from_db()
        return _render(request, fresh, posted=ActionBlock(action, label, form, error, assignment), status=exc.status)
    messages.success(request, f"已{label}")
    return redirect("office:suggestion", pk=suggestion.pk)


# The workflow's field names that the forms spell otherwise.
FIELD_ALIASES = {"units": "lead_units"}


def _without_label(message: str) -> str:
    """The domain's messages start with the field's label ("签发人: 不能为空"); beside the field it is said once."""
    head, sep, rest = message.partition(": ")
    return rest if sep and len(head) <= 12 else message


@office_required  # type: ignore[arg-type]  # typed for HttpResponse, it returns whatever the view returns
def suggestion_file(request: HttpRequest, pk: int, kind: str, file_id: int) -> HttpResponseBase:
    """An attachment or a unit's reply letter, for those who may see the suggestion; a 404 otherwise."""
    suggestion = _suggestion_or_404(request, pk)
    if kind == "attachment":
        attachment = Attachment.objects.filter(suggestion=suggestion, pk=file_id).first()
        stored, name = (attachment.file, attachment.name) if attachment else (None, "")
    elif kind == "reply":
        part = UnitAssignment.objects.filter(suggestion=suggestion, pk=file_id).first()
        stored = part.reply_file if part is not None and part.reply_file else None
        name = (stored.name or "").rsplit("/", 1)[-1] if stored else ""
    else:
        stored, name = None, ""
    if not stored:
        raise Http404("未找到该文件")
    response = FileResponse(stored.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Included by lianxin/office/urls.py under suggestions/<int:pk>/ (the names stay in the office namespace).
urlpatterns = [
    path("", suggestion_detail, name="suggestion"),
    path("files/<slug:kind>/<int:file_id>/", suggestion_file, name="suggestion_file"),
    path("<slug:action>/", suggestion_act, name="suggestion_act"),
]
