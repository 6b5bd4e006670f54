"""Fixtures of the cases API tests (imported by the test_cases_*.py modules).

A  居仁社区 (德清/武康)  came to the deputy `personas.deputy`, assigned to the unit of `personas.unit_handler`
B  城东村 (德清/乾元)    assigned to another unit
C  居仁社区              reported by the grid worker `personas.grid_worker`
D  安吉 (湖州, not 德清)
E  西湖 (杭州, not 湖州)
"""

import json
from types import SimpleNamespace

import pytest

from lianxin.api.tests.conftest import API
from lianxin.api.tests.factories import GridWorkerFactory, PlaceFactory, make_deputy, make_grid, make_region
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.intake.queue import submissions_register_queued
from lianxin.cases.models import Case, Category, ResponsibleUnit
from lianxin.cases.services import case_register
from lianxin.deputies.models import MandateLevel
from lianxin.regions.models import RegionLevel

# persona → (the case it sees, a case it does not see)
CASE_SCOPES = {
    "admin": ("b", "d"),
    "city_staff": ("d", "e"),
    "county_staff": ("b", "d"),
    "township_staff": ("a", "b"),
    "place_staff": ("a", "b"),
    "deputy": ("a", "b"),
    "grid_worker": ("c", "a"),
    "unit_handler": ("a", "b"),
    "outsider": ("b", "a"),
}


def _unit(name, region, category, serves, *handlers):
    unit = ResponsibleUnit.objects.create(name=name, region=region, contact_phone="0572-8012345")
    unit.categories.add(category)
    unit.serves.add(serves)
    unit.handlers.add(*handlers)
    return unit


@pytest.fixture
def desk(regions, personas):
    transport = Category.objects.get(code="transport")
    dipu = make_region("330523001000", "递铺街道", RegionLevel.TOWNSHIP, regions.anji)
    gucheng = make_region("330523001001", "古城村委会", RegionLevel.VILLAGE, dipu)
    hangzhou = make_region("330100000000", "杭州市", RegionLevel.PREFECTURE, regions.zhejiang)
    xihu = make_region("330106000000", "西湖区", RegionLevel.COUNTY, hangzhou)

    unit = _unit("县交通运输局", regions.deqing, transport, regions.deqing, personas.unit_handler)
    other_unit = _unit("县住建局", regions.deqing, transport, regions.deqing)
    town_unit = _unit("武康街道城管办", regions.wukang, transport, regions.wukang)
    anji_unit = _unit("安吉县交通运输局", regions.anji, transport, regions.anji)
    xihu_unit = _unit("西湖区交通运输局", xihu, transport, xihu)

    deputy = make_deputy(
        congress_region=regions.deqing,
        district_region=regions.jueren,
        level=MandateLevel.COUNTY,
        name="沈建国",
        user=personas.deputy,
    )
    chengdong_deputy = make_deputy(congress_region=regions.qianyuan, district_region=regions.chengdong, name="李强")
    grid = make_grid(regions.jueren, "JR-01", corner=(119.96, 30.54))
    chengdong_grid = make_grid(regions.chengdong, "CD-01", corner=(120.05, 30.60))
    worker = GridWorkerFactory(grid=grid, user=personas.grid_worker)
    place = PlaceFactory(region=regions.jueren, grid=grid, name="居仁社区代表工作站")

    def register(region, **fields):
        values = {
            "actor": None,
            "channel": "online",
            "title": "居仁路路灯不亮",
            "body": "居仁路东段三盏路灯一个月没亮了，晚上走路不安全。",
            "region": region,
            "person_name": "王秀英",
            "person_phone": "13957211234",
            "reply_via": "sms",
        }
        values.update(fields)
        actor = values.pop("actor")
        return case_register(actor=actor, draft=CaseDraft(**values)).case

    a = register(regions.jueren, deputy=deputy)
    b = register(regions.chengdong, title="城东村桥面破损", person_name="李华", person_phone="13957210000")
    c = register(regions.jueren, title="网格内垃圾清运不及时", grid_worker=worker, channel="grid_worker")
    d = register(gucheng, title="古城村道路积水")
    e = register(xihu, title="宝石山下停车难")
    Case.objects.filter(pk=a.pk).update(unit=unit)
    Case.objects.filter(pk=b.pk).update(unit=other_unit)
    for case in (a, b):
        case.refresh_from_db()

    return SimpleNamespace(
        category=transport,
        unit=unit,
        other_unit=other_unit,
        town_unit=town_unit,
        anji_unit=anji_unit,
        xihu_unit=xihu_unit,
        deputy=deputy,
        chengdong_deputy=chengdong_deputy,
        grid=grid,
        chengdong_grid=chengdong_grid,
        worker=worker,
        place=place,
        gucheng=gucheng,
        xihu=xihu,
        register=register,
        a=a,
        b=b,
        c=c,
        d=d,
        e=e,
    )


@pytest.fixture
def post(client):
    """post(user, path, body, **headers): a JSON POST as `user` (None: anonymous) with a session."""

    def do(user, path: str, body=None, **headers):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client.post(
            f"{API}{path}",
            data=json.dumps(body if body is not None else {}, ensure_ascii=False),
            content_type="application/json",
            headers=headers,
        )

    return do


@pytest.fixture
def submit(post, get):
    """submit(user, body, **headers): POST /cases, run the worker's registration step as `run_worker` does, and
    return (the 202 answer, the registered case's detail as the submitter sees it)."""

    def do(user, body, **headers):
        accepted = post(user, "/cases", body, **headers)
        assert accepted.status_code == 202, accepted.content
        submissions_register_queued()
        progress = get(user, f"/submissions/{accepted.json()['receipt_code']}")
        assert progress.json()["status"] == "registered", progress.content
        return accepted, get(user, f"/cases/{progress.json()['case_id']}")

    return do
