"""Staff logins: lockout after repeated failures (axes), the login audit, the idle timeout, the password policy and
the TOTP second factor."""

import datetime

import pytest
import time_machine
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from lianxin.accounts.models import LoginEvent, LoginKind
from lianxin.core.models import AuditEvent
from lianxin.portal.tests.conftest import _portal_isolation, world  # noqa: F401  deputies with a workbench

PASSWORD = "pw-for-tests-only"
LOGIN_PAGES = ["/admin/login/", "/w/login/"]


def attempt(client: Client, page: str, username: str, password: str):
    return client.post(page, {"username": username, "password": password}, HTTP_USER_AGENT="测试浏览器/1.0")


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_five_wrong_passwords_lock_the_username_from_that_address_even_for_the_right_one(personas, settings, page):
    settings.AXES_FAILURE_LIMIT = 5
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(4):
        assert attempt(client, page, "county_staff", "wrong").status_code == 200  # the form again, with its error

    locked = attempt(client, page, "county_staff", "wrong")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode() and "15 分钟" in locked.content.decode()
    again = attempt(client, page, "county_staff", PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session

    kinds = list(LoginEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == [LoginKind.FAILURE] * 4 + [LoginKind.LOCKED_OUT] * 2
    # Another address (the real user at their desk) is not locked out by someone else's guessing.
    other = Client(REMOTE_ADDR="198.51.100.20")
    assert attempt(other, page, "county_staff", PASSWORD).status_code == 302


def test_the_lockout_lifts_after_the_configured_minutes(personas, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=10)
    start = timezone.now()
    client = Client(REMOTE_ADDR="203.0.113.7")
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            attempt(client, "/admin/login/", "county_staff", "wrong")
        response = attempt(client, "/admin/login/", "county_staff", PASSWORD)
        assert response.status_code == 429 and "10 分钟" in response.content.decode()
    with time_machine.travel(start + datetime.timedelta(minutes=11), tick=False):
        assert attempt(client, "/admin/login/", "county_staff", PASSWORD).status_code == 302


def test_a_success_and_a_failure_are_audited_with_address_and_browser(personas):
    client = Client(REMOTE_ADDR="203.0.113.7")
    attempt(client, "/admin/login/", "county_staff", "wrong")
    attempt(client, "/admin/login/", "nobody-by-this-name", "wrong")
    assert attempt(client, "/admin/login/", "county_staff", PASSWORD).status_code == 302

    rows = list(
        LoginEvent.objects.order_by("id").values_list("kind", "username", "user_id", "ip_address", "user_agent", "path")
    )
    staff = personas.county_staff.pk
    assert rows == [
        ("failure", "county_staff", staff, "203.0.113.7", "测试浏览器/1.0", "/admin/login/"),
        ("failure", "nobody-by-this-name", None, "203.0.113.7", "测试浏览器/1.0", "/admin/login/"),
        ("success", "county_staff", staff, "203.0.113.7", "测试浏览器/1.0", "/admin/login/"),
    ]


def test_the_login_audit_is_read_only_in_the_back_office_and_only_for_account_managers(personas, client):
    attempt(Client(), "/admin/login/", "township_staff", "wrong")
    client.force_login(personas.admin)
    listing = client.get("/admin/accounts/loginevent/")
    assert listing.status_code == 200 and "township_staff" in listing.content.decode()
    event = LoginEvent.objects.get(kind=LoginKind.FAILURE)
    page = client.get(f"/admin/accounts/loginevent/{event.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(f"/admin/accounts/loginevent/{event.pk}/delete/").status_code == 403
    client.force_login(personas.township_staff)
    assert client.get("/admin/accounts/loginevent/").status_code == 403


def test_an_idle_staff_session_is_logged_out_and_audited(personas, client, settings):
    settings.STAFF_IDLE_MINUTES = 30
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(personas.county_staff)
        assert client.get("/admin/").status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=29), tick=False):
        assert client.get("/admin/").status_code == 200  # activity keeps the session alive
    with time_machine.travel(start + datetime.timedelta(minutes=58), tick=False):
        assert client.get("/admin/").status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=89), tick=False):
        response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert LoginEvent.objects.filter(kind=LoginKind.IDLE_TIMEOUT, user=personas.county_staff).count() == 1
    assert not LoginEvent.objects.filter(kind=LoginKind.LOGOUT).exists()


@pytest.mark.usefixtures("world")
def test_a_deputy_on_the_workbench_has_no_staff_idle_timeout(personas, client, settings):
    settings.STAFF_IDLE_MINUTES = 30
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(personas.deputy)
        assert client.get("/w/").status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=90), tick=False):
        assert client.get("/w/").status_code == 200


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1-short", "密码太短：至少需要 12 个字符"),
        ("lianxinplatformpass", "至少要包含小写字母、大写字母、数字、符号中的 3 类"),
        ("lianxin2026deqing", "至少要包含小写字母、大写字母、数字、符号中的 3 类"),
        ("123456789012345", "密码只包含数字"),
    ],
)
def test_a_weak_staff_password_is_refused_in_chinese(personas, password, message):
    form = AdminPasswordChangeForm(personas.county_staff, {"password1": password, "password2": password})
    assert not form.is_valid()
    assert any(message in error for error in form.errors["password2"])


def test_a_strong_staff_password_is_accepted(personas):
    validate_password("Deqing-Lianxin-2026", personas.county_staff)
    with pytest.raises(ValidationError):
        validate_password("county_staff-2026A", personas.county_staff)  # too close to the username


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_with_2fa_required_staff_enrol_a_totp_authenticator_before_reaching_the_back_office(personas, client, settings):
    settings.STAFF_2FA_REQUIRED = True
    assert attempt(client, "/admin/login/", "county_staff", PASSWORD).status_code == 302
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/?next=%2Fadmin%2F"
    assert client.get("/api/v1/deputies").json()["code"] == "second_factor_required"

    page = client.get(response["Location"]).content.decode()
    assert "绑定手机动态码" in page and "<svg" in page and "https://" not in page.split("<svg", 1)[1].split("</svg>")[0]
    device = TOTPDevice.objects.get(user=personas.county_staff, confirmed=False)

    wrong = client.post("/accounts/2fa/", {"code": "000000" if current_code(device) != "000000" else "111111"})
    assert "动态码不正确" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the test's wrong code must not make the right one wait
    device.throttling_failure_timestamp = None
    device.save()
    done = client.post("/accounts/2fa/", {"code": current_code(device), "next": "/admin/"})
    assert done.status_code == 302 and done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200

    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="otp.enrol", object_id=str(personas.county_staff.pk)).count() == 1
    kinds = list(LoginEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["success", "otp_failure", "otp_enrolled", "otp_success"]


def test_with_2fa_required_an_enrolled_user_gives_a_code_after_the_password(personas, settings):
    settings.STAFF_2FA_REQUIRED = True
    device = TOTPDevice.objects.create(user=personas.county_staff, name="手机", confirmed=True)
    client = Client()
    attempt(client, "/admin/login/", "county_staff", PASSWORD)
    page = client.get("/accounts/2fa/?next=/admin/").content.decode()
    assert "动态码验证" in page and "<svg" not in page  # the secret is never shown again
    response = client.post("/accounts/2fa/", {"code": current_code(device), "next": "/admin/"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_with_2fa_required_a_next_page_on_another_site_is_not_followed(personas, settings):
    settings.STAFF_2FA_REQUIRED = True
    device = TOTPDevice.objects.create(user=personas.county_staff, name="手机", confirmed=True)
    client = Client()
    attempt(client, "/admin/login/", "county_staff", PASSWORD)
    response = client.post("/accounts/2fa/", {"code": current_code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/admin/"


def test_without_2fa_required_staff_go_straight_in(personas, client, settings):
    settings.STAFF_2FA_REQUIRED = False
    attempt(client, "/admin/login/", "county_staff", PASSWORD)
    assert client.get("/admin/").status_code == 200


@pytest.mark.usefixtures("world")
def test_deputies_are_not_asked_for_a_second_factor(personas, client, settings):
    settings.STAFF_2FA_REQUIRED = True
    attempt(client, "/w/login/", "deputy", PASSWORD)
    assert client.get("/w/").status_code == 200


def test_an_administrator_lifts_a_lockout_from_the_login_audit_and_it_is_audited(personas, client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    desk = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        attempt(desk, "/admin/login/", "township_staff", "wrong")
    assert attempt(desk, "/admin/login/", "township_staff", PASSWORD).status_code == 429

    event = LoginEvent.objects.filter(username="township_staff").first()
    client.force_login(personas.admin)
    response = client.post(
        "/admin/accounts/loginevent/", {"action": "unlock_accounts", "_selected_action": [event.pk]}, follow=True
    )
    assert "已解除" in response.content.decode()
    assert attempt(desk, "/admin/login/", "township_staff", PASSWORD).status_code == 302
    unlock = AuditEvent.objects.get(action="login.unlock")
    assert unlock.actor == personas.admin and unlock.object_id == str(personas.township_staff.pk)


def test_unlocking_an_account_outside_ones_scope_is_refused(personas):
    from lianxin.accounts.logins import login_unlock
    from lianxin.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        login_unlock(actor=personas.outsider, user=personas.county_staff)
    assert not AuditEvent.objects.filter(action="login.unlock").exists()


def test_the_back_office_never_shows_a_devices_secret_even_to_a_superuser(personas, client, make_user):
    device = TOTPDevice.objects.create(user=personas.county_staff, name="手机", confirmed=True)
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code in (403, 404)
