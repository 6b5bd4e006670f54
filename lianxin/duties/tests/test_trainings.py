"""Training plans (lianxin.duties.trainings): who may plan, enrol and add classes, what each write leaves (rows,
invitations, audit rows), bad input refused with its code and nothing written, and the hours a deputy earns by
signing in to a class with the activity's QR code."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.models import AuditEvent
from lianxin.deputies.models import Deputy, Mandate, MandateLevel
from lianxin.duties import services
from lianxin.duties.models import (
    Activity,
    ActivityKind,
    Attendance,
    AttendanceStatus,
    TrainingEnrolment,
    TrainingPlan,
)
from lianxin.duties.trainings import (
    congress_deputies,
    plans_visible_to,
    training_class_create,
    training_enrol,
    training_hours,
    training_hours_of_deputy,
    training_plan_create,
    training_unenrol,
)
from lianxin.workdays.calendar import CHINA

pytestmark = pytest.mark.django_db

# Mid-June: a class a fortnight before or after is in the plan's year, whenever the tests run.
NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=CHINA)
YEAR = 2026


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=True):
        yield


def audits(action: str) -> int:
    return AuditEvent.objects.filter(action=f"duties.{action}").count()


@pytest.fixture
def plan(personas, regions):
    return training_plan_create(
        actor=personas.county_staff,
        region=regions.deqing,
        level=MandateLevel.COUNTY,
        year=YEAR,
        title="县人大代表履职能力提升培训",
        planned_classes=4,
        description="法律法规、建议撰写、联系群众",
    )


def add_class(plan, personas, *, starts_in=datetime.timedelta(days=10), hours="3", title="第一期：代表法解读"):
    starts = timezone.now() + starts_in
    return training_class_create(
        actor=personas.county_staff,
        plan=plan,
        title=title,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=3),
        hours=Decimal(hours),
        location="县人大常委会会议室",
    )


# --- plans -----------------------------------------------------------------------------------------------------


def test_county_staff_plan_a_year_of_classes_for_their_congress_and_it_is_audited(plan, personas, regions):
    assert plan.region == regions.deqing and plan.level == MandateLevel.COUNTY and plan.year == YEAR
    assert plan.planned_classes == 4 and plan.created_by == personas.county_staff
    row = AuditEvent.objects.get(action="duties.training_plan_create")
    assert row.object_id == str(plan.pk) and row.actor == personas.county_staff
    assert row.changes["planned_classes"] == 4 and row.region_path == regions.deqing.path


@pytest.mark.parametrize("classes", [0, 13, -1, "四期", None])
def test_a_plan_outside_one_to_twelve_classes_is_refused_with_its_code_and_nothing_is_written(
    personas, regions, classes
):
    with pytest.raises(DomainError) as refused:
        training_plan_create(
            actor=personas.county_staff,
            region=regions.deqing,
            level=MandateLevel.COUNTY,
            year=YEAR,
            title="培训",
            planned_classes=classes,
        )
    assert refused.value.field == "planned_classes" and "计划期数" in refused.value.message
    if isinstance(classes, int):
        assert refused.value.code == "training_classes_out_of_range" and "1 到 12" in refused.value.message
    assert not TrainingPlan.objects.exists() and audits("training_plan_create") == 0


def test_a_plan_needs_a_title_a_year_and_the_congress_of_its_region(personas, regions):
    base = {"actor": personas.county_staff, "region": regions.deqing, "level": "county", "year": YEAR}
    cases = [
        ({"title": " ", "planned_classes": 4}, "field_required", "title"),
        ({"title": "培训", "planned_classes": 4, "year": 1990}, "field_invalid", "year"),
        ({"title": "培训", "planned_classes": 4, "level": "township"}, "congress_invalid", "region"),
        ({"title": "培训", "planned_classes": 4, "region": regions.jueren}, "congress_invalid", "region"),
    ]
    for fields, code, field in cases:
        with pytest.raises(DomainError) as refused:
            training_plan_create(**{**base, **fields})
        assert (refused.value.code, refused.value.field) == (code, field)
    assert not TrainingPlan.objects.exists()


@pytest.mark.parametrize("who", ["township_staff", "outsider", "deputy", "grid_worker"])
def test_only_staff_organising_over_the_congress_region_create_a_plan(personas, regions, who):
    with pytest.raises(PermissionDenied):
        training_plan_create(
            actor=getattr(personas, who),
            region=regions.deqing,
            level=MandateLevel.COUNTY,
            year=YEAR,
            title="培训",
            planned_classes=4,
        )
    assert not TrainingPlan.objects.exists() and audits("training_plan_create") == 0


def test_township_staff_plan_for_their_township_congress_and_see_only_their_plans(plan, personas, regions):
    mine = training_plan_create(
        actor=personas.township_staff,
        region=regions.wukang,
        level=MandateLevel.TOWNSHIP,
        year=YEAR,
        title="武康街道人大代表培训",
        planned_classes=6,
    )
    assert list(plans_visible_to(user=personas.township_staff)) == [mine]
    assert set(plans_visible_to(user=personas.county_staff)) == {plan, mine}
    assert not plans_visible_to(user=personas.outsider).exists()


# --- enrolment -------------------------------------------------------------------------------------------------


def test_enrolling_twice_enrols_once_and_writes_one_audit_row(plan, personas, duty):
    first = training_enrol(actor=personas.county_staff, plan=plan, deputies=[duty.first, duty.second, duty.first])
    assert [d.name for d in first.new] == ["沈建国", "钱立新"] and first.already == 0
    again = training_enrol(actor=personas.county_staff, plan=plan, deputies=[duty.first, duty.second])
    assert again.new == [] and again.already == 2
    assert TrainingEnrolment.objects.filter(plan=plan).count() == 2
    row = AuditEvent.objects.get(action="duties.training_enrol")
    assert sorted(row.changes["enrolled"]) == ["沈建国", "钱立新"]


def test_a_deputy_not_serving_in_the_plans_congress_is_refused_by_name_and_nobody_is_enrolled(plan, personas, duty):
    former = Deputy.objects.create(name="韩离任", gender="male")
    Mandate.objects.create(
        deputy=former,
        level=MandateLevel.COUNTY,
        congress_region=plan.region,
        term=16,
        started_on=datetime.date(2017, 1, 1),
        status="term_ended",
    )
    with pytest.raises(DomainError) as refused:
        training_enrol(actor=personas.county_staff, plan=plan, deputies=[duty.first, duty.township, former])
    assert refused.value.code == "deputy_not_in_congress" and refused.value.field == "deputies"
    assert "杨乡镇" in refused.value.message and "韩离任" in refused.value.message
    assert "沈建国" not in refused.value.message
    assert not TrainingEnrolment.objects.exists() and audits("training_enrol") == 0
    assert set(congress_deputies(plan)) == {duty.first, duty.second}


def test_enrolling_nobody_is_refused(plan, personas):
    with pytest.raises(DomainError) as refused:
        training_enrol(actor=personas.county_staff, plan=plan, deputies=[])
    assert refused.value.code == "field_required"


@pytest.mark.parametrize("who", ["township_staff", "outsider", "deputy"])
def test_staff_outside_the_plans_region_neither_enrol_nor_add_classes(plan, personas, duty, who):
    actor = getattr(personas, who)
    with pytest.raises(PermissionDenied):
        training_enrol(actor=actor, plan=plan, deputies=[duty.first])
    with pytest.raises(PermissionDenied):
        training_class_create(
            actor=actor,
            plan=plan,
            title="第一期",
            starts_at=NOW + datetime.timedelta(days=3),
            ends_at=NOW + datetime.timedelta(days=3, hours=2),
            hours=Decimal("2"),
        )
    training_enrol(actor=personas.county_staff, plan=plan, deputies=[duty.first])
    with pytest.raises(PermissionDenied):
        training_unenrol(actor=actor, plan=plan, deputy=duty.first)
    assert TrainingEnrolment.objects.count() == 1 and not Activity.objects.exists()


# --- classes ---------------------------------------------------------------------------------------------------


def test_a_class_is_a_training_activity_of_the_plan_inviting_every_enrolled_deputy(plan, personas, duty):
    training_enrol(actor=personas.county_staff, plan=plan, deputies=[duty.first, duty.second])
    lesson = add_class(plan, personas)
    lesson.refresh_from_db()
    assert lesson.kind == ActivityKind.TRAINING and lesson.training_plan == plan and lesson.hours == Decimal("3")
    assert lesson.region == plan.region and lesson.organiser == personas.county_staff
    assert set(Attendance.objects.filter(activity=lesson).values_list("deputy__name", "status")) == {
        ("沈建国", AttendanceStatus.INVITED),
        ("钱立新", AttendanceStatus.INVITED),
    }
    assert audits("activity_create") == 1
    row = AuditEvent.objects.get(action="duties.training_class_create")
    assert row.object_id == str(lesson.pk) and row.changes == {"plan": plan.pk, "invited": 2}


def test_a_class_needs_hours_and_a_start_in_the_plans_year(plan, personas):
    with pytest.raises(DomainError) as no_hours:
        training_class_create(
            actor=personas.county_staff,
            plan=plan,
            title="第一期",
            starts_at=NOW,
            ends_at=NOW + datetime.timedelta(hours=2),
            hours=None,
        )
    assert (no_hours.value.code, no_hours.value.field) == ("field_required", "hours")
    next_year = datetime.datetime(YEAR + 1, 1, 1, 9, 0, tzinfo=CHINA)
    with pytest.raises(DomainError) as late:
        training_class_create(
            actor=personas.county_staff,
            plan=plan,
            title="第一期",
            starts_at=next_year,
            ends_at=next_year + datetime.timedelta(hours=2),
            hours=Decimal("2"),
        )
    assert (late.value.code, late.value.field) == ("class_outside_year", "starts_at")
    with pytest.raises(DomainError) as backwards:
        training_class_create(
            actor=personas.county_staff,
            plan=plan,
            title="第一期",
            starts_at=NOW,
            ends_at=NOW - datetime.timedelta(hours=2),
            hours=Decimal("2"),
        )
    assert backwards.value.field == "ends_at"
    with pytest.raises(DomainError) as too_long:
        add_class(plan, personas, hours="120")
    assert too_long.value.field == "hours"
    assert not Activity.objects.exists() and audits("training_class_create") == 0


def test_enrolling_later_invites_to_the_classes_not_yet_started_only(plan, personas, duty):
    past = add_class(plan, personas, starts_in=-datetime.timedelta(days=5), title="第一期")
    coming = add_class(plan, personas, starts_in=datetime.timedelta(days=5), title="第二期")
    cancelled = add_class(plan, personas, starts_in=datetime.timedelta(days=8), title="第三期")
    services.activity_cancel(actor=personas.county_staff, activity=cancelled, reason="授课老师临时有事")
    result = training_enrol(actor=personas.county_staff, plan=plan, deputies=[duty.first])
    assert result.invitations == 1
    assert list(Attendance.objects.filter(deputy=duty.first).values_list("activity", flat=True)) == [coming.pk]
    assert not Attendance.objects.filter(activity=past).exists()
    row = AuditEvent.objects.get(action="duties.training_enrol")
    assert row.changes["classes_invited"] == [coming.pk]


def test_unenrolling_withdraws_the_invitations_to_classes_to_come_and_keeps_the_record_of_classes_held(
    plan, personas, duty
):
    training_enrol(actor=personas.county_staff, plan=plan, deputies=[duty.first, duty.second])
    held = add_class(plan, personas, starts_in=-datetime.timedelta(minutes=30), title="第一期")
    services.attendance_sign_in(actor=personas.deputy, code=held.signin_code)
    coming = add_class(plan, personas, title="第二期")
    withdrawn = training_unenrol(actor=personas.county_staff, plan=plan, deputy=duty.first)
    assert withdrawn == 1
    assert not TrainingEnrolment.objects.filter(deputy=duty.first).exists()
    assert not Attendance.objects.filter(activity=coming, deputy=duty.first).exists()
    assert Attendance.objects.get(activity=held, deputy=duty.first).status == AttendanceStatus.PRESENT
    assert Attendance.objects.filter(activity=coming, deputy=duty.second).exists()
    row = AuditEvent.objects.get(action="duties.training_unenrol")
    assert row.changes == {"deputy": "沈建国", "invitations_withdrawn": 1}
    with pytest.raises(DomainError) as again:
        training_unenrol(actor=personas.county_staff, plan=plan, deputy=duty.first)
    assert again.value.code == "not_enrolled" and audits("training_unenrol") == 1


# --- hours ------------------------------------------------------------------------------------------------------


def test_a_qr_sign_in_to_a_class_counts_its_hours_and_the_others_are_on_leave_or_absent(plan, personas, duty):
    training_enrol(actor=personas.county_staff, plan=plan, deputies=[duty.first, duty.second])
    first = add_class(plan, personas, starts_in=-datetime.timedelta(minutes=30), hours="3", title="第一期")
    services.attendance_sign_in(actor=personas.deputy, code=first.signin_code)
    services.activity_mark_held(actor=personas.county_staff, activity=first)
    with time_machine.travel(NOW - datetime.timedelta(days=20), tick=False):
        second = add_class(plan, personas, starts_in=datetime.timedelta(days=10), hours="2.5", title="第二期")
        leave = services.leave_request(actor=duty.second_user, activity=second, reason="外出学习")
        services.leave_decide(actor=personas.county_staff, attendance=leave, approve=True)
    services.attendance_sign_in(actor=personas.deputy, code=second.signin_code, now=second.starts_at)
    add_class(plan, personas, title="第三期")  # still to come: neither attended nor missed

    table = training_hours(plan)
    assert (table.classes, table.held) == (3, 2)
    lines = {line.name: line for line in table.lines}
    assert (lines["沈建国"].attended, lines["沈建国"].hours, lines["沈建国"].absent) == (2, Decimal("5.5"), 0)
    second_line = lines["钱立新"]
    assert (second_line.attended, second_line.hours, second_line.leave, second_line.absent) == (0, 0, 1, 1)
    assert all(line.enrolled for line in table.lines)

    mine = training_hours_of_deputy(deputy=duty.first, year=YEAR)
    assert (mine.hours, mine.attended, mine.planned, mine.scheduled) == (Decimal("5.5"), 2, 4, 3)
    assert mine.plans == ["县人大代表履职能力提升培训"]
    assert training_hours_of_deputy(deputy=duty.first, year=YEAR - 1).hours == 0


def test_a_cancelled_class_counts_nothing_and_a_deputy_signing_in_unenrolled_is_listed_as_such(plan, personas, duty):
    training_enrol(actor=personas.county_staff, plan=plan, deputies=[duty.second])
    lesson = add_class(plan, personas, starts_in=-datetime.timedelta(minutes=10), hours="4")
    services.attendance_sign_in(actor=personas.deputy, code=lesson.signin_code)
    table = training_hours(plan)
    walk_in = next(line for line in table.lines if line.name == "沈建国")
    assert not walk_in.enrolled and walk_in.hours == Decimal("4") and walk_in.attended == 1
    services.activity_cancel(actor=personas.county_staff, activity=lesson, reason="停电")
    table = training_hours(plan)
    assert table.classes == 0 and [line.name for line in table.lines] == ["钱立新"]
    assert training_hours_of_deputy(deputy=duty.first, year=YEAR).hours == 0


def test_the_hours_table_takes_the_same_queries_for_more_deputies(plan, personas, duty, django_assert_num_queries):
    def enrol_all():
        training_enrol(actor=personas.county_staff, plan=plan, deputies=list(congress_deputies(plan)))

    enrol_all()
    lesson = add_class(plan, personas, starts_in=-datetime.timedelta(minutes=10))
    services.attendance_sign_in(actor=personas.deputy, code=lesson.signin_code)
    with django_assert_num_queries(3):
        few = training_hours(plan)
    for n in range(10):
        deputy = Deputy.objects.create(name=f"代表{n}", gender="female")
        Mandate.objects.create(
            deputy=deputy,
            level=MandateLevel.COUNTY,
            congress_region=plan.region,
            term=17,
            started_on=datetime.date(2022, 1, 1),
        )
    enrol_all()
    services.activity_invite(actor=personas.county_staff, activity=lesson, deputies=list(congress_deputies(plan)))
    with django_assert_num_queries(3):
        more = training_hours(plan)
    assert len(few.lines) == 2 and len(more.lines) == 12
    with django_assert_num_queries(2):
        training_hours_of_deputy(deputy=duty.first, year=YEAR)
