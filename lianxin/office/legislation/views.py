"""立法联系点 in the office: drafts of the user's contact points, a draft from pasted text or a .docx (split into
章/节/条 and shown for confirmation before it is written), the workflow buttons, the moderation queue, the summary
article by article with its .docx and PDF export, and the figures per contact point and year.

Every write is one function of lianxin.legislation.services; reads come from lianxin.legislation.selectors."""

import datetime
from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.core.errors import DomainError, NotFound
from lianxin.core.errors import PermissionDenied as DomainDenied
from lianxin.core.scoping import region_scope_q
from lianxin.core.tabular import Column, Integer, Number, write_xlsx
from lianxin.legislation import selectors as sel
from lianxin.legislation import services
from lianxin.legislation.export import summary_docx, summary_pdf
from lianxin.legislation.models import CommentStatus, ContactPoint, Draft, DraftKind, Outcome, Stage
from lianxin.legislation.splitting import docx_text, split_text
from lianxin.office.access import office_required
from lianxin.venues.models import Place

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCX_MAX_BYTES = 10 * 1024 * 1024


def legislation_required(view):
    @office_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may(request.user, Perm.MANAGE_LEGISLATION):
            raise PermissionDenied("没有管理立法联系点的权限")
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _refused(request: HttpRequest, exc: DomainError, form: forms.Form | None = None) -> None:
    """Outside the scope a 404, without the permission a 403, beside its field when the form has it, else a
    message."""
    if isinstance(exc, NotFound):
        raise Http404(exc.message) from exc
    if isinstance(exc, DomainDenied):
        raise PermissionDenied(exc.message) from exc
    if form is not None and exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    else:
        messages.error(request, exc.message)


def _draft(request: HttpRequest, pk: int) -> Draft:
    try:
        return sel.draft_get_for_staff(user=request.user, draft_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _date(label: str, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))


# --- the drafts and contact points ----------------------------------------------------------------------------------


class DesignateForm(forms.Form):
    place = forms.ModelChoiceField(label="家站室", queryset=Place.objects.none())
    note = forms.CharField(label="说明（选填）", max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["place"]
        field.queryset = (
            Place.objects.filter(region_scope_q(user, "region__path", Perm.MANAGE_LEGISLATION), is_active=True)
            .filter(legislative_contact_point__isnull=True)
            .order_by("region__path", "name")
        )


@legislation_required
def draft_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = DesignateForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            point = services.contact_point_designate(
                actor=user, place=form.cleaned_data["place"], note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            _refused(request, exc, form)
        else:
            messages.success(request, f"已将{point.place.name}设为基层立法联系点")
            return redirect("office:legislation")
    drafts = sel.drafts_visible_to(user=user).order_by("-opens_on", "-id")
    counts = sel.comment_counts_by_draft(drafts=drafts)
    rows = [(d, counts.get(d.pk, {"visible": 0, "hidden": 0})) for d in drafts]
    context = {"rows": rows, "points": sel.contact_points_visible_to(user=user), "form": form}
    return render(request, "office/legislation/list.html", context, status=400 if form.errors else 200)


class DraftForm(forms.Form):
    contact_point = forms.ModelChoiceField(label="立法联系点", queryset=ContactPoint.objects.none())
    title = forms.CharField(label="标题（不填则取正文第一行）", max_length=200, required=False)
    kind = forms.ChoiceField(label="类别", choices=DraftKind.choices)
    stage = forms.ChoiceField(label="立法阶段", choices=Stage.choices, initial=Stage.REVIEW)
    opens_on = _date("征求意见开始")
    closes_on = _date("征求意见截止")
    intro = forms.CharField(label="征求意见说明（选填）", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(
        label="上传草案（.docx，选填）",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".docx," + DOCX}),
    )
    text = forms.CharField(
        label="草案正文（粘贴全文，或上传 .docx 后在此核对）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 16, "placeholder": "第一章 总则\n第一条 为了……，制定本条例。"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["contact_point"]
        field.queryset = sel.contact_points_visible_to(user=user).filter(is_active=True)


@legislation_required
def draft_new(request: HttpRequest) -> HttpResponse:
    """Two steps: 预览分条 shows the structure found (and numbering warnings); 确认创建 writes the draft."""
    user: Any = request.user
    today = timezone.localdate()
    form = DraftForm(
        request.POST or None,
        request.FILES or None,
        user=user,
        initial={"opens_on": today, "closes_on": today + datetime.timedelta(days=30)},
    )
    split = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        text = data["text"]
        try:
            upload = data.get("file")
            if upload is not None:
                if upload.size > DOCX_MAX_BYTES:
                    raise DomainError("file_too_large", "文件不能超过 10 MB", field="file")
                text = docx_text(upload)
                shown = request.POST.copy()
                shown["text"] = text  # shown in the text box to check, and confirmed from there
                form.data = shown
            split = split_text(text)
            if request.POST.get("step") == "confirm":
                draft = services.draft_create(
                    actor=user,
                    contact_point=data["contact_point"],
                    title=data["title"],
                    text=text,
                    kind=data["kind"],
                    stage=data["stage"],
                    intro=data["intro"],
                    opens_on=data["opens_on"],
                    closes_on=data["closes_on"],
                )
                messages.success(request, f"已创建草案，共{len(split.articles)}条；核对无误后请发布征求意见")
                return redirect("office:legislation_draft", pk=draft.pk)
        except DomainError as exc:
            split = None
            _refused(request, exc, form)
    status = 400 if form.errors else 200
    return render(request, "office/legislation/new.html", {"form": form, "split": split}, status=status)


@legislation_required
def draft_page(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    context = {
        "draft": draft,
        "tree": sel.draft_tree(draft=draft, include_hidden=True),
        "general": sel.comment_counts(draft=draft, include_hidden=True).get(None, 0),
        "totals": sel.draft_totals(draft=draft),
        "events": draft.events.select_related("actor"),
        "actions": [(a, label) for a, (sources, _t, label) in services.TRANSITIONS.items() if draft.status in sources],
        "today": timezone.localdate(),
    }
    return render(request, "office/legislation/draft.html", context)


@legislation_required
@require_POST
def draft_act(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    action = request.POST.get("action", "")
    try:
        closes_on = forms.DateField(required=False).clean(request.POST.get("closes_on") or None)
        passed_on = forms.DateField(required=False).clean(request.POST.get("passed_on") or None)
    except forms.ValidationError:
        messages.error(request, "日期格式不正确，应为 年-月-日")
        return redirect("office:legislation_draft", pk=pk)
    try:
        draft = services.draft_transition(
            actor=request.user,
            draft=draft,
            action=action,
            note=request.POST.get("note", ""),
            closes_on=closes_on,
            passed_on=passed_on,
            feedback_note=request.POST.get("feedback_note", ""),
        )
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"草案现为“{draft.get_status_display()}”")
    return redirect("office:legislation_draft", pk=pk)


@legislation_required
@require_POST
def draft_text(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    try:
        services.draft_replace_text(actor=request.user, draft=draft, text=request.POST.get("text", ""))
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, "已按新的正文重新分条")
    return redirect("office:legislation_draft", pk=pk)


# --- moderation ---------------------------------------------------------------------------------------------------


@legislation_required
def comment_queue(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    status = request.GET.get("status", "")
    if status not in CommentStatus.values:
        status = ""
    comments = sel.comments_for_staff(draft=draft, status=status)
    return render(
        request,
        "office/legislation/comments.html",
        {"draft": draft, "comments": comments[:500], "status": status, "statuses": CommentStatus.choices},
    )


@legislation_required
@require_POST
def comment_moderate(request: HttpRequest, pk: int, comment_id: int) -> HttpResponse:
    draft = _draft(request, pk)
    comment = draft.comments.filter(pk=comment_id).first()
    if comment is None:
        raise Http404("未找到该意见")
    try:
        if request.POST.get("action") == "restore":
            services.comment_restore(actor=request.user, comment=comment)
            messages.success(request, f"已恢复公开意见#{comment.pk}")
        else:
            services.comment_hide(actor=request.user, comment=comment, reason=request.POST.get("reason", ""))
            messages.success(request, f"已屏蔽意见#{comment.pk}，原文保留")
    except DomainError as exc:
        _refused(request, exc)
    back = request.POST.get("status", "")
    url = reverse("office:legislation_comments", args=[pk])
    return redirect(f"{url}?status={quote(back)}#c{comment.pk}" if back else f"{url}#c{comment.pk}")


# --- the summary ----------------------------------------------------------------------------------------------------


@legislation_required
def summary_page(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    if request.method == "POST":
        raw = request.POST.get("section", "")
        try:
            section_id = int(raw) if raw else None
            services.summary_set(
                actor=request.user,
                draft=draft,
                section_id=section_id,
                outcome=request.POST.get("outcome", ""),
                reason=request.POST.get("reason", ""),
            )
        except ValueError:
            messages.error(request, "条文编号不正确")
        except DomainError as exc:
            _refused(request, exc)
        else:
            messages.success(request, "已保存该条的结论")
        return redirect(f"{request.path}#s{raw or 'general'}")
    rows = sel.summary_rows(draft=draft, only_commented=request.GET.get("all") != "1")
    context = {
        "draft": draft,
        "rows": rows,
        "outcomes": Outcome.choices,
        "totals": sel.draft_totals(draft=draft),
        "editable": draft.status in ("closed", "summarised"),
        "show_all": request.GET.get("all") == "1",
    }
    return render(request, "office/legislation/summary.html", context)


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename=\"summary\"; filename*=UTF-8''{quote(name)}"
    return response


@legislation_required
def summary_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    draft = _draft(request, pk)
    name = f"{draft.title}-意见汇总.{fmt}"
    if fmt == "docx":
        return _download(summary_docx(draft), DOCX, name)
    try:
        return _download(summary_pdf(draft), "application/pdf", name)
    except DomainError as exc:  # no CJK font installed
        messages.error(request, exc.message)
        return redirect("office:legislation_summary", pk=pk)


STATS_COLUMNS = [
    Column("立法联系点", "point", width=24),
    Column("所在区划", "region", width=16),
    Column("草案", "drafts", parse=Integer()),
    Column("意见", "comments", parse=Integer()),
    Column("已屏蔽", "hidden", parse=Integer()),
    Column("参与人次", "participants", parse=Integer()),
    Column("代表", "deputies", parse=Integer()),
    Column("采纳", "adopted", parse=Integer()),
    Column("部分采纳", "partly", parse=Integer()),
    Column("未采纳", "not_adopted", parse=Integer()),
    Column("采纳率(%)", "rate", parse=Number()),
]


def stats_xlsx(rows: list[sel.PointYear]) -> bytes:
    """The figures of the page as a sheet (through core.tabular: a name starting with = is text, not a formula)."""
    return write_xlsx(
        STATS_COLUMNS,
        [
            {
                "point": r.point.place.name,
                "region": r.point.region.name,
                "drafts": r.drafts,
                "comments": r.totals.comments,
                "hidden": r.totals.hidden,
                "participants": r.totals.participants,
                "deputies": r.totals.deputies,
                "adopted": r.totals.adopted,
                "partly": r.totals.partly,
                "not_adopted": r.totals.not_adopted,
                "rate": round(r.totals.adoption_rate * 100, 1) if r.totals.adoption_rate is not None else None,
            }
            for r in rows
        ],
        title="立法联系点统计",
    )


# --- statistics -----------------------------------------------------------------------------------------------------


@legislation_required
def statistics(request: HttpRequest) -> HttpResponse:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year") or this_year)
    except ValueError:
        year = this_year
    if not 2000 <= year <= 2100:
        year = this_year
    rows = sel.statistics(user=request.user, year=year)
    if request.path.endswith(".xlsx"):
        return _download(stats_xlsx(rows), XLSX, f"{year}年立法联系点统计.xlsx")
    return render(
        request,
        "office/legislation/stats.html",
        {"rows": rows, "year": year, "years": list(range(this_year, this_year - 5, -1))},
    )
