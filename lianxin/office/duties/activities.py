"""履职活动 in the office: the list (filtered by kind, month, region and status, with counts), planning a new
activity with its invitations (by group, by township or by name, among the deputies of the user's scope), and the
activity's page: who was invited and how they attended, the sign-in QR code for the screen and the A4 sign-in
sheet, renewing the code, signing someone in by hand, deciding leave, marking it held or cancelling it, and for
meetings the points raised with what became of them (a case, a suggestion, and their status).

Every write is one service of lianxin.duties.services; this module only collects the fields and shows the answer.
"""

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.accounts.roles import Perm
from lianxin.core.errors import DomainError
from lianxin.core.scoping import region_scope_q
from lianxin.deputies.models import SERVING_STATUSES, Deputy, DeputyGroup
from lianxin.duties import services
from lianxin.duties.models import (
    MEETING_KINDS,
    Activity,
    ActivityKind,
    ActivityStatus,
    Attendance,
    AttendanceStatus,
    MeetingPoint,
    PointHandling,
)
from lianxin.office.duties.common import (
    activities_managed_by,
    activity_or_404,
    deputies_of,
    duties_required,
    managed_regions,
    refused,
    signin_url,
    tabs,
    townships,
)
from lianxin.regions.models import Region
from lianxin.suggestions.models import Session
from lianxin.venues.models import Place

PAGE_SIZE = 50
KIND_CHOICES = [(value, label) for value, label in ActivityKind.choices if value != ActivityKind.RECEPTION]


# --- the list --------------------------------------------------------------------------------------------------


class FilterForm(forms.Form):
    kind = forms.ChoiceField(label="活动类型", required=False)
    month = forms.CharField(label="月份", required=False, widget=forms.DateInput(attrs={"type": "month"}))
    region = forms.CharField(label="区划", required=False)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *ActivityStatus.choices])

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "全部"), *ActivityKind.choices]  # type: ignore[attr-defined]
        self.regions = list(managed_regions(user).exclude(level="village")[:200])
        self.fields["region"].widget = forms.Select(choices=[("", "全部"), *((r.code, r.name) for r in self.regions)])

    def clean_month(self) -> datetime.date | None:
        text = (self.cleaned_data.get("month") or "").strip()
        if not text:
            return None
        try:
            return datetime.datetime.strptime(text, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError("应为年-月，如 2026-03") from None

    def apply(self, rows: QuerySet[Activity]) -> QuerySet[Activity]:
        data = self.cleaned_data
        if data.get("kind"):
            rows = rows.filter(kind=data["kind"])
        month = data.get("month")
        if month:
            end = (month + datetime.timedelta(days=32)).replace(day=1)
            rows = rows.filter(starts_at__date__gte=month, starts_at__date__lt=end)
        code = data.get("region")
        if code:
            region = next((r for r in self.regions if r.code == code), None)
            rows = rows.filter(region__path__startswith=region.path) if region else rows.none()
        return rows


@duties_required
def activity_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None, user=request.user)
    rows = activities_managed_by(request.user)
    if form.is_bound and form.is_valid():
        rows = form.apply(rows)
    by_status = {r["status"]: r["n"] for r in rows.values("status").annotate(n=Count("id")).order_by()}
    status = form.cleaned_data.get("status") if form.is_bound and form.is_valid() else ""
    if status:
        rows = rows.filter(status=status)
    rows = rows.annotate(
        n_invited=Count("attendances", filter=Q(attendances__invited=True)),
        n_present=Count("attendances", filter=Q(attendances__status=AttendanceStatus.PRESENT)),
        n_leave=Count("attendances", filter=Q(attendances__status=AttendanceStatus.ON_LEAVE)),
        n_leave_pending=Count("attendances", filter=Q(attendances__status=AttendanceStatus.LEAVE_REQUESTED)),
        n_absent=Count("attendances", filter=Q(attendances__status=AttendanceStatus.ABSENT)),
    ).order_by("-starts_at", "-id")
    counts = [
        {"status": value, "label": label, "n": by_status.get(value, 0)} for value, label in ActivityStatus.choices
    ]
    context = {
        "tabs": tabs(request),
        "form": form,
        "rows": rows[:PAGE_SIZE],
        "total": sum(by_status.values()),
        "shown": rows.count(),
        "counts": counts,
        "page_size": PAGE_SIZE,
    }
    return render(request, "office/duties/activities.html", context)


# --- planning a new activity -----------------------------------------------------------------------------------


def _when(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label="活动类型", choices=KIND_CHOICES)
    title = forms.CharField(label="名称", max_length=120)
    starts_at = _when("开始时间")
    ends_at = _when("结束时间")
    region = forms.ModelChoiceField(label="所在区划", queryset=Region.objects.none(), to_field_name="code")
    place = forms.ModelChoiceField(label="家站室（选填）", queryset=Place.objects.none(), required=False)
    location = forms.CharField(label="地点（选填）", max_length=200, required=False)
    organiser_name = forms.CharField(label="组织单位（选填）", max_length=100, required=False)
    hours = forms.DecimalField(label="学时（培训填写）", required=False, max_digits=4, decimal_places=1)
    groups = forms.ModelMultipleChoiceField(
        label="邀请代表小组", queryset=DeputyGroup.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    townships = forms.ModelMultipleChoiceField(
        label="邀请乡镇（街道）的代表",
        queryset=Region.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    deputies = forms.ModelMultipleChoiceField(
        label="邀请代表（按姓名，可多选）", queryset=Deputy.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["region"].queryset = managed_regions(user)
        fields["region"].label_from_instance = lambda r: ("　" * max(0, r.path.count("/") - 3)) + r.name
        fields["place"].queryset = Place.objects.filter(
            region_scope_q(user, "region__path", Perm.MANAGE_DUTIES), is_active=True
        ).order_by("name")
        fields["groups"].queryset = DeputyGroup.objects.visible_to(user).order_by("region__path", "name")
        fields["townships"].queryset = townships(user)
        fields["deputies"].queryset = deputies_of(user)
        fields["deputies"].widget.attrs["size"] = "8"
        fields["deputies"].help_text = "按住 Ctrl（苹果电脑按 ⌘）可选多人"
        if not fields["groups"].queryset.exists():
            fields["groups"].help_text = "本辖区尚未建立代表小组"
        self.user = user

    def invited(self) -> list[Deputy]:
        """The group members, the deputies elected in the townships, and those named, once each (serving only)."""
        data = self.cleaned_data
        scope = deputies_of(self.user)
        chosen: dict[int, Deputy] = {d.pk: d for d in data.get("deputies") or []}
        groups = data.get("groups") or []
        if groups:
            for d in scope.filter(groups__in=groups):
                chosen.setdefault(d.pk, d)
        q = Q()
        for township in data.get("townships") or []:
            q |= Q(mandates__district_region__path__startswith=township.path, mandates__status__in=SERVING_STATUSES)
        if q:
            for d in scope.filter(q):
                chosen.setdefault(d.pk, d)
        return list(chosen.values())


@duties_required
def activity_new(request: HttpRequest) -> HttpResponse:
    form = ActivityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.activity_create(
                actor=request.user,  # type: ignore[arg-type]
                kind=data["kind"],
                title=data["title"],
                region=data["region"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data["place"],
                location=data["location"],
                organiser_name=data["organiser_name"],
                hours=data["hours"],
                invited=form.invited(),
            )
        except DomainError as exc:
            if exc.field in form.fields:  # said beside its field, once
                form.add_error(exc.field, exc.message)
            else:
                refused(request, exc)
        else:
            messages.success(request, f"已创建活动，邀请代表 {activity.attendances.count()} 人")
            return redirect("office:duty_activity", pk=activity.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "office/duties/activity_new.html", {"tabs": tabs(request), "form": form}, status=status)


# --- one activity ----------------------------------------------------------------------------------------------


def _sessions_for(activity: Activity) -> list[Session]:
    """Open sessions of the congresses above (or at) the activity's region: where a point may become a suggestion."""
    sessions = Session.objects.filter(is_open=True).select_related("congress_region").order_by("-opens_on")
    return [s for s in sessions if activity.region.path.startswith(s.congress_region.path)]


@duties_required
def activity_page(request: HttpRequest, pk: int) -> HttpResponse:
    activity = activity_or_404(request, pk)
    attendances = list(
        Attendance.objects.filter(activity=activity).select_related("deputy").order_by("deputy__name_stroke_key", "id")
    )
    by_status: dict[str, int] = {}
    for a in attendances:
        by_status[a.status] = by_status.get(a.status, 0) + 1
    is_meeting = activity.kind in MEETING_KINDS
    points = (
        list(
            MeetingPoint.objects.filter(activity=activity)
            .select_related("raised_by", "case", "suggestion")
            .order_by("id")
        )
        if is_meeting
        else []
    )
    present = {a.deputy_id for a in attendances if a.status == AttendanceStatus.PRESENT}
    planned = activity.status == ActivityStatus.PLANNED
    now = timezone.now()
    context = {
        "tabs": tabs(request),
        "a": activity,
        "attendances": attendances,
        "counts": [(label, by_status.get(value, 0)) for value, label in AttendanceStatus.choices],
        "uninvited": sum(1 for a in attendances if not a.invited),
        "signin_url": signin_url(request, activity),
        "planned": planned,
        "started": activity.starts_at <= now,
        "hand_choices": [a.deputy for a in attendances if a.deputy_id not in present],
        "invite_choices": [d for d in deputies_of(request.user) if d.pk not in {a.deputy_id for a in attendances}],
        "is_meeting": is_meeting,
        "points": points,
        "point_deputies": [a.deputy for a in attendances],
        "sessions": _sessions_for(activity) if is_meeting else [],
        "pending": PointHandling.PENDING,
    }
    return render(request, "office/duties/activity.html", context)


def _deputy(request: HttpRequest, activity: Activity, name: str = "deputy") -> Deputy:
    """A deputy of the user's scope (or already on the list): a foreign id is a 404."""
    try:
        pk = int(request.POST.get(name) or "")
    except ValueError:
        raise Http404("未找到该代表") from None
    on_list = Attendance.objects.filter(activity=activity, deputy_id=pk).exists()
    found = (Deputy.objects.filter(pk=pk) if on_list else Deputy.objects.visible_to(request.user).filter(pk=pk)).first()
    if found is None:
        raise Http404("未找到该代表，或不在您的管辖范围内")
    return found


def _point(activity: Activity, raw: str | None) -> MeetingPoint:
    try:
        return MeetingPoint.objects.select_related("activity__region", "activity__place", "raised_by").get(
            activity=activity, pk=int(raw or "")
        )
    except (ValueError, MeetingPoint.DoesNotExist):
        raise Http404("未找到该意见") from None


def _act(request: HttpRequest, activity: Activity, action: str) -> str:
    """Runs one action through its service; returns the message of success."""
    user: Any = request.user
    post = request.POST
    if action == "renew":
        services.activity_signin_code_renew(actor=user, activity=activity)
        return "已更换签到码，旧二维码已失效"
    if action == "sign_in":
        deputy = _deputy(request, activity)
        services.attendance_sign_in_by_hand(actor=user, activity=activity, deputy=deputy, reason=post.get("reason", ""))
        return f"已为{deputy.name}补签"
    if action == "leave":
        attendance = Attendance.objects.filter(activity=activity, pk=_int(post.get("attendance"))).first()
        if attendance is None:
            raise Http404("未找到该出席记录")
        approve = post.get("approve") == "1"
        services.leave_decide(actor=user, attendance=attendance, approve=approve)
        return f"已{'准假' if approve else '不准假'}：{attendance.deputy.name}"
    if action == "invite":
        ids = [_int(v) for v in post.getlist("deputies")]
        deputies = list(Deputy.objects.visible_to(user).filter(pk__in=ids))
        if len(deputies) != len(set(ids)) or not deputies:
            raise DomainError("field_required", "邀请代表: 请选择本辖区的代表", field="deputies")
        n = services.activity_invite(actor=user, activity=activity, deputies=deputies)
        return f"已邀请 {n} 名代表"
    if action == "held":
        services.activity_mark_held(actor=user, activity=activity, outcome=post.get("outcome", ""))
        absent = Attendance.objects.filter(activity=activity, status=AttendanceStatus.ABSENT).count()
        return f"已标记为已举行，缺席 {absent} 人"
    if action == "cancel":
        services.activity_cancel(actor=user, activity=activity, reason=post.get("reason", ""))
        return "活动已取消"
    if action == "point_add":
        raised = _deputy(request, activity, "raised_by") if post.get("raised_by") else None
        point = services.meeting_point_add(
            actor=user,
            activity=activity,
            text=post.get("text", ""),
            raised_by=raised,
            raised_by_name=post.get("raised_by_name", ""),
            counterpart=post.get("counterpart", ""),
            answer=post.get("answer", ""),
        )
        return f"已记录意见（{point.get_handling_display()}）"
    if action == "point_case":
        case = services.meeting_point_to_case(actor=user, point=_point(activity, post.get("point")))
        return f"已转为群众意见 {case.receipt_code}"
    if action == "point_suggestion":
        session = next((s for s in _sessions_for(activity) if s.pk == _int(post.get("session"))), None)
        if session is None:
            raise DomainError("field_required", "转为代表建议: 请选择接收建议的会议", field="session")
        services.meeting_point_to_suggestion(actor=user, point=_point(activity, post.get("point")), session=session)
        return "已转为代表建议（草稿，待代表提交）"
    raise Http404("没有这一操作")


def _int(raw: Any) -> int:
    try:
        return int(raw or "")
    except ValueError:
        return 0


@require_POST
@duties_required
def activity_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    activity = activity_or_404(request, pk)
    try:
        messages.success(request, _act(request, activity, action))
    except DomainError as exc:
        refused(request, exc)
    return redirect("office:duty_activity", pk=activity.pk)


urlpatterns = [
    path("", activity_list, name="duty_activities"),
    path("new/", activity_new, name="duty_activity_new"),
    path("<int:pk>/", activity_page, name="duty_activity"),
    path("<int:pk>/<slug:action>/", activity_act, name="duty_activity_act"),
]
