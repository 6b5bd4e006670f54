# ruff: noqa: F811  (fixtures imported from other test modules are named by each test)
"""Planning a 履职活动 in a real browser (Debian's Chromium through Playwright): a county clerk opens 代表履职, plans
an inspection for a deputy group and one deputy named, finds it in the list, opens it to the QR code and the A4
sign-in sheet, grants a deputy's leave and signs another in by hand with the reason; the database holds the
attendance and the audit rows. The activity's page is read again at a phone's width."""

import datetime
import re

import pytest
from django.utils import timezone

from lianxin.core.models import AuditEvent
from lianxin.deputies.models import DeputyGroup, GroupKind
from lianxin.duties import services
from lianxin.duties.models import Activity, ActivityKind, ActivityStatus, Attendance, AttendanceStatus, SignInMethod
from lianxin.duties.tests.conftest import duty  # noqa: F401
from lianxin.office.tests.test_case_page_browser import DESKTOP
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

TITLE = "视察居仁社区老旧小区改造"
REASON = "代表手机没有信号，现场核对身份后补签"


@pytest.fixture
def group(duty, regions):
    """居仁社区's deputy group: the two county deputies (杨乡镇, a township deputy, is invited by name)."""
    group = DeputyGroup.objects.create(kind=GroupKind.LOCAL, name="居仁社区代表小组", region=regions.jueren)
    group.members.set([duty.first, duty.second])
    return group


def local(moment: datetime.datetime) -> str:
    """What a person types into a datetime-local field."""
    return f"{timezone.localtime(moment):%Y-%m-%dT%H:%M}"


def test_in_a_browser_a_clerk_plans_an_activity_grants_leave_and_signs_a_deputy_in_by_hand(
    browser, live_server, personas, regions, duty, group, shots
):
    clerk = personas.county_staff
    # Starting within the hour: the deputy may still ask for leave, and staff may already sign someone in.
    starts = timezone.now().replace(second=0, microsecond=0) + datetime.timedelta(minutes=40)
    page = phone(browser, **DESKTOP)
    login_admin(page, live_server, "county_staff")
    page.goto(f"{live_server.url}/office/duties/")
    page.wait_for_url(f"{live_server.url}/office/duties/activities/")
    page.get_by_role("link", name="计划新活动").click()
    page.wait_for_url(f"{live_server.url}/office/duties/activities/new/")

    # Plan it: the kind, title, time and place, the group and one deputy by name.
    page.get_by_label("活动类型").select_option(label="视察")
    page.get_by_label("名称").fill(TITLE)
    page.get_by_label("开始时间").fill(local(starts))
    page.get_by_label("结束时间").fill(local(starts + datetime.timedelta(hours=2)))
    page.get_by_label("所在区划").select_option(value=regions.jueren.code)  # the option's text is indented
    page.get_by_label("地点（选填）").fill("居仁社区党群服务中心")
    page.get_by_role("group", name="邀请代表小组").get_by_label("居仁社区代表小组").check()
    page.get_by_label("邀请代表（按姓名，可多选）").select_option(label=["杨乡镇"])
    assert axe_violations(page) == []
    shots(page, "office-duty-plan")
    page.get_by_role("button", name="创建活动并发出邀请").click()
    page.wait_for_url(re.compile(r"/office/duties/activities/\d+/$"))
    assert page.locator("#flash .notice").inner_text() == "已创建活动，邀请代表 3 人"

    activity = Activity.objects.get(title=TITLE)
    assert (activity.kind, activity.region, activity.location, activity.organiser, activity.status) == (
        ActivityKind.INSPECTION,
        regions.jueren,
        "居仁社区党群服务中心",
        clerk,
        ActivityStatus.PLANNED,
    )
    assert (activity.starts_at, activity.ends_at - activity.starts_at) == (starts, datetime.timedelta(hours=2))
    invited = {a.deputy.name: a.status for a in Attendance.objects.filter(activity=activity).select_related("deputy")}
    assert invited == {"沈建国": "invited", "钱立新": "invited", "杨乡镇": "invited"}

    # The list shows it with its three invitations; the clerk opens it from there.
    page.locator("nav.duty-tabs").get_by_role("link", name="履职活动").click()
    page.wait_for_url(f"{live_server.url}/office/duties/activities/")
    row = page.locator("#activities tbody tr", has_text=TITLE)
    assert row.locator("td").nth(1).inner_text() == "视察"
    assert row.locator("td").nth(4).inner_text() == "计划"
    assert row.locator("td.num").first.inner_text() == "3"
    row.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"{live_server.url}/office/duties/activities/{activity.pk}/")

    # The QR code to show on the screen (the deputy's sign-in page of the workbench) and the sheet to print.
    qr = page.get_by_role("img", name="签到二维码（代表用手机扫码签到）")
    qr.element_handle().wait_for_element_state("visible")
    page.wait_for_function("img => img.complete", arg=qr.element_handle(), timeout=30_000)  # drawn on request
    assert qr.evaluate("img => img.naturalWidth > 0")
    assert page.locator("#signin-url").inner_text() == f"{live_server.url}/w/signin/{activity.signin_code}/"
    sheet = page.request.get(live_server.url + page.get_by_role("link", name="打印签到表（A4）").get_attribute("href"))
    if sheet.status != 503:  # 503 says the machine has no CJK font (the sheet's own test covers it)
        assert sheet.headers["content-type"] == "application/pdf" and sheet.body().startswith(b"%PDF")

    # 钱立新 asks for leave on the phone; the clerk grants it on the activity's page.
    services.leave_request(actor=duty.second_user, activity=activity, reason="同一时间参加市人大常委会会议")
    page.reload()
    leave_row = page.locator("#attendance tr[data-deputy='钱立新']")
    assert leave_row.locator(".status-cell").inner_text() == "请假待批"
    leave_row.get_by_role("button", name="准假", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("#flash .notice").inner_text() == "已准假：钱立新"
    assert page.locator("#attendance tr[data-deputy='钱立新'] .status-cell").inner_text() == "已准假"

    # 沈建国's phone has no signal: the clerk signs him in by hand, with the reason.
    hand = page.locator("#hand-sign-in")
    hand.get_by_text("工作人员补签").click()
    hand.get_by_label("代表").select_option(label="沈建国")
    hand.get_by_label("补签理由").fill(REASON)
    hand.get_by_role("button", name="补签").click()
    page.wait_for_load_state()
    assert page.locator("#flash .notice").inner_text() == "已为沈建国补签"
    signed = page.locator("#attendance tr[data-deputy='沈建国']")
    assert signed.locator(".status-cell").inner_text() == "已签到"
    assert REASON in signed.inner_text()
    assert axe_violations(page) == []
    shots(page, "office-duty-activity")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    attendances = {a.deputy.name: a for a in Attendance.objects.filter(activity=activity).select_related("deputy")}
    present, on_leave, waiting = attendances["沈建国"], attendances["钱立新"], attendances["杨乡镇"]
    assert (present.status, present.method, present.reason, present.decided_by) == (
        AttendanceStatus.PRESENT,
        SignInMethod.MANUAL,
        REASON,
        clerk,
    )
    assert present.signed_in_at is not None
    assert (on_leave.status, on_leave.decided_by, on_leave.reason) == (
        AttendanceStatus.ON_LEAVE,
        clerk,
        "同一时间参加市人大常委会会议",
    )
    assert on_leave.decided_at is not None
    assert waiting.status == AttendanceStatus.INVITED
    created = AuditEvent.objects.get(action="duties.activity_create")
    assert (created.actor, created.object_id, created.changes["kind"]) == (clerk, str(activity.pk), "inspection")
    by_hand = AuditEvent.objects.get(action="duties.sign_in_by_hand")
    assert (by_hand.actor, by_hand.object_id, by_hand.changes["reason"]) == (clerk, str(present.pk), REASON)
    decided = AuditEvent.objects.get(action="duties.leave_decide")
    assert (decided.actor, decided.object_id, decided.changes["approve"]) == (clerk, str(on_leave.pk), True)

    # At a phone's width the same page reads without scrolling sideways.
    small = phone(browser)
    login_admin(small, live_server, "county_staff")
    small.goto(f"{live_server.url}/office/duties/activities/{activity.pk}/")
    assert small.locator("h1").inner_text().startswith(TITLE)
    assert small.get_by_role("img", name="签到二维码（代表用手机扫码签到）").is_visible()
    assert small.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
