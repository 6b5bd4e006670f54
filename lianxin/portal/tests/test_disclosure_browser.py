# ruff: noqa: F811  (fixtures imported from other test modules are named by each test)
"""公开问效 in a real browser (Debian's Chromium through Playwright): on a 1920×1080 wall screen and on a phone the
four charts are drawn (an SVG inside each chart box) from the platform's own ECharts, the tables stay beside them,
nothing is fetched from outside localhost, nothing is wider than the phone, and axe finds no serious violation."""

import datetime

import pytest
from django.utils import timezone

from lianxin.cases.models import Category, Rating
from lianxin.cases.services import case_rate_as_citizen
from lianxin.cases.tests.conftest import loop  # noqa: F401
from lianxin.cases.workflow import Action, case_transition
from lianxin.insight.disclosure import period_default
from lianxin.insight.rollups import rollups_update
from lianxin.portal.tests.test_browser import (  # noqa: F401
    _migration_data,
    axe_violations,
    browser,
    phone,
    pytestmark,
    shots,
)
from lianxin.workdays.calendar import CHINA

# pytestmark (imported above): skip without playwright or Chromium; transactional database for the live server.
assert pytestmark

WALL = {"viewport": {"width": 1920, "height": 1080}, "is_mobile": False, "has_touch": False}
CHARTS = ("chart-townships", "chart-township-rates", "chart-categories", "chart-trend")


@pytest.fixture
def this_month(loop, personas, regions):
    """Cases registered this month (no time travel: the live server runs in another thread): 8 in 武康, 3 in 乾元,
    some registered a month earlier for the trend; one published."""
    staff = personas.county_staff
    environment = Category.objects.get(code="environment")
    now = timezone.now()
    earlier = now - datetime.timedelta(days=35)
    cases = []
    for n in range(8):
        case = loop.register(
            channel="online" if n % 2 else "station",
            category=loop.category if n < 5 else environment,
            title=f"居仁路第{n}号路灯不亮",
            address="武康街道居仁路18号",
        )
        case_transition(case=case, action=Action.ACCEPT, actor=staff, note="", params={})
        case_transition(case=case, action=Action.ANSWER, actor=staff, note="", params={"reply": "已修复"})
        case_rate_as_citizen(receipt_code=case.receipt_code, rating=Rating.SATISFIED)
        cases.append(case)
    for n in range(3):
        loop.register(region=regions.chengdong, deputy=None, title=f"城东村第{n}条水渠堵塞", person_name="李小龙")
    for n in range(6):
        loop.register(registered_at=earlier, title=f"上月第{n}件")
    first = cases[0]
    first.refresh_from_db()
    case_transition(case=first, action=Action.CLOSE, actor=staff, note="", params={})
    first.refresh_from_db()
    case_transition(
        case=first, action=Action.PUBLISH, actor=staff, note="", params={"public_title": "居仁路路灯已全部修复"}
    )
    rollups_update()  # the worker's step: the page reads the rollups
    return f"{now.astimezone(CHINA):%Y-%m}"


def open_page(browser, live_server, month: str, **options):
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
    page.goto(f"{live_server.url}/open/330521000000/?p={month}")
    for name in CHARTS:
        page.wait_for_selector(f'[data-chart="{name}"][data-drawn] svg')
    return page, blocked


def test_on_a_wall_screen_the_charts_are_drawn_beside_their_tables(browser, live_server, this_month, shots):
    page, blocked = open_page(browser, live_server, this_month, **WALL)
    assert page.locator("h1").inner_text() == "公开问效 · 德清县"
    for name in CHARTS:
        box = page.locator(f'[data-chart="{name}"]')
        assert box.locator("svg").count() >= 1
        assert box.bounding_box()["height"] >= 220
    # Two panels side by side on the wall screen.
    townships, categories = page.locator("#townships").bounding_box(), page.locator("#categories").bounding_box()
    assert townships["y"] == categories["y"] and categories["x"] > townships["x"] + townships["width"] - 1
    # The chart draws the table's figures: 武康's bar is labelled, 乾元's suppressed one is not drawn.
    assert "武康街道" in page.locator('[data-chart="chart-townships"]').inner_text()
    row = page.locator("#townships tbody tr", has_text="乾元镇")
    assert row.locator("td").first.inner_text() == "<5"
    assert page.locator("#results li", has_text="居仁路路灯已全部修复").count() == 1
    assert "李小龙" not in page.content() and "13957211234" not in page.content()
    assert axe_violations(page) == []
    shots(page, "disclosure-wall")
    assert blocked == []  # nothing fetched from outside
    page.context.close()


def test_on_a_phone_the_charts_fit_the_screen_and_the_period_switches(browser, live_server, this_month, shots):
    page, blocked = open_page(browser, live_server, this_month)
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for name in CHARTS:
        assert page.locator(f'[data-chart="{name}"]').bounding_box()["width"] <= width
    page.locator("details summary", has_text="查看数据表").click()
    assert page.locator("#trend table").is_visible()
    assert axe_violations(page) == []
    shots(page, "disclosure-phone")

    page.click("nav.period-switch >> text=年度")
    page.wait_for_url(f"**/open/330521000000/?p={period_default('year').code}")
    page.wait_for_selector('[data-chart="chart-trend"][data-drawn] svg')
    assert page.locator(".period-switch a.current").inner_text() == "年度"
    assert blocked == []
    page.context.close()


def test_without_javascript_the_tables_say_it_all(browser, live_server, this_month):
    page = phone(browser, java_script_enabled=False)
    page.goto(f"{live_server.url}/open/330521000000/?p={this_month}")
    assert page.locator(".chart:visible").count() == 0  # no empty boxes
    assert page.locator("#townships table").is_visible()
    assert page.locator("#townships tbody tr", has_text="武康街道").locator("td").first.inner_text() == "8"
    page.context.close()
