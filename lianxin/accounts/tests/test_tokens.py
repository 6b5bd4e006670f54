"""Bearer tokens: one statement reads the token, its user and the user's grants; a short per-process cache."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lianxin.accounts import services
from lianxin.accounts.models import ApiToken
from lianxin.accounts.roles import Perm, Role
from lianxin.accounts.services import api_token_authenticate, api_token_create, role_grant


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


def test_a_flood_of_made_up_tokens_does_not_grow_the_cache_without_end(db, monkeypatch):
    monkeypatch.setattr(services, "TOKEN_CACHE_LIMIT", 20)
    for i in range(55):
        assert api_token_authenticate(f"lx_made-up-{i}") is None
    assert 0 < len(services._token_cache) <= 20
