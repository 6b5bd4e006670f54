# ruff: noqa: F811  (fixtures imported from other test modules are named by each test)
"""建议办理统计 in a real browser (Debian's Chromium through Playwright, at a clerk's 1280 px): the figures per unit
with the target marked, a tab, and the export button that starts the job whose page offers the workbook."""

import pytest

from lianxin.office.tests.test_case_page_browser import DESKTOP
from lianxin.ops import longjobs
from lianxin.portal.tests.test_browser import (  # noqa: F401
    _migration_data,
    axe_violations,
    browser,
    login_admin,
    phone,
    pytestmark,
    shots,
)
from lianxin.suggestions.tests.conftest import world  # noqa: F401
from lianxin.suggestions.tests.test_reports import handled  # noqa: F401

# pytestmark (imported above): skip without playwright or Chromium; transactional database for the live server.
assert pytestmark


@pytest.fixture(autouse=True)
def _private(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"


def test_in_a_browser_a_clerk_reads_the_statistics_and_exports_them(
    browser, live_server, personas, world, handled, shots
):
    page = phone(browser, **DESKTOP)
    login_admin(page, live_server, "county_staff")
    page.goto(f"{live_server.url}/office/suggestions/")
    page.click("#stats-link")
    page.wait_for_url(f"{live_server.url}/office/suggestions/stats/")
    rows = page.locator("#stats tbody tr")
    assert rows.count() == 2
    below = page.locator("#stats tr.below-target")
    assert below.count() == 2 and "未达95%" in below.first.inner_text()
    assert "县住建局" in below.first.inner_text()
    assert axe_violations(page) == []
    shots(page, "office-suggestion-stats")

    page.click("a[data-by=level]")
    page.wait_for_url(f"{live_server.url}/office/suggestions/stats/?by=level")
    assert page.locator("#stats tbody tr th").inner_text() == "县级"

    page.click("#stats-export button")
    page.wait_for_url(f"{live_server.url}/office/jobs/*/")
    assert "导出代表建议办理统计" in page.content()
    assert longjobs.longjobs_run() == 1
    page.reload()
    assert page.locator("#job-download").inner_text().endswith(".xlsx")
