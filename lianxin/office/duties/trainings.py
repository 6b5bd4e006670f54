"""履职培训 in the office: the training plans of the user's congresses by year (and a form to make one), and a plan's
page — enrolment by name, by group or of all the congress's deputies, the classes (training activities: their
QR code and sign-in sheet are the activity's, on its page), a form to add a class, and the hours per deputy (学时,
出勤) with its .xlsx download.

Every write is one function of lianxin.duties.trainings; this module only collects the fields and shows the answer.
"""

from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.accounts.roles import Perm
from lianxin.core.errors import DomainError
from lianxin.core.scoping import region_scope_q
from lianxin.core.tabular import Column, Integer, Number, Text, write_xlsx
from lianxin.deputies.models import Deputy, DeputyGroup
from lianxin.duties import trainings
from lianxin.duties.models import ActivityStatus, TrainingPlan
from lianxin.office.duties.common import duties_required, managed_regions, refused, tabs, year_of
from lianxin.regions.models import Region
from lianxin.venues.models import Place

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _when(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _said(form: forms.Form, exc: DomainError, request: HttpRequest) -> None:
    """A refusal beside its field, once; a refusal of the whole request as a message (or the 403/404)."""
    if exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    else:
        refused(request, exc)


# --- the plans of a year -------------------------------------------------------------------------------------------


class PlanForm(forms.Form):
    region = forms.ModelChoiceField(label="人大", queryset=Region.objects.none(), to_field_name="code")
    year = forms.IntegerField(label="年度")
    title = forms.CharField(label="计划名称", max_length=120)
    # The range is the service's to check (1 to 12), its message beside the field.
    planned_classes = forms.IntegerField(
        label="计划期数",
        initial=4,
        help_text="一般每年 4 至 6 期",
        widget=forms.NumberInput(attrs={"min": 1, "max": 12}),
    )
    description = forms.CharField(label="培训内容（选填）", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["region"]
        field.queryset = managed_regions(user).filter(level__in=list(trainings.CONGRESS_LEVEL))
        field.label_from_instance = lambda r: trainings.congress_label(r, trainings.CONGRESS_LEVEL[r.level])


@duties_required
def training_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    year = year_of(request, timezone.localdate().year)
    form = PlanForm(request.POST or None, user=user, initial={"year": year})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = trainings.training_plan_create(
                actor=user,
                region=data["region"],
                level=trainings.CONGRESS_LEVEL[data["region"].level],
                year=data["year"],
                title=data["title"],
                planned_classes=data["planned_classes"],
                description=data["description"],
            )
        except DomainError as exc:
            _said(form, exc, request)
        else:
            messages.success(request, f"已制定培训计划“{plan.title}”，请报名代表并安排各期培训")
            return redirect("office:duty_training", pk=plan.pk)
    plans = (
        trainings.plans_visible_to(user=user)
        .filter(year=year)
        .annotate(
            n_enrolled=Count("enrolments", distinct=True),
            n_classes=Count("classes", filter=~Q(classes__status=ActivityStatus.CANCELLED), distinct=True),
        )
        .order_by("region__path", "id")
    )
    this_year = timezone.localdate().year
    context = {
        "tabs": tabs(request),
        "year": year,
        "years": list(range(this_year + 1, this_year - 4, -1)),
        "plans": plans,
        "form": form,
    }
    return render(request, "office/duties/trainings.html", context, status=400 if form.errors else 200)


# --- one plan --------------------------------------------------------------------------------------------------


def plan_or_404(request: HttpRequest, pk: int) -> TrainingPlan:
    plan = trainings.plans_visible_to(user=request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404("未找到该培训计划，或不在您的管辖范围内")
    return plan


class EnrolForm(forms.Form):
    deputies = forms.ModelMultipleChoiceField(
        label="按姓名（可多选）",
        queryset=Deputy.objects.none(),
        required=False,
        help_text="按住 Ctrl（苹果电脑按 ⌘）可选多人",
    )
    groups = forms.ModelMultipleChoiceField(
        label="按代表小组", queryset=DeputyGroup.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    everyone = forms.BooleanField(label="本级人大全体在任代表", required=False)

    def __init__(self, *args: Any, user: Any, plan: TrainingPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        self.congress = trainings.congress_deputies(plan)
        enrolled = plan.enrolments.values("deputy_id")
        # Any deputy of the user's scope may be posted: one of another congress is the service's to refuse by name.
        fields["deputies"].queryset = Deputy.objects.visible_to(user).order_by("name_stroke_key", "id")
        fields["deputies"].widget.attrs["size"] = "8"
        self.choices = list(self.congress.exclude(pk__in=enrolled))
        fields["groups"].queryset = DeputyGroup.objects.visible_to(user).order_by("region__path", "name")

    def chosen(self) -> tuple[list[Deputy], int]:
        """The deputies named, the members of the groups serving in the congress, or all of it; and how many group
        members were left out for not serving in it."""
        data = self.cleaned_data
        if data.get("everyone"):
            return list(self.congress), 0
        chosen: dict[int, Deputy] = {d.pk: d for d in data.get("deputies") or []}
        skipped = 0
        groups = data.get("groups") or []
        if groups:
            members = Deputy.objects.filter(groups__in=groups).distinct()
            serving = set(self.congress.values_list("pk", flat=True))
            for d in members:
                if d.pk in serving:
                    chosen.setdefault(d.pk, d)
                elif d.pk not in chosen:
                    skipped += 1
        return list(chosen.values()), skipped


class ClassForm(forms.Form):
    title = forms.CharField(label="名称", max_length=120)
    starts_at = _when("开始时间")
    ends_at = _when("结束时间")
    # Required by the service (its message beside the field), as its range (0 to 100).
    hours = forms.DecimalField(label="学时", required=False, max_digits=4, decimal_places=1)
    place = forms.ModelChoiceField(label="家站室（选填）", queryset=Place.objects.none(), required=False)
    location = forms.CharField(label="地点（选填）", max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["place"]
        field.queryset = Place.objects.filter(
            region_scope_q(user, "region__path", Perm.MANAGE_DUTIES), is_active=True
        ).order_by("name")


def _enrol(request: HttpRequest, plan: TrainingPlan, form: EnrolForm) -> bool:
    if not form.is_valid():
        return False
    deputies, skipped = form.chosen()
    try:
        done = trainings.training_enrol(actor=request.user, plan=plan, deputies=deputies)  # type: ignore[arg-type]
    except DomainError as exc:
        _said(form, exc, request)
        return False
    text = f"已报名 {len(done.new)} 人"
    if done.invitations:
        text += f"，邀请参加尚未开始的培训 {done.invitations} 人次"
    if len(deputies) > len(done.new):
        text += f"；{len(deputies) - len(done.new)} 人此前已报名"
    if skipped:
        text += f"；所选小组中 {skipped} 人不是本级人大代表，未报名"
    messages.success(request, text)
    return True


def _add_class(request: HttpRequest, plan: TrainingPlan, form: ClassForm) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        lesson = trainings.training_class_create(
            actor=request.user,  # type: ignore[arg-type]
            plan=plan,
            title=data["title"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            hours=data["hours"],
            place=data["place"],
            location=data["location"],
        )
    except DomainError as exc:
        _said(form, exc, request)
        return False
    messages.success(request, f"已安排“{lesson.title}”，邀请已报名代表 {lesson.attendances.count()} 人")
    return True


@duties_required
def training_page(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_or_404(request, pk)
    user: Any = request.user
    posted = request.POST.get("form") if request.method == "POST" else None
    enrol = EnrolForm(request.POST if posted == "enrol" else None, user=user, plan=plan, prefix="enrol")
    lesson = ClassForm(request.POST if posted == "class" else None, user=user, prefix="class")
    if posted == "enrol" and _enrol(request, plan, enrol):
        return redirect("office:duty_training", pk=plan.pk)
    if posted == "class" and _add_class(request, plan, lesson):
        return redirect("office:duty_training", pk=plan.pk)
    context = {
        "tabs": tabs(request),
        "plan": plan,
        "congress": trainings.congress_label(plan.region, plan.level),
        "classes": list(trainings.plan_classes(plan)),
        "hours": trainings.training_hours(plan),
        "enrol": enrol,
        "lesson": lesson,
        "cancelled": ActivityStatus.CANCELLED,
    }
    failed = bool(posted) or enrol.errors or lesson.errors
    return render(request, "office/duties/training.html", context, status=400 if failed else 200)


@require_POST
@duties_required
def training_unenrol(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_or_404(request, pk)
    enrolled = plan.enrolments.values("deputy_id")
    deputy = Deputy.objects.filter(pk=_int(request.POST.get("deputy")), pk__in=enrolled).first()
    if deputy is None:
        raise Http404("未找到该报名代表")
    try:
        withdrawn = trainings.training_unenrol(actor=request.user, plan=plan, deputy=deputy)  # type: ignore[arg-type]
    except DomainError as exc:
        refused(request, exc)
    else:
        messages.success(request, f"已取消{deputy.name}的报名" + (f"，撤回邀请 {withdrawn} 期" if withdrawn else ""))
    return redirect("office:duty_training", pk=plan.pk)


def _int(raw: Any) -> int:
    try:
        return int(raw or "")
    except ValueError:
        return 0


# --- the hours as a spreadsheet --------------------------------------------------------------------------------

HOURS_COLUMNS = [
    Column("代表", "name", parse=Text()),
    Column("报名", "enrolled", parse=Text()),
    Column("出勤（期）", "attended", parse=Integer()),
    Column("已开班（期）", "held", parse=Integer()),
    Column("学时", "hours", parse=Number()),
    Column("请假（期）", "leave", parse=Integer()),
    Column("缺席（期）", "absent", parse=Integer()),
]


def hours_xlsx(table: trainings.PlanHours) -> bytes:
    """The hours table; write_xlsx makes any text starting with = + - @ inert (a name is never run as a formula)."""
    rows = [
        {
            "name": line.name,
            "enrolled": "已报名" if line.enrolled else "未报名（扫码签到）",
            "attended": line.attended,
            "held": table.held,
            "hours": float(line.hours),
            "leave": line.leave,
            "absent": line.absent,
        }
        for line in table.lines
    ]
    return write_xlsx(HOURS_COLUMNS, rows, title="培训学时")


@duties_required
def training_hours_download(request: HttpRequest, pk: int) -> HttpResponse:
    plan = plan_or_404(request, pk)
    response = HttpResponse(hours_xlsx(trainings.training_hours(plan)), content_type=XLSX)
    filename = f"{plan.year}年{plan.title}-学时.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


urlpatterns = [
    path("", training_list, name="duty_trainings"),
    path("<int:pk>/", training_page, name="duty_training"),
    path("<int:pk>/unenrol/", training_unenrol, name="duty_training_unenrol"),
    path("<int:pk>/hours.xlsx", training_hours_download, name="duty_training_hours"),
]
