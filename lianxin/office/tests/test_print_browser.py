"""A clerk prints the month's paper in a real browser (Debian's Chromium driven by Playwright, as in
lianxin/portal/tests): the menu's 打印材料, the villages of the township, a notice board and a station's registers
downloaded as PDFs. `LIANXIN_SCREENSHOTS=docs/screenshots pytest lianxin/office -k print_browser` refreshes the
screenshot."""

from pathlib import Path

import pypdfium2 as pdfium

from lianxin.portal.tests import conftest as portal_world
from lianxin.portal.tests import test_browser as portal_browser
from lianxin.portal.tests.test_noticeboard import needs_font

world = portal_world.world
browser, shots, _migration_data = portal_browser.browser, portal_browser.shots, portal_browser._migration_data
pytestmark = [*portal_browser.pytestmark, needs_font]

DESKTOP = {"width": 1280, "height": 900}


def text_of(path: Path) -> str:
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        return "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def test_a_clerk_prints_a_villages_notice_board_and_a_stations_registers(browser, live_server, world, shots):
    page = portal_browser.phone(browser, viewport=DESKTOP, is_mobile=False, has_touch=False, accept_downloads=True)
    portal_browser.login_admin(page, live_server, "township_staff")
    page.goto(f"{live_server.url}/office/")
    page.click("nav.menu >> text=打印材料")
    page.wait_for_url(f"{live_server.url}/office/print/")
    assert page.locator("h1").inner_text() == "打印材料 · 武康街道"
    row = page.locator("table.grid tbody tr", has_text="居仁社区居委会")
    assert row.count() == 1 and "居仁社区代表工作站" in row.inner_text()
    assert portal_browser.axe_violations(page) == []
    shots(page, "office-print")

    with page.expect_download() as download:
        row.locator("a", has_text="公告栏").click()
    text = text_of(Path(download.value.path()))
    assert "居仁社区居委会人大代表联系群众公告栏" in text and "二、代表接待安排" in text

    with page.expect_download() as download:
        row.locator("a", has_text="三册两簿一记录").click()
    text = text_of(Path(download.value.path()))
    assert "居仁社区代表工作站“三册两簿一记录”" in text and "四、接待登记簿" in text
