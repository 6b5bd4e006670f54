"""The public map in a real browser (Debian's Chromium through Playwright, as the portal's journeys): the three
colours are drawn, and a dot leads to its site's page. No network: the base map is the platform's own SVG."""

import pytest

from lianxin.portal.tests.test_browser import _migration_data, browser, phone, pytestmark, shots  # noqa: F401
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
    page.locator(f'svg.pmap a[href$="/sites/{red.pk}"]').click()
    page.wait_for_url(f"**/sites/{red.pk}")
    assert page.locator("h1").inner_text() == "城东村道"
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
