"""Swagger UI at /api/v1/docs works in a real browser from the platform's own files, under the site's
Content-Security-Policy, with no request to another host (the platform may run on an intranet)."""

from urllib.parse import urlsplit

from lianxin.portal.tests.test_browser import (  # noqa: F401  (fixtures)
    _migration_data,
    browser,
    pytestmark,
)


def test_the_api_docs_render_from_local_files_under_the_policy(browser, live_server):  # noqa: F811
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    hosts: set[str] = set()
    violations: list[str] = []
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=15_000)  # the operations, drawn by Swagger UI's JavaScript
    assert page.locator(".opblock").count() >= 20
    assert "连心 API" in page.locator(".title").first.inner_text()
    assert hosts == {urlsplit(live_server.url).netloc}
    assert violations == []
    context.close()
