"""Public disclosure (公开问效): a county's figures as case_statistics counts them, small groups suppressed, the
results published in the period, and the periods a URL may name."""

import datetime
from types import SimpleNamespace

import pytest
import time_machine

from lianxin.cases import permissions as p
from lianxin.cases.models import Category, Rating
from lianxin.cases.reports import case_statistics
from lianxin.cases.services import case_rate_as_citizen
from lianxin.cases.tests.conftest import loop  # noqa: F401  (a fixture)
from lianxin.cases.workflow import Action, case_transition
from lianxin.core.errors import DomainError, NotFound
from lianxin.insight import disclosure
from lianxin.insight.disclosure import county_disclosure, period_default, period_parse
from lianxin.insight.rollups import rollups_update

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
TODAY = datetime.date(2025, 12, 6)


def at(year: int, month: int, day: int, hour: int = 10):
    return time_machine.travel(datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI), tick=False)


def act(case, action, actor, **params):
    note = params.pop("note", "")
    case.refresh_from_db()
    return case_transition(case=case, action=action, actor=actor, note=note, params=params)


def build_county(loop, personas, regions) -> SimpleNamespace:  # noqa: F811
    """October 2025 in 德清: 武康 receives 6 cases (all answered, 4 rated, 3 online, one published as a result),
    乾元 3 (answered and rated), 安吉 (another county) 2; one 武康 case of October 2024 and one published in November."""
    staff = personas.county_staff
    environment = Category.objects.get(code="environment")
    wukang, qianyuan, anji = [], [], []
    with at(2025, 10, 9):
        for n in range(6):
            case = loop.register(
                channel="online" if n < 3 else "station",
                category=loop.category if n < 4 else environment,
                title=f"居仁路第{n}号路灯不亮",
                address="武康街道居仁路18号",
            )
            act(case, Action.ACCEPT, staff)
            act(case, Action.ANSWER, staff, reply="已修复")
            if n < 4:
                case_rate_as_citizen(receipt_code=case.receipt_code, rating=Rating.SATISFIED)
            wukang.append(case)
        for n in range(3):
            case = loop.register(
                channel="hotline",
                region=regions.chengdong,
                deputy=None,
                category=loop.category,
                title=f"城东村第{n}条水渠堵塞",
                person_name="李小龙",
                person_phone="13811112222",
            )
            act(case, Action.ACCEPT, staff)
            act(case, Action.ANSWER, staff, reply="已疏通")
            case_rate_as_citizen(receipt_code=case.receipt_code, rating=Rating.BASICALLY)
            qianyuan.append(case)
        for _ in range(2):
            anji.append(loop.register(region=regions.anji, deputy=None, title="安吉的事"))
    with at(2025, 10, 20):
        act(wukang[0], Action.CLOSE, staff)
        act(wukang[0], Action.PUBLISH, staff, public_title="居仁路路灯已全部修复")
    with at(2025, 11, 3):
        act(wukang[1], Action.CLOSE, staff)
        act(wukang[1], Action.PUBLISH, staff, public_title="十一月公开的结果")
    with at(2024, 10, 9):
        last_year = loop.register(title="去年的事")
    rollups_update()  # the worker's step: the disclosure reads the rollups
    return SimpleNamespace(wukang=wukang, qianyuan=qianyuan, anji=anji, last_year=last_year)


@pytest.fixture
def county(loop, personas, regions):  # noqa: F811
    return build_county(loop, personas, regions)


def october():
    return period_parse("2025-10", today=TODAY)


def rows_by_label(rows):
    return {row.label: row for row in rows}


def test_a_township_with_three_cases_shows_less_than_five_and_no_rate(county, regions):
    d = county_disclosure(county=regions.deqing, period=october())
    townships = rows_by_label(d.by_township)
    qianyuan = townships["乾元镇"]
    assert qianyuan.suppressed
    assert qianyuan.received.text == "<5" and qianyuan.received.value is None
    assert qianyuan.resolved.text == "<5"
    for cell in (qianyuan.resolution_rate, qianyuan.satisfaction_rate, qianyuan.online_share):
        assert cell.text == "—" and cell.value is None
    assert qianyuan.average_handling_days.text == "—"
    wukang = townships["武康街道"]
    assert not wukang.suppressed
    assert (wukang.received.text, wukang.resolved.text) == ("6", "6")
    assert wukang.resolution_rate.text == "100.0%"
    assert wukang.satisfaction_rate.text == "—"  # 4 rated: a rate on fewer than 5 cases in a group shown
    assert wukang.online_share.text == "50.0%"


def test_a_category_counts_as_a_group_of_its_own(county, regions):
    categories = rows_by_label(county_disclosure(county=regions.deqing, period=october()).by_category)
    assert categories["环境保护"].received.text == "<5"  # 2 cases of 武康
    assert categories["环境保护"].resolution_rate.text == "—"
    roads = categories[Category.objects.get(code="transport").name]
    assert roads.received.text == "7"  # 4 of 武康, 3 of 乾元
    assert roads.satisfaction_rate.text == "100.0%"  # 4 + 3 rated


def test_a_group_without_cases_shows_zeros(county, regions):
    d = county_disclosure(county=regions.deqing, period=period_parse("2025-09", today=TODAY))
    assert d.totals.received.text == "0" and d.totals.received.value == 0
    assert not d.totals.suppressed and d.totals.resolution_rate.text == "—"


def test_the_threshold_setting_changes_what_is_suppressed(county, regions, settings):
    settings.DISCLOSURE_MIN_COUNT = 3
    townships = rows_by_label(county_disclosure(county=regions.deqing, period=october()).by_township)
    assert townships["乾元镇"].received.text == "3"
    assert townships["乾元镇"].satisfaction_rate.text == "100.0%"
    assert townships["武康街道"].satisfaction_rate.text == "100.0%"

    settings.DISCLOSURE_MIN_COUNT = 10
    d = county_disclosure(county=regions.deqing, period=october())
    townships = rows_by_label(d.by_township)
    assert townships["武康街道"].received.text == "<10"
    assert townships["武康街道"].resolution_rate.text == "—"
    assert d.totals.received.text == "<10" and d.min_count == 10


def test_the_figures_equal_case_statistics(county, regions):
    period = october()
    d = county_disclosure(county=regions.deqing, period=period)
    stats = case_statistics(user=p.SYSTEM, region=regions.deqing, start=period.start, end=period.end)
    assert d.totals.received.value == stats.totals.received
    assert d.totals.resolved.value == stats.totals.resolved
    assert d.totals.resolution_rate.value == round(stats.totals.resolution_rate * 100, 1)
    assert d.totals.satisfaction_rate.value == round(stats.totals.satisfaction_rate * 100, 1)
    assert d.totals.average_handling_days.value == round(stats.totals.average_handling_days, 1)
    assert d.totals.online_share.value == round(stats.totals.online_share * 100, 1)
    wukang = case_statistics(user=p.SYSTEM, region=regions.wukang, start=period.start, end=period.end).totals
    row = rows_by_label(d.by_township)["武康街道"]
    assert (row.received.value, row.resolved.value) == (wukang.received, wukang.resolved)
    assert [row.key for row in d.by_category] == [item.key for item in stats.by_category]
    # The year to date (1 January to 31 October) counts the same cases here, 2024's are not in it.
    assert d.year_to_date is not None and d.year_to_date.received.value == 9
    assert d.year_to_date_label == "2025年1—10月累计"
    # The trend: 12 months up to October, October's figures the period's.
    assert [row.key for row in d.trend][-2:] == ["2025-09", "2025-10"] and len(d.trend) == 12
    assert d.trend[-1].received.value == 9 and d.trend[-2].received.text == "0"


def test_no_year_on_year_change_is_shown_from_a_year_with_too_few_cases(county, regions):
    d = county_disclosure(county=regions.deqing, period=october())
    assert [change.label for change in d.year_on_year][:3] == ["收到", "办结", "办结率"]
    assert all(change.cell.text == "—" for change in d.year_on_year)  # one case in October 2024


def test_the_published_results_are_the_countys_of_the_period_newest_first(county, regions, monkeypatch):
    d = county_disclosure(county=regions.deqing, period=october())
    assert [(r.title, r.published_on) for r in d.results] == [("居仁路路灯已全部修复", datetime.date(2025, 10, 20))]
    assert d.results[0].case_id == county.wukang[0].pk
    quarter = county_disclosure(county=regions.deqing, period=period_parse("2025-Q4", today=TODAY))
    assert [r.title for r in quarter.results] == ["十一月公开的结果", "居仁路路灯已全部修复"]
    monkeypatch.setattr(disclosure, "MAX_RESULTS", 1)
    assert len(county_disclosure(county=regions.deqing, period=period_parse("2025", today=TODAY)).results) == 1
    assert county_disclosure(county=regions.anji, period=october()).results == []


def test_nothing_personal_is_in_the_disclosure(county, regions):
    d = county_disclosure(county=regions.deqing, period=period_parse("2025-Q4", today=TODAY))
    text = repr(d)
    for personal in ("王秀英", "13957211234", "李小龙", "13811112222", "居仁路18号", "居仁路第2号路灯不亮", "水渠"):
        assert personal not in text


def test_only_a_county_has_a_disclosure(county, regions):
    assert disclosure.county_get_public(code="330521000000") == regions.deqing
    for code in ("330521001000", "330500000000", "999999999999"):
        with pytest.raises(NotFound):
            disclosure.county_get_public(code=code)
    with pytest.raises(NotFound):
        county_disclosure(county=regions.wukang, period=october())


def test_periods_are_named_by_month_quarter_or_year_and_end_today_at_the_latest():
    month = period_parse("2025-10", today=TODAY)
    assert (month.start, month.end, month.label, month.code) == (
        datetime.date(2025, 10, 1), datetime.date(2025, 10, 31), "2025年10月", "2025-10",
    )  # fmt: skip
    quarter = period_parse("2025-q4", today=TODAY)
    assert (quarter.start, quarter.end, quarter.code) == (datetime.date(2025, 10, 1), TODAY, "2025-Q4")
    assert quarter.label == "2025年第四季度（截至12月6日）"
    year = period_parse("2024", today=TODAY)
    assert (year.start, year.end, year.label) == (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31), "2024年")
    assert period_parse("", today=TODAY).code == "2025-11"  # the last full month
    assert period_default("quarter", today=TODAY).code == "2025-Q3"
    assert period_default("year", today=TODAY).code == "2025"
    assert period_default("quarter", today=datetime.date(2026, 2, 1)).code == "2025-Q4"
    assert period_parse("2025-01", today=TODAY).previous().code == "2024-12"
    assert period_parse("2000-Q1", today=TODAY).previous() is None
    assert period_parse("2025-11", today=TODAY).following(today=TODAY).code == "2025-12"
    assert period_parse("2025-12", today=TODAY).following(today=TODAY) is None
    for bad in ("2025-13", "2026-01", "2025-Q5", "1999", "2025/10", "abc"):
        with pytest.raises(DomainError) as error:
            period_parse(bad, today=TODAY)
        assert error.value.code == "period_invalid"


def test_a_month_under_way_compares_with_the_same_days_a_year_earlier(loop, regions):  # noqa: F811
    """December 2025 seen on the 6th: 30 cases so far, against the 24 of 1–6 December 2024 (not the 30 of the whole
    month), as case_statistics counts it; the rollups' daily totals answer the partial days."""
    with at(2024, 12, 3):
        for _ in range(24):
            loop.register(title="去年同期")
    with at(2024, 12, 20):
        for _ in range(6):
            loop.register(title="去年同期之后")
    with at(2025, 12, 2):
        for _ in range(30):
            loop.register(title="今年")
    rollups_update()
    with at(2025, 12, 6, 15):
        period = period_parse("2025-12", today=TODAY)
        assert (period.start, period.end) == (datetime.date(2025, 12, 1), TODAY)
        d = county_disclosure(county=regions.deqing, period=period)
        stats = case_statistics(user=p.SYSTEM, region=regions.deqing, start=period.start, end=period.end)
    assert d.totals.received.value == stats.totals.received == 30
    received = {change.label: change.cell for change in d.year_on_year}["收到"]
    assert stats.year_on_year.received == 0.25
    assert (received.text, received.value) == ("+25.0%", 25.0)
