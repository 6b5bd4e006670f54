"""A small public world: a county deputy embedded in a grid of 居仁社区, a station with a roster, a unit."""

import datetime
import io
import re
from types import SimpleNamespace

import pytest
from django.core import signing
from django.core.cache import cache
from django.utils import timezone
from PIL import Image

from lianxin.cases.models import Category, ResponsibleUnit
from lianxin.deputies.models import (
    Deputy,
    DeputyGroup,
    DutyShift,
    GridAssignment,
    GridWorker,
    GroupKind,
    Mandate,
    MandateLevel,
)
from lianxin.publicweb.abuse import CAPTCHA_SALT
from lianxin.regions.services import grid_save
from lianxin.testing import square
from lianxin.venues.models import Place, PlaceKind

# 居仁社区 in 武康: a 0.01° square with its south-west corner here.
LNG, LAT = 119.96, 30.54


@pytest.fixture(autouse=True)
def _portal_isolation(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()  # rate-limit counters and used captchas live in the cache
    yield
    cache.clear()


@pytest.fixture
def world(regions, personas):
    grid = grid_save(
        actor=None, region=regions.jueren, code="330521001001G01", name="居仁一网格", polygon=square(LNG, LAT)
    )
    deputy = Deputy.objects.create(
        name="沈建国",
        gender="male",
        occupation="村医",
        specialties=["医疗卫生"],
        phone="13800001111",
        id_number="330521197001011234",
        user=personas.deputy,
    )
    Mandate.objects.create(
        deputy=deputy,
        level=MandateLevel.COUNTY,
        congress_region=regions.deqing,
        term=17,
        district_region=regions.jueren,
    )
    GridAssignment.objects.create(deputy=deputy, grid=grid, basis="district")
    group = DeputyGroup.objects.create(kind=GroupKind.LOCAL, name="武康代表小组", region=regions.wukang)
    group.members.add(deputy)
    GridWorker.objects.create(name="陆小芳", grid=grid, phone="13900002222")
    place = Place.objects.create(
        kind=PlaceKind.STATION,
        name="居仁社区代表工作站",
        region=regions.jueren,
        grid=grid,
        address="武康街道居仁路8号",
        lat=LAT + 0.004,
        lng=LNG + 0.004,
        opening_hours="每周二 9:00-11:30",
    )
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    DutyShift.objects.create(
        place=place, deputy=deputy, date=tomorrow, start_time=datetime.time(9), end_time=datetime.time(11, 30)
    )
    roads = Category.objects.get(code="transport")
    unit = ResponsibleUnit.objects.create(name="县交通运输局", region=regions.deqing)
    unit.categories.add(roads)
    unit.serves.add(regions.deqing)
    unit.handlers.add(personas.unit_handler)
    return SimpleNamespace(grid=grid, deputy=deputy, place=place, category=roads, unit=unit, group=group)


def photo_bytes(kind: str = "JPEG", size: tuple[int, int] = (2400, 1800), exif: bool = True) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "PhoneMaker"  # Make
        data[0x0110] = "Model X"  # Model
        image.save(out, format=kind, exif=data.tobytes())
    else:
        image.save(out, format=kind)
    return out.getvalue()


def solve_captcha(html: str) -> tuple[str, str, str]:
    """(form_token, captcha_token, answer) read from the rendered form, as a person reads the question."""
    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    captcha_token = re.search(r'name="captcha_token" value="([^"]+)"', html).group(1)
    a, op, b = re.search(r"验证题：(\d+) (加|减) (\d+) 等于几", html).groups()
    answer = int(a) + int(b) if op == "加" else int(a) - int(b)
    assert str(answer) not in signing.loads(captcha_token, salt=CAPTCHA_SALT).values()  # the token has no answer
    return token, captcha_token, str(answer)
