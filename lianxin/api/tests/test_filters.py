"""Filters, ordering and pagination of the list endpoints, and the number of queries a list costs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lianxin.api.tests.factories import DeputyFactory, MandateFactory, PlaceFactory, make_deputy, make_grid
from lianxin.deputies.models import GridAssignment, GroupKind, MandateLevel, MandateStatus
from lianxin.venues.models import PlaceKind


def items(response, key="id"):
    assert response.status_code == 200, response.content
    return [item[key] for item in response.json()["items"]]


# Regions ---------------------------------------------------------------------------------------------------


def test_regions_filter_by_subtree_parent_level_and_text(world, personas, get, regions):
    user = personas.county_staff
    assert items(get(user, "/regions", region=regions.wukang.code), "code") == [
        regions.wukang.code,
        regions.jueren.code,
    ]
    assert items(get(user, "/regions", parent=regions.deqing.code), "code") == [
        regions.wukang.code,
        regions.qianyuan.code,
    ]
    assert items(get(user, "/regions", level="village"), "code") == [regions.jueren.code, regions.chengdong.code]
    assert items(get(user, "/regions", q="乾元"), "code") == [regions.qianyuan.code]


def test_region_items_carry_level_parent_and_depth(world, personas, get, regions):
    item = get(personas.county_staff, f"/regions/{regions.jueren.code}").json()
    assert item == {
        "code": regions.jueren.code,
        "name": "居仁社区居委会",
        "level": "village",
        "level_label": "村/社区",
        "parent_code": regions.wukang.code,
        "path": regions.jueren.path,
        "depth": 4,
    }


def test_an_unknown_region_filter_is_a_404_naming_the_region(world, personas, get):
    response = get(personas.county_staff, "/deputies", region="110000000000")
    assert response.status_code == 404
    assert response.json()["code"] == "region_not_found"
    assert response.json()["message"] == "区划 110000000000 不存在或不在您的管辖范围内"


def test_a_malformed_region_code_is_a_422_in_chinese(world, personas, get):
    response = get(personas.county_staff, "/places", region="3305")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert body["message"] == "参数 region: 应为12位数字的区划代码"
    assert body["errors"][0]["field"] == "region"


# Grids -----------------------------------------------------------------------------------------------------


def test_grids_filter_by_region_kind_and_text(world, personas, get, regions):
    user = personas.county_staff
    assert items(get(user, "/grids", region=regions.qianyuan.code), "code") == ["CD-01"]
    assert items(get(user, "/grids", kind="community"), "code") == ["CD-01", "JR-01"]
    assert items(get(user, "/grids", kind="rural"), "code") == []
    assert items(get(user, "/grids", q="居仁"), "code") == ["JR-01"]


def test_grid_locate_finds_the_grid_under_a_point(world, personas, get):
    lat, lng = world.jueren.point
    response = get(personas.township_staff, "/grids/locate", lat=lat, lng=lng)
    assert response.status_code == 200
    assert response.json()["code"] == "JR-01"
    assert response.json()["deputies"] == [{"id": world.jueren.deputy.id, "name": "王丽"}]


def test_grid_locate_answers_404_where_no_grid_is(world, personas, get):
    response = get(personas.township_staff, "/grids/locate", lat=30.0, lng=119.0)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# Deputies --------------------------------------------------------------------------------------------------


@pytest.fixture
def deputies(world, regions):
    """Three more deputies in 德清: a county deputy, a resigned one, a lawyer embedded in 城东's grid only."""
    county = make_deputy(
        congress_region=regions.deqing, district_region=regions.wukang, level=MandateLevel.COUNTY, name="钱多"
    )
    resigned = DeputyFactory(name="孙退", occupation="农民", employer="乾元镇城东村")
    MandateFactory(deputy=resigned, congress_region=regions.qianyuan, status=MandateStatus.RESIGNED)
    lawyer = DeputyFactory(name="周律", occupation="律师", employer="浙江某律师事务所", specialties=["法律", "调解"])
    MandateFactory(deputy=lawyer, congress_region=regions.anji, level=MandateLevel.COUNTY)
    GridAssignment.objects.create(deputy=lawyer, grid=world.chengdong.grid, basis="specialty")
    return {"county": county, "resigned": resigned, "lawyer": lawyer}


def test_deputies_filter_by_region_through_mandates_and_grids(world, deputies, personas, get, regions):
    user = personas.county_staff
    in_qianyuan = items(get(user, "/deputies", region=regions.qianyuan.code))
    assert sorted(in_qianyuan) == sorted([world.chengdong.deputy.id, deputies["resigned"].id, deputies["lawyer"].id])
    in_wukang = items(get(user, "/deputies", region=regions.wukang.code))
    assert sorted(in_wukang) == sorted([world.jueren.deputy.id, deputies["county"].id])


def test_deputies_filter_by_level_and_status(world, deputies, personas, get):
    user = personas.county_staff
    assert items(get(user, "/deputies", level="county")) == [deputies["lawyer"].id, deputies["county"].id]
    assert items(get(user, "/deputies", status="resigned")) == [deputies["resigned"].id]
    assert items(get(user, "/deputies", level="township", status="resigned")) == [deputies["resigned"].id]
    assert items(get(user, "/deputies", level="county", status="resigned")) == []
    assert len(items(get(user, "/deputies"))) == 5  # all statuses by default


def test_deputies_text_search_covers_name_occupation_employer_and_specialties(world, deputies, personas, get):
    user = personas.county_staff
    lawyer = deputies["lawyer"].id
    assert items(get(user, "/deputies", q="周")) == [lawyer]
    assert items(get(user, "/deputies", q="律师")) == [lawyer]
    assert items(get(user, "/deputies", q="事务所")) == [lawyer]
    assert items(get(user, "/deputies", q="调解")) == [lawyer]


def test_deputies_filter_by_specialty_matches_a_whole_specialty(world, deputies, personas, get):
    user = personas.county_staff
    assert items(get(user, "/deputies", specialty="法律")) == [deputies["lawyer"].id]
    assert items(get(user, "/deputies", specialty="法")) == []


def test_deputies_filter_by_grid(world, deputies, personas, get):
    user = personas.county_staff
    assert sorted(items(get(user, "/deputies", grid="CD-01"))) == sorted(
        [world.chengdong.deputy.id, deputies["lawyer"].id]
    )
    response = get(user, "/deputies", grid="AJ-01")  # exists, outside 德清
    assert response.status_code == 404
    assert response.json()["code"] == "grid_not_found"


def test_deputies_answer_with_their_public_url_and_mandates(world, personas, get):
    item = get(personas.township_staff, "/deputies").json()["items"][0]
    deputy = world.jueren.deputy
    assert item["public_url"] == deputy.public_url
    assert item["mandates"][0]["level"] == "township"
    assert item["mandates"][0]["term"] == 17
    assert item["mandates"][0]["status_label"] == "在任"


# Groups and places -----------------------------------------------------------------------------------------


def test_groups_filter_by_kind_and_text(world, personas, get):
    user = personas.county_staff
    assert len(items(get(user, "/groups"))) == 2
    assert items(get(user, "/groups", kind=GroupKind.PROFESSIONAL)) == []
    assert items(get(user, "/groups", q="城东")) == [world.chengdong.group.id]
    assert get(user, f"/groups/{world.chengdong.group.id}").json()["member_count"] == 1


def test_places_filter_by_region_kind_and_text(world, personas, get, regions):
    user = personas.county_staff
    home = PlaceFactory(kind=PlaceKind.HOME, region=regions.wukang, name="武康街道代表之家", address="永安街8号")
    world.jueren.place.hub = home
    world.jueren.place.save()
    assert items(get(user, "/places", kind="home")) == [home.id]
    assert items(get(user, "/places", q="永安街")) == [home.id]
    assert items(get(user, "/places", region=regions.wukang.code)) == [home.id, world.jueren.place.id]
    station = get(user, f"/places/{world.jueren.place.id}").json()
    assert station["hub"] == {"id": home.id, "name": "武康街道代表之家"}
    assert station["public_url"] == world.jueren.place.public_url
    assert [s["deputy"]["name"] for s in station["upcoming_shifts"]] == ["王丽"]  # past shifts left out


# Pagination ------------------------------------------------------------------------------------------------


def test_lists_page_with_limit_and_offset_and_count_everything(world, personas, get, regions):
    for n in range(5):
        make_deputy(congress_region=regions.wukang, name=f"代表{n}")
    user = personas.township_staff
    everything = items(get(user, "/deputies", limit=100))
    assert len(everything) == 6
    page = get(user, "/deputies", limit=2, offset=2).json()
    assert page["count"] == 6
    assert [item["id"] for item in page["items"]] == everything[2:4]
    assert len(get(user, "/deputies").json()["items"]) == 6  # default limit 20


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": 0}, "参数 limit: 应大于或等于 1"),
        ({"limit": 101}, "参数 limit: 应小于或等于 100"),
        ({"limit": "many"}, "参数 limit: 应为整数"),
        ({"offset": -1}, "参数 offset: 应大于或等于 0"),
        ({"level": "mayor"}, "参数 level: 应为以下取值之一：national、province、city、county、township"),
    ],
)
def test_invalid_parameters_are_a_422_with_a_chinese_message(world, personas, get, params, message):
    response = get(personas.county_staff, "/deputies", **params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert body["message"] == message
    assert body["errors"][0]["field"] == next(iter(params))


# Queries ---------------------------------------------------------------------------------------------------


def _grow(regions, world, n):
    for i in range(n):
        deputy = make_deputy(congress_region=regions.wukang, district_region=regions.jueren, name=f"增{i}")
        GridAssignment.objects.create(deputy=deputy, grid=world.jueren.grid, basis="residence")
        PlaceFactory(region=regions.jueren, grid=world.jueren.grid)


@pytest.mark.parametrize("path", ["/deputies", "/places", "/grids", "/groups", "/regions"])
def test_a_list_costs_the_same_number_of_queries_for_few_or_many_rows(
    world, personas, get, regions, client, django_assert_num_queries, path
):
    user = personas.township_staff
    client.force_login(user)
    # Count the queries of a small list, then check that a list ten rows longer costs the same.
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"/api/v1{path}").status_code == 200
    _grow(regions, world, 10)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(f"/api/v1{path}")
    assert response.status_code == 200


def test_a_new_grid_without_polygon_has_no_centroid(world, personas, get, regions):
    make_grid(regions.jueren, "JR-02")
    item = next(i for i in get(personas.township_staff, "/grids").json()["items"] if i["code"] == "JR-02")
    assert item["centroid"] is None
    assert item["deputy_count"] == 0
