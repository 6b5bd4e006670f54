"""The office pages of 代表服务圈: who may open them, computing a plan, its map and tables, its workbook, creating
its proposed places; a plan or region outside the scope is a 404."""

import io

import openpyxl
import pytest

from lianxin.circle.analysis import circle_analyse
from lianxin.circle.models import CirclePlan
from lianxin.circle.services import plan_save
from lianxin.venues.models import Place

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(regions, town):
    return plan_save(actor=None, analysis=circle_analyse(region=regions.deqing, propose=1, time_limit=10))


def test_county_staff_compute_a_plan_and_land_on_its_map(client, personas, regions, town):
    client.force_login(personas.county_staff)
    page = client.get("/office/circle/")
    assert page.status_code == 200 and "计算服务圈" in page.content.decode()
    response = client.post("/office/circle/run/", {"region": regions.deqing.code, "minutes": 15, "propose": 1})
    plan = CirclePlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/office/circle/{plan.pk}/"
    assert plan.created_by == personas.county_staff and plan.sites.count() == 1
    html = client.get(response["Location"]).content.decode()
    assert '<svg class="cmap"' in html
    assert 'data-grid="G-CHENGDONG"' in html and 'class="grid cov0"' in html  # nobody within 15 minutes
    assert 'data-grid="G-JUEREN"' in html and 'class="grid cov4"' in html  # everybody
    assert html.count('<circle class="place"') == 1 and html.count('<g class="site"') == 1
    assert "直线距离×绕行系数" in html and "城东一网格" in html


def test_a_region_outside_the_scope_is_a_404_and_a_bad_figure_a_message(client, personas, regions, town):
    client.force_login(personas.outsider)
    assert client.post("/office/circle/run/", {"region": regions.deqing.code, "minutes": 15}).status_code == 404
    response = client.post("/office/circle/run/", {"region": regions.qianyuan.code, "minutes": 99, "propose": 1})
    assert response.status_code == 400 and CirclePlan.objects.count() == 0


def test_a_plan_of_another_region_is_a_404_to_township_staff_elsewhere(client, personas, plan):
    client.force_login(personas.outsider)
    assert client.get(f"/office/circle/{plan.pk}/").status_code == 404
    assert client.get(f"/office/circle/{plan.pk}/xlsx/").status_code == 404
    assert client.post(f"/office/circle/{plan.pk}/places/").status_code == 404
    assert not Place.objects.filter(is_active=False).exists()
    assert f"plan-{plan.pk}" not in client.get("/office/circle/").content.decode()


@pytest.mark.parametrize("who", ["deputy", "unit_handler"])
def test_who_does_not_maintain_the_registry_cannot_plan(client, personas, who, plan):
    client.force_login(getattr(personas, who))
    response = client.get("/office/circle/")
    assert response.status_code in (403, 404)
    assert client.get(f"/office/circle/{plan.pk}/").status_code in (403, 404)


def test_the_workbook_lists_the_grids_by_uncovered_people_and_the_sites(client, personas, plan):
    client.force_login(personas.county_staff)
    response = client.get(f"/office/circle/{plan.pk}/xlsx/")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    grids = list(book["各网格覆盖"].iter_rows(values_only=True))
    assert [row[0] for row in grids[1:]] == ["G-CHENGDONG", "G-JUEREN"]
    summary = dict(book["概况"].iter_rows(values_only=True))
    assert summary["步行时间算法"].startswith("直线距离×绕行系数") and summary["整数规划新增覆盖"] == "500"
    assert len(list(book["拟新设点位"].iter_rows(values_only=True))) == 2


def test_creating_the_places_from_the_page_makes_them_once(client, personas, plan, regions):
    client.force_login(personas.county_staff)
    response = client.post(f"/office/circle/{plan.pk}/places/", follow=True)
    assert "已建1个代表联络站" in response.content.decode()
    assert Place.objects.filter(region=regions.chengdong, is_active=False).count() == 1
    again = client.post(f"/office/circle/{plan.pk}/places/", follow=True)
    assert "已经建为家站室" in again.content.decode()
    assert Place.objects.filter(region=regions.chengdong).count() == 1
