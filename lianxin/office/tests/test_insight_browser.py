# ruff: noqa: F811  (fixtures imported from other test modules are named by each test)
"""数据看板 in a real browser (Debian's Chromium through Playwright): county staff open it from the office menu; on a
1920×1080 wall screen the panels stand two by two and on a phone one under the other; every chart box holds the
chart drawn by the platform's own ECharts (an SVG), the map is the townships' outlines coloured by the chosen
measure, nothing is fetched from outside localhost, axe finds no serious violation; a township's name, or its area
on the map, drills down and the breadcrumb goes back up; the trend switches to weeks and months. A deputy's own
figures on the workbench on a phone, the same way."""

import datetime

import pytest

from lianxin.cases.models import Category
from lianxin.cases.tests.conftest import loop  # noqa: F401
from lianxin.cases.workflow import Action, case_transition
from lianxin.insight.rollups import rollups_rebuild
from lianxin.office.insight.params import period_default
from lianxin.portal.tests.test_browser import (  # noqa: F401
    _migration_data,
    axe_violations,
    browser,
    login_admin,
    phone,
    pytestmark,
    shots,
)
from lianxin.regions.models import Grid
from lianxin.workdays.calendar import CHINA

# pytestmark (imported above): skip without playwright or Chromium; transactional database for the live server.
assert pytestmark

WALL = {"viewport": {"width": 1920, "height": 1080}, "is_mobile": False, "has_touch": False}
CHARTS = (
    "chart-child",
    "chart-category",
    "chart-unit",
    "chart-channel",
    "chart-deputy",
    "chart-place",
    "chart-trend",
)


def _square(lng: float, lat: float, side: float = 0.05) -> dict:
    ring = [[lng, lat], [lng + side, lat], [lng + side, lat + side], [lng, lat + side], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def last_month(loop, personas, regions):
    """Cases registered in the last full month (no time travel: the live server runs in another thread): 8 in
    武康 (some answered), 3 in 乾元; the townships' outlines and grids with residents; the rollups rebuilt as the
    worker would fill them."""
    regions.wukang.boundary = _square(119.90, 30.50)
    regions.wukang.save(update_fields=["boundary"])
    regions.qianyuan.boundary = _square(119.95, 30.50)
    regions.qianyuan.save(update_fields=["boundary"])
    Grid.objects.create(region=regions.jueren, code="JR-01", name="居仁一网格", population=4000)
    Grid.objects.create(region=regions.chengdong, code="CD-01", name="城东一网格", population=2500)
    staff = personas.county_staff
    environment = Category.objects.get(code="environment")
    period = period_default()
    for n in range(8):
        at = datetime.datetime.combine(period.start + datetime.timedelta(days=n), datetime.time(10), tzinfo=CHINA)
        case = loop.register(
            registered_at=at,
            channel="online" if n % 2 else "station",
            category=loop.category if n < 5 else environment,
            title=f"居仁路第{n}号路灯不亮",
        )
        if n < 5:
            case_transition(case=case, action=Action.ACCEPT, actor=staff, note="", params={})
            case_transition(case=case, action=Action.ANSWER, actor=staff, note="", params={"reply": "已修复"})
    at = datetime.datetime.combine(period.start + datetime.timedelta(days=3), datetime.time(15), tzinfo=CHINA)
    for n in range(3):
        loop.register(registered_at=at, region=regions.chengdong, deputy=None, title=f"城东村第{n}条水渠堵塞")
    rollups_rebuild()
    return period


def open_dashboard(browser, live_server, **options):
    page = phone(browser, **options)
    blocked: list[str] = []
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(live_server.url)
            else (blocked.append(route.request.url), route.abort())
        ),
    )
    login_admin(page, live_server, "county_staff")
    page.goto(f"{live_server.url}/office/")
    page.click("nav.menu >> text=数据看板")
    page.wait_for_url(f"{live_server.url}/office/insight/")
    for name in CHARTS:
        page.wait_for_selector(f'[data-chart="{name}"][data-drawn] svg')
    return page, blocked


def test_on_a_wall_screen_the_panels_stand_two_by_two_with_their_charts(browser, live_server, last_month, shots):
    page, blocked = open_dashboard(browser, live_server, **WALL)
    assert page.locator("h1").inner_text() == "数据看板 · 德清县"
    assert page.locator('#totals [data-measure="received"] dd').first.inner_text() == "11件"
    for name in CHARTS:
        box = page.locator(f'[data-chart="{name}"]')
        assert box.locator("svg").count() >= 1
        assert box.bounding_box()["height"] >= 220
    child, category = page.locator("#panel-child").bounding_box(), page.locator("#panel-category").bounding_box()
    assert child["y"] == category["y"] and category["x"] >= child["x"] + child["width"]
    assert "武康街道" in page.locator('[data-chart="chart-child"]').inner_text()
    assert page.locator("#table-child tbody tr", has_text="武康街道").locator("td").first.inner_text() == "8"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920
    # The map: the two townships coloured by cases per 10,000 residents (8 / 4,000 and 3 / 2,500), a legend.
    areas = page.locator("svg.imap path.area")
    assert areas.count() == 2
    wukang = page.locator('svg.imap path.area[data-code="330521001000"]')
    assert wukang.get_attribute("fill") == "#440154"  # the darkest class: 20 per 10,000, the largest
    assert page.locator("#table-map tbody tr", has_text="武康街道").locator("td").nth(2).text_content() == "20"
    assert page.locator("svg.imap").bounding_box()["height"] >= 200
    assert page.locator(".legend li").count() == 6
    assert axe_violations(page) == []
    shots(page, "office-insight-wall")

    # The map by 办结率: 武康 answered 5 of 5 accepted.
    page.click('nav[aria-label="地图指标"] >> text=办结率')
    page.wait_for_selector('[data-chart="chart-child"][data-drawn] svg')
    assert "measure=resolution" in page.url
    assert page.locator('#table-map tbody tr[data-code="330521001000"] td').nth(2).text_content() == "100.0%"
    # The trend by week: the weeks of the month.
    page.click('nav[aria-label="走势粒度"] >> text=按周')
    page.wait_for_selector('[data-chart="chart-trend"][data-drawn] svg')
    assert "trend=week" in page.url and "measure=resolution" in page.url
    assert 4 <= page.locator("#table-trend tbody tr").count() <= 6

    # Click 武康's area on the map: its dashboard.
    page.locator('svg.imap a[href*="330521001000"]').click()
    page.wait_for_selector('[data-chart="chart-child"][data-drawn] svg')
    assert page.locator("h1").inner_text() == "数据看板 · 武康街道"
    page.click("nav.crumbs >> text=德清县")
    page.wait_for_selector('[data-chart="chart-child"][data-drawn] svg')

    # Drill down to 武康街道, then back up through the breadcrumb.
    page.click("#table-child >> text=武康街道")
    page.wait_for_selector('[data-chart="chart-child"][data-drawn] svg')
    assert page.locator("h1").inner_text() == "数据看板 · 武康街道"
    assert f"period={last_month.code}" in page.url
    page.click("nav.crumbs >> text=德清县")
    page.wait_for_selector('[data-chart="chart-child"][data-drawn] svg')
    assert page.locator("h1").inner_text() == "数据看板 · 德清县"
    assert blocked == []  # nothing fetched from outside
    page.context.close()


def test_on_a_phone_the_panels_stand_in_one_column_and_fit_the_screen(browser, live_server, last_month, shots):
    page, blocked = open_dashboard(browser, live_server)
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    child, category = page.locator("#panel-child").bounding_box(), page.locator("#panel-category").bounding_box()
    assert category["y"] >= child["y"] + child["height"] and abs(category["x"] - child["x"]) < 1
    for name in CHARTS:
        assert page.locator(f'[data-chart="{name}"]').bounding_box()["width"] <= width
    page.locator("#trend details summary").click()
    assert page.locator("#table-trend").is_visible()
    assert axe_violations(page) == []
    shots(page, "office-insight-phone")

    # A bad period: the page says why, in Chinese, and draws nothing.
    page.goto(f"{live_server.url}/office/insight/?period=2025-13")
    assert "月份应为 1–12" in page.locator("#error").inner_text()
    assert page.locator("[data-chart]").count() == 0
    assert axe_violations(page) == []
    assert blocked == []
    page.context.close()


def test_a_deputy_sees_their_own_figures_on_the_workbench_on_a_phone(browser, live_server, last_month, shots):
    page = phone(browser)
    blocked: list[str] = []
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(live_server.url)
            else (blocked.append(route.request.url), route.abort())
        ),
    )
    url = f"{live_server.url}/w/insight/?period={last_month.code}"
    page.goto(url)
    page.wait_for_url(f"{live_server.url}/w/login/?next=**")
    page.fill("#id_username", "deputy")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("button:has-text('登录')")
    page.wait_for_url(url)
    page.wait_for_selector('[data-chart="chart-months"][data-drawn] svg')
    assert page.locator("h1").inner_text() == "沈建国代表的数据"
    assert page.locator('#totals [data-measure="received"] dd').inner_text() == "8件"  # 武康's 8 came to them
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe_violations(page) == []
    shots(page, "workbench-insight-phone")
    assert blocked == []
    page.context.close()
