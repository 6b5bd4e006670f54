"""Content-Security-Policy on every page, Swagger UI served by the platform itself, and Chinese error pages for
people while the API keeps answering JSON."""

import re
from html.parser import HTMLParser

import pytest
from django.core.exceptions import PermissionDenied

from lianxin.portal import selectors
from lianxin.portal.tests.conftest import world  # noqa: F401  (a deputy with a public code, a place, a grid)

pytestmark = pytest.mark.django_db

CSP = "Content-Security-Policy"


def directives(response) -> dict[str, list[str]]:
    policy = response[CSP]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


class Resources(HTMLParser):
    """Every URL a page makes the browser load, and every inline script or event handler."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self.handlers: list[str] = []
        self._in_script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href"):
            if values.get(name) and (tag != "a" or name != "href"):
                self.urls.append(values[name] or "")
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        if tag == "script" and not values.get("src"):
            self._in_script = values.get("type") or "text/javascript"

    def handle_data(self, data: str) -> None:
        if self._in_script and self._in_script != "application/json" and data.strip():
            self.inline_scripts.append(data.strip()[:80])

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None


def resources(response) -> Resources:
    parser = Resources()
    parser.feed(response.content.decode())
    return parser


def test_every_kind_of_page_carries_a_policy_that_allows_only_the_platform_s_own_scripts(client, world):  # noqa: F811
    pages = [
        "/home/",
        f"/d/{world.deputy.public_code}",
        f"/d/{world.deputy.public_code}/submit",
        f"/p/{world.place.public_code}",
        "/find/",
        "/results/",
        "/track/",
        "/admin/login/",
        "/api/v1/docs",
        "/d/NO-SUCH-CODE",
        "/static/portal/portal.css",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        policy = directives(response)
        assert policy["script-src"] == ["'self'"], url
        assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"], url
        assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'self'"], url
        if response.streaming:  # a static file is streamed from an open file (and it comes last: closing
            response.close()  # fires request_finished, which closes the database connection)


def test_the_portal_pages_have_no_inline_script_for_the_policy_to_block(client, world):  # noqa: F811
    for url in ["/home/", f"/d/{world.deputy.public_code}/submit", f"/p/{world.place.public_code}/submit", "/find/"]:
        page = resources(client.get(url))
        assert page.inline_scripts == [] and page.handlers == [], url
        assert all(not re.match(r"^(https?:)?//", u) for u in page.urls), url


def test_an_online_tile_layer_s_host_is_allowed_as_an_image_source(client, settings, monkeypatch, db):
    monkeypatch.delenv("PROJECTS_TILE_URL", raising=False)
    assert directives(client.get("/home/"))["img-src"] == ["'self'", "data:"]
    settings.PROJECTS_TILE_URL = "https://t{s}.tianditu.gov.cn/DataServer?x={x}&y={y}&l={z}"
    assert directives(client.get("/home/"))["img-src"] == ["'self'", "data:", "https://*.tianditu.gov.cn"]


def test_report_only_mode_sends_the_policy_under_the_report_only_header(client, settings, db):
    settings.CSP_REPORT_ONLY = True
    response = client.get("/home/")
    assert "Content-Security-Policy-Report-Only" in response and CSP not in response


def test_the_api_docs_load_swagger_from_the_platform_not_from_a_cdn(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = resources(response)
    assert page.urls, "the page loads Swagger UI from somewhere"
    assert all(u.startswith("/static/") for u in page.urls), page.urls
    assert "cdn" not in response.content.decode().lower()
    assert page.inline_scripts == []
    for url in page.urls:  # and the platform really serves them
        served = client.get(url)
        assert served.status_code == 200, url
        served.close()


def test_an_old_qr_code_gives_a_chinese_page_with_the_way_home(client, db):
    response = client.get("/d/OLDCODE999")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and "二维码" in page and 'href="/home/"' in page
    assert 'name="viewport"' in page and "Not Found" not in page


def test_a_server_error_is_a_chinese_page_for_people_and_json_for_the_api(client, monkeypatch, db):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "townships", broken)
    client.raise_request_exception = False
    response = client.get("/home/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器出错了" in page and 'href="/home/"' in page and "Server Error" not in page
    assert CSP in response


def test_permission_denied_is_a_chinese_page(client, monkeypatch, db):
    def refused(*args, **kwargs):
        raise PermissionDenied

    monkeypatch.setattr(selectors, "townships", refused)
    response = client.get("/home/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode() and 'href="/home/"' in response.content.decode()


def test_api_errors_stay_json(client, db):
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"
