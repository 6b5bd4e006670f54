"""Staff logins in a real browser (Debian's Chromium, Playwright; see lianxin/portal/tests/test_browser.py):
the lockout after repeated failures, enrolling a TOTP authenticator from its QR code page and logging in again
with a code computed here, and the login audit as an administrator sees it."""

import base64
import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from lianxin.accounts.models import LoginEvent, LoginKind
from lianxin.portal.tests.test_browser import (  # noqa: F401  the module's browser, its data and its marks
    _migration_data,
    browser,
    phone,
    pytestmark,
)

DESK = {"viewport": {"width": 1280, "height": 900}, "is_mobile": False}


def submit_login(page, url: str, username: str, password: str) -> None:
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state()


def code(secret: str, steps_ahead: int = 0) -> str:
    """What the authenticator on the phone shows: RFC 6238 from the secret printed under the QR code."""
    totp = TOTP(base64.b32decode(secret), step=30, t0=0, digits=6)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_repeated_wrong_passwords_lock_the_staff_login_and_the_administrator_sees_them(
    browser,  # noqa: F811
    live_server,
    personas,
    settings,
):
    settings.AXES_FAILURE_LIMIT = 5
    page = phone(browser, **DESK)
    for _ in range(4):
        submit_login(page, f"{live_server.url}/admin/login/", "county_staff", "guess-123")
        assert "请输入一个正确的" in page.content() or "不正确" in page.content()
    submit_login(page, f"{live_server.url}/admin/login/", "county_staff", "guess-123")
    assert "登录失败次数过多" in page.locator("[role=alert]").inner_text()
    submit_login(page, f"{live_server.url}/admin/login/", "county_staff", "pw-for-tests-only")  # the right one
    assert "登录已暂时锁定" in page.locator("h1").inner_text()

    workbench = phone(browser)  # the workbench's login is protected the same way
    for _ in range(5):
        submit_login(workbench, f"{live_server.url}/w/login/", "place_staff", "guess-123")
    assert "登录失败次数过多" in workbench.content()

    kinds = list(LoginEvent.objects.filter(username="county_staff").order_by("id").values_list("kind", flat=True))
    assert kinds == [LoginKind.FAILURE] * 4 + [LoginKind.LOCKED_OUT] * 2
    assert set(LoginEvent.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}
    assert all("Chrome" in agent for agent in LoginEvent.objects.values_list("user_agent", flat=True))

    admin = phone(browser, **DESK)
    submit_login(admin, f"{live_server.url}/admin/login/", "admin", "pw-for-tests-only")
    admin.goto(f"{live_server.url}/admin/accounts/loginevent/")
    rows = admin.locator("#result_list tbody tr")
    assert rows.count() == LoginEvent.objects.count()  # the administrator's own login included
    listing = admin.locator("#result_list").inner_text()
    assert "失败过多被锁定" in listing and "county_staff" in listing and "127.0.0.1" in listing


def test_staff_enrol_a_totp_authenticator_from_the_qr_page_then_log_in_with_a_code(
    browser,  # noqa: F811
    live_server,
    personas,
    settings,
):
    settings.STAFF_2FA_REQUIRED = True
    page = phone(browser, **DESK)
    submit_login(page, f"{live_server.url}/admin/login/", "county_staff", "pw-for-tests-only")
    assert page.url.startswith(f"{live_server.url}/accounts/2fa/")
    assert page.locator("h1").inner_text() == "绑定手机动态码"
    assert page.locator("#otp-qr svg").count() == 1  # drawn on the server: no image fetched from anywhere
    secret = page.locator("#otp-secret").inner_text()

    page.fill("#id_code", "000000" if code(secret) != "000000" else "111111")
    page.click("button[type=submit]")
    assert "动态码不正确" in page.content()
    device = TOTPDevice.objects.get(user=personas.county_staff)
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)

    page.fill("#id_code", code(secret))
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert "管理后台" in page.content()
    page.locator("#logout-form button").click()
    page.wait_for_load_state()

    submit_login(page, f"{live_server.url}/admin/login/", "county_staff", "pw-for-tests-only")
    assert page.locator("h1").inner_text() == "动态码验证"
    assert page.locator("svg").count() == 0  # the secret is never shown again
    page.fill("#id_code", code(secret, steps_ahead=1))  # a code already used is refused: the next one
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    kinds = list(LoginEvent.objects.filter(user=personas.county_staff).order_by("id").values_list("kind", flat=True))
    assert kinds == [
        LoginKind.SUCCESS,
        LoginKind.OTP_FAILURE,
        LoginKind.OTP_ENROLLED,
        LoginKind.OTP_SUCCESS,
        LoginKind.LOGOUT,
        LoginKind.SUCCESS,
        LoginKind.OTP_SUCCESS,
    ]
