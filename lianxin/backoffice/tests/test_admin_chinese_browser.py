"""Issue 15 in a real browser (Debian's Chromium, Playwright; see lianxin/portal/tests/test_browser.py): a county
clerk opens the back office, sees the office's red header and the deputies in 姓氏笔画 order, and goes back to the
office from the header."""

from lianxin.deputies.models import Deputy, Mandate, MandateLevel
from lianxin.portal.tests.test_browser import (  # noqa: F401  the module's browser, its data and its marks
    _migration_data,
    browser,
    phone,
    pytestmark,
)

DESK = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False}


def test_a_clerk_sees_the_red_back_office_lists_deputies_by_strokes_and_returns_to_the_office(
    browser,  # noqa: F811
    live_server,
    personas,
    regions,
):
    for name in ["张伟", "赵六", "李四", "丁一", "王五"]:
        deputy = Deputy.objects.create(name=name, gender="male")
        Mandate.objects.create(deputy=deputy, level=MandateLevel.COUNTY, congress_region=regions.deqing, term=17)

    page = phone(browser, **DESK)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "county_staff")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()

    header = page.locator("#header")
    assert header.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(163, 20, 28)"
    captions = page.locator("#content-main caption").all_inner_texts()
    assert captions[0].strip() == "意见建议"

    page.locator("#content-main tr.model-deputy th a").click()
    page.wait_for_load_state()
    assert page.url.endswith("/admin/deputies/deputy/")
    names = page.locator("#result_list tbody th.field-name a").all_inner_texts()
    assert [n.strip() for n in names] == ["丁一", "王五", "李四", "张伟", "赵六"]

    page.click("a.office-link")
    page.wait_for_load_state()
    assert page.url.endswith("/office/")
    assert page.locator("body").inner_text().count("工作台") >= 1
