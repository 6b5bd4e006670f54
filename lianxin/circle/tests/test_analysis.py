"""A region's coverage and proposals from its grids and places (straight-line model), the saved plan, the command
and creating the proposed places."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from lianxin.circle.analysis import circle_analyse
from lianxin.circle.models import CirclePlan, TravelKind
from lianxin.circle.services import plan_create_places, plan_save
from lianxin.core.audit import AuditEvent
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.venues.models import Place

pytestmark = pytest.mark.django_db


def test_everyone_in_the_grid_round_a_place_is_within_15_minutes_and_nobody_in_the_far_one(regions, town):
    analysis = circle_analyse(region=regions.deqing, minutes=15)
    assert analysis.travel == TravelKind.STRAIGHT and "未提供路网" in analysis.travel_label
    assert analysis.population == pytest.approx(1500)
    # The near grid's corners are 707 m from the place: 11 minutes at 1.3 x 707 m / 83.3 m a minute.
    assert analysis.covered[15] == pytest.approx(1000)
    assert analysis.covered[10] == pytest.approx(1000)  # the farthest lattice point is 636 m away: 9.9 minutes
    assert 0 < analysis.covered[5] < 500
    by_code = {row.grid.code: row for row in analysis.grids}
    assert by_code["G-JUEREN"].share(15) == pytest.approx(1.0)
    assert by_code["G-CHENGDONG"].uncovered(15) == pytest.approx(500)
    assert [row.grid.code for row in analysis.uncovered_grids] == ["G-CHENGDONG"]
    assert analysis.places[0].served[15] == pytest.approx(1000)


def test_one_new_place_goes_to_the_far_grid_by_both_methods(regions, town):
    analysis = circle_analyse(region=regions.deqing, minutes=15, propose=1, time_limit=10)
    assert analysis.greedy is not None and analysis.ilp is not None
    assert analysis.greedy.gain == pytest.approx(500) and analysis.ilp.gain == pytest.approx(500)
    assert analysis.ilp.gap == pytest.approx(0.0, abs=1e-6)
    site = analysis.chosen.sites[0]
    assert site.grid == town.far


def test_a_region_outside_the_grids_has_nobody_to_cover(regions, town):
    analysis = circle_analyse(region=regions.anji, minutes=15, propose=2)
    assert analysis.population == 0 and analysis.grids == [] and analysis.chosen.sites == []


def test_minutes_and_proposals_out_of_range_are_refused(regions, town):
    with pytest.raises(DomainError):
        circle_analyse(region=regions.deqing, minutes=0)
    with pytest.raises(DomainError):
        circle_analyse(region=regions.deqing, propose=500)


def test_a_saved_plan_keeps_its_figures_and_sites_and_is_audited(regions, town, personas):
    analysis = circle_analyse(region=regions.deqing, propose=1, time_limit=10)
    plan = plan_save(actor=personas.county_staff, analysis=analysis)
    assert plan.population == 1500 and plan.covered == 1000 and plan.greedy_gain == 500 and plan.ilp_gain == 500
    assert plan.figures["grids"][str(town.far.pk)] == [500, 0, 0, 0, 0]
    assert list(plan.sites.values_list("rank", "grid_id")) == [(1, town.far.pk)]
    assert AuditEvent.objects.filter(action="circle_plan.create", object_id=str(plan.pk)).exists()


def test_staff_of_another_township_may_not_save_a_plan_of_the_county(regions, town, personas):
    analysis = circle_analyse(region=regions.deqing)
    with pytest.raises(PermissionDenied):
        plan_save(actor=personas.outsider, analysis=analysis)


def test_creating_the_proposed_places_makes_inactive_stations_in_their_grid_once(regions, town, personas):
    plan = plan_save(actor=None, analysis=circle_analyse(region=regions.deqing, propose=1, time_limit=10))
    with pytest.raises(PermissionDenied):
        plan_create_places(actor=personas.outsider, plan_id=plan.pk)
    created = plan_create_places(actor=personas.county_staff, plan_id=plan.pk)
    assert len(created) == 1
    place = Place.objects.get(pk=created[0].pk)
    assert place.grid == town.far and place.region == regions.chengdong and not place.is_active
    assert AuditEvent.objects.filter(action="place.create", object_id=str(place.pk)).exists()
    assert AuditEvent.objects.filter(action="circle_plan.create_places", object_id=str(plan.pk)).exists()
    with pytest.raises(DomainError) as again:
        plan_create_places(actor=personas.county_staff, plan_id=plan.pk)
    assert again.value.code == "already_created"
    # An inactive place does not count yet: the far grid is still uncovered.
    assert circle_analyse(region=regions.deqing).covered[15] == pytest.approx(1000)


def test_the_command_writes_the_workbook_and_says_which_model_it_used(regions, town, tmp_path):
    out = tmp_path / "circle.xlsx"
    stdout = io.StringIO()
    call_command("service_circle", region=regions.deqing.code, propose=1, out=str(out), save=True, stdout=stdout)
    text = stdout.getvalue()
    assert "直线距离×绕行系数1.3" in text and "15分钟内覆盖人口：1000（66.7%）" in text
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["概况", "未覆盖网格", "各网格覆盖", "各家站室服务人口", "拟新设点位"]
    uncovered = list(book["未覆盖网格"].iter_rows(values_only=True))
    assert uncovered[1][0] == "G-CHENGDONG" and uncovered[1][3] == 500
    sites = list(book["拟新设点位"].iter_rows(values_only=True))
    assert [row[0] for row in sites[1:]] == ["贪心法", "整数规划（HiGHS）"]
    assert CirclePlan.objects.count() == 1


def test_the_command_walks_a_road_network_when_given_one(regions, town, tmp_path):
    from pathlib import Path

    osm = Path(__file__).with_name("tiny.osm")
    out = tmp_path / "net.xlsx"
    stdout = io.StringIO()
    call_command("service_circle", region=regions.deqing.code, osm=str(osm), out=str(out), stdout=stdout)
    assert "路网步行最短路径（tiny.osm" in stdout.getvalue()


def test_the_command_refuses_an_unknown_region_and_a_wrong_output(regions, town, tmp_path):
    with pytest.raises(CommandError, match="区划代码不存在"):
        call_command("service_circle", region="999999999999", out=str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match=r"\.xlsx"):
        call_command("service_circle", region=regions.deqing.code, out=str(tmp_path / "x.csv"))
