import datetime

import pypdfium2 as pdfium
import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from lianxin.cases import noticeboard
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.services import case_register
from lianxin.cases.workflow import case_transition
from lianxin.core.errors import DomainError
from lianxin.deputies.models import DutyShift
from lianxin.deputies.schedule import schedule_lines
from lianxin.publicweb import fonts
from lianxin.venues.models import Place, PlaceKind

try:
    fonts.font_path()
    FONT_MISSING = ""
except DomainError as error:
    FONT_MISSING = error.message

needs_font = pytest.mark.skipif(bool(FONT_MISSING), reason=f"no CJK font: {FONT_MISSING} (make test installs it)")
pytestmark = pytest.mark.django_db

NOV = datetime.date(2026, 11, 1)


def pdf_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        return "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def pdf_pages(pdf: bytes) -> int:
    document = pdfium.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def publish(world, staff, *, title: str, body: str, reply: str, person: str = "王秀英", phone: str = "13957211234"):
    case = case_register(
        actor=None,
        draft=CaseDraft(
            channel="station",
            title=title,
            body=body,
            deputy=world.deputy,
            place=world.place,
            person_name=person,
            person_phone=phone,
        ),
    ).case
    for action, params in [
        ("accept", {"category": "transport"}),
        ("answer", {"reply": reply}),
        ("close", {"note": "电话回访"}),
        ("publish", {}),
    ]:
        case = case_transition(case=case, action=action, actor=staff, params=params, note=params.get("note", ""))
    return case


def weekly_roster(world, first: datetime.date, weeks: int, weekday: int = 2) -> None:
    """The world's deputy on duty every <weekday> (Wednesday by default) 9:00–11:30 for some weeks."""
    day = first + datetime.timedelta(days=(weekday - first.weekday()) % 7)
    for n in range(weeks):
        DutyShift.objects.create(
            place=world.place,
            deputy=world.deputy,
            date=day + datetime.timedelta(weeks=n),
            start_time=datetime.time(9),
            end_time=datetime.time(11, 30),
        )


@pytest.fixture
def november(world, personas):
    """Two results published in November 2026 in 居仁社区, one in October, one in 城东村; a weekly roster."""
    staff = personas.county_staff
    with time_machine.travel(datetime.datetime(2026, 10, 20, 10, tzinfo=datetime.UTC), tick=False):
        publish(world, staff, title="十月的旧事", body="旧事", reply="十月已办")
    with time_machine.travel(datetime.datetime(2026, 11, 10, 10, tzinfo=datetime.UTC), tick=False):
        lamp = publish(
            world,
            staff,
            title="居仁路路灯不亮",
            body="王秀英反映居仁路路灯不亮，电话13957211234",
            reply="已修复居仁路路灯，已电话联系王秀英（13957211234）",
        )
        drain = publish(world, staff, title="小区雨水井堵塞", body="雨水井堵了", reply="已疏通雨水井")
    DutyShift.objects.all().delete()
    weekly_roster(world, NOV - datetime.timedelta(days=14), weeks=10)
    return lamp, drain


@needs_font
def test_the_sheet_lists_the_months_results_redacted_with_the_schedule_deputies_and_codes(world, regions, november):
    lamp, drain = november
    board = noticeboard.noticeboard_build(region=regions.jueren, month=NOV)
    assert [c.pk for c in board.results] == [lamp.pk, drain.pk]  # October's result is not this month's
    pdf = noticeboard.noticeboard_pdf(board)
    text = pdf_text(pdf)
    for words in (
        "居仁社区居委会人大代表联系群众公告栏",
        "2026年11月",
        "一、本月办理结果公开（2件）",
        "居仁路路灯不亮",
        "已疏通雨水井",
        "二、代表接待安排",
        "居仁社区代表工作站",
        "每周三上午 9:00–11:30",
        "三、联系本社区的人大代表",
        "沈建国",
        "德清县人大代表",
        "四、扫码找代表",
    ):
        assert words in text, words
    # Never the person, their phone or a receipt code; nothing from another month.
    assert "王秀英" not in text and "13957211234" not in text and "1395" not in text
    assert lamp.receipt_code not in text and drain.receipt_code not in text
    assert "十月的旧事" not in text and "十月已办" not in text
    assert pdf_pages(pdf) == 1


@needs_font
def test_a_village_sees_only_its_own_results(world, regions, november):
    board = noticeboard.noticeboard_build(region=regions.chengdong, month=NOV)
    assert board.results == [] and board.deputies == []
    text = pdf_text(noticeboard.noticeboard_pdf(board))
    assert "本月暂无公开的办理结果" in text and "居仁路路灯不亮" not in text and "三、联系本村的人大代表" in text


def test_a_village_without_a_station_prints_its_townships_home(world, regions):
    home = Place.objects.create(kind=PlaceKind.HOME, name="乾元镇人大代表之家", region=regions.qianyuan)
    assert noticeboard._places(regions.chengdong) == [home]


@needs_font
def test_the_command_writes_the_sheet(world, regions, november, tmp_path):
    out = tmp_path / "jueren.pdf"
    call_command("print_noticeboard", "--region", regions.jueren.code, "--month", "2026-11", "--out", str(out))
    assert "居仁路路灯不亮" in pdf_text(out.read_bytes())


def test_a_month_is_read_as_year_dash_month():
    assert noticeboard.month_parse("2026-11") == NOV
    with pytest.raises(DomainError):
        noticeboard.month_parse("11/2026")


# --- the recurring schedule -------------------------------------------------------------------------------


def test_weekly_shifts_read_as_a_weekly_day_and_deputies_taking_turns_are_named(world, regions):
    other = world.deputy.__class__.objects.create(name="王秀英", gender="female")
    DutyShift.objects.all().delete()
    weekly_roster(world, NOV, weeks=4, weekday=1)
    weekly_roster(world, NOV, weeks=4, weekday=4)
    DutyShift.objects.filter(date=datetime.date(2026, 11, 10)).update(deputy=other)
    [line] = schedule_lines(DutyShift.objects.select_related("place", "deputy"), by="")
    assert line.when == "每周二、周五上午 9:00–11:30" and line.deputies == ["沈建国", "王秀英"]


def test_fortnightly_monthly_and_one_off_shifts_read_as_such(world):
    DutyShift.objects.all().delete()
    make = DutyShift.objects.create
    for day in (datetime.date(2026, 11, 2), datetime.date(2026, 12, 7), datetime.date(2027, 1, 4)):  # 1st Monday
        make(place=world.place, deputy=world.deputy, date=day, start_time=datetime.time(14), end_time=datetime.time(17))
    for day in (datetime.date(2026, 11, 4), datetime.date(2026, 11, 18), datetime.date(2026, 12, 2)):
        make(place=world.place, deputy=world.deputy, date=day, start_time=datetime.time(19), end_time=datetime.time(21))
    make(
        place=world.place,
        deputy=world.deputy,
        date=datetime.date(2026, 11, 28),
        start_time=datetime.time(9),
        end_time=datetime.time(12),
    )
    lines = schedule_lines(DutyShift.objects.select_related("place", "deputy"), by="place")
    assert [line.text(with_place=True) for line in lines] == [
        "每月第一个周一下午 14:00–17:00 居仁社区代表工作站",
        "每两周的周三晚上 19:00–21:00 居仁社区代表工作站",
        "11月28日（周六）上午 9:00–12:00 居仁社区代表工作站",
    ]


@needs_font
def test_a_poster_prints_the_weekly_day_not_the_next_dates(world):
    from lianxin.portal import posters

    DutyShift.objects.all().delete()
    weekly_roster(world, timezone.localdate() + datetime.timedelta(days=1), weeks=6)
    place_text = pdf_text(posters.place_poster(place=world.place))
    deputy_text = pdf_text(posters.deputy_poster(deputy=world.deputy))
    assert "每周三上午 9:00–11:30 沈建国代表" in place_text
    assert "每周三上午 9:00–11:30 居仁社区代表工作站" in deputy_text and "轮流" not in deputy_text
    assert "月" not in place_text.split("值班代表：")[1].split("沈建国")[0]  # no dates on the schedule line


@needs_font
def test_a_deputy_taking_turns_gets_the_places_weekly_day_on_the_poster(world):
    from lianxin.portal import posters

    other = world.deputy.__class__.objects.create(name="王秀英", gender="female")
    DutyShift.objects.all().delete()
    weekly_roster(world, timezone.localdate() + datetime.timedelta(days=1), weeks=6)
    for n, shift in enumerate(DutyShift.objects.order_by("date")):
        if n % 2:
            shift.deputy = other
            shift.save()
    text = pdf_text(posters.deputy_poster(deputy=other))
    assert "每周三上午 9:00–11:30 居仁社区代表工作站（代表轮流接待）" in text


@needs_font
def test_a_village_with_a_dozen_deputies_still_gets_one_sheet_with_the_deputies_on_duty_first(world, regions, november):
    from lianxin.deputies.models import Deputy, Mandate, MandateLevel

    for n in range(12):
        deputy = Deputy.objects.create(name=f"乡镇代表{n:02d}", gender="female")
        Mandate.objects.create(
            deputy=deputy,
            level=MandateLevel.TOWNSHIP,
            congress_region=regions.wukang,
            term=17,
            district_region=regions.jueren,
        )
    board = noticeboard.noticeboard_build(region=regions.jueren, month=NOV)
    assert len(board.deputies) == 13
    pdf = noticeboard.noticeboard_pdf(board)
    text = pdf_text(pdf)
    assert pdf_pages(pdf) == 1
    assert "三、联系本社区的人大代表（13名）" in text and "武康街道人大代表" in text and "乡镇代表11" in text
    # Twelve codes: the station, the deputy on duty, then the others by name (the last one has no room).
    assert "沈建国代表" in text and "乡镇代表09代表" in text and "乡镇代表10代表" not in text
