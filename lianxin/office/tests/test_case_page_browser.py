"""A case handled on the office case page in a real browser (Debian's Chromium through Playwright, as the portal's
journeys): a county clerk accepts and transfers it, the unit's handler answers in another session, the clerk feeds
back and closes it; the citizen's photo shows as a thumbnail and the timeline reads in Chinese."""

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from lianxin.cases.models import Attachment, Case, Status
from lianxin.office.tests.test_case_page import world  # noqa: F401
from lianxin.portal.tests.test_browser import (  # noqa: F401
    _migration_data,
    axe_violations,
    browser,
    phone,
    pytestmark,
    shots,
)

# pytestmark (imported above): skip without playwright or Chromium; transactional database for the live server.
assert pytestmark

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False, "has_touch": False}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def login(page_browser, live_server, username: str, case: Case):
    page = phone(page_browser, **DESKTOP)
    page.goto(f"{live_server.url}/admin/login/?next=/office/cases/{case.pk}/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/office/cases/{case.pk}/")
    return page


def act(page, action: str, label: str, **fields: str) -> None:
    block = page.locator(f"#action-{action}")
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
    assert page.locator("#flash .notice").inner_text() == f"已{label}", page.locator("main").inner_text()[:500]


def test_a_case_is_handled_from_registration_to_close(browser, live_server, personas, world, shots):  # noqa: F811
    case = world.register()
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (200, 120, 40)).save(out, "JPEG")
    attachment = Attachment(case=case, content_type="image/jpeg", size=len(out.getvalue()))
    attachment.file.save(f"{case.receipt_code}-1.jpg", ContentFile(out.getvalue()), save=False)
    attachment.save()

    clerk = login(browser, live_server, "county_staff", case)
    assert clerk.locator("#status").inner_text() == "已登记"
    thumbnail = clerk.locator("#case-photos img")
    thumbnail.scroll_into_view_if_needed()
    # The thumbnail is drawn on request: on a loaded machine it may arrive after the page; wait for it to load.
    clerk.wait_for_function("() => document.querySelector('#case-photos img').complete", timeout=30_000)
    assert thumbnail.evaluate("img => img.naturalWidth") == 240
    assert sorted(clerk.locator("#case-actions summary").all_inner_texts()) == sorted(["受理", "不予受理"])
    shots(clerk, "office-case")
    assert axe_violations(clerk) == []

    act(clerk, "accept", "受理", category=str(world.category.pk))
    # 交办 offers the unit that handles 交通运输 here, already chosen.
    assert clerk.locator("#action-transfer select[name=unit] option:checked").text_content() == "县交通运输局"
    act(clerk, "transfer", "交办")
    assert clerk.locator("#status").inner_text() == "已交办"

    unit = login(browser, live_server, "unit_handler", case)
    assert unit.locator("#case-actions summary").all_inner_texts() == ["答复"]
    unit.locator("#action-reply button[type=submit]").click()  # empty: refused beside the form
    unit.locator("#action-reply .errors").wait_for()
    assert unit.locator("#action-reply .errors").inner_text() == "答复内容: 不能为空"
    act_reply = unit.locator("#action-reply")
    act_reply.locator("[name=reply]").fill("已更换路灯，恢复照明。")
    act_reply.locator("button[type=submit]").click()
    unit.wait_for_load_state()
    assert unit.locator("#status").inner_text() == "已答复"

    clerk.reload()
    act(clerk, "feed_back", "反馈", note="已电话告知")
    act(clerk, "close", "销号", note="多次联系未评价")
    assert clerk.locator("#status").inner_text() == "已销号"
    labels = clerk.locator("#timeline .event-label").all_inner_texts()
    assert labels == ["登记", "受理", "交办", "答复", "反馈", "销号"]
    shots(clerk, "office-case-closed")
    assert Case.objects.get(pk=case.pk).status == Status.CLOSED
