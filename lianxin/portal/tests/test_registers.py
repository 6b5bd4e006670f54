import datetime

import pytest
import time_machine
from django.core.management import call_command

from lianxin.cases import registers
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.services import case_register, reception_close, reception_start
from lianxin.deputies.models import Deputy, DutyShift, Mandate, MandateLevel
from lianxin.portal.tests.test_noticeboard import NOV, needs_font, pdf_text, weekly_roster

pytestmark = pytest.mark.django_db

AT_NOON = datetime.datetime(2026, 11, 11, 2, tzinfo=datetime.UTC)  # 10:00 in Beijing


@pytest.fixture
def books(world, personas, regions):
    """In November 2026 at 居仁社区代表工作站: a weekly roster, a reception with two people registered, a mobile
    reception in 居仁 by the same deputy; an online case through the station's code; a reception in October."""
    staff = personas.place_staff
    DutyShift.objects.all().delete()
    weekly_roster(world, NOV, weeks=4)
    with time_machine.travel(datetime.datetime(2026, 10, 14, 2, tzinfo=datetime.UTC), tick=False):
        october = reception_start(actor=staff, deputy=world.deputy, kind="station", place=world.place)
        reception_close(actor=staff, session=october, people_received=3, note="十月接待")
    with time_machine.travel(AT_NOON, tick=False):
        session = reception_start(actor=staff, deputy=world.deputy, kind="station", place=world.place)
        lamp = case_register(
            actor=staff,
            draft=CaseDraft(
                channel="station",
                session=session,
                title="居仁路路灯不亮",
                body="路灯不亮",
                person_name="王秀英",
                person_phone="13957211234",
            ),
        ).case
        bins = case_register(
            actor=staff,
            draft=CaseDraft(
                channel="station", session=session, title="垃圾桶太少", body="垃圾桶太少", is_anonymous=True
            ),
        ).case
        reception_close(actor=staff, session=session, people_received=5, note="居民反映路灯和垃圾桶")
        mobile = reception_start(
            actor=staff, deputy=world.deputy, kind="mobile", region=regions.jueren, location="居仁菜场门口"
        )
        reception_close(actor=staff, session=mobile, people_received=7, note="流动巡诊")
        online = case_register(
            actor=None,
            draft=CaseDraft(
                channel="online",
                place=world.place,
                title="楼道灯坏了",
                body="楼道灯坏了",
                person_name="李四",
                person_phone="13800002222",
            ),
        ).case
    return lamp, bins, online


def build(user, place, contacts):
    end = datetime.date(2026, 11, 30)
    return registers.registers_build(user=user, place=place, start=NOV, end=end, with_contacts=contacts)


def test_the_registers_hold_the_places_receptions_cases_roster_and_deputies(world, personas, books):
    lamp, bins, online = books
    result = build(personas.place_staff, world.place, True)
    [session] = result.sessions  # October's reception is another period
    assert session.people_received == 5 and [c.pk for c in session.cases.all()] == [lamp.pk, bins.pk]
    assert [s.get_kind_display() for s in result.activities] == ["站内坐诊", "流动巡诊"]
    assert [c.pk for c in result.cases] == [lamp.pk, bins.pk, online.pk]
    assert len(result.shifts) == 4 and result.deputies == [world.deputy] and result.grids == [world.grid]


def test_an_outsider_gets_empty_registers_as_every_query_starts_from_their_scope(world, personas, books):
    result = build(personas.outsider, world.place, False)
    assert result.sessions == result.activities == result.cases == result.shifts == [] and result.deputies == []


@needs_font
def test_the_printed_registers_name_the_six_books_and_show_the_reception_with_contacts(world, personas, books):
    lamp, _, online = books
    text = pdf_text(registers.registers_pdf(build(personas.place_staff, world.place, True)))
    for book in registers.BOOKS:
        assert book in text, book
    for words in (
        "居仁社区代表工作站“三册两簿一记录”",
        "2026年11月01日至2026年11月30日",
        "沈建国",
        "德清县县级代表",
        "居仁一网格",
        "陆小芳 13900002222",
        "接待规律：每周三上午 9:00–11:30 接待代表：沈建国",
        "四、接待登记簿（1次接待）",
        "11-11 10:00",
        "居仁路路灯不亮",
        "王秀英",
        "13957211234",
        "匿名",
        "居仁菜场门口",
        "流动巡诊",
        "合计",
        "12",  # 5 + 7 people received
        lamp.receipt_code,
        online.receipt_code,
        "楼道灯坏了",
        "线上问诊",
    ):
        assert words in text, words
    assert "十月接待" not in text


@needs_font
def test_without_contacts_the_registers_print_no_name_phone_or_receipt_code(world, personas, books):
    lamp, _, online = books
    text = pdf_text(registers.registers_pdf(build(personas.place_staff, world.place, False)))
    assert "居仁路路灯不亮" in text and "王某" in text and registers.HIDDEN in text
    for secret in (
        "王秀英",
        "13957211234",
        "李四",
        "13800002222",
        "13900002222",
        "13800001111",
        lamp.receipt_code,
        online.receipt_code,
    ):
        assert secret not in text, secret


@needs_font
def test_the_command_prints_a_places_registers_for_a_month(world, books, tmp_path):
    out = tmp_path / "books.pdf"
    args = ["--place", world.place.public_code, "--month", "2026-11", "--out", str(out)]
    call_command("print_registers", *args)
    text = pdf_text(out.read_bytes())
    assert "居仁路路灯不亮" in text and "王秀英" not in text
    call_command("print_registers", *args, "--with-contacts")
    assert "王秀英" in pdf_text(out.read_bytes())


def test_a_deputy_elected_in_the_village_is_on_the_roll_though_not_on_the_roster(world, regions, personas):
    other = Deputy.objects.create(name="王秀英", gender="female")
    Mandate.objects.create(
        deputy=other,
        level=MandateLevel.TOWNSHIP,
        congress_region=regions.wukang,
        term=17,
        district_region=regions.jueren,
    )
    names = [d.name for d in build(None, world.place, False).deputies]
    assert names == ["沈建国", "王秀英"]
