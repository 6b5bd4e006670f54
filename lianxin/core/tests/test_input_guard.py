"""A NUL character anywhere a client controls (path, query, form) is a 400 in the caller's format, never a 500."""

import pytest

from lianxin.api.tests.conftest import API

NUL_PAGES = ["/results/?q=%00", "/find/?town=%00", "/d/%00", "/track/%00", "/home/?x%00=1", "/results/?q=ok&q=%00"]


@pytest.mark.parametrize("url", NUL_PAGES)
def test_a_nul_in_a_public_page_address_is_a_chinese_400_page(client, db, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "空字符" in response.content.decode()


def test_a_nul_in_an_api_parameter_is_a_json_400_naming_the_parameter(client, personas):
    client.force_login(personas.county_staff)
    response = client.get(f"{API}/cases?q=%00")
    assert response.status_code == 400
    assert response.json() == {
        "code": "nul_character",
        "message": "请求无效：地址或参数中含有空字符（\\x00）",
        "field": "q",
    }
    assert client.get(f"{API}/deputies/%00").json()["field"] == "path"


@pytest.mark.parametrize(
    ("url", "content_type"),
    [
        ("/open311/v2/requests.json?service_code=%00", "application/json"),
        ("/open311/v2/requests.xml?service_code=%00", "text/xml"),
        ("/open311/v2/services/%00.json", "application/json"),
    ],
)
def test_a_nul_in_an_open311_request_is_the_specs_400_error_list(client, db, url, content_type):
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith(content_type)
    if ".xml" in url:
        assert "<code>400</code>" in response.content.decode()
    else:
        assert response.json()[0]["code"] == 400


def test_a_nul_in_a_url_encoded_form_is_refused_before_the_view(client, personas):
    client.force_login(personas.county_staff)
    body = "q=%E8%B7%AF%00&action=none"
    response = client.post("/admin/cases/case/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_a_nul_in_the_back_office_search_is_a_400_not_a_server_error(client, personas):
    client.force_login(personas.county_staff)
    assert client.get("/admin/cases/case/?q=%00").status_code == 400
    assert client.get("/admin/cases/case/?q=%E8%B7%AF").status_code == 200  # ordinary searches still work


def test_ordinary_requests_pass_untouched(client, db):
    assert client.get("/results/?q=路灯").status_code == 200
    assert client.get("/open311/v2/requests.json?service_code=transport").status_code == 200
