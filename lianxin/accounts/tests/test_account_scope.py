"""Issue 12, item 2: an account is managed only by someone whose scope covers ALL of its roles.

`township_admin` holds the admin role over 武康街道; `county_user` is county staff of 德清县 who also holds a
place-staff role in 居仁社区 (inside 武康). "Any one role in my region" let the township administrator reset the
county user's password and log in as them.
"""

import pytest
from django.urls import reverse

from lianxin.accounts.models import RoleAssignment, User
from lianxin.accounts.roles import Role
from lianxin.accounts.selectors import account_list_manageable_by, account_manageable
from lianxin.accounts.services import account_password_set, account_save, role_grant, role_revoke
from lianxin.core.errors import PermissionDenied
from lianxin.core.models import AuditEvent


@pytest.fixture
def township_admin(make_user, regions):
    return make_user("township_admin", Role.ADMIN, regions.wukang)


@pytest.fixture
def county_user(make_user, regions):
    user = make_user("county_user", Role.COUNTY_STAFF, regions.deqing)
    role_grant(actor=None, user=user, role=Role.PLACE_STAFF, region=regions.jueren)
    return user


@pytest.fixture
def local_user(make_user, regions):
    return make_user("local_user", Role.PLACE_STAFF, regions.jueren)


def test_a_township_admin_cannot_open_a_county_user_who_also_has_a_role_in_the_township(
    client, township_admin, county_user
):
    client.force_login(township_admin)

    assert client.get(reverse("admin:accounts_user_change", args=[county_user.pk])).status_code == 404
    listed = client.get(reverse("admin:accounts_user_changelist")).context["cl"].result_list
    assert county_user not in listed


def test_a_township_admin_cannot_change_a_county_user(client, township_admin, county_user):
    client.force_login(township_admin)
    form = {"username": "taken_over", "is_active": "", "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "0"}  # fmt: skip

    response = client.post(reverse("admin:accounts_user_change", args=[county_user.pk]), form)

    assert response.status_code == 404
    county_user.refresh_from_db()
    assert (county_user.username, county_user.is_active) == ("county_user", True)


def test_a_township_admin_cannot_set_a_county_users_password(client, township_admin, county_user):
    client.force_login(township_admin)
    url = reverse("admin:auth_user_password_change", args=[county_user.pk])
    form = {"password1": "Takeover-2026!x", "password2": "Takeover-2026!x", "usable_password": "true"}

    assert client.get(url).status_code == 404
    assert client.post(url, form).status_code == 404
    county_user.refresh_from_db()
    assert county_user.check_password("pw-for-tests-only")
    assert not AuditEvent.objects.filter(action="user.password_set").exists()


def test_the_services_refuse_a_county_user_to_a_township_admin(township_admin, county_user, regions):
    with pytest.raises(PermissionDenied):
        account_password_set(actor=township_admin, account=county_user, password="Takeover-2026!x")
    with pytest.raises(PermissionDenied):
        role_grant(actor=township_admin, user=county_user, role=Role.ADMIN, region=regions.wukang)
    with pytest.raises(PermissionDenied):
        role_revoke(actor=township_admin, assignment=county_user.role_assignments.get(role=Role.PLACE_STAFF))
    county_user.is_active = False
    with pytest.raises(PermissionDenied):
        account_save(actor=township_admin, account=county_user, before={"is_active": True}, fields=["is_active"])

    county_user.refresh_from_db()
    assert county_user.is_active
    assert county_user.role_assignments.count() == 2


def test_a_township_admin_manages_an_account_whose_roles_all_lie_in_the_township(client, township_admin, local_user):
    client.force_login(township_admin)
    url = reverse("admin:auth_user_password_change", args=[local_user.pk])
    form = {"password1": "Renewed-2026!x", "password2": "Renewed-2026!x", "usable_password": "true"}

    assert client.get(reverse("admin:accounts_user_change", args=[local_user.pk])).status_code == 200
    response = client.post(url, form)

    assert response.status_code == 302
    local_user.refresh_from_db()
    assert local_user.check_password("Renewed-2026!x")
    event = AuditEvent.objects.get(action="user.password_set")
    assert (event.actor, event.object_id) == (township_admin, str(local_user.pk))
    assert "Renewed" not in str(event.changes)


def test_a_county_admin_manages_the_county_user(make_user, regions, county_user):
    county_admin = make_user("county_admin", Role.ADMIN, regions.deqing)

    assert account_manageable(actor=county_admin, account=county_user)
    assert county_user in account_list_manageable_by(actor=county_admin)


def test_an_account_without_roles_is_managed_by_its_creator_or_from_the_county_up(make_user, regions, township_admin):
    other_township_admin = make_user("other_admin", Role.ADMIN, regions.qianyuan)
    county_admin = make_user("county_admin", Role.ADMIN, regions.deqing)
    created = account_save(actor=township_admin, account=User(username="new_clerk"), before={}, fields=["username"])
    stray = make_user("stray")

    assert AuditEvent.objects.filter(action="user.create", actor=township_admin, object_id=str(created.pk)).exists()
    assert account_manageable(actor=township_admin, account=created)
    assert not account_manageable(actor=township_admin, account=stray)
    assert not account_manageable(actor=other_township_admin, account=created)
    assert account_manageable(actor=county_admin, account=stray)
    assert set(account_list_manageable_by(actor=township_admin)) >= {created}
    assert stray not in account_list_manageable_by(actor=township_admin)

    role_grant(actor=township_admin, user=created, role=Role.PLACE_STAFF, region=regions.jueren)
    assert RoleAssignment.objects.filter(user=created, role=Role.PLACE_STAFF).exists()


def test_a_superuser_account_is_managed_only_by_a_superuser(make_user, regions):
    county_admin = make_user("county_admin", Role.ADMIN, regions.deqing)
    root = make_user("root", Role.ADMIN, regions.deqing, is_superuser=True)

    assert not account_manageable(actor=county_admin, account=root)
    assert root not in account_list_manageable_by(actor=county_admin)
