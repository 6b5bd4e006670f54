# ruff: noqa: F811  (fixtures imported from other test modules are named by each test)
"""廉情监测 in a real browser (Debian's Chromium through Playwright), at a phone's width: integrity staff open it from
the office menu, read a clue, are told in Chinese that a transfer needs the commission's receipt number, transfer it
with one; axe finds no serious violation on the list or the clue's page."""

from lianxin.integrity.models import Clue, ClueStatus
from lianxin.integrity.tests.conftest import MARKER
from lianxin.integrity.workflow import ClueAction, clue_transition
from lianxin.portal.tests.test_browser import (  # noqa: F401
    _migration_data,
    axe_violations,
    browser,
    login_admin,
    phone,
    pytestmark,
    shots,
)

# pytestmark (imported above): skip without playwright or Chromium; transactional database for the live server.
assert pytestmark


def test_integrity_staff_transfer_a_clue_from_the_office_on_a_phone(browser, live_server, world, shots):
    clue_transition(clue=world.clue, action=ClueAction.SHARE, actor=world.integrity, params={})
    page = phone(browser)
    login_admin(page, live_server, "integrity")
    page.goto(f"{live_server.url}/office/")
    page.click("nav.menu >> text=廉情监测")
    page.wait_for_selector("#clues")
    assert world.clue.number in page.inner_text("#clues")
    assert MARKER not in page.content()
    assert axe_violations(page) == []
    shots(page, "integrity-list")

    page.click(f"#clues >> text={world.clue.number}")
    page.wait_for_selector("#subject")
    assert MARKER in page.inner_text("#subject")
    page.click("#act-transfer summary")
    page.click("#act-transfer button[type=submit]")
    page.wait_for_selector("#act-error")
    assert page.inner_text("#act-error") == "移送纪委须填写纪委出具的回执号"
    assert axe_violations(page) == []

    if not page.is_visible("#transfer-receipt"):  # the form came back open with the refusal
        page.click("#act-transfer summary")
    page.fill("#transfer-receipt", "DQJW-2026-031")
    page.click("#act-transfer button[type=submit]")
    page.wait_for_selector("#receipt")
    assert "DQJW-2026-031" in page.inner_text("#receipt")
    assert page.inner_text("#status") == "已移送纪委"
    assert axe_violations(page) == []
    shots(page, "integrity-clue")
    assert Clue.objects.get(pk=world.clue.pk).status == ClueStatus.TRANSFERRED
