"""The API's rate limits: per token (or session) and per address, counted in the shared store; a refusal is a
429 with Retry-After and the API's JSON error."""

import pytest
from django.core.cache import caches

from lianxin.accounts.services import api_token_create

URL = "/api/v1/deputies"


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def tokens(world, personas):
    return api_token_create(actor=None, user=personas.township_staff), api_token_create(
        actor=None, user=personas.county_staff
    )


def test_a_token_past_its_limit_gets_a_429_with_retry_after_and_a_json_error(client, tokens, settings):
    settings.API_RATE_CALLER, settings.API_RATE_IP = "3/60", "0"
    first, second = tokens
    assert [client.get(URL, **bearer(first)).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(URL, **bearer(first))
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    body = refused.json()
    assert body["code"] == "throttled" and "请求过于频繁" in body["message"] and body["field"] is None
    # Another token from the same address has a budget of its own.
    assert client.get(URL, **bearer(second)).status_code == 200


def test_one_address_is_limited_whatever_tokens_it_presents(client, tokens, settings):
    settings.API_RATE_CALLER, settings.API_RATE_IP = "100/60", "4/60"
    # Made-up tokens (someone guessing) count against the address before any lookup.
    statuses = [client.get(URL, **bearer(f"guess-{n}")).status_code for n in range(4)]
    assert statuses == [401, 401, 401, 401]
    refused = client.get(URL, **bearer(tokens[0]))
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"


def test_a_staff_session_is_limited_as_a_caller(client, world, personas, settings):
    settings.API_RATE_CALLER, settings.API_RATE_IP = "2/60", "0"
    client.force_login(personas.township_staff)
    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 429]


def test_the_counter_survives_another_process_s_empty_local_cache(client, tokens, settings):
    settings.API_RATE_CALLER, settings.API_RATE_IP = "2/60", "0"
    for _ in range(2):
        assert client.get(URL, **bearer(tokens[0])).status_code == 200
        caches["default"].clear()  # what a second gunicorn worker would start from
    assert client.get(URL, **bearer(tokens[0])).status_code == 429


def test_behind_a_trusted_proxy_the_address_limit_is_per_citizen(client, tokens, settings):
    settings.API_RATE_CALLER, settings.API_RATE_IP = "0", "1/60"
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for n in range(3):
        response = client.get(URL, **bearer(tokens[0]), HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        assert response.status_code == 200
    assert client.get(URL, **bearer(tokens[0]), HTTP_X_FORWARDED_FOR="198.51.100.0").status_code == 429


def test_limits_set_to_zero_are_off(client, tokens, settings):
    settings.API_RATE_CALLER, settings.API_RATE_IP = "0", "0"
    assert all(client.get(URL, **bearer(tokens[0])).status_code == 200 for _ in range(5))


def test_health_probes_are_never_limited(client, db, settings):
    settings.API_RATE_CALLER, settings.API_RATE_IP = "1/60", "1/60"
    assert all(client.get("/api/v1/health/live").status_code == 200 for _ in range(3))
