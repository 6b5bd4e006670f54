# ruff: noqa: F811  (the `duty` fixture is imported from the duties app's conftest and named by each test)
"""培训学时 on the deputy's phone (/w/duties/): the year's hours, the classes attended out of those planned, leave and
absences; a class signed in to by its QR code counts."""

import datetime
import html
import re
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from lianxin.deputies.models import MandateLevel
from lianxin.duties import services
from lianxin.duties.tests.conftest import duty  # noqa: F401
from lianxin.duties.trainings import training_class_create, training_enrol, training_plan_create
from lianxin.workdays.calendar import CHINA

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=CHINA)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=True):
        yield


def section(response, anchor: str) -> str:
    """The text of one card of the page."""
    found = re.search(rf'<section class="card" id="{anchor}">(.*?)</section>', response.content.decode(), re.S)
    assert found, anchor
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def lesson(plan, personas, *, starts_in, hours, title):
    starts = timezone.now() + starts_in
    return training_class_create(
        actor=personas.county_staff,
        plan=plan,
        title=title,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=3),
        hours=Decimal(hours),
    )


def test_a_deputy_sees_the_years_hours_and_classes_attended_out_of_those_planned(client, personas, regions, duty):
    plan = training_plan_create(
        actor=personas.county_staff,
        region=regions.deqing,
        level=MandateLevel.COUNTY,
        year=2026,
        title="县人大代表履职能力提升培训",
        planned_classes=5,
    )
    training_enrol(actor=personas.county_staff, plan=plan, deputies=[duty.first, duty.second])
    first = lesson(plan, personas, starts_in=-datetime.timedelta(minutes=30), hours="3", title="第一期")
    lesson(plan, personas, starts_in=datetime.timedelta(days=20), hours="2", title="第二期")
    client.force_login(personas.deputy)
    assert section(client.get("/w/duties/"), "training") == (
        "培训学时 学时 0 · 已参加 0 期 / 计划 5 期 县人大代表履职能力提升培训（已安排 2 期）"
    )

    signed = client.post(f"/w/signin/{first.signin_code}/")  # the class's QR code, from the phone
    assert signed.status_code == 200
    services.activity_mark_held(actor=personas.county_staff, activity=first)
    assert section(client.get("/w/duties/"), "training") == (
        "培训学时 学时 3 · 已参加 1 期 / 计划 5 期 县人大代表履职能力提升培训（已安排 2 期）"
    )
    client.force_login(duty.second_user)
    assert section(client.get("/w/duties/"), "training").startswith(
        "培训学时 学时 0 · 已参加 0 期 / 计划 5 期 · 缺席 1 期"
    )
    assert section(client.get("/w/duties/?year=2025"), "training") == "培训学时 本年度尚未报名培训。"


def test_a_deputy_not_enrolled_in_any_plan_is_told_so(client, personas, duty):
    client.force_login(personas.deputy)
    assert section(client.get("/w/duties/"), "training") == "培训学时 本年度尚未报名培训。"
