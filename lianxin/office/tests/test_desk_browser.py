"""接待登记台 in a real browser, on a phone (Debian's Chromium driven by Playwright, as in lianxin/portal/tests):
place staff open it from the menu, are told in Chinese what is missing, register a walk-in, read the grouped code
off the receipt, print it, and register the next one, listed below."""

import re

from lianxin.cases.models import Case, CaseEvent
from lianxin.portal.tests import test_browser as portal_browser
from lianxin.venues.models import Place, PlaceKind

browser, shots, _migration_data = portal_browser.browser, portal_browser.shots, portal_browser._migration_data
pytestmark = portal_browser.pytestmark


def test_place_staff_register_a_walk_in_and_a_phone_call_on_a_phone(browser, live_server, personas, regions, shots):
    station = Place.objects.create(kind=PlaceKind.STATION, name="居仁社区代表联络站", region=regions.jueren)
    page = portal_browser.phone(browser)
    portal_browser.login_admin(page, live_server, "place_staff")
    page.goto(f"{live_server.url}/office/")
    page.click("nav.menu >> text=接待登记台")
    page.wait_for_url(f"{live_server.url}/office/desk/")
    assert page.locator("#id_place").input_value() == str(station.pk)  # their own place
    assert page.locator("#id_channel_0").is_checked()  # 来访
    assert portal_browser.axe_violations(page) == []
    shots(page, "office-desk")

    page.click("#desk-submit")  # nothing written yet
    assert "请填写反映的问题" in page.locator(".desk-form").inner_text() and not Case.objects.exists()

    page.fill("#id_text", "小区门口路灯坏了一个月，晚上老人出门不方便")
    page.fill("#id_person_name", "王秀英")
    page.fill("#id_person_phone", "13957211234")
    page.click("#desk-submit")
    page.wait_for_url(re.compile(r"/office/desk/receipts/\d+/$"))
    case = Case.objects.get()
    code = page.locator("#receipt-code").inner_text()
    assert code == f"{case.receipt_code[:4]}-{case.receipt_code[4:]}"
    assert (case.channel, case.place_id, case.created_by_id) == ("station", station.pk, personas.place_staff.pk)
    assert CaseEvent.objects.filter(case=case, action="register").count() == 1
    assert portal_browser.axe_violations(page) == []
    shots(page, "office-desk-receipt")
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.click("#desk-print")
    assert page.locator("body").get_attribute("data-printed") == "yes"

    page.click("#desk-again")
    page.check("#id_channel_1")  # 来电
    page.fill("#id_text", "电话反映居仁路夜间施工噪音")
    page.click("#desk-submit")
    page.wait_for_url(re.compile(r"/office/desk/receipts/\d+/$"))
    rows = page.locator("#desk-today tbody tr")
    assert rows.count() == 2 and "来电" in rows.first.inner_text() and code in rows.last.inner_text()
    assert sorted(Case.objects.values_list("channel", flat=True)) == ["phone", "station"]
