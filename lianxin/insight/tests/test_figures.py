"""The figures read from the rollups (lianxin.insight.figures) equal cases.reports' `case_statistics(user=SYSTEM)`:
the totals and the breakdowns by category, unit and channel, at province, city, county, township and village level,
for a month and for a quarter; a filter equals the breakdown entry it selects, crossed with a breakdown it equals
the reports' breakdown of the filtered cases; the breakdown by child region equals each child's statistics; the
days add up to the cases registered on them. The story is test_rollups' seeded random one, read in January 2026 when
some open cases are waiting past their deadline without having been flagged (the live part of overdue)."""

import datetime
import itertools
from collections import Counter
from dataclasses import fields

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lianxin.cases import permissions as p
from lianxin.cases.deadlines import waiting_past_due_q
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import RESOLVED_STATUSES, Case, Category
from lianxin.cases.reports import LedgerFilters, _breakdowns, _filtered, case_statistics
from lianxin.cases.services import case_register
from lianxin.core.errors import DomainError
from lianxin.insight.figures import FigureTotals, figures, figures_daily, periods
from lianxin.insight.rollup_models import PeriodSlice, Span
from lianxin.insight.rollups import rollup_rows, rollups_rebuild, rollups_update
from lianxin.insight.tests.test_rollups import READ_AT, play_story, world  # noqa: F401
from lianxin.regions.models import Region, RegionLevel
from lianxin.regions.selectors import RegionNotFound
from lianxin.workdays.calendar import CHINA

OCTOBER = (datetime.date(2025, 10, 1), datetime.date(2025, 10, 31))
NOVEMBER = (datetime.date(2025, 11, 1), datetime.date(2025, 11, 30))
QUARTER = (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))
YEAR = (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
STRADDLING = (datetime.date(2025, 8, 1), datetime.date(2026, 1, 31))  # two months, a quarter, a month
TOTALS = [f.name for f in fields(FigureTotals) if not f.name.startswith("on_time")]  # cases.reports has no on_time
ENTRY = ["received", "accepted", "resolved", "resolution_rate", "average_handling_days", "overdue", "online"]
ENTRY += ["rated", "satisfied", "satisfaction_rate"]


@pytest.fixture
def story(world):  # noqa: F811
    end = play_story(world, seed=11, cases=40)
    with time_machine.travel(max(READ_AT, end + datetime.timedelta(days=1)), tick=False):
        rollups_update()
        yield world


def test_the_story_has_both_kinds_of_overdue(story):
    waiting = Case.objects.filter(waiting_past_due_q(timezone.now()), is_overdue=False)  # now: when the story is read
    assert waiting.exists() and Case.objects.filter(is_overdue=True).exists()


@pytest.mark.parametrize("name", ["zhejiang", "huzhou", "deqing", "anji", "wukang", "qianyuan", "jueren"])
@pytest.mark.parametrize(
    "period", [OCTOBER, NOVEMBER, QUARTER, YEAR, STRADDLING], ids=["october", "november", "quarter", "year", "mixed"]
)
def test_the_figures_equal_the_statistics_at_every_level(story, regions, name, period):
    region = getattr(regions, name)
    start, end = period
    stats = case_statistics(user=p.SYSTEM, region=region, start=start, end=end)
    got = figures(user=p.SYSTEM, region=region, start=start, end=end)
    assert {n: getattr(got.totals, n) for n in TOTALS} == {n: getattr(stats.totals, n) for n in TOTALS}
    assert got.by_category == stats.by_category
    assert got.by_unit == stats.by_unit
    assert got.by_channel == stats.by_channel
    if name == "deqing" and period == QUARTER:
        assert got.totals.received >= 20 and got.totals.overdue > 0 and got.totals.timed > 0  # not a vacuous match


@pytest.mark.parametrize("name", ["zhejiang", "huzhou", "deqing", "wukang"])
def test_the_breakdown_by_child_region_equals_each_childs_statistics(story, regions, name):
    region = getattr(regions, name)
    got = figures(user=p.SYSTEM, region=region, start=QUARTER[0], end=QUARTER[1])
    assert got.by_child, "the story has cases below every one of these regions"
    total = 0
    for entry in got.by_child:
        total += entry.received
        if entry.key == "":
            assert entry.label == f"{region.name}本级"
            continue
        child = region.children.get(code=entry.key)
        stats = case_statistics(user=p.SYSTEM, region=child, start=QUARTER[0], end=QUARTER[1]).totals
        assert entry.label == child.name
        assert [getattr(entry, n) for n in ENTRY] == [getattr(stats, n) for n in ENTRY]
    assert total == got.totals.received


def _filtered_breakdowns(region, **given):
    cases = _filtered(p.SYSTEM, LedgerFilters(region=region, start=QUARTER[0], end=QUARTER[1], **given))
    return _breakdowns(cases)


def _filtered_by_child(region, **given):
    """Per child region's code ("" for the region itself): (received, resolved, overdue) of the filtered cases."""
    out = {}
    for child in [*region.children.all(), None]:
        if child is None:
            cases = _filtered(p.SYSTEM, LedgerFilters(region=region, start=QUARTER[0], end=QUARTER[1], **given))
            cases = cases.filter(region=region)
        else:
            cases = _filtered(p.SYSTEM, LedgerFilters(region=child, start=QUARTER[0], end=QUARTER[1], **given))
        entries = _breakdowns(cases)["channel"]
        if entries:
            sums = [sum(getattr(entry, n) for entry in entries) for n in ("received", "resolved", "overdue")]
            out["" if child is None else child.code] = tuple(sums)
    return out


@pytest.mark.parametrize("name", ["zhejiang", "huzhou", "deqing", "wukang"])
@pytest.mark.parametrize("period", [QUARTER, STRADDLING], ids=["quarter", "mixed"])
def test_a_filter_equals_the_breakdown_entry_it_selects_and_crossed_with_a_breakdown_the_filtered_breakdown(
    story, regions, name, period
):
    region = getattr(regions, name)
    start, end = period
    stats = case_statistics(user=p.SYSTEM, region=region, start=start, end=end)
    checked = 0
    for entry in stats.by_category:
        category = Category.objects.get(code=entry.key) if entry.key else None
        if category is None:
            continue
        got = figures(user=p.SYSTEM, region=region, start=start, end=end, category=category)
        assert [getattr(got.totals, n) for n in ENTRY] == [getattr(entry, n) for n in ENTRY]
        expected = _filtered_breakdowns(region, category=category)
        assert (got.by_unit, got.by_channel) == (expected["unit"], expected["channel"])
        by_child = {entry.key: (entry.received, entry.resolved, entry.overdue) for entry in got.by_child}
        assert by_child == _filtered_by_child(region, category=category)
        checked += 1
    for entry in stats.by_channel:
        got = figures(user=p.SYSTEM, region=region, start=start, end=end, channel=entry.key)
        assert [getattr(got.totals, n) for n in ENTRY] == [getattr(entry, n) for n in ENTRY]
        expected = _filtered_breakdowns(region, channel=entry.key)
        assert (got.by_category, got.by_unit) == (expected["category"], expected["unit"])
        by_child = {entry.key: (entry.received, entry.resolved, entry.overdue) for entry in got.by_child}
        assert by_child == _filtered_by_child(region, channel=entry.key)
        checked += 1
    for entry in stats.by_unit:
        if not entry.key:
            continue
        got = figures(user=p.SYSTEM, region=region, start=start, end=end, unit_id=int(entry.key))
        assert [getattr(got.totals, n) for n in ENTRY] == [getattr(entry, n) for n in ENTRY]
        expected = _filtered_breakdowns(region, unit_id=int(entry.key))
        assert (got.by_category, got.by_channel) == (expected["category"], expected["channel"])
        checked += 1
    assert checked >= 4


@pytest.mark.parametrize("name", ["zhejiang", "huzhou", "deqing", "wukang", "jueren"])
@pytest.mark.parametrize("filtered", [False, True])
def test_on_time_counts_the_resolved_cases_never_flagged_overdue(story, regions, name, filtered):
    region = getattr(regions, name)
    start, end = QUARTER
    given = {"channel": "hotline"} if filtered else {}
    cases = _filtered(p.SYSTEM, LedgerFilters(region=region, start=start, end=end, **given))
    resolved = cases.exclude(handling="declined").filter(status__in=RESOLVED_STATUSES)
    on_time = resolved.filter(is_overdue=False).count()
    got = figures(user=p.SYSTEM, region=region, start=start, end=end, **given).totals
    assert (got.on_time, got.resolved) == (on_time, resolved.count())
    assert got.on_time_rate == (round(on_time / resolved.count(), 4) if resolved.exists() else None)
    if name == "deqing" and not filtered:
        assert 0 < got.on_time < got.resolved  # the story has resolved cases both on time and late


def test_a_range_of_months_is_read_as_whole_years_then_quarters_then_months():
    d = datetime.date
    assert periods(d(2025, 2, 1), d(2026, 12, 31)) == [
        (d(2025, 2, 1), Span.MONTH),
        (d(2025, 3, 1), Span.MONTH),
        (d(2025, 4, 1), Span.QUARTER),
        (d(2025, 7, 1), Span.QUARTER),
        (d(2025, 10, 1), Span.QUARTER),
        (d(2026, 1, 1), Span.YEAR),
    ]
    assert periods(d(2025, 11, 1), d(2026, 2, 28)) == [(d(2025, m, 1), Span.MONTH) for m in (11, 12)] + [
        (d(2026, m, 1), Span.MONTH) for m in (1, 2)
    ]
    assert periods(d(2024, 1, 1), d(2024, 3, 31)) == [(d(2024, 1, 1), Span.QUARTER)]


def test_a_year_of_a_province_reads_one_slice_row_a_key(story, regions):
    """The unfiltered year of a province reads the year's slices, not twelve months' (a province's units: one row
    each), and equals the sum of its months."""
    with CaptureQueriesContext(connection) as queries:
        year = figures(user=p.SYSTEM, region=regions.zhejiang, start=YEAR[0], end=YEAR[1])
    read = [query["sql"] for query in queries.captured_queries if "insight_periodslice" in query["sql"]]
    assert len(read) == 1 and "span" in read[0]
    months = [figures(user=p.SYSTEM, region=regions.zhejiang, start=start, end=end) for start, end in _months(2025)]
    assert year.totals.received == sum(month.totals.received for month in months) >= 20
    assert PeriodSlice.objects.filter(node_id=regions.zhejiang.pk, span=Span.YEAR, dim="unit").count() == len(
        year.by_unit
    )


def _months(year: int) -> list[tuple[datetime.date, datetime.date]]:
    """Each month of the year as its first and last day."""
    starts = [datetime.date(year, month, 1) for month in range(1, 13)] + [datetime.date(year + 1, 1, 1)]
    return [(start, following - datetime.timedelta(days=1)) for start, following in itertools.pairwise(starts)]


def test_a_townships_villages_and_days_come_from_its_slices_not_its_facts(story, regions):
    """A township's facts are spread over the whole table (one page each, cold at a province's scale): its totals,
    villages and days are read from its own slices and daily totals; only a filtered village breakdown reads facts."""
    with CaptureQueriesContext(connection) as queries:
        got = figures(user=p.SYSTEM, region=regions.wukang, start=QUARTER[0], end=QUARTER[1])
        days = figures_daily(user=p.SYSTEM, region=regions.wukang, start=QUARTER[0], end=QUARTER[1])
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "insight_periodslice" in sql and "insight_dailytotal" in sql and "insight_casefact" not in sql
    assert got.by_child and sum(day.received for day in days) == got.totals.received > 0


def test_filtered_figures_above_a_township_read_the_coarse_cubes(story, regions):
    """A city's figures filtered by a category read the county cube and the unit × category cube, not the
    township cube; a county's townships under a filter come from the township cube."""
    category = Category.objects.get(pk=Case.objects.exclude(category=None).values_list("category", flat=True)[0])
    with CaptureQueriesContext(connection) as city:
        figures(user=p.SYSTEM, region=regions.huzhou, start=QUARTER[0], end=QUARTER[1], category=category)
    tables = " ".join(query["sql"] for query in city.captured_queries)
    assert "insight_countycube" in tables and "insight_unitcategorycube" in tables
    assert "insight_monthlycube" not in tables and "insight_periodslice" not in tables
    with CaptureQueriesContext(connection) as county:
        figures(user=p.SYSTEM, region=regions.deqing, start=QUARTER[0], end=QUARTER[1], channel="hotline")
    tables = " ".join(query["sql"] for query in county.captured_queries)
    assert "insight_countycube" in tables and "insight_unitchannelcube" in tables and "insight_monthlycube" in tables


@pytest.mark.parametrize("name", ["zhejiang", "deqing", "wukang", "jueren"])
def test_the_days_add_up_to_the_cases_registered_on_them(story, regions, name):
    region = getattr(regions, name)
    days = figures_daily(user=p.SYSTEM, region=region, start=QUARTER[0], end=QUARTER[1])
    registered = Counter(
        at.astimezone(CHINA).date()
        for at in Case.objects.filter(region__path__startswith=region.path).values_list("registered_at", flat=True)
    )
    assert {day.day: day.received for day in days} == dict(registered)
    assert [day.day for day in days] == sorted(registered)
    stats = case_statistics(user=p.SYSTEM, region=region, start=QUARTER[0], end=QUARTER[1]).totals
    assert sum(day.resolved for day in days) == stats.resolved
    assert sum(day.online for day in days) == stats.online


def test_staff_read_the_figures_of_their_region_and_nothing_outside_it(story, regions, personas):
    start, end = NOVEMBER
    own = figures(user=personas.county_staff, region=regions.wukang, start=start, end=end)
    assert own.totals == figures(user=p.SYSTEM, region=regions.wukang, start=start, end=end).totals
    with pytest.raises(RegionNotFound):
        figures(user=personas.outsider, region=regions.wukang, start=start, end=end)
    with pytest.raises(RegionNotFound):
        figures_daily(user=personas.county_staff, region=regions.huzhou, start=start, end=end)


def test_the_figures_are_for_whole_months(story, regions):
    with pytest.raises(DomainError) as error:
        figures(user=p.SYSTEM, region=regions.deqing, start=datetime.date(2025, 11, 2), end=NOVEMBER[1])
    assert error.value.code == "period_invalid"
    with pytest.raises(DomainError):
        figures(user=p.SYSTEM, region=regions.deqing, start=NOVEMBER[0], end=datetime.date(2025, 11, 29))


def test_a_county_directly_under_the_province_is_the_provinces_child(story, regions):
    county = Region.objects.create(
        code="330099000000",
        name="省直管县",
        level=RegionLevel.COUNTY,
        parent=regions.zhejiang,
        path=f"{regions.zhejiang.path}330099000000/",
    )
    case_register(
        actor=None, draft=CaseDraft(channel="hotline", body="路灯不亮", region=county, person_phone="13957211234")
    )
    rollups_update()
    today = timezone.now().astimezone(CHINA).date()
    start, end = today.replace(day=1), (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    end -= datetime.timedelta(days=1)
    got = figures(user=p.SYSTEM, region=regions.zhejiang, start=start, end=end)
    assert [(entry.key, entry.received) for entry in got.by_child] == [("330099000000", 1)]
    assert figures(user=p.SYSTEM, region=county, start=start, end=end).totals.received == 1
    assert PeriodSlice.objects.filter(node_id=county.pk, dim="child", key="", span=Span.MONTH).get().received == 1
    incremental = rollup_rows()
    rollups_rebuild()
    assert rollup_rows() == incremental
