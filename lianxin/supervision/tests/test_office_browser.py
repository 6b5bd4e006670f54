# ruff: noqa: F811  (fixtures imported from other test modules are named by each test)
"""监督与约见 in a real browser (Debian's Chromium through Playwright), on a phone's screen: county staff open it from
the office menu, create a supervision item for a supervision group, schedule an inspection (a duty activity), send
the opinions with a deadline and register the department's report; each page fits the screen and axe finds no
serious violation."""

import datetime

import pytest
from django.utils import timezone

from lianxin.portal.tests.test_browser import (  # noqa: F401
    _migration_data,
    axe_violations,
    browser,
    login_admin,
    phone,
    pytestmark,
    shots,
)
from lianxin.supervision.models import ItemStatus, SupervisionItem

assert pytestmark  # skip without playwright or Chromium; transactional database for the live server


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth")


@pytest.mark.django_db(transaction=True)
def test_staff_create_an_item_schedule_an_inspection_send_opinions_and_register_the_report(
    browser, live_server, sv, regions, shots
):
    page = phone(browser)
    login_admin(page, live_server, "county_staff")
    page.goto(f"{live_server.url}/office/")
    page.click("nav.menu >> text=监督与约见")
    page.wait_for_url(f"{live_server.url}/office/supervision/")
    assert "农村公路养护工作监督" in page.locator("#items").inner_text()
    assert fits(page)
    assert axe_violations(page) == []

    page.click("#new-item")
    page.select_option("select[name=region]", str(regions.deqing.pk))
    page.fill("input[name=title]", "义务教育法实施情况执法检查")
    page.select_option("select[name=subject_kind]", "law")
    page.fill("input[name=law_name]", "中华人民共和国义务教育法")
    page.fill("input[name=starts_on]", f"{sv.year}-01-02")
    page.fill("input[name=ends_on]", f"{sv.year}-12-30")
    page.check(f"#groups input[value='{sv.group.pk}']")
    page.fill("textarea[name=plan]", "听取汇报、实地检查、审议")
    assert axe_violations(page) == []
    page.click("#create")
    item = SupervisionItem.objects.get(title="义务教育法实施情况执法检查")
    page.wait_for_url(f"{live_server.url}/office/supervision/items/{item.pk}/")
    assert page.locator("#subject").inner_text() == "《中华人民共和国义务教育法》实施情况"
    assert "武康监督组（牵头）" in page.locator("#groups").inner_text()

    page.click("#inspection summary")
    page.select_option("#inspection select[name=kind]", "law_check")
    page.click("#inspection button[type=submit]")
    page.wait_for_selector("text=已安排，受邀代表可扫码签到")
    assert page.locator("#stage-during [data-kind=law_check] a").count() == 1
    assert page.locator("#status").inner_text() == "监督中"

    due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    page.fill("#opinions textarea[name=opinions]", "一、保障教师编制；二、改善农村学校寄宿条件。")
    page.fill("#opinions input[name=report_due]", due)
    page.click("#opinions button[type=submit]")
    page.wait_for_selector("text=审议意见已送达被监督部门")
    assert page.locator("#status").inner_text() == "待整改报告"
    page.fill("#report textarea[name=report]", "已补充教师 40 名，改造寄宿楼 2 幢。")
    page.click("#report button[type=submit]")
    page.wait_for_selector("text=整改报告已登记")
    assert page.locator("#status").inner_text() == "整改已报告"
    assert fits(page)
    assert axe_violations(page) == []
    shots(page, "office-supervision-item-phone")
    item.refresh_from_db()
    assert (item.status, item.report_late) == (ItemStatus.REPORTED, False)
    assert list(item.records.values_list("kind", flat=True).order_by("id")) == [
        "plan",
        "law_check",
        "opinions",
        "report",
    ]
