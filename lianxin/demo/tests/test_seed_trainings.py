"""The demo's trainings (issue 17): the two trainings of the year are classes of the county congress's training plan
of their year, every county deputy enrolled, and the hours are those of the sign-ins. Uses the package's one seed."""

from decimal import Decimal

from lianxin.core.models import AuditEvent
from lianxin.deputies.models import Deputy
from lianxin.duties.models import Activity, ActivityKind, AttendanceStatus, TrainingEnrolment, TrainingPlan
from lianxin.duties.trainings import congress_deputies, training_hours, training_hours_of_deputy


def test_the_trainings_are_classes_of_the_county_congresss_plan_with_every_deputy_enrolled(county):
    plans = list(TrainingPlan.objects.filter(region=county, level="county").order_by("year"))
    assert 1 <= len(plans) <= 2 and all(p.planned_classes == 4 for p in plans)
    classes = Activity.objects.filter(kind=ActivityKind.TRAINING)
    assert classes.count() == 2 and not classes.filter(training_plan=None).exists()
    for plan in plans:
        enrolled = set(TrainingEnrolment.objects.filter(plan=plan).values_list("deputy_id", flat=True))
        assert enrolled == set(congress_deputies(plan).values_list("pk", flat=True)) and len(enrolled) > 200
        for lesson in plan.classes.all():
            assert lesson.starts_at.year == plan.year and lesson.hours in (Decimal("6"), Decimal("4"))
            assert set(lesson.attendances.values_list("deputy_id", flat=True)) == enrolled
    assert AuditEvent.objects.filter(action="duties.training_plan_create").count() == len(plans)
    assert AuditEvent.objects.filter(action="duties.training_class_create").count() == 2


def test_the_hours_are_those_of_the_sign_ins_and_the_demo_deputy_sees_them(county):
    plan = TrainingPlan.objects.filter(region=county).order_by("-year").first()
    table = training_hours(plan)
    lines = {line.deputy_id: line for line in table.lines}
    for lesson in plan.classes.all():
        for attendance in lesson.attendances.all():
            line = lines[attendance.deputy_id]
            if attendance.status == AttendanceStatus.PRESENT:
                assert line.attended >= 1 and line.hours >= lesson.hours
    assert sum(line.attended for line in table.lines) > 0.8 * len(table.lines) * table.held
    assert any(line.absent for line in table.lines) and any(line.leave for line in table.lines)
    me = Deputy.objects.get(user__username="deputy")
    mine = training_hours_of_deputy(deputy=me, year=plan.year)
    assert mine.planned == 4 and mine.hours == lines[me.pk].hours and mine.attended == lines[me.pk].attended
