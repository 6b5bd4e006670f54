"""数据看板 beyond the figures of `figures`: month on month, the breakdowns by deputy and place (equal to counting
the cases), a village's grids and a grid's own page, the map coloured by a measure with its table, the overdue and
supervised cases behind the figures, and the deputy's and place's workbench pages are in test_insight_workbench.

The story is test_rollups' seeded random one (October to December 2025, read on 12 January 2026)."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from lianxin.cases import permissions as p
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import RESOLVED_STATUSES, Case, Status
from lianxin.cases.reports import case_statistics, totals_change
from lianxin.cases.services import case_register
from lianxin.deputies.models import Deputy
from lianxin.insight import dashboard as dash
from lianxin.insight.figures import figures
from lianxin.insight.rollups import facts_refresh, rollups_update
from lianxin.insight.tests.test_rollups import READ_AT, play_story, world  # noqa: F401
from lianxin.office.insight.build import as_totals
from lianxin.regions.models import Grid, Region, RegionLevel
from lianxin.routing.selectors import hotspot_candidates

URL = "/office/insight/"
QUARTER = (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))
SEPTEMBER_QUARTER = (datetime.date(2025, 7, 1), datetime.date(2025, 9, 30))


def _square(lng: float, lat: float, side: float = 0.02) -> dict:
    ring = [[lng, lat], [lng + side, lat], [lng + side, lat + side], [lng, lat + side], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def story(world, regions):  # noqa: F811
    """The story, with outlines for 德清's townships, two grids in 居仁 (1,000 and 3,000 residents, one in
    乾元's 城东村 of 2,000), and 居仁's cases split between a deputy at a place in the first grid and nobody."""
    end = play_story(world, seed=11, cases=40)
    regions.wukang.boundary = _square(119.95, 30.53)
    regions.wukang.save(update_fields=["boundary"])
    regions.qianyuan.boundary = _square(119.99, 30.53)
    regions.qianyuan.save(update_fields=["boundary"])
    one = Grid.objects.create(
        region=regions.jueren, code="JR-01", name="居仁一网格", population=1000, polygon=_square(119.95, 30.53, 0.01)
    )
    Grid.objects.create(
        region=regions.jueren, code="JR-02", name="居仁二网格", population=3000, polygon=_square(119.96, 30.53, 0.01)
    )
    Grid.objects.create(region=regions.chengdong, code="CD-01", name="城东网格", population=2000)
    deputy, place = world.deputy, world.place  # the story's: some of its cases came through them already
    jueren = list(Case.objects.filter(region=regions.jueren).order_by("pk").values_list("pk", flat=True))
    Case.objects.filter(pk__in=jueren[::2]).update(deputy=deputy, place=place, grid=one)
    facts_refresh(jueren)  # a change without a case event: as the rollups' contract says
    with time_machine.travel(max(READ_AT, end + datetime.timedelta(days=1)), tick=False):
        rollups_update()
        yield world


def _get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def test_month_on_month_is_the_change_on_the_period_before_by_the_same_rule(client, story, personas, regions):
    response = _get(client, personas.county_staff, period="2025-Q4")
    d = response.context["d"]
    before = figures(user=p.SYSTEM, region=regions.deqing, start=SEPTEMBER_QUARTER[0], end=SEPTEMBER_QUARTER[1])
    assert d.previous == before
    assert d.change_previous == totals_change(as_totals(d.now.totals), as_totals(before.totals))
    page = response.content.decode()
    assert page.count('class="change mom"') == len(response.context["headline"])
    assert "环比：—" in page  # nothing a quarter earlier: no base to compare with
    rows = {m["key"]: m for m in response.context["headline"]}
    assert rows["received"]["previous"] == "0"
    # 按期办结率 stands in the headline when the figures count it, with its change.
    if hasattr(d.now.totals, "on_time_rate"):
        assert "按期办结率" in page and rows["on_time_rate"]["label"] == "按期办结率"


def test_the_deputy_and_place_breakdowns_count_their_cases(client, story, personas, regions):
    response = _get(client, personas.county_staff, period="2025-Q4")
    d = response.context["d"]
    low = datetime.datetime(2025, 10, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    high = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    cases = Case.objects.filter(region__path__startswith=regions.deqing.path, registered_at__range=(low, high))
    deputy = Deputy.objects.get(name="沈建国")
    by_deputy = {item.label: item for item in d.by["deputy"]}
    assert by_deputy["沈建国"].received == cases.filter(deputy=deputy).count() > 0
    assert by_deputy["未经代表"].received == cases.filter(deputy=None).count() > 0
    assert sum(item.received for item in d.by["deputy"]) == d.now.totals.received
    assert sum(item.overdue for item in d.by["place"]) == d.now.totals.overdue
    assert sum(item.resolved for item in d.by["place"]) == d.now.totals.resolved
    assert {item.label for item in d.by["place"]} == {"居仁社区代表工作站", "非家站室渠道"}
    page = response.content.decode()
    assert 'id="table-deputy"' in page and 'id="table-place"' in page and 'data-chart="chart-deputy"' in page


@pytest.mark.parametrize("name", ["zhejiang", "huzhou", "deqing", "wukang", "jueren"])
@pytest.mark.parametrize("filtered", [False, True], ids=["all", "category"])
def test_the_deputy_and_place_breakdowns_equal_counting_the_cases_at_every_level(story, regions, name, filtered):
    """Read from the slices for an unfiltered township, county, city or province (no statement on the cases but the live
    past-due count), from the facts below or under a filter; every level equals counting the cases."""
    region = getattr(regions, name)
    category = Case.objects.exclude(category=None).order_by("pk").first().category if filtered else None
    filters = dash.Filters(category=category)
    low = datetime.datetime(2025, 10, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    high = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    cases = Case.objects.filter(region__path__startswith=region.path, registered_at__gte=low, registered_at__lt=high)
    if category is not None:
        cases = cases.filter(category=category)
    for dim in ("deputy", "place"):
        with CaptureQueriesContext(connection) as queries:
            got = dash.case_breakdown(
                user=p.SYSTEM, region=region, start=QUARTER[0], end=QUARTER[1], dim=dim, filters=filters
            )
        counted = {str(pk or ""): n for pk, n in cases.values_list(f"{dim}_id").annotate(n=Count("pk")).order_by()}
        assert {item.key: item.received for item in got} == counted
        resolved = cases.filter(status__in=RESOLVED_STATUSES).exclude(handling="declined").count()
        assert sum(item.resolved for item in got) == resolved
        sql = " ".join(query["sql"] for query in queries.captured_queries)
        from_slices = not filtered and region.level in ("province", "prefecture", "county", "township")
        assert ("insight_periodslice" in sql) == from_slices
        assert ("insight_casefact" in sql) != from_slices
    if not filtered:  # not a vacuous match: cases with and without a place
        assert sum(counted.values()) >= (3 if name == "jueren" else 10) and len(counted) == 2
    else:
        assert counted


def test_a_village_shows_its_grids_and_a_grid_has_its_own_page(client, story, personas, regions):
    response = _get(client, personas.township_staff, region=regions.jueren.code, period="2025-Q4")
    d = response.context["d"]
    grids = {item.label: item for item in d.by["child"]}
    one = Grid.objects.get(code="JR-01")
    in_grid = Case.objects.filter(grid=one, registered_at__date__gte=QUARTER[0]).count()
    assert grids["居仁一网格"].received == in_grid > 0
    assert sum(item.received for item in d.by["child"]) == d.now.totals.received
    panel = response.context["panels"][0]
    assert panel["title"] == "各网格"
    link = {row["label"]: row["link"] for row in panel["rows"]}["居仁一网格"]
    assert link == f"?region={regions.jueren.code}&grid=JR-01&period=2025-Q4"

    page = client.get(URL + link)
    assert page.status_code == 200
    g = page.context["d"]
    assert g.grid == one and g.now.totals.received == in_grid
    assert g.now.totals.overdue == sum(item.overdue for item in g.now.by_category)
    stats = case_statistics(user=p.SYSTEM, region=regions.jueren, start=QUARTER[0], end=QUARTER[1])
    assert g.now.totals.received <= stats.totals.received
    assert [r.name for r, _ in page.context["crumb_urls"]] == ["武康街道", "居仁社区居委会", "居仁一网格"]
    assert "数据看板 · 居仁一网格" in page.content.decode()
    # A grid of another village, or one that does not exist, is a 404; so is 城东's grid for 武康's staff.
    client.force_login(personas.township_staff)
    assert client.get(URL, {"region": regions.jueren.code, "grid": "CD-01"}).status_code == 404
    assert client.get(URL, {"region": regions.chengdong.code, "grid": "CD-01"}).status_code == 404
    assert client.get(URL, {"region": regions.wukang.code, "grid": "JR-01"}).status_code == 404


def test_the_map_colours_the_child_regions_by_the_chosen_measure_and_drills_down(client, story, personas, regions):
    response = _get(client, personas.county_staff, period="2025-Q4")
    d = response.context["d"]
    parts = response.context["map"]
    areas = {a.name: a for a in parts["areas"]}
    assert set(areas) == {"武康街道", "乾元镇"}
    wukang = next(item for item in d.by["child"] if item.label == "武康街道")
    assert areas["武康街道"].population == 4000 and areas["乾元镇"].population == 2000
    assert areas["武康街道"].value == round(wukang.received * 10000 / 4000, 1)
    page = response.content.decode()
    assert '<svg class="imap"' in page and page.count('class="area"') == 2
    assert f'href="?region={regions.wukang.code}&amp;period=2025-Q4"' in page  # click an area: its dashboard
    assert 'id="table-map"' in page and "每万人收件（件/万人）" in page
    assert page.count('class="swatch"') == 6  # five classes and 无数据

    rates = _get(client, personas.county_staff, period="2025-Q4", measure="resolution")
    areas = {a.name: a for a in rates.context["map"]["areas"]}
    assert areas["武康街道"].value == wukang.resolution_rate
    assert "measure=resolution" in rates.context["previous_url"]
    assert _get(client, personas.county_staff, measure="colour").status_code == 400

    # A village's map is its grids'.
    village = _get(client, personas.county_staff, region=regions.jueren.code, period="2025-Q4")
    grids = {a.name: a for a in village.context["map"]["areas"]}
    assert set(grids) == {"居仁一网格", "居仁二网格"} and grids["居仁二网格"].population == 3000
    assert grids["居仁一网格"].link.endswith("&grid=JR-01&period=2025-Q4")

    book = openpyxl.load_workbook(io.BytesIO(client.get(response.context["xlsx_url"] + "&sheet=map").content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("代码", "名称", "常住人口", "收件", "每万人收件（件/万人）")
    assert {row[1]: row[2] for row in rows[1:]} == {"武康街道": 4000, "乾元镇": 2000}


def test_the_overdue_and_supervised_cases_are_listed_with_links_to_them(client, story, personas, regions):
    supervised = Case.objects.filter(region__path__startswith=regions.deqing.path).order_by("pk").first()
    Case.objects.filter(pk=supervised.pk).update(status=Status.SUPERVISING, is_supervised=True)
    response = _get(client, personas.county_staff, period="2025-Q4")
    lists = response.context["lists"]
    assert lists["overdue"].count > 0 and len(lists["overdue"].cases) == min(10, lists["overdue"].count)
    page = response.content.decode()
    for case in lists["overdue"].cases:
        assert f'href="/office/cases/{case.pk}/"' in page
    listed = client.get(lists["overdue"].url)
    assert listed.context["page"].paginator.count == lists["overdue"].count
    under = Case.objects.filter(region__path__startswith=regions.deqing.path, status=Status.SUPERVISING)
    assert supervised.pk in [c.pk for c in lists["supervised"].cases]
    assert sorted(c.pk for c in lists["supervised"].cases) == sorted(under.values_list("pk", flat=True))[:10]
    assert lists["supervised"].count == under.count()
    assert lists["supervised"].url.startswith("/office/cases/?bucket=supervising")
    listed = client.get(lists["supervised"].url)
    assert {row.case.pk for row in listed.context["rows"]} == set(under.values_list("pk", flat=True))


def test_the_common_problems_are_routings_candidates_of_the_region(client, story, personas, regions):
    for n in range(3):  # open cases of the last 90 days about one problem
        draft = CaseDraft(
            channel="online",
            title=f"城东村第{n}条水渠堵塞",
            body="城东村的水渠堵塞了，下雨就漫到路上。",
            region=regions.chengdong,
            category=None,
            person_name="李大伯",
            person_phone=f"1395721000{n}",
            reply_via="sms",
        )
        case_register(actor=personas.county_staff, draft=draft)
    cache.clear()
    response = _get(client, personas.county_staff, period="2025-Q4")
    expected = hotspot_candidates(user=personas.county_staff, days=90, top=5, region=regions.deqing)
    problems = response.context["problems"]
    assert [(pr.name, pr.case_ids) for pr in problems] == [
        (c.hotspot.name, [case.pk for case in c.cases]) for c in expected
    ]
    assert any(
        set(pr.case_ids) >= set(Case.objects.filter(title__contains="水渠").values_list("pk", flat=True))
        for pr in problems
    )
    page = response.content.decode()
    assert f'href="/office/cases/{problems[0].case_ids[0]}/"' in page and 'href="/office/hotspots/"' in page
    cache.clear()


def test_a_grid_covering_a_neighbouring_village_counts_its_cases_there_too(client, story, personas, regions):
    """A grid belongs to one (lead) village but may cover a neighbour, whose cases name the grid: the neighbour's
    grid table links to the grid's page under its own village, which counts the cases of both."""
    lead = Region.objects.create(
        code="330521001002",
        name="沈家村委会",
        level=RegionLevel.VILLAGE,
        parent=regions.wukang,
        path=f"{regions.wukang.path}330521001002/",
    )
    shared = Grid.objects.create(region=lead, code="SJ-01", name="沈家一网格", population=1500)
    in_jueren = Case.objects.filter(region=regions.jueren, grid=None).order_by("pk").first()
    Case.objects.filter(pk=in_jueren.pk).update(grid=shared)
    response = _get(client, personas.township_staff, region=regions.jueren.code, period="2025-Q4")
    link = {row["label"]: row["link"] for row in response.context["panels"][0]["rows"]}["沈家一网格"]
    assert link == f"?region={lead.code}&grid=SJ-01&period=2025-Q4"
    page = client.get(URL + link)
    assert page.status_code == 200 and page.context["d"].now.totals.received == 1
    assert [r.name for r, _ in page.context["crumb_urls"]] == ["武康街道", "沈家村委会", "沈家一网格"]
