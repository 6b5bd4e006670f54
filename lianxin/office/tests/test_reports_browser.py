# ruff: noqa: F811  (fixtures imported from other test modules are named by each test)
"""统计报表 (/office/reports/) in a real browser (Debian's Chromium through Playwright), at 1920×1080 and at a phone's
width: county staff open it from the office menu, make the last full month's report of their county, find it in the
list with its PDF and Excel links (both download), and a bad period's message; nothing is fetched from outside
localhost and axe finds no serious violation."""

import datetime

from lianxin.cases.tests.conftest import loop  # noqa: F401
from lianxin.insight.models import Report
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
from lianxin.workdays.calendar import CHINA

# pytestmark (imported above): skip without playwright or Chromium; transactional database for the live server.
assert pytestmark

WALL = {"viewport": {"width": 1920, "height": 1080}, "is_mobile": False, "has_touch": False}


def _open(browser, live_server, **options):
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
    page.click("nav.menu >> text=统计报表")
    page.wait_for_url(f"{live_server.url}/office/reports/")
    return page, blocked


def _make(page, regions, period_code: str) -> None:
    page.select_option("#report-generate select", regions.deqing.code)
    page.fill("#report-generate input[name=period]", period_code)
    page.click("#report-generate button[type=submit]")
    page.wait_for_load_state()


def test_on_a_wall_screen_staff_make_a_monthly_report_and_download_it(browser, live_server, loop, regions, shots):
    period = period_default()
    for n in range(3):
        at = datetime.datetime.combine(period.start + datetime.timedelta(days=n), datetime.time(10), tzinfo=CHINA)
        loop.register(registered_at=at, category=loop.category, title=f"居仁路第{n}号路灯不亮")
    page, blocked = _open(browser, live_server, **WALL)
    assert page.locator("#no-reports").is_visible()
    assert axe_violations(page) == []
    _make(page, regions, period.code)
    report = Report.objects.get(region=regions.deqing, period_start=period.start)
    row = page.locator(f"#report-{report.pk}")
    assert "德清县" in row.inner_text()
    with page.expect_download() as pdf:
        row.locator("text=PDF").click()
    assert pdf.value.suggested_filename.endswith(".pdf")
    with page.expect_download() as xlsx:
        row.locator("text=Excel").click()
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920
    assert axe_violations(page) == []
    shots(page, "office-reports-wall")
    assert blocked == []
    page.context.close()


def test_on_a_phone_the_page_fits_and_a_bad_period_says_why(browser, live_server, loop, regions, shots):
    page, blocked = _open(browser, live_server)
    _make(page, regions, "2025-13")
    assert "月份应为 1–12" in page.locator("#report-generate").inner_text()
    assert Report.objects.count() == 0
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe_violations(page) == []
    shots(page, "office-reports-phone")
    assert blocked == []
    page.context.close()
