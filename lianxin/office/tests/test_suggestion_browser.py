# ruff: noqa: F811  (fixtures imported from other test modules are named by each test)
"""Suggestions handled in the office in a real browser (Debian's Chromium through Playwright, at a clerk's 1280 px):
a unit's handler finds the to-do on the home, records the contact before replying and replies class B with a date
and a PDF letter; a clerk pre-reviews, accepts and assigns a suggestion to a lead and a co-unit."""

import datetime

import pytest

from lianxin.office.tests.test_case_page_browser import DESKTOP
from lianxin.portal.tests.test_browser import (  # noqa: F401
    _migration_data,
    axe_violations,
    browser,
    phone,
    pytestmark,
    shots,
)
from lianxin.suggestions.models import Status, UnitContact, UnitRole
from lianxin.suggestions.tests.conftest import world  # noqa: F401

# pytestmark (imported above): skip without playwright or Chromium; transactional database for the live server.
assert pytestmark

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def login(page_browser, live_server, username: str, next_path: str):
    page = phone(page_browser, **DESKTOP)
    page.goto(f"{live_server.url}/admin/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}{next_path}")
    return page


def act(page, block_id: str, label: str, **fields: str) -> None:
    block = page.locator(f"#{block_id}")
    if block.get_attribute("open") is None:
        block.locator("summary").click()
    for name, value in fields.items():
        element = block.locator(f"[name={name}]")
        if element.evaluate("e => e.tagName") == "SELECT":
            element.select_option(value)
        else:
            element.fill(value)
    block.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#flash .notice").inner_text() == f"已{label}", page.locator("main").inner_text()[:800]


def test_a_unit_handler_contacts_the_deputy_and_replies_class_b_with_a_letter(
    browser, live_server, personas, world, shots, tmp_path
):
    s = world.assigned()
    lead = s.units.get(role=UnitRole.LEAD)
    page = login(browser, live_server, "unit_handler", "/office/")
    card = page.locator("[data-suggestion-todo=to_reply]")
    assert card.locator(".todo-count").inner_text() == "1"
    card.click()
    page.wait_for_load_state()
    page.get_by_role("link", name=s.title).click()
    page.wait_for_url(f"{live_server.url}/office/suggestions/{s.pk}/")
    assert page.locator("#status").inner_text() == "办理中"
    # The handler's forms are their unit's only: no co-opinion (the co-unit's), nothing of staff's.
    summaries = page.locator("#suggestion-actions summary").all_inner_texts()
    assert sorted(summaries) == sorted(["申请调整承办单位", "办前联系", "答复"])

    today = datetime.date.today()
    act(page, f"action-contact-{lead.pk}", "办前联系", contacted_on=today.isoformat(), way="visit", person="张科长",
        note="登门听取代表意见")  # fmt: skip
    assert "登门走访 · 张科长" in page.locator(f"#part-{lead.pk} .contacts").inner_text()

    letter = tmp_path / "答复函.pdf"
    letter.write_bytes(PDF)
    block = page.locator(f"#action-reply-{lead.pk}")
    block.locator("summary").click()
    block.locator("[name=reply_file]").set_input_files(str(letter))
    act(page, f"action-reply-{lead.pk}", "答复", reply_class="B", reply_text="已将东风路改造列入明年计划。",
        signed_by="王局长", promised_on=(today + datetime.timedelta(days=150)).isoformat())  # fmt: skip
    assert page.locator("#status").inner_text() == "已答复"
    reply = page.locator(f"#part-{lead.pk} .reply").inner_text()
    assert "B类" in reply and "王局长" in reply and "承诺完成日期" in reply
    assert page.locator(f"#part-{lead.pk} a.reply-file").count() == 1
    shots(page, "office-suggestion-unit")
    assert axe_violations(page) == []
    lead.refresh_from_db()
    assert lead.reply_class == "B" and lead.reply_file.name.endswith(".pdf")
    assert UnitContact.objects.filter(assignment=lead, person="张科长").exists()


def test_a_clerk_pre_reviews_accepts_and_assigns_a_suggestion(browser, live_server, personas, world, shots):
    s = world.draft()
    world.act(s, "submit", personas.deputy)
    page = login(browser, live_server, "county_staff", "/office/")
    world.assigned(title="关于增设城东公交站点的建议")  # another one, further along, for the list to show
    page.reload()
    page.locator("[data-suggestion-todo=to_pre_review]").click()
    page.wait_for_load_state()
    assert page.locator("table.suggestions tbody tr").count() == 1
    page.locator("#sessions-link").focus()  # the list's links are there; the full list for the screenshot:
    page.goto(f"{live_server.url}/office/suggestions/")
    shots(page, "office-suggestion-list")
    assert axe_violations(page) == []
    page.get_by_role("link", name="待预审 1").click()
    page.wait_for_load_state()
    page.get_by_role("link", name=s.title).click()
    page.wait_for_url(f"{live_server.url}/office/suggestions/{s.pk}/")
    assert page.locator("#status").inner_text() == "待预审"
    act(page, "action-pass", "预审通过")
    assert page.locator("#status").inner_text() == "待审查"
    act(page, "action-accept", "立案（作为建议）", note="符合立案要求")
    assert page.locator("#number").inner_text() == "第2号建议"  # the other one took No. 1

    block = page.locator("#action-assign")
    block.locator("summary").click()
    assert "前答复" in page.locator("#due-preview").inner_text()
    block.locator("[name=lead_units]").select_option(str(world.transport.pk))
    block.locator("[name=co_units]").select_option(str(world.housing.pk))
    shots(page, "office-suggestion-assign")
    assert axe_violations(page) == []
    block.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#flash .notice").inner_text() == "已交办"
    assert page.locator("#status").inner_text() == "办理中"
    units = page.locator("#units").inner_text()
    assert "县交通运输局" in units and "县住建局" in units
    s.refresh_from_db()
    assert s.status == Status.ASSIGNED
    assert {(a.unit_id, a.role) for a in s.units.all()} == {(world.transport.pk, "lead"), (world.housing.pk, "co")}
