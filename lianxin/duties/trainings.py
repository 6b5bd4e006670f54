"""Training plans (培训计划): a congress's plan for a year (usually 4–6 classes), the deputies enrolled (报名), its
classes — activities of the kind `training` linked to the plan, so a deputy signs in to a class by the same QR code
as to any activity — and the hours (学时) each deputy earned.

Writes are keyword-only, atomic and audited, for staff holding manage_duties over the plan's region (as for
activities, lianxin.duties.services). An enrolled deputy is invited to every class of the plan: to the classes
created later, and, on enrolment, to those that have not started yet. The reads count with grouped queries, not
deputy by deputy.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.accounts.roles import Perm
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.fields import clean_text
from lianxin.core.scoping import region_scope_q
from lianxin.deputies.models import SERVING_STATUSES, Deputy, Mandate, MandateLevel
from lianxin.duties.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Attendance,
    AttendanceStatus,
    TrainingEnrolment,
    TrainingPlan,
)
from lianxin.duties.services import activity_create, can_organise
from lianxin.regions.models import Region, RegionLevel
from lianxin.venues.models import Place
from lianxin.workdays.calendar import CHINA

# The model's range (constraint training_plan_classes_range); a plan usually has 4–6 classes a year.
MIN_CLASSES, MAX_CLASSES = 1, 12
# The congress of a region: a county's region holds the county congress, a township's the township congress.
CONGRESS_LEVEL = {
    RegionLevel.PROVINCE: MandateLevel.PROVINCE,
    RegionLevel.PREFECTURE: MandateLevel.CITY,
    RegionLevel.COUNTY: MandateLevel.COUNTY,
    RegionLevel.TOWNSHIP: MandateLevel.TOWNSHIP,
}
ZERO = Decimal("0")


def congress_label(region: Region, level: str) -> str:
    return f"{region.name}人大（{MandateLevel(level).label}）"


def _audit(actor: User, action: str, obj: Any, region: Region, **changes: Any) -> None:
    audit_record(actor=actor, action=f"duties.{action}", obj=obj, region_path=region.path, changes=changes)


def _require_manager(actor: User, plan: TrainingPlan) -> None:
    if not can_organise(actor, plan.region):
        raise PermissionDenied(f"只有{plan.region.name}人大的工作人员可以管理该培训计划")


def _year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The year in Beijing days, as an aware half-open interval."""
    return (
        datetime.datetime(year, 1, 1, tzinfo=CHINA),
        datetime.datetime(year + 1, 1, 1, tzinfo=CHINA),
    )


# --- plans ---------------------------------------------------------------------------------------------------------


def training_plan_create(
    *,
    actor: User,
    region: Region,
    level: str,
    year: int,
    title: str,
    planned_classes: Any,
    description: str = "",
) -> TrainingPlan:
    """A congress's training plan for a year; staff who organise activities over the congress's region."""
    if not can_organise(actor, region):
        raise PermissionDenied("只能为本人管辖区划的人大制定培训计划")
    if CONGRESS_LEVEL.get(RegionLevel(region.level)) != level:
        raise DomainError("congress_invalid", f"人大: {region.name}没有{_level_label(level)}人大", field="region")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DomainError("field_invalid", f"年度: 应为四位年份，如 {timezone.localdate().year}", field="year")
    try:
        classes = int(planned_classes)
    except (TypeError, ValueError):
        raise DomainError("field_invalid", "计划期数: 应为整数", field="planned_classes") from None
    if not MIN_CLASSES <= classes <= MAX_CLASSES:
        raise DomainError(
            "training_classes_out_of_range",
            f"计划期数: 应在 {MIN_CLASSES} 到 {MAX_CLASSES} 期之间（一般每年 4 至 6 期），填写的是 {classes}",
            field="planned_classes",
        )
    with transaction.atomic():
        plan = TrainingPlan.objects.create(
            region=region,
            level=level,
            year=year,
            title=clean_text(title, "title", "计划名称", limit=120, required=True),
            planned_classes=classes,
            description=clean_text(description, "description", "培训内容", limit=5000, required=False),
            created_by=actor,
        )
        _audit(actor, "training_plan_create", plan, region, level=level, year=year, planned_classes=classes)
    return plan


def _level_label(level: str) -> str:
    return MandateLevel(level).label if level in MandateLevel.values else f"“{level}”"


def plans_visible_to(*, user: Any) -> QuerySet[TrainingPlan]:
    """The plans of the congresses where the user organises activities (manage_duties); anything else is a 404."""
    return TrainingPlan.objects.filter(region_scope_q(user, "region__path", Perm.MANAGE_DUTIES)).select_related(
        "region"
    )


def congress_deputies(plan: TrainingPlan) -> QuerySet[Deputy]:
    """The deputies serving in the plan's congress, in the order of their surname's strokes."""
    serving = Mandate.objects.filter(congress_region=plan.region, level=plan.level, status__in=SERVING_STATUSES)
    return Deputy.objects.filter(pk__in=serving.values("deputy_id")).order_by("name_stroke_key", "id")


# --- enrolment -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrolled:
    """What an enrolment did: the deputies newly enrolled, how many were already, the invitations it sent."""

    new: list[Deputy]
    already: int
    invitations: int


def _names(deputies: list[Deputy], limit: int = 10) -> str:
    shown = "、".join(d.name for d in deputies[:limit])
    return shown + (f"等{len(deputies)}人" if len(deputies) > limit else "")


def training_enrol(*, actor: User, plan: TrainingPlan, deputies: list[Deputy]) -> Enrolled:
    """Enrols deputies serving in the plan's congress (once each: enrolling again changes nothing) and invites them
    to the plan's classes that have not started yet."""
    _require_manager(actor, plan)
    chosen = list({d.pk: d for d in deputies}.values())
    if not chosen:
        raise DomainError("field_required", "报名代表: 请选择代表", field="deputies")
    serving = set(congress_deputies(plan).filter(pk__in=[d.pk for d in chosen]).values_list("pk", flat=True))
    outside = [d for d in chosen if d.pk not in serving]
    if outside:
        raise DomainError(
            "deputy_not_in_congress",
            f"报名代表: {_names(outside)} 不是{congress_label(plan.region, plan.level)}的在任代表，不能报名",
            field="deputies",
        )
    with transaction.atomic():
        TrainingPlan.objects.select_for_update().filter(pk=plan.pk).first()  # one enrolment of a plan at a time
        existing = set(
            TrainingEnrolment.objects.filter(plan=plan, deputy_id__in=serving).values_list("deputy_id", flat=True)
        )
        new = [d for d in chosen if d.pk not in existing]
        if not new:
            return Enrolled(new=[], already=len(existing), invitations=0)
        TrainingEnrolment.objects.bulk_create([TrainingEnrolment(plan=plan, deputy=d, enrolled_by=actor) for d in new])
        classes = list(
            Activity.objects.filter(
                training_plan=plan, status=ActivityStatus.PLANNED, starts_at__gt=timezone.now()
            ).values_list("pk", flat=True)
        )
        invitations = _invite_to(classes, [d.pk for d in new])
        _audit(
            actor,
            "training_enrol",
            plan,
            plan.region,
            enrolled=[d.name for d in new],
            classes_invited=classes,
        )
    return Enrolled(new=new, already=len(existing), invitations=invitations)


def _invite_to(activity_ids: list[int], deputy_ids: list[int]) -> int:
    """Invitations (Attendance rows) of each deputy to each activity, those already on a list left as they are."""
    if not activity_ids or not deputy_ids:
        return 0
    on_list = set(
        Attendance.objects.filter(activity_id__in=activity_ids, deputy_id__in=deputy_ids).values_list(
            "activity_id", "deputy_id"
        )
    )
    rows = [Attendance(activity_id=a, deputy_id=d) for a in activity_ids for d in deputy_ids if (a, d) not in on_list]
    Attendance.objects.bulk_create(rows)
    return len(rows)


def training_unenrol(*, actor: User, plan: TrainingPlan, deputy: Deputy) -> int:
    """Takes a deputy off the plan and off the lists of its classes that have not started (what they did at the
    classes held stays); returns how many invitations were withdrawn."""
    _require_manager(actor, plan)
    with transaction.atomic():
        deleted, _ = TrainingEnrolment.objects.filter(plan=plan, deputy=deputy).delete()
        if not deleted:
            raise DomainError("not_enrolled", f"取消报名: {deputy.name} 未报名该培训计划", field="deputy")
        withdrawn, _ = Attendance.objects.filter(
            activity__training_plan=plan,
            activity__status=ActivityStatus.PLANNED,
            activity__starts_at__gt=timezone.now(),
            deputy=deputy,
            status__in=[AttendanceStatus.INVITED, AttendanceStatus.LEAVE_REQUESTED, AttendanceStatus.ON_LEAVE],
        ).delete()
        _audit(actor, "training_unenrol", plan, plan.region, deputy=deputy.name, invitations_withdrawn=withdrawn)
    return withdrawn


# --- classes -------------------------------------------------------------------------------------------------------


def training_class_create(
    *,
    actor: User,
    plan: TrainingPlan,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    hours: Decimal | None,
    place: Place | None = None,
    location: str = "",
    organiser_name: str = "",
) -> Activity:
    """A class of the plan: a training activity in the plan's region, every enrolled deputy invited."""
    _require_manager(actor, plan)
    if hours is None:
        raise DomainError("field_required", "学时: 培训班须填写学时", field="hours")
    low, high = _year_bounds(plan.year)
    if not low <= starts_at < high:
        raise DomainError("class_outside_year", f"开始时间: 应在计划年度 {plan.year} 年内", field="starts_at")
    enrolled = list(Deputy.objects.filter(pk__in=plan.enrolments.values("deputy_id")))
    with transaction.atomic():
        activity = activity_create(
            actor=actor,
            kind=ActivityKind.TRAINING,
            title=title,
            region=plan.region,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
            location=location,
            organiser_name=organiser_name,
            hours=hours,
            invited=enrolled,
        )
        Activity.objects.filter(pk=activity.pk).update(training_plan=plan)
        activity.training_plan = plan
        _audit(actor, "training_class_create", activity, plan.region, plan=plan.pk, invited=len(enrolled))
    return activity


def plan_classes(plan: TrainingPlan) -> QuerySet[Activity]:
    """The plan's classes in time order, with their counts of invited and present deputies."""
    return (
        Activity.objects.filter(training_plan=plan)
        .select_related("region", "place")
        .annotate(
            n_invited=Count("attendances", filter=Q(attendances__invited=True)),
            n_present=Count("attendances", filter=Q(attendances__status=AttendanceStatus.PRESENT)),
        )
        .order_by("starts_at", "id")
    )


# --- hours ---------------------------------------------------------------------------------------------------------


@dataclass
class HoursLine:
    """One deputy's classes of a plan: attended (signed in, the class not cancelled), hours, leave, absences."""

    deputy_id: int
    name: str
    enrolled: bool
    attended: int = 0
    hours: Decimal = ZERO
    leave: int = 0
    absent: int = 0
    stroke_key: str = ""


@dataclass
class PlanHours:
    plan: TrainingPlan
    classes: int  # the plan's classes not cancelled
    held: int  # of them, those that have started
    lines: list[HoursLine] = field(default_factory=list)


def _attendance_totals(rows: QuerySet[Attendance], *group: str) -> QuerySet[Any]:
    """Per deputy (and the `group` fields): classes attended and their hours, leave and absences; cancelled
    classes do not count."""
    present = Q(status=AttendanceStatus.PRESENT)
    return (
        rows.exclude(activity__status=ActivityStatus.CANCELLED)
        .values("deputy_id", *group)
        .annotate(
            attended=Count("id", filter=present),
            hours=Sum("activity__hours", filter=present),
            leave=Count("id", filter=Q(status=AttendanceStatus.ON_LEAVE)),
            absent=Count("id", filter=Q(status=AttendanceStatus.ABSENT)),
        )
        .order_by()
    )


def training_hours(plan: TrainingPlan) -> PlanHours:
    """Per enrolled deputy (and any deputy who signed in to a class without being enrolled): classes attended,
    hours, leave and absences; in three queries whatever the number of deputies."""
    counts = Activity.objects.filter(training_plan=plan).exclude(status=ActivityStatus.CANCELLED)
    totals = counts.aggregate(classes=Count("id"), held=Count("id", filter=Q(starts_at__lte=timezone.now())))
    lines: dict[int, HoursLine] = {
        row["deputy_id"]: HoursLine(
            row["deputy_id"], row["deputy__name"], True, stroke_key=row["deputy__name_stroke_key"]
        )
        for row in plan.enrolments.values("deputy_id", "deputy__name", "deputy__name_stroke_key")
    }
    rows = _attendance_totals(
        Attendance.objects.filter(activity__training_plan=plan), "deputy__name", "deputy__name_stroke_key"
    )
    for row in rows:
        line = lines.get(row["deputy_id"])
        if line is None:
            if not row["attended"]:
                continue  # invited before being taken off the plan, never came: not the plan's any more
            line = lines[row["deputy_id"]] = HoursLine(
                row["deputy_id"], row["deputy__name"], False, stroke_key=row["deputy__name_stroke_key"]
            )
        line.attended, line.hours = row["attended"], row["hours"] or ZERO
        line.leave, line.absent = row["leave"], row["absent"]
    ordered = sorted(lines.values(), key=lambda line: (line.stroke_key, line.deputy_id))
    return PlanHours(plan=plan, classes=totals["classes"], held=totals["held"], lines=ordered)


@dataclass(frozen=True)
class DeputyTraining:
    """A deputy's trainings of a year: what they attended (any training activity, in a plan or not) and the classes
    of the plans they are enrolled in."""

    year: int
    hours: Decimal
    attended: int
    leave: int
    absent: int
    planned: int  # classes the deputy's plans of the year foresee
    scheduled: int  # classes of those plans arranged so far (not cancelled)
    plans: list[str]


def training_hours_of_deputy(*, deputy: Deputy, year: int) -> DeputyTraining:
    """For the phone and the duty record: two queries."""
    low, high = _year_bounds(year)
    rows = Attendance.objects.filter(
        deputy=deputy,
        activity__kind=ActivityKind.TRAINING,
        activity__starts_at__gte=low,
        activity__starts_at__lt=high,
    )
    total = next(iter(_attendance_totals(rows)), None) or {}
    plans = list(
        TrainingPlan.objects.filter(year=year, enrolments__deputy=deputy)
        .annotate(scheduled=Count("classes", filter=~Q(classes__status=ActivityStatus.CANCELLED)))
        .order_by("id")
        .values_list("title", "planned_classes", "scheduled")
    )
    return DeputyTraining(
        year=year,
        hours=total.get("hours") or ZERO,
        attended=total.get("attended", 0),
        leave=total.get("leave", 0),
        absent=total.get("absent", 0),
        planned=sum(p[1] for p in plans),
        scheduled=sum(p[2] for p in plans),
        plans=[p[0] for p in plans],
    )
