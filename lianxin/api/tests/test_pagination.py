"""limit/offset: out-of-range values are a 422 naming the parameter, never a server error."""

import pytest

from lianxin.api.pagination import MAX_OFFSET


@pytest.mark.parametrize("path", ["/cases", "/deputies", "/units", "/receptions"])
@pytest.mark.parametrize("offset", [2**63, 2**64 + 7, MAX_OFFSET + 1])
def test_an_offset_beyond_the_bound_is_a_422_naming_it(get, personas, path, offset):
    response = get(personas.county_staff, path, offset=offset)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid_input"
    assert [error["field"] for error in body["errors"]] == ["offset"]


def test_the_largest_offset_allowed_answers_an_empty_page(get, personas):
    response = get(personas.county_staff, "/cases", offset=MAX_OFFSET)
    assert response.status_code == 200
    assert response.json()["items"] == []
