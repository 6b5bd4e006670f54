"""A small world for the API tests: the same objects in four places, so that each persona has an inside
and an outside.

    居仁社区 (德清/武康)   城东村 (德清/乾元)   安吉 (湖州, not 德清)   西湖 (杭州, not 湖州)
"""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from lianxin.api.tests.factories import (
    DutyShiftFactory,
    GridWorkerFactory,
    GroupFactory,
    PlaceFactory,
    make_deputy,
    make_grid,
    make_region,
)
from lianxin.deputies.models import GridWorkerPairing
from lianxin.regions.models import RegionLevel

API = "/api/v1"


def _location(key: str, congress, village, corner: tuple[float, float], name: str) -> SimpleNamespace:
    grid = make_grid(village, f"{key.upper()}-01", corner=corner, households=120, population=360)
    deputy = make_deputy(
        congress_region=congress,
        district_region=village,
        grid=grid,
        name=name,
        id_number="",
        phone=f"1380000{len(key):04d}",
    )
    place = PlaceFactory(region=village, grid=grid, name=f"{village.name}代表工作站", address=f"{village.name}1号")
    group = GroupFactory(region=village, name=f"{village.name}代表小组", leader=deputy)
    group.members.add(deputy)
    worker = GridWorkerFactory(grid=grid)
    GridWorkerPairing.objects.create(deputy=deputy, grid_worker=worker)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    DutyShiftFactory(place=place, deputy=deputy, date=tomorrow, start_time="09:00", end_time="11:30")
    DutyShiftFactory(
        place=place, deputy=deputy, date=tomorrow - datetime.timedelta(days=30), start_time="09:00", end_time="11:30"
    )
    return SimpleNamespace(
        key=key,
        region=village,
        grid=grid,
        deputy=deputy,
        place=place,
        group=group,
        worker=worker,
        point=(corner[1] + 0.005, corner[0] + 0.005),  # (lat, lng) inside the grid
    )


@pytest.fixture
def world(regions) -> SimpleNamespace:
    dipu = make_region("330523001000", "递铺街道", RegionLevel.TOWNSHIP, regions.anji)
    anji_village = make_region("330523001001", "古城村委会", RegionLevel.VILLAGE, dipu)
    hangzhou = make_region("330100000000", "杭州市", RegionLevel.PREFECTURE, regions.zhejiang)
    xihu = make_region("330106000000", "西湖区", RegionLevel.COUNTY, hangzhou)
    beishan = make_region("330106001000", "北山街道", RegionLevel.TOWNSHIP, xihu)
    xihu_village = make_region("330106001001", "宝石社区", RegionLevel.VILLAGE, beishan)
    return SimpleNamespace(
        jueren=_location("jr", regions.wukang, regions.jueren, (119.96, 30.54), "王丽"),
        chengdong=_location("cd", regions.qianyuan, regions.chengdong, (120.05, 30.60), "李强"),
        anji=_location("aj", dipu, anji_village, (119.68, 30.63), "赵敏"),
        xihu=_location("xh", beishan, xihu_village, (120.13, 30.25), "陈静"),
    )


@pytest.fixture
def get(client):
    """get(user, path, **params): a GET as `user` (None: anonymous) with a session."""

    def do(user, path: str, **params):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client.get(f"{API}{path}", params)

    return do
