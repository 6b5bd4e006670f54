"""A clerk's morning in a real browser (Debian's Chromium driven by Playwright, as in lianxin/portal/tests): the
home's to-do counts, a card opening the list of exactly those cases, and a bulk acceptance from the list.
`LIANXIN_SCREENSHOTS=docs/screenshots pytest lianxin/office -k browser` refreshes the README's screenshots."""

import re

from lianxin.cases.models import CaseEvent, Status
from lianxin.office.tests import case_world
from lianxin.portal.tests import test_browser as portal_browser

world = case_world.world
browser, shots, _migration_data = portal_browser.browser, portal_browser.shots, portal_browser._migration_data
pytestmark = portal_browser.pytestmark

DESKTOP = {"width": 1280, "height": 900}


def test_a_clerk_sees_the_home_counts_opens_a_queue_and_accepts_its_cases(browser, live_server, world, personas, shots):
    page = portal_browser.phone(browser, viewport=DESKTOP, is_mobile=False, has_touch=False)
    portal_browser.login_admin(page, live_server, "township_staff")
    page.goto(f"{live_server.url}/office/")
    cards = {
        card.get_attribute("data-bucket"): int(card.locator(".todo-count").inner_text())
        for card in page.locator(".todo-card").all()
    }
    # Registered in March 2026 and looked at later: whatever the real date, the two waiting cases are in the queue.
    assert cards["to_accept"] == 1 and cards["triage"] == 1 and cards["supervising"] == 1
    assert "最新动态" in page.content() and "登记" in page.locator(".activity").inner_text()
    assert portal_browser.axe_violations(page) == []
    shots(page, "office-home")

    page.click("a[data-bucket=overdue]")
    page.wait_for_url(re.compile(r"/office/cases/\?bucket=overdue&sort=due$"))
    rows = page.locator("table.cases tbody tr.overdue")
    assert rows.count() == cards["overdue"] > 0
    assert page.locator("h1").inner_text() == "意见建议 · 已超期"
    assert portal_browser.axe_violations(page) == []
    # Titles are not squeezed at 1280 px: the title column is the widest and a title fits on one line.
    title = page.locator("table.cases td.title").first
    assert title.bounding_box()["width"] >= 250
    shots(page, "office-cases")

    page.goto(f"{live_server.url}/office/")
    page.click("a[data-bucket=to_accept]")
    page.wait_for_url(re.compile(r"bucket=to_accept$"))
    assert page.locator("table.cases tbody tr").count() == 1
    page.check("#pick-all")
    page.select_option("select[name=action]", "accept")
    page.select_option("#bulk select[name=category]", "transport")
    page.click("button:has-text('对选中的件执行')")
    assert "批量受理：成功 1 件" in page.locator("h1").inner_text()
    world.to_accept.refresh_from_db()
    assert world.to_accept.status == Status.ACCEPTED
    assert CaseEvent.objects.filter(case=world.to_accept, action="accept").count() == 1
    page.click("text=返回列表")
    page.wait_for_url(re.compile(r"bucket=to_accept$"))  # count() does not wait for the list
    page.locator("table.cases").wait_for()
    assert page.locator("table.cases tbody tr td.code").count() == 0
