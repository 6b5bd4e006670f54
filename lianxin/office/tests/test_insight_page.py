"""数据看板 (/office/insight/): the page's figures are `figures(...)` of lianxin.insight.figures for the same
arguments (and so `case_statistics`), with the change on a year earlier by cases.reports' rule; drill-down links and
the breadcrumb; a region outside the scope is a 404; a bad period or filter is the page with a Chinese message;
the .xlsx holds every table with formula-looking text made inert; the overdue figure opens the case list.

The story is test_rollups' seeded random one (October to December 2025, read on 12 January 2026), its rollups
applied by the worker's step."""

import datetime
import io
from dataclasses import fields

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from lianxin.cases import permissions as p
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import Case, Category, ResponsibleUnit
from lianxin.cases.reports import Totals, case_statistics
from lianxin.cases.services import case_register
from lianxin.core.tabular import escape_formula
from lianxin.insight.figures import FigureTotals, figures, figures_daily
from lianxin.insight.rollups import rollups_rebuild, rollups_update
from lianxin.insight.tests.test_rollups import READ_AT, play_story, world  # noqa: F401
from lianxin.office.insight.build import headline

URL = "/office/insight/"
DECEMBER = (datetime.date(2025, 12, 1), datetime.date(2025, 12, 31))
QUARTER = (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))
TOTALS = [f.name for f in fields(FigureTotals) if f.name in {t.name for t in fields(Totals)}]


@pytest.fixture
def story(world):  # noqa: F811
    end = play_story(world, seed=11, cases=40)
    with time_machine.travel(max(READ_AT, end + datetime.timedelta(days=1)), tick=False):
        rollups_update()
        yield world


def _get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def test_the_menu_opens_the_dashboard_of_the_users_top_region_for_the_last_full_month(client, story, personas):
    client.force_login(personas.city_staff)
    home = client.get("/office/").content.decode()
    assert f'href="{URL}"' in home and "数据看板" in home
    response = client.get(URL)
    assert response.status_code == 200
    d = response.context["d"]
    assert (d.region.name, d.period.code) == ("湖州市", "2025-12")  # read on 12 January 2026
    assert (d.now.start, d.now.end) == DECEMBER
    assert d.now == figures(user=p.SYSTEM, region=d.region, start=DECEMBER[0], end=DECEMBER[1])


@pytest.mark.parametrize("name", ["huzhou", "deqing", "wukang", "jueren", "anji"])
def test_the_page_shows_the_figures_of_figures_and_so_of_the_statistics(client, story, personas, regions, name):
    region = getattr(regions, name)
    response = _get(client, personas.city_staff, region=region.code, period="2025-Q4")
    assert response.status_code == 200
    d = response.context["d"]
    expected = figures(user=p.SYSTEM, region=region, start=QUARTER[0], end=QUARTER[1])
    assert d.now == expected
    stats = case_statistics(user=p.SYSTEM, region=region, start=QUARTER[0], end=QUARTER[1])
    assert {n: getattr(d.now.totals, n) for n in TOTALS} == {n: getattr(stats.totals, n) for n in TOTALS}
    assert (d.now.by_category, d.now.by_unit, d.now.by_channel) == (
        stats.by_category,
        stats.by_unit,
        stats.by_channel,
    )
    # What the page prints is those figures.
    page = response.content.decode()
    for measure in response.context["headline"]:
        assert f'data-measure="{measure["key"]}"' in page
    shown = {m["key"]: m["value"] for m in response.context["headline"]}
    assert shown["received"] == str(stats.totals.received)
    assert shown["overdue"] == str(stats.totals.overdue)
    rate = stats.totals.resolution_rate
    assert shown["resolution_rate"] == ("—" if rate is None else f"{rate * 100:.1f}%")
    for panel in response.context["panels"]:
        items = d.by[panel["dim"]]
        assert [row["received"] for row in panel["rows"]] == [item.received for item in items]
        assert panel["chart"]["series"][0]["data"] == [item.received for item in items][:15]
    if name == "deqing":
        assert stats.totals.received >= 20 and stats.totals.overdue > 0  # not a vacuous match


def test_a_filter_gives_the_figures_of_figures_with_that_filter(client, story, personas, regions):
    category = Category.objects.get(code="transport")
    response = _get(client, personas.county_staff, period="2025-Q4", category="transport", channel="online")
    assert response.status_code == 200
    d = response.context["d"]
    assert d.region == regions.deqing
    expected = figures(
        user=p.SYSTEM, region=regions.deqing, start=QUARTER[0], end=QUARTER[1], category=category, channel="online"
    )
    assert d.now == expected
    # The trend under a filter counts the filtered cases (from the facts).
    assert sum(point.received for point in d.trend) == expected.totals.received
    unit = ResponsibleUnit.objects.get(name="县交通运输局")
    response = _get(client, personas.county_staff, period="2025-Q4", unit=str(unit.pk))
    expected = figures(user=p.SYSTEM, region=regions.deqing, start=QUARTER[0], end=QUARTER[1], unit_id=unit.pk)
    assert response.context["d"].now == expected


def test_the_days_are_every_day_of_the_period_with_figures_daily(client, story, personas, regions):
    response = _get(client, personas.county_staff, period="2025-10")
    days = response.context["d"].trend
    assert len(days) == 31 and days[0].start == datetime.date(2025, 10, 1) == days[0].end
    assert sum(point.received for point in days) == response.context["d"].now.totals.received > 0
    daily = figures_daily(user=p.SYSTEM, region=regions.deqing, start=days[0].start, end=days[-1].end)
    assert {row.day: row.received for row in daily} == {pt.start: pt.received for pt in days if pt.received}
    chart = response.context["trend"]
    assert chart["type"] == "line" and len(chart["categories"]) == 31


def test_the_trend_switches_to_weeks_and_to_the_twelve_months_up_to_the_period(client, story, personas, regions):
    weeks = _get(client, personas.county_staff, period="2025-Q4", trend="week")
    d = weeks.context["d"]
    points = d.trend
    assert points[0].start == datetime.date(2025, 10, 1) and points[0].end == datetime.date(2025, 10, 5)  # a Sunday
    assert all(pt.start.weekday() == 0 for pt in points[1:]) and points[-1].end == datetime.date(2025, 12, 31)
    assert sum(pt.received for pt in points) == d.now.totals.received > 0
    assert 'aria-current="true">按周' in weeks.content.decode()
    assert "trend=week" in weeks.context["previous_url"]  # the switch stays in the address
    months = _get(client, personas.county_staff, period="2025-12", trend="month")
    points = months.context["d"].trend
    assert [pt.label for pt in points][:2] == ["2025年1月", "2025年2月"] and len(points) == 12
    quarter = figures(user=p.SYSTEM, region=regions.deqing, start=QUARTER[0], end=QUARTER[1])
    assert sum(pt.received for pt in points[-3:]) == quarter.totals.received
    assert _get(client, personas.county_staff, trend="hour").status_code == 400


def test_child_regions_drill_down_and_the_breadcrumb_goes_back_up(client, story, personas, regions):
    response = _get(client, personas.city_staff, period="2025-Q4", channel="hotline")
    children = response.context["panels"][0]
    assert children["dim"] == "child"
    links = {row["label"]: row["link"] for row in children["rows"]}
    assert links["德清县"] == f"?region={regions.deqing.code}&period=2025-Q4&channel=hotline"
    assert all(link == "" for label, link in links.items() if label.endswith("本级"))
    page = response.content.decode()
    assert f'href="?region={regions.deqing.code}&amp;period=2025-Q4&amp;channel=hotline"' in page

    response = client.get(URL + links["德清县"])
    assert response.status_code == 200 and response.context["d"].region == regions.deqing
    assert [r.name for r, _ in response.context["crumb_urls"]] == ["湖州市", "德清县"]
    assert response.context["crumb_urls"][0][1] == f"?region={regions.huzhou.code}&period=2025-Q4&channel=hotline"
    wukang = {row["label"]: row["link"] for row in response.context["panels"][0]["rows"]}["武康街道"]
    response = client.get(URL + wukang)
    assert [r.name for r, _ in response.context["crumb_urls"]] == ["湖州市", "德清县", "武康街道"]
    # A township's staff see their own township at the top of the breadcrumb.
    response = _get(client, personas.township_staff, period="2025-Q4")
    assert response.context["d"].region == regions.wukang
    assert [r.name for r, _ in response.context["crumb_urls"]] == ["武康街道"]


def test_a_region_outside_the_scope_is_a_404_and_others_may_not_open_the_page(client, story, personas, regions):
    assert _get(client, personas.township_staff, region=regions.deqing.code).status_code == 404
    assert _get(client, personas.township_staff, region=regions.chengdong.code).status_code == 404
    assert _get(client, personas.township_staff, region="999999999999").status_code == 404
    client.force_login(personas.township_staff)
    xlsx = reverse("office:insight_xlsx")
    assert client.get(xlsx, {"region": regions.deqing.code}).status_code == 404
    for user in (personas.deputy, personas.unit_handler, personas.place_staff, personas.grid_worker):
        response = _get(client, user)
        assert response.status_code == 403
        assert response.context is None or "d" not in response.context
    response = _get(client, personas.place_staff)  # in the back office, without supervising cases
    assert "您的角色不能查看数据看板" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "2025-13"}, "月份应为 1–12"),
        ({"period": "2025/11"}, "应为 2026-11（月）、2026-Q4（季度）或 2026（年），实为“2025/11”"),
        ({"period": "2025-Q5"}, "季度应为 Q1–Q4"),
        ({"period": "2026-01"}, "2026年1月尚未结束"),
        ({"period": "2026"}, "2026年尚未结束"),
        ({"category": "nothing"}, "没有代码为“nothing”的类别"),
        ({"channel": "pigeon"}, "没有“pigeon”这个渠道"),
        ({"unit": "x1"}, "没有编号为“x1”的承办单位"),
    ],
)
def test_a_bad_period_or_filter_is_the_page_with_a_chinese_message(client, story, personas, params, message):
    response = _get(client, personas.county_staff, **params)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and 'role="alert"' in page
    assert "d" not in response.context or response.context.get("d") is None
    client.force_login(personas.county_staff)
    assert client.get(reverse("office:insight_xlsx"), params).status_code == 400


def _sheets(content: bytes) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_every_table_downloads_as_one_xlsx_with_formulas_made_inert(client, story, personas, regions):
    before = figures(user=p.SYSTEM, region=regions.deqing, start=QUARTER[0], end=QUARTER[1])
    unit = ResponsibleUnit.objects.get(pk=next(int(item.key) for item in before.by_unit if item.key))
    unit.name = '=HYPERLINK("http://evil.example","点我")'
    unit.save(update_fields=["name"])
    response = _get(client, personas.county_staff, period="2025-Q4")
    page = response.content.decode()
    xlsx_url = response.context["xlsx_url"]
    assert xlsx_url == reverse("office:insight_xlsx") + f"?region={regions.deqing.code}&period=2025-Q4"
    assert 'id="xlsx"' in page
    download = client.get(xlsx_url)
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in download["Content-Disposition"]
    sheets = _sheets(download.content)
    assert list(sheets) == [
        "总体情况",
        "各下级区划",
        "按类别",
        "按承办单位",
        "按渠道",
        "按代表",
        "按家站室",
        "地图-每万人收件",
        "走势",
        "超期件",
        "督办件",
    ]
    d = response.context["d"]
    totals = {row[0]: row[1:] for row in sheets["总体情况"][1:]}
    assert totals["收件（件）"][0] == d.now.totals.received
    assert totals["超期（件）"][0] == d.now.totals.overdue
    rate = d.now.totals.resolution_rate
    assert totals["办结率（%）"][0] == (None if rate is None else round(rate * 100, 1))
    for sheet, items in (
        ("各下级区划", d.now.by_child),
        ("按类别", d.now.by_category),
        ("按承办单位", d.now.by_unit),
        ("按渠道", d.now.by_channel),
    ):
        expected = [(escape_formula(item.label), item.received) for item in items]
        assert [(row[0], row[1]) for row in sheets[sheet][1:]] == expected
    names = [row[0] for row in sheets["按承办单位"][1:]]
    assert "'" + unit.name in names  # inert text, not a formula
    assert not any(isinstance(n, str) and n.startswith("=") for n in names)
    assert sum(row[2] for row in sheets["走势"][1:]) == d.now.totals.received
    assert [row[1] for row in sheets["总体情况"][1:]] == [
        row[1] for row in _sheets(client.get(xlsx_url + "&sheet=totals").content)["总体情况"][1:]
    ]
    # One chart's table alone, for the link under it; an unknown one is a 404.
    one = _sheets(client.get(xlsx_url + "&sheet=category").content)
    assert list(one) == ["按类别"] and one["按类别"] == sheets["按类别"]
    assert client.get(xlsx_url + "&sheet=nothing").status_code == 404


def test_the_overdue_figure_opens_the_case_list_of_the_region_and_period(client, story, personas, regions):
    response = _get(client, personas.city_staff, region=regions.deqing.code, period="2025-Q4")
    url = response.context["lists"]["overdue"].url
    assert url.startswith(reverse("office:cases") + "?bucket=overdue&sort=due")
    assert f"region={regions.deqing.code}" in url and "date_from=2025-10-01" in url and "date_to=2025-12-31" in url
    assert 'id="overdue-link"' in response.content.decode()
    listed = client.get(url)
    assert listed.status_code == 200 and listed.context["form"].is_valid()
    shown = {row.case.pk for row in listed.context["rows"]}
    assert shown, "the story leaves cases open past their deadline in 德清"
    cases = Case.objects.filter(pk__in=shown)
    assert all(c.region.path.startswith(regions.deqing.path) for c in cases)
    assert all(row.overdue for row in listed.context["rows"])


def _register(world, regions, when, n):  # noqa: F811
    with time_machine.travel(when, tick=False):
        for _ in range(n):
            draft = CaseDraft(
                channel="online",
                title="路灯不亮",
                body="居仁路东段路灯一个月没亮了。",
                region=regions.wukang,
                category=None,
                person_name="王秀英",
                person_phone="13957211234",
                reply_via="sms",
            )
            case_register(actor=world.staff, draft=draft)


def test_the_change_on_a_year_earlier_is_shown_from_a_base_of_20_cases(client, world, personas, regions):  # noqa: F811
    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    _register(world, regions, datetime.datetime(2024, 11, 5, 10, tzinfo=shanghai), 20)  # a base of 20 in 武康
    _register(world, regions, datetime.datetime(2024, 10, 5, 10, tzinfo=shanghai), 19)  # 19: too few
    _register(world, regions, datetime.datetime(2025, 11, 5, 10, tzinfo=shanghai), 25)
    _register(world, regions, datetime.datetime(2025, 10, 5, 10, tzinfo=shanghai), 30)
    with time_machine.travel(READ_AT, tick=False):
        rollups_rebuild()
        november = _get(client, personas.township_staff, period="2025-11")
        october = _get(client, personas.township_staff, period="2025-10")
    shown = {m["key"]: m for m in november.context["headline"]}
    assert shown["received"]["change"] == "增长25.0%" and shown["received"]["shown"]
    assert november.context["d"].before.totals.received == 20
    assert "同比增长25.0%" in november.content.decode()
    assert shown["online_share"]["change"] == "持平"  # all online both years: 0 percentage points
    shown = {m["key"]: m for m in october.context["headline"]}
    assert not shown["received"]["shown"] and shown["received"]["change"] == "—"
    assert october.context["d"].before.totals.received == 19
    assert headline(october.context["d"])[0]["value"] == "30"
