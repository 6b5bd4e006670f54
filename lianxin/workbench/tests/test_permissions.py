"""Who reaches which workbench page: a table of (persona, page) → status. The deputy persona is linked to a deputy
(the `world` fixture); outside your region is 404, the same as not existing."""

import pytest

pytestmark = pytest.mark.django_db

PAGES = ["home", "diary", "reception", "month", "roster", "posters"]
# 302: to the login page; 403: the "for deputies and place staff" page; 404: not in your region.
EXPECTED = {
    "anonymous": [302, 302, 302, 302, 302, 302],
    "no_role": [403, 403, 403, 403, 403, 404],
    "deputy": [200, 200, 200, 404, 404, 200],  # a deputy sees the registry of their region, not the place's books
    "grid_worker": [403, 403, 403, 403, 403, 404],  # registry of their village only
    "unit_handler": [403, 403, 403, 403, 403, 200],
    "place_staff": [200, 403, 200, 200, 200, 404],  # their village only; the batch is per township
    "township_staff": [200, 403, 200, 200, 200, 200],
    "county_staff": [200, 403, 200, 200, 200, 200],
    "outsider": [200, 403, 200, 404, 404, 404],
}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_each_role_reaches_exactly_its_workbench_pages(client, world, personas, regions, persona):
    urls = {
        "home": "/w/",
        "diary": "/w/diary",
        "reception": "/w/reception/new",
        "month": f"/w/places/{world.place.pk}/month",
        "roster": f"/w/places/{world.place.pk}/roster",
        "posters": f"/posters/{regions.wukang.code}.pdf",
    }
    if persona != "anonymous":
        client.force_login(getattr(personas, persona))
    statuses = [client.get(urls[page]).status_code for page in PAGES]
    assert dict(zip(PAGES, statuses, strict=True)) == dict(zip(PAGES, EXPECTED[persona], strict=True))
