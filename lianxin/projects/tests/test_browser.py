"""The public map in a real browser (Debian's Chromium through Playwright, as the portal's journeys): the three
colours are drawn, and a dot leads to its site's page. No network: the base map is the platform's own SVG."""

import pytest

from lianxin.portal.tests.test_browser import (  # noqa: F401
    _migration_data,
    axe_violations,
    browser,
    phone,
    pytestmark,
    shots,
    solve_captcha,
)
from lianxin.projects.tests.test_pages import states  # noqa: F401

# pytestmark (imported above): skip without playwright or Chromium; transactional database for the live server.
assert pytestmark

RGB = {"rgb(207, 34, 46)": "red", "rgb(212, 167, 44)": "yellow", "rgb(9, 105, 218)": "blue"}


def test_the_year_map_shows_the_three_colours_and_a_dot_opens_its_site(browser, live_server, states, shots):  # noqa: F811
    red = states[2]
    page = phone(browser)
    blocked: list[str] = []
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(live_server.url)
            else (blocked.append(route.request.url), route.abort())
        ),
    )
    page.goto(f"{live_server.url}/projects/2026/")
    dots = page.locator("svg.pmap circle.site")
    assert dots.count() == 3
    fills = page.eval_on_selector_all("svg.pmap circle.site", "els => els.map(e => getComputedStyle(e).fill)")
    assert sorted(RGB[f] for f in fills) == ["blue", "red", "yellow"]
    assert page.locator("svg.pmap .towns path").count() >= 1  # the base map from the platform's own outlines
    shots(page, "projects-year-map")
    assert blocked == []  # nothing fetched from outside
    assert axe_violations(page) == []
    page.locator(f'svg.pmap a[href$="/sites/{red.pk}"]').click()
    page.wait_for_url(f"**/sites/{red.pk}")
    assert page.locator("h1").inner_text() == "城东村道"
    assert axe_violations(page) == []
    page.context.close()


def test_a_resident_proposes_a_project_on_a_phone(browser, live_server, regions):  # noqa: F811
    from lianxin.projects.models import Proposal

    page = phone(browser)
    page.goto(f"{live_server.url}/projects/propose/")
    page.select_option("#id_region", label="　居仁社区居委会")
    page.fill("#id_title", "增设公交站")
    page.fill("#id_description", "居仁社区到县城没有公交")
    solve_captcha(page)
    assert axe_violations(page) == []
    page.click("button[type=submit]")
    assert "感谢您的建议" in page.locator("main").inner_text()
    assert Proposal.objects.filter(title="增设公交站", region=regions.jueren).exists()
    page.context.close()


@pytest.fixture(autouse=True)
def _outlines(regions):
    """Town outlines for the small test county (the demo county has real ones)."""
    from lianxin.regions.models import Region

    square = {
        "type": "Polygon",
        "coordinates": [[[119.9, 30.45], [120.1, 30.45], [120.1, 30.6], [119.9, 30.6], [119.9, 30.45]]],
    }
    Region.objects.filter(pk__in=[regions.wukang.pk, regions.qianyuan.pk]).update(boundary=square)
