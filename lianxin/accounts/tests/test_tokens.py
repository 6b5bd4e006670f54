"""Bearer tokens: one statement reads the token, its user and the user's grants; a short per-process cache."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lianxin.accounts import services
from lianxin.accounts.models import ApiToken
from lianxin.accounts.roles import Perm, Role
from lianxin.accounts.services import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    api_token_rotate,
    role_grant,
)
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.models import AuditEvent


def test_the_token_user_comes_with_its_grants_and_aware_times_in_one_statement(regions, make_user):
    user = make_user("clerk", Role.TOWNSHIP_STAFF, regions.wukang, display_name="王芳")
    role_grant(actor=None, user=user, role=Role.PLACE_STAFF, region=regions.qianyuan)
    token = api_token_create(actor=None, user=user)
    ApiToken.objects.update(last_used_at=timezone.now())  # used a moment ago: no UPDATE this time

    with CaptureQueriesContext(connection) as queries:
        found = api_token_authenticate(token)

    assert len(queries) == 1
    assert (found.pk, found.username, str(found), found.is_active) == (user.pk, "clerk", "王芳", True)
    assert timezone.is_aware(found.date_joined) and found.date_joined == user.date_joined
    assert sorted(found.grants) == sorted(user.grants) and len(found.grants) == 2
    assert found.has_perm_in(Perm.HANDLE_CASES, regions.jueren.path)
    assert not found.has_perm_in(Perm.HANDLE_CASES, regions.anji.path)


def test_a_user_without_roles_still_authenticates_with_no_grants(regions, make_user):
    token = api_token_create(actor=None, user=make_user("nobody"))
    assert api_token_authenticate(token).grants == []


def test_the_token_is_marked_used_at_most_once_a_minute(regions, make_user):
    token = api_token_create(actor=None, user=make_user("clerk", Role.TOWNSHIP_STAFF, regions.wukang))

    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert api_token_authenticate(token) is not None

    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert ApiToken.objects.get().last_used_at is not None


def test_a_revoked_token_stops_working_when_its_cache_entry_expires(regions, make_user, monkeypatch, settings):
    settings.API_TOKEN_CACHE_SECONDS = 10
    token = api_token_create(actor=None, user=make_user("clerk", Role.TOWNSHIP_STAFF, regions.wukang))
    clock = [1000.0]
    monkeypatch.setattr(services.time, "monotonic", lambda: clock[0])
    assert api_token_authenticate(token) is not None
    assert api_token_authenticate(token) is not None  # now cached, with its use marked

    ApiToken.objects.update(revoked_at=timezone.now())  # revoked in another process
    clock[0] += 9
    assert api_token_authenticate(token) is not None  # this process has not looked again yet
    clock[0] += 2
    assert api_token_authenticate(token) is None


def test_without_a_cache_every_request_sees_a_revocation_at_once(regions, make_user, settings):
    settings.API_TOKEN_CACHE_SECONDS = 0
    token = api_token_create(actor=None, user=make_user("clerk", Role.TOWNSHIP_STAFF, regions.wukang))
    assert api_token_authenticate(token) is not None
    ApiToken.objects.update(revoked_at=timezone.now() - datetime.timedelta(seconds=1))
    assert api_token_authenticate(token) is None


def test_a_flood_of_made_up_tokens_does_not_grow_the_cache_without_end(db, monkeypatch, settings):
    settings.API_TOKEN_CACHE_SECONDS = 10  # the default with Redis
    monkeypatch.setattr(services, "TOKEN_CACHE_LIMIT", 20)
    for i in range(55):
        assert api_token_authenticate(f"lx_made-up-{i}") is None
    assert 0 < len(services._token_cache) <= 20


def test_a_revocation_takes_effect_at_once_in_every_process(
    regions, make_user, monkeypatch, settings, django_capture_on_commit_callbacks
):
    """The per-process cache is checked against a generation kept in the shared cache: a change to a token, its
    user or their roles, saved anywhere (the back office, a service, a shell), turns every process's copy stale."""
    settings.API_TOKEN_CACHE_SECONDS = 10
    token = api_token_create(actor=None, user=make_user("clerk", Role.TOWNSHIP_STAFF, regions.wukang))
    clock = [1000.0]
    monkeypatch.setattr(services.time, "monotonic", lambda: clock[0])
    assert api_token_authenticate(token) is not None
    assert api_token_authenticate(token) is not None  # cached in this process

    record = ApiToken.objects.get()
    record.revoked_at = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        record.save()  # what the back office's change form did (and any other process may do)
    clock[0] += 1
    assert api_token_authenticate(token) is None


def test_a_deactivated_user_loses_api_access_at_once(
    regions, make_user, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.API_TOKEN_CACHE_SECONDS = 10
    user = make_user("clerk", Role.TOWNSHIP_STAFF, regions.wukang)
    token = api_token_create(actor=None, user=user)
    assert api_token_authenticate(token) is not None
    assert api_token_authenticate(token) is not None  # cached in this process
    user.is_active = False
    with django_capture_on_commit_callbacks(execute=True):
        user.save(update_fields=["is_active"])
    assert api_token_authenticate(token) is None


def test_a_token_expires_after_the_configured_days(regions, make_user, settings):
    settings.API_TOKEN_DAYS = 90
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        token = api_token_create(actor=None, user=make_user("clerk", Role.TOWNSHIP_STAFF, regions.wukang))
        assert ApiToken.objects.get().expires_at == start + datetime.timedelta(days=90)
    with time_machine.travel(start + datetime.timedelta(days=89), tick=False):
        assert api_token_authenticate(token) is not None
    with time_machine.travel(start + datetime.timedelta(days=90, seconds=1), tick=False):
        assert api_token_authenticate(token) is None  # even from this process's cache


def test_a_rotated_token_keeps_working_for_the_grace_period_only(
    regions, make_user, settings, django_capture_on_commit_callbacks
):
    settings.API_TOKEN_ROTATION_GRACE_MINUTES = 60
    actor = make_user("boss", Role.ADMIN, regions.deqing)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old = api_token_create(actor=None, user=make_user("clerk", Role.TOWNSHIP_STAFF, regions.wukang), name="大屏")
        with django_capture_on_commit_callbacks(execute=True):
            new = api_token_rotate(actor=actor, token=ApiToken.objects.get())
        assert new != old and api_token_authenticate(new) is not None
        assert api_token_authenticate(old) is not None
    with time_machine.travel(start + datetime.timedelta(minutes=61), tick=False):
        assert api_token_authenticate(old) is None
        assert api_token_authenticate(new) is not None

    tokens = list(ApiToken.objects.order_by("id").values_list("name", "expires_at"))
    assert tokens == [
        ("大屏", start + datetime.timedelta(minutes=60)),
        ("大屏", start + datetime.timedelta(days=settings.API_TOKEN_DAYS)),
    ]
    rotate = AuditEvent.objects.get(action="api_token.rotate")
    assert rotate.actor == actor and rotate.object_id == str(ApiToken.objects.order_by("id").first().pk)


def test_a_rotation_without_grace_revokes_the_old_token_at_once(
    regions, make_user, settings, django_capture_on_commit_callbacks
):
    settings.API_TOKEN_ROTATION_GRACE_MINUTES = 0
    old = api_token_create(actor=None, user=make_user("clerk", Role.TOWNSHIP_STAFF, regions.wukang))
    assert api_token_authenticate(old) is not None
    with django_capture_on_commit_callbacks(execute=True):
        new = api_token_rotate(actor=None, token=ApiToken.objects.get())
    assert api_token_authenticate(old) is None and api_token_authenticate(new) is not None
    assert ApiToken.objects.order_by("id").first().revoked_at is not None


def test_revoking_is_audited_and_refused_outside_the_actors_scope(regions, make_user):
    token = api_token_create(actor=None, user=make_user("clerk", Role.TOWNSHIP_STAFF, regions.qianyuan))
    record = ApiToken.objects.get()
    outsider = make_user("wukang_admin", Role.ADMIN, regions.wukang)
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=outsider, token=record)
    with pytest.raises(PermissionDenied):
        api_token_rotate(actor=outsider, token=record)
    assert api_token_authenticate(token) is not None

    api_token_revoke(actor=make_user("boss", Role.ADMIN, regions.deqing), token=record)
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(record.pk)).count() == 1
    with pytest.raises(DomainError) as refused:
        api_token_rotate(actor=None, token=record)
    assert refused.value.code == "api_token_inactive"


def test_the_back_office_shows_expiry_and_revokes_and_rotates_through_the_services(regions, make_user, client):
    api_token_create(actor=None, user=make_user("clerk", Role.TOWNSHIP_STAFF, regions.wukang), name="大屏")
    admin = make_user("boss", Role.ADMIN, regions.deqing)
    client.force_login(admin)
    listing = client.get("/admin/accounts/apitoken/").content.decode()
    assert "到期时间" in listing
    record = ApiToken.objects.get()

    response = client.post(
        "/admin/accounts/apitoken/",
        {"action": "rotate_tokens", "_selected_action": [record.pk]},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    new_key = ApiToken.objects.exclude(pk=record.pk).get()
    assert any(f"lx_{new_key.prefix}" in m for m in shown)  # the new token, shown this once
    client.post("/admin/accounts/apitoken/", {"action": "revoke_tokens", "_selected_action": [new_key.pk]})
    new_key.refresh_from_db()
    assert new_key.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token.revoke", actor=admin).count() == 1
    page = client.get(f"/admin/accounts/apitoken/{record.pk}/change/").content.decode()
    assert 'name="_save"' not in page  # seen, not edited: revocation goes through the action


def test_create_api_token_takes_a_lifetime_in_days(regions, make_user):
    make_user("clerk", Role.TOWNSHIP_STAFF, regions.wukang)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        call_command("create_api_token", "clerk", "--days", "7", stdout=StringIO())
    assert ApiToken.objects.get().expires_at == start + datetime.timedelta(days=7)
