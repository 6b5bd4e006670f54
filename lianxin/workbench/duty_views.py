"""The deputy's duty pages on the phone (履职): the year's activities and receptions, the frequency rules not yet met,
the year's training hours (培训学时), 请假 before an activity, QR sign-in, a diary entry turned into a case, pledges,
and the score with its self-assessment.

Every write goes through lianxin.duties.services (the diary through the cases intake, workbench.services); every read
starts from the deputy's own rows, so another deputy's activity, attendance or diary entry is a 404.
"""

import datetime
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.accounts.actors import account_of
from lianxin.cases.models import ReceptionSession
from lianxin.core.errors import DomainError
from lianxin.deputies.models import SERVING_STATUSES, Deputy
from lianxin.duties.models import (
    Activity,
    ActivityStatus,
    Attendance,
    AttendanceStatus,
    EntryStatus,
    FrequencyRule,
    Pledge,
    RuleSubject,
    ScoreEntry,
    ScoreItem,
    ScoreSource,
)
from lianxin.duties.selectors import activities_of_deputy, activity_counts, period_of, rule_kinds, score_of_deputy
from lianxin.duties.services import attendance_sign_in, leave_request, pledge_make, score_claim
from lianxin.duties.trainings import training_hours_of_deputy
from lianxin.workbench import selectors as s
from lianxin.workbench.models import DiaryEntry
from lianxin.workbench.services import diary_to_case
from lianxin.workbench.views import LOGIN_URL, deputy_required

# --- reads of the deputy's own rows --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleStatus:
    rule: FrequencyRule
    start: datetime.date
    end: datetime.date
    count: int

    @property
    def missing(self) -> int:
        return max(0, self.rule.minimum - self.count)


def rules_behind(*, deputy: Deputy, day: datetime.date) -> list[RuleStatus]:
    """The active deputy rules of the deputy's serving levels that are not yet met in the period containing `day`
    (the compliance board's reading, for one deputy)."""
    levels = set(deputy.mandates.filter(status__in=SERVING_STATUSES).values_list("level", flat=True))
    out = []
    for rule in FrequencyRule.objects.filter(is_active=True, subject=RuleSubject.DEPUTY).order_by("id"):
        if not levels or (rule.level and rule.level not in levels):
            continue
        start, end = period_of(rule.period, day)
        count = activity_counts(deputy_ids=[deputy.pk], start=start, end=end, kinds=rule_kinds(rule)).get(deputy.pk, 0)
        if count < rule.minimum:
            out.append(RuleStatus(rule, start, end, count))
    return out


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError as error:
        raise Http404("年度应为四位数字，如 2026") from error
    if not 2000 <= year <= 2100:
        raise Http404("年度应为四位数字，如 2026")
    return year


def _my_attendance(deputy: Deputy, activity_id: int) -> Attendance:
    attendance = (
        Attendance.objects.filter(activity_id=activity_id, deputy=deputy)
        .select_related("activity", "activity__region", "activity__place")
        .first()
    )
    if attendance is None:
        raise Http404("未找到该活动，或您不在该活动的名单中")
    return attendance


def _form_error(form: forms.Form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- 我的履职 ----------------------------------------------------------------------------------------------------------


@deputy_required
def my_duties(request: HttpRequest) -> HttpResponse:
    deputy = request.deputy  # type: ignore[attr-defined]
    year = _year(request)
    today, now = timezone.localdate(), timezone.now()
    attendances = list(activities_of_deputy(deputy=deputy, year=year))
    upcoming = [a for a in attendances if a.activity.status == ActivityStatus.PLANNED and a.activity.starts_at > now][
        ::-1
    ]  # the next one first
    coming = {a.pk for a in upcoming}
    past = [a for a in attendances if a.pk not in coming]
    receptions = list(
        ReceptionSession.objects.filter(deputy=deputy, started_at__year=year)
        .select_related("place", "region")
        .order_by("-started_at")
    )
    counts = Counter(a.status for a in past)
    return render(
        request,
        "workbench/duties/my_duties.html",
        {
            "deputy": deputy,
            "year": year,
            "years": [today.year - 1, today.year] if year == today.year else [year - 1, year, year + 1],
            "upcoming": upcoming,
            "past": past,
            "receptions": receptions,
            "summary": [
                ("出席", counts[AttendanceStatus.PRESENT]),
                ("请假", counts[AttendanceStatus.ON_LEAVE] + counts[AttendanceStatus.LEAVE_REQUESTED]),
                ("缺席", counts[AttendanceStatus.ABSENT]),
                ("接待选民", len(receptions)),
            ],
            "behind": rules_behind(deputy=deputy, day=today) if year == today.year else [],
            "training": training_hours_of_deputy(deputy=deputy, year=year),
        },
    )


class LeaveForm(forms.Form):
    reason = forms.CharField(
        label="请假理由", max_length=300, widget=forms.Textarea(attrs={"rows": 3, "placeholder": "如：当天在外地出差"})
    )


@deputy_required
def activity(request: HttpRequest, activity_id: int) -> HttpResponse:
    """One activity the deputy is on the list of; 请假 before it starts."""
    attendance = _my_attendance(request.deputy, activity_id)  # type: ignore[attr-defined]
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            leave_request(actor=account_of(request), activity=attendance.activity, reason=form.cleaned_data["reason"])
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, "请假已提交，等待组织者审批")
            return redirect("workbench:duty_activity", activity_id=activity_id)
    may_leave = attendance.status == AttendanceStatus.INVITED and attendance.activity.starts_at > timezone.now()
    return render(
        request,
        "workbench/duties/activity.html",
        {"a": attendance.activity, "attendance": attendance, "form": form, "may_leave": may_leave},
        status=400 if form.errors else 200,
    )


# --- QR sign-in ------------------------------------------------------------------------------------------------------


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None  # a broken location is no location: the sign-in itself must not fail for it


@login_required(login_url=LOGIN_URL)
def signin(request: HttpRequest, code: str) -> HttpResponse:
    """The page an activity's QR code opens: the activity and a 签到 button (with the phone's location when the
    deputy allows it); after the post, 已签到 with the time or the refusal in Chinese."""
    deputy = s.deputy_for_user(user=request.user)
    request.deputy = deputy  # type: ignore[attr-defined]  # the menu, as on the other workbench pages
    activity = Activity.objects.filter(signin_code=code).select_related("region", "place").first()
    context: dict = {"a": activity, "code": code}
    if deputy is None:
        context["error"] = "只有代表本人可以扫码签到：此账号没有关联代表"
        return render(request, "workbench/duties/signin.html", context, status=403)
    if activity is None:
        context["error"] = "签到码无效：请扫描活动现场出示的二维码"
        return render(request, "workbench/duties/signin.html", context, status=404)
    if request.method == "POST":
        try:
            attendance = attendance_sign_in(
                actor=account_of(request),
                code=code,
                lat=_float(request.POST.get("lat")),
                lng=_float(request.POST.get("lng")),
            )
        except DomainError as error:
            context["error"] = error.message
            return render(request, "workbench/duties/signin.html", context, status=error.status)
        context.update(attendance=attendance, signed_now=True)
        return render(request, "workbench/duties/signin.html", context)
    context["attendance"] = Attendance.objects.filter(activity=activity, deputy=deputy).first()
    return render(request, "workbench/duties/signin.html", context)


# --- 民情日记 → 群众意见 ----------------------------------------------------------------------------------------------


@require_POST
@deputy_required
def diary_to_case_view(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = DiaryEntry.objects.filter(pk=entry_id, deputy=request.deputy).select_related("deputy", "region").first()  # type: ignore[attr-defined]
    if entry is None:
        raise Http404("未找到该民情日记")
    try:
        registration = diary_to_case(actor=account_of(request), entry=entry)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("workbench:diary")
    messages.success(request, "已转为群众意见，进入办理流程")
    return redirect("workbench:case", case_id=registration.case.pk)


# --- 履职承诺 -------------------------------------------------------------------------------------------------------


class PledgeForm(forms.Form):
    text = forms.CharField(
        label="承诺事项",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "如：每月进站接待选民不少于1次；推动居仁社区加装电梯"}),
    )


@deputy_required
def pledges(request: HttpRequest) -> HttpResponse:
    deputy = request.deputy  # type: ignore[attr-defined]
    year = timezone.localdate().year
    form = PledgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pledge_make(actor=account_of(request), year=year, text=form.cleaned_data["text"])
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, f"已作出{year}年度履职承诺")
            return redirect("workbench:duty_pledges")
    return render(
        request,
        "workbench/duties/pledges.html",
        {"year": year, "form": form, "pledges": Pledge.objects.filter(deputy=deputy).order_by("-year", "id")},
        status=400 if form.errors else 200,
    )


# --- 我的积分 ---------------------------------------------------------------------------------------------------------


class ClaimForm(forms.Form):
    # The range and the item's maximum are the service's to check (score_claim), its message beside the field.
    points = forms.DecimalField(label="自评分")
    evidence = forms.CharField(
        label="佐证说明",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "做了什么、何时、有何材料"}),
    )


@dataclass
class ItemRow:
    item: ScoreItem
    points: Decimal | None
    pending: bool
    entry: ScoreEntry | None = None
    form: ClaimForm | None = None


@deputy_required
def score(request: HttpRequest) -> HttpResponse:
    """The year's score per congress, item by item; a self-assessed item has its claim form until staff confirm it."""
    deputy = request.deputy  # type: ignore[attr-defined]
    year = _year(request)
    posted = request.POST.get("item") if request.method == "POST" else None
    entries = {e.item_id: e for e in ScoreEntry.objects.filter(deputy=deputy, item__year=year)}
    congresses, failed = [], False
    for mandate, items, line in score_of_deputy(deputy=deputy, year=year):
        rows = []
        for item in items:
            row = ItemRow(item, line.items.get(item.pk) if line else None, bool(line and item.pk in line.pending))
            if item.source == ScoreSource.SELF:
                row.entry = entries.get(item.pk)
                if row.entry is None or row.entry.status != EntryStatus.CONFIRMED:
                    mine = posted == str(item.pk)
                    initial = {"points": row.entry.claimed, "evidence": row.entry.evidence} if row.entry else None
                    row.form = ClaimForm(request.POST if mine else None, initial=initial, prefix=f"item{item.pk}")
                    if mine:
                        if _claim(request, item, row.form):
                            return redirect(f"{request.path}?year={year}#item-{item.pk}")
                        failed = True
            rows.append(row)
        congresses.append((mandate, line, rows))
    if posted and not failed:
        raise Http404("未找到该计分项目，或已由组织评定")
    return render(
        request,
        "workbench/duties/score.html",
        {"year": year, "congresses": congresses},
        status=400 if failed else 200,
    )


def _claim(request: HttpRequest, item: ScoreItem, form: ClaimForm) -> bool:
    if not form.is_valid():
        return False
    try:
        score_claim(
            actor=account_of(request),
            item=item,
            points=form.cleaned_data["points"],
            evidence=form.cleaned_data["evidence"],
        )
    except DomainError as error:
        _form_error(form, error)
        return False
    messages.success(request, f"{item.name}: 自评已提交，等待组织评定")
    return True
