# ruff: noqa: F811  (the `duty` fixture is imported from the duties app's conftest and named by each test)
"""The office's 履职培训 pages: who may open them (staff of the plan's congress; another county's staff get the 404
of a plan that does not exist, a deputy a 403), what each form does (plans, enrolment by name, group or all, classes,
taking a deputy off), and the hours table with its .xlsx download, whose cells are never formulas."""

import datetime
import html
import io
import re
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.utils import timezone

from lianxin.accounts.roles import Role
from lianxin.core.models import AuditEvent
from lianxin.deputies.models import Deputy, DeputyGroup, Mandate, MandateLevel
from lianxin.duties import services
from lianxin.duties.models import Activity, ActivityKind, Attendance, TrainingEnrolment, TrainingPlan
from lianxin.duties.tests.conftest import duty  # noqa: F401
from lianxin.duties.trainings import training_class_create, training_enrol, training_plan_create
from lianxin.workdays.calendar import CHINA

pytestmark = pytest.mark.django_db

BASE = "/office/duties/trainings/"
NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=CHINA)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def plan(personas, regions):
    return training_plan_create(
        actor=personas.county_staff,
        region=regions.deqing,
        level=MandateLevel.COUNTY,
        year=2026,
        title="县人大代表履职能力提升培训",
        planned_classes=4,
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
    )


def page_text(response) -> str:
    """The page's text as a reader sees it: tags dropped, entities read, spaces collapsed."""
    text = re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(text).split())


def said(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def county_deputy(name, regions):
    deputy = Deputy.objects.create(name=name, gender="female")
    Mandate.objects.create(
        deputy=deputy,
        level=MandateLevel.COUNTY,
        congress_region=regions.deqing,
        term=17,
        district_region=regions.jueren,
        started_on=datetime.date(2022, 1, 1),
    )
    return deputy


# --- who may open what -----------------------------------------------------------------------------------------


def test_the_duties_tabs_link_the_training_plans(client, personas, duty):
    client.force_login(personas.county_staff)
    response = client.get("/office/duties/activities/")
    assert f'href="{BASE}"' in response.content.decode() and "履职培训" in page_text(response)


@pytest.mark.parametrize("who", ["county_staff", "township_staff", "place_staff", "outsider"])
def test_staff_organising_duties_open_the_list(client, personas, who):
    client.force_login(getattr(personas, who))
    assert client.get(BASE).status_code == 200


@pytest.mark.parametrize("who", ["deputy", "grid_worker", "unit_handler"])
def test_whoever_does_not_organise_duties_is_refused_every_page(client, personas, plan, who):
    client.force_login(getattr(personas, who))
    for page in ["", f"{plan.pk}/", f"{plan.pk}/hours.xlsx"]:
        assert client.get(BASE + page).status_code == 403, page
    assert client.post(BASE, {"title": "x"}).status_code == 403
    assert not TrainingPlan.objects.exclude(pk=plan.pk).exists()


def test_staff_of_another_county_or_township_get_the_404_of_a_plan_that_does_not_exist(
    client, personas, regions, make_user, plan, duty
):
    training_enrol(actor=personas.county_staff, plan=plan, deputies=[duty.first])
    anji = make_user("anji_staff", Role.COUNTY_STAFF, regions.anji)
    for user in (anji, personas.outsider, personas.township_staff):
        client.force_login(user)
        assert plan.title not in page_text(client.get(BASE + "?year=2026"))
        assert client.get(f"{BASE}{plan.pk}/").status_code == 404
        assert client.get(f"{BASE}{plan.pk}/hours.xlsx").status_code == 404
        enrol = {"form": "enrol", "enrol-deputies": [duty.second.pk]}
        assert client.post(f"{BASE}{plan.pk}/", enrol).status_code == 404
        assert client.post(f"{BASE}{plan.pk}/unenrol/", {"deputy": duty.first.pk}).status_code == 404
    assert list(TrainingEnrolment.objects.values_list("deputy", flat=True)) == [duty.first.pk]
    assert AuditEvent.objects.filter(action="duties.training_unenrol").count() == 0


# --- plans -------------------------------------------------------------------------------------------------------


def test_county_staff_make_a_plan_and_it_is_listed_by_year(client, personas, regions):
    client.force_login(personas.county_staff)
    form = client.get(BASE)
    assert "德清县人大（县级）" in page_text(form) and "武康街道人大（乡镇级）" in page_text(form)
    response = client.post(
        BASE,
        {"region": regions.deqing.code, "year": 2026, "title": "代表履职培训", "planned_classes": 5},
        follow=True,
    )
    plan = TrainingPlan.objects.get()
    assert response.redirect_chain[-1][0] == f"{BASE}{plan.pk}/"
    assert (plan.level, plan.year, plan.planned_classes) == (MandateLevel.COUNTY, 2026, 5)
    assert AuditEvent.objects.filter(action="duties.training_plan_create", object_id=str(plan.pk)).exists()
    assert "代表履职培训" in page_text(client.get(BASE + "?year=2026"))
    assert "代表履职培训" not in page_text(client.get(BASE + "?year=2025"))


def test_a_plan_of_thirteen_classes_is_refused_beside_its_field_and_nothing_is_written(client, personas, regions):
    client.force_login(personas.county_staff)
    response = client.post(
        BASE, {"region": regions.deqing.code, "year": 2026, "title": "代表履职培训", "planned_classes": 13}
    )
    assert response.status_code == 400
    assert "计划期数: 应在 1 到 12 期之间" in page_text(response)
    assert not TrainingPlan.objects.exists()


def test_township_staff_cannot_make_a_plan_for_the_county(client, personas, regions):
    client.force_login(personas.township_staff)
    response = client.post(BASE, {"region": regions.deqing.code, "year": 2026, "title": "培训", "planned_classes": 4})
    assert response.status_code == 400 and not TrainingPlan.objects.exists()


# --- enrolment and classes ---------------------------------------------------------------------------------------


def test_enrolment_by_name_by_group_and_of_the_whole_congress(client, personas, regions, plan, duty):
    third = county_deputy("周晓梅", regions)
    group = DeputyGroup.objects.create(kind="local", name="武康代表小组", region=regions.wukang)
    group.members.set([duty.second, duty.township])  # the township deputy is not of the county congress
    client.force_login(personas.county_staff)
    page = f"{BASE}{plan.pk}/"
    response = client.post(page, {"form": "enrol", "enrol-deputies": [duty.first.pk]}, follow=True)
    assert said(response) == ["已报名 1 人"]
    response = client.post(page, {"form": "enrol", "enrol-groups": [group.pk]}, follow=True)
    assert said(response) == ["已报名 1 人；所选小组中 1 人不是本级人大代表，未报名"]
    response = client.post(page, {"form": "enrol", "enrol-everyone": "on"}, follow=True)
    assert said(response) == ["已报名 1 人；2 人此前已报名"]
    assert set(TrainingEnrolment.objects.values_list("deputy", flat=True)) == {duty.first.pk, duty.second.pk, third.pk}
    assert AuditEvent.objects.filter(action="duties.training_enrol").count() == 3


def test_a_deputy_of_another_congress_named_is_refused_by_name(client, personas, plan, duty):
    client.force_login(personas.county_staff)
    response = client.post(f"{BASE}{plan.pk}/", {"form": "enrol", "enrol-deputies": [duty.first.pk, duty.township.pk]})
    assert response.status_code == 400
    assert "杨乡镇 不是德清县人大（县级）的在任代表" in page_text(response)
    assert not TrainingEnrolment.objects.exists()


def test_a_class_added_on_the_page_invites_the_enrolled_and_links_to_its_sign_in(client, personas, plan, duty):
    training_enrol(actor=personas.county_staff, plan=plan, deputies=[duty.first, duty.second])
    client.force_login(personas.county_staff)
    page = f"{BASE}{plan.pk}/"
    data = {
        "form": "class",
        "class-title": "第一期：代表建议撰写",
        "class-starts_at": "2026-07-01T09:00",
        "class-ends_at": "2026-07-01T12:00",
        "class-hours": "3",
        "class-location": "县行政中心",
    }
    response = client.post(page, data, follow=True)
    lesson = Activity.objects.get()
    assert said(response) == ["已安排“第一期：代表建议撰写”，邀请已报名代表 2 人"]
    assert lesson.kind == ActivityKind.TRAINING and lesson.training_plan == plan and lesson.hours == Decimal("3")
    assert Attendance.objects.filter(activity=lesson).count() == 2
    html = response.content.decode()
    assert f'href="/office/duties/activities/{lesson.pk}/#h-qr"' in html
    assert f'href="/office/duties/activities/{lesson.pk}/sheet.pdf"' in html
    assert "已安排 1 期 / 计划 4 期" in page_text(response)


def test_a_class_without_hours_or_outside_the_year_is_refused_beside_its_field(client, personas, plan):
    client.force_login(personas.county_staff)
    base = {"form": "class", "class-title": "第一期", "class-starts_at": "2026-07-01T09:00"}
    response = client.post(f"{BASE}{plan.pk}/", {**base, "class-ends_at": "2026-07-01T12:00"})
    assert response.status_code == 400 and "学时: 培训班须填写学时" in page_text(response)
    late = {**base, "class-starts_at": "2027-01-05T09:00", "class-ends_at": "2027-01-05T12:00", "class-hours": "2"}
    response = client.post(f"{BASE}{plan.pk}/", late)
    assert response.status_code == 400 and "应在计划年度 2026 年内" in page_text(response)
    assert not Activity.objects.exists()


def test_taking_a_deputy_off_the_plan(client, personas, plan, duty):
    training_enrol(actor=personas.county_staff, plan=plan, deputies=[duty.first, duty.second])
    coming = add_class(plan, personas)
    client.force_login(personas.county_staff)
    response = client.post(f"{BASE}{plan.pk}/unenrol/", {"deputy": duty.first.pk}, follow=True)
    assert said(response) == ["已取消沈建国的报名，撤回邀请 1 期"]
    assert list(TrainingEnrolment.objects.values_list("deputy", flat=True)) == [duty.second.pk]
    assert list(Attendance.objects.filter(activity=coming).values_list("deputy", flat=True)) == [duty.second.pk]
    assert client.post(f"{BASE}{plan.pk}/unenrol/", {"deputy": duty.first.pk}).status_code == 404


# --- hours -------------------------------------------------------------------------------------------------------


def _hours_sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows())


def test_the_hours_after_a_qr_sign_in_show_on_the_page_and_in_the_download(client, personas, regions, plan, duty):
    formula = county_deputy('=HYPERLINK("http://evil.example","点我")', regions)
    training_enrol(actor=personas.county_staff, plan=plan, deputies=[duty.first, duty.second, formula])
    lesson = add_class(plan, personas, starts_in=-datetime.timedelta(minutes=20), hours="3.5")
    services.attendance_sign_in(actor=personas.deputy, code=lesson.signin_code)  # the QR code, from the phone
    services.activity_mark_held(actor=personas.county_staff, activity=lesson)
    client.force_login(personas.county_staff)

    response = client.get(f"{BASE}{plan.pk}/")
    text = page_text(response)
    assert "沈建国 3.5 1/1 0 0" in text and "钱立新 0 0/1 0 1" in text

    rows = _hours_sheet(client.get(f"{BASE}{plan.pk}/hours.xlsx"))
    values = [[cell.value for cell in row] for row in rows]
    assert values[0] == ["代表", "报名", "出勤（期）", "已开班（期）", "学时", "请假（期）", "缺席（期）"]
    by_name = {row[0]: row for row in values[1:]}
    assert by_name["沈建国"] == ["沈建国", "已报名", 1, 1, 3.5, 0, 0]
    assert by_name["钱立新"] == ["钱立新", "已报名", 0, 1, 0, 0, 1]
    # The name that looks like a formula is written as inert text: a leading ', typed as a string.
    inert = "'" + formula.name
    assert by_name[inert][1:] == ["已报名", 0, 1, 0, 0, 1]
    cell = next(row[0] for row in rows if row[0].value == inert)
    assert cell.data_type == "s"
    assert not any(isinstance(c.value, str) and c.value.startswith("=") for row in rows for c in row)


def test_a_class_activity_page_links_back_to_its_training_plan(client, personas, plan):
    lesson = add_class(plan, personas)
    client.force_login(personas.county_staff)
    body = client.get(f"/office/duties/activities/{lesson.pk}/").content.decode()
    assert f'id="training-plan" href="{BASE}{plan.pk}/"' in body and "2026年 县人大代表履职能力提升培训" in body
