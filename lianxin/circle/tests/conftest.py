"""Two grids 5 km apart: 居仁 (1,000 people, a place at its centre) and 城东 (500 people, no place within reach)."""

import math
from types import SimpleNamespace

import pytest

from lianxin.regions.services import grid_save
from lianxin.venues.models import Place, PlaceKind

LAT = 30.55
METRE_LAT = 1 / 111_195.0
METRE_LNG = 1 / (111_195.0 * math.cos(math.radians(LAT)))


def square(lat: float, lng: float, side_m: float) -> dict:
    h, w = side_m / 2 * METRE_LAT, side_m / 2 * METRE_LNG
    ring = [[lng - w, lat - h], [lng + w, lat - h], [lng + w, lat + h], [lng - w, lat + h], [lng - w, lat - h]]
    return {"type": "Polygon", "coordinates": [[[round(x, 7), round(y, 7)] for x, y in ring]]}


@pytest.fixture
def town(regions):
    west = (LAT, 119.97)
    east = (LAT, 119.97 + 5000 * METRE_LNG)
    near = grid_save(
        actor=None,
        region=regions.jueren,
        code="G-JUEREN",
        name="居仁一网格",
        polygon=square(*west, 1000),
        population=1000,
    )
    far = grid_save(
        actor=None,
        region=regions.chengdong,
        code="G-CHENGDONG",
        name="城东一网格",
        polygon=square(*east, 1000),
        population=500,
    )
    place = Place.objects.create(
        kind=PlaceKind.HOME, name="居仁代表之家", region=regions.jueren, grid=near, lat=west[0], lng=west[1]
    )
    return SimpleNamespace(near=near, far=far, place=place, west=west, east=east)
