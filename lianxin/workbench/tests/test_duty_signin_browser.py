"""A deputy signs in to an activity by its QR code on a phone, in a real browser (Debian's Chromium through Playwright,
as the portal's journeys): the code's link, the workbench login and back, 签到 with the phone's location, 已签到;
scanning again says when the first sign-in was."""

import datetime

from django.utils import timezone

from lianxin.duties.models import Attendance, AttendanceStatus, SignInMethod
from lianxin.duties.tests.conftest import duty  # noqa: F401
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

WECHAT = {"width": 360, "height": 740}  # the narrow phones WeChat's browser runs on
WHERE = {"latitude": 30.5452, "longitude": 119.9601}  # 居仁社区


def fits(page) -> bool:
    """Nothing wider than the screen: no sideways scrolling."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_deputy_scans_the_activitys_code_logs_in_signs_in_with_the_location_and_a_second_scan_says_so(
    browser,  # noqa: F811
    live_server,
    duty,  # noqa: F811
    personas,
    shots,  # noqa: F811
):
    # Staff planned the activity and invited the deputy; it began a quarter of an hour ago.
    activity = duty.activity(starts_in=datetime.timedelta(minutes=-15), title="居仁社区网格议事日", kind="grid_day")
    url = f"{live_server.url}/w/signin/{activity.signin_code}/"
    page = phone(browser, viewport=WECHAT, geolocation=WHERE, permissions=["geolocation"])

    # The code opens the login first, then comes back to the sign-in page.
    page.goto(url)
    page.wait_for_url(f"{live_server.url}/w/login/?next=**")
    page.fill("#id_username", "deputy")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("button:has-text('登录')")
    page.wait_for_url(url)
    assert "居仁社区网格议事日" in page.locator("#facts").inner_text()
    shots(page, "duty-signin")
    assert axe_violations(page) == [] and fits(page)

    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("#result strong:has-text('已签到')")

    attendance = Attendance.objects.get(activity=activity, deputy=duty.first)
    assert (attendance.status, attendance.method, attendance.invited) == (
        AttendanceStatus.PRESENT,
        SignInMethod.QR,
        True,
    )
    assert (round(attendance.lat, 4), round(attendance.lng, 4)) == (WHERE["latitude"], WHERE["longitude"])
    signed = timezone.localtime(attendance.signed_in_at).strftime("%H:%M")
    assert signed in page.locator("#result").inner_text()
    shots(page, "duty-signed-in")
    assert axe_violations(page) == [] and fits(page)

    # Scanning again: the page says when, and offers no second sign-in.
    page.goto(url)
    assert f"您已于 {signed} 签到" in page.locator("#result").inner_text()
    assert page.locator("#signin-form").count() == 0
    assert Attendance.objects.filter(activity=activity, status=AttendanceStatus.PRESENT).count() == 1
