"""An Open311 client of 德清: a key for the county, a unit that handles roads, and one grid in 居仁社区 and one in
城东村 so that points can be inside or outside a township."""

from types import SimpleNamespace
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from lianxin.cases.models import Category, ResponsibleUnit
from lianxin.open311.services import open311_key_create
from lianxin.regions.services import grid_save
from lianxin.testing import square

BASE = "/open311/v2"
JUEREN_POINT = {"lat": "30.545", "long": "119.965"}  # inside grid JR-01 (居仁社区, 武康街道)
CHENGDONG_POINT = {"lat": "30.605", "long": "120.005"}  # inside grid CD-01 (城东村, 乾元镇)


def parse(response: Any, fmt: str) -> Any:
    """The body as Python: JSON as is; XML as (root tag, [(item tag, {field: text})])."""
    assert response["Content-Type"] == ("application/json" if fmt == "json" else "text/xml") + "; charset=utf-8"
    if fmt == "json":
        return response.json()
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def records(response: Any, fmt: str, root: str, item: str) -> list[dict[str, Any]]:
    """A list response as a list of {field: value}; for XML, checks the root and item element names."""
    data = parse(response, fmt)
    if fmt == "json":
        assert isinstance(data, list)
        return data
    assert data.tag == root
    assert all(child.tag == item for child in data)
    return [{field.tag: field.text for field in child} for child in data]


@pytest.fixture
def o311(db, client, regions, personas):
    roads = Category.objects.get(code="transport")
    unit = ResponsibleUnit.objects.create(name="县交通运输局", region=regions.deqing)
    unit.categories.add(roads)
    unit.serves.add(regions.deqing)
    unit.handlers.add(personas.unit_handler)
    grid_save(actor=None, region=regions.jueren, code="JR-01", name="居仁一网格", polygon=square(119.96, 30.54))
    grid_save(actor=None, region=regions.chengdong, code="CD-01", name="城东一网格", polygon=square(120.0, 30.6))
    key = open311_key_create(actor=None, name="德清县12345平台", region=regions.deqing)

    def post(fmt: str = "json", **fields: str) -> Any:
        values = {
            "api_key": key,
            "service_code": "transport",
            "description": "居仁路东段三盏路灯一个月没亮了，晚上走路不安全。",
            "device_id": "device-1",
            **JUEREN_POINT,
        }
        values.update(fields)
        return client.post(f"{BASE}/requests.{fmt}", {k: v for k, v in values.items() if v is not None})

    return SimpleNamespace(key=key, category=roads, unit=unit, post=post)
