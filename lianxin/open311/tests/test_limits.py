"""Open311's rate limits: writes per address and per api_key, receipt-code lookups per address and per code."""

import pytest

from lianxin.open311.tests.conftest import BASE, parse


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_writes_past_the_limit_are_a_429_in_the_error_format_with_retry_after(o311, settings, fmt):
    settings.OPEN311_RATE_WRITE = "2/3600"
    assert [o311.post(fmt).status_code for _ in range(2)] == [200, 200]
    refused = o311.post(fmt)
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 3600
    errors = parse(refused, fmt)
    text = str(errors) if fmt == "json" else "".join(refused.content.decode())
    assert "429" in text and "频繁" in text


def test_made_up_api_keys_count_against_the_address(o311, client, settings):
    settings.OPEN311_RATE_WRITE = "3/3600"
    bad = [client.post(f"{BASE}/requests.json", {"api_key": f"guess{n}"}).status_code for n in range(3)]
    assert bad == [403, 403, 403]
    assert o311.post().status_code == 429


def test_a_lookup_of_many_codes_counts_each_code(o311, client, settings):
    settings.OPEN311_RATE_LOOKUP = "10/3600"
    code = o311.post().json()[0]["service_request_id"]
    codes = ",".join([code] + [f"X{n:09d}" for n in range(7)])  # one real code and seven guesses
    assert client.get(f"{BASE}/requests.json", {"service_request_id": codes}).status_code == 200
    assert client.get(f"{BASE}/requests/{code}.json").status_code in (200, 404)  # the ninth lookup
    refused = client.get(f"{BASE}/requests.json", {"service_request_id": f"{code},X1,X2"})
    assert refused.status_code == 429 and "Retry-After" in refused
    # A list without codes is not a lookup and stays open.
    assert client.get(f"{BASE}/requests.json").status_code == 200
