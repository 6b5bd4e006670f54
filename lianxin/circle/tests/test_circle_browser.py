# ruff: noqa: F811  (fixtures imported from the portal's browser tests are named by each test)
"""代表服务圈 in a real browser (Debian's Chromium through Playwright): county staff open it from the office menu,
compute the county's plan with one new place, and see the coverage map (grids coloured, the place, the proposed
site), its legend and tables; on a phone the map fits the screen's width with no sideways scrolling, at a desktop's
width too; axe finds no serious violation; creating the proposed place works from the page."""

import pytest

from lianxin.circle.models import CirclePlan
from lianxin.portal.tests.test_browser import (  # noqa: F401
    _migration_data,
    axe_violations,
    browser,
    login_admin,
    phone,
    pytestmark,
    shots,
)
from lianxin.venues.models import Place

assert pytestmark  # skip without playwright or Chromium; transactional database for the live server

DESKTOP = {"viewport": {"width": 1440, "height": 900}, "is_mobile": False, "has_touch": False}


def compute(page, live_server, regions) -> None:
    login_admin(page, live_server, "county_staff")
    page.goto(f"{live_server.url}/office/")
    page.click("nav.menu >> text=代表服务圈")
    page.wait_for_url(f"{live_server.url}/office/circle/")
    assert axe_violations(page) == []
    page.select_option("#id_region", regions.deqing.code)
    page.fill("#id_minutes", "15")
    page.fill("#id_propose", "1")
    page.get_by_role("button", name="计算并保存方案").click()
    page.wait_for_selector("svg.cmap")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_staff_compute_the_county_s_circle_and_read_its_map_and_tables(
    browser, live_server, personas, regions, town, shots, size
):
    page = phone(browser) if size == "phone" else phone(browser, **DESKTOP)
    compute(page, live_server, regions)
    plan = CirclePlan.objects.get()
    assert page.url == f"{live_server.url}/office/circle/{plan.pk}/"
    assert page.locator("svg.cmap path.grid").count() == 2
    assert page.locator('svg.cmap path.grid[data-grid="G-CHENGDONG"]').get_attribute("class") == "grid cov0"
    assert page.locator("svg.cmap circle.place").count() == 1
    assert page.locator("svg.cmap g.site").count() == 1
    assert "15分钟覆盖率 不足25%" in page.locator("#legend").inner_text()
    assert "城东一网格" in page.locator("#uncovered").inner_text()
    assert "整数规划（HiGHS）新增覆盖 500 人" in page.locator("#compare").inner_text()
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    box = page.locator("svg.cmap").bounding_box()
    assert box is not None and box["width"] <= width and box["width"] > width * 0.5
    assert axe_violations(page) == []
    shots(page, f"circle-plan-{size}")


def test_staff_create_the_proposed_place_from_the_plan(browser, live_server, personas, regions, town):
    page = phone(browser)
    compute(page, live_server, regions)
    page.get_by_role("button", name="将拟新设点位建为代表联络站").click()
    page.wait_for_selector("#created")
    place = Place.objects.get(is_active=False)
    assert place.region == regions.chengdong
    assert place.name in page.locator("#sites").inner_text()
