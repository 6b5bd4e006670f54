import json
from io import StringIO

import pytest
from django.core.management import call_command

from lianxin.core.models import AuditEvent
from lianxin.deputies.assignment import assign_grids, coverage_report
from lianxin.deputies.models import (
    AssignmentBasis,
    Deputy,
    GridAssignment,
    GridWorker,
    GridWorkerPairing,
    Mandate,
    MandateLevel,
    MandateStatus,
)
from lianxin.regions.models import GridKind, Region, RegionLevel
from lianxin.regions.services import grid_save
from lianxin.testing import square


@pytest.fixture
def county(regions):
    """Three grids: two in 居仁社区 (武康街道), one rural grid in 城东村 (乾元镇)."""
    jueren_a = grid_save(
        actor=None,
        region=regions.jueren,
        code="G-JR-1",
        name="居仁一网格",
        kind=GridKind.COMMUNITY,
        polygon=square(119.95, 30.54),
    )
    jueren_b = grid_save(
        actor=None,
        region=regions.jueren,
        code="G-JR-2",
        name="居仁二网格",
        kind=GridKind.COMMUNITY,
        polygon=square(119.96, 30.54),
    )
    chengdong = grid_save(
        actor=None,
        region=regions.chengdong,
        code="G-CD-1",
        name="城东网格",
        kind=GridKind.RURAL,
        polygon=square(120.10, 30.60),
    )
    return regions, jueren_a, jueren_b, chengdong


def make_deputy(name, *, congress, level=MandateLevel.COUNTY, district=None, status=MandateStatus.SERVING, **fields):
    deputy = Deputy.objects.create(name=name, gender="male", **fields)
    Mandate.objects.create(
        deputy=deputy, level=level, congress_region=congress, term=17, district_region=district, status=status
    )
    return deputy


def basis_of(deputy) -> list[tuple[str, str]]:
    return sorted(GridAssignment.objects.filter(deputy=deputy).values_list("grid__code", "basis"))


def test_a_deputy_goes_first_to_a_grid_of_their_electoral_district(county):
    regions, *_ = county
    deputy = make_deputy("沈建国", congress=regions.deqing, district=regions.chengdong)

    assign_grids(actor=None, fill_empty=False)

    assert basis_of(deputy) == [("G-CD-1", AssignmentBasis.DISTRICT)]


def test_deputies_of_one_district_are_spread_over_its_least_loaded_grids(county):
    regions, *_ = county
    first = make_deputy("姚丽华", congress=regions.deqing, district=regions.jueren)
    second = make_deputy("钱志强", congress=regions.deqing, district=regions.jueren)

    assign_grids(actor=None, fill_empty=False)

    assert basis_of(first) == [("G-JR-1", AssignmentBasis.DISTRICT)]
    assert basis_of(second) == [("G-JR-2", AssignmentBasis.DISTRICT)]


def test_without_a_district_grid_the_home_point_decides(county):
    regions, *_ = county
    deputy = make_deputy("陆小红", congress=regions.deqing, residence_lat=30.545, residence_lng=119.965)

    assign_grids(actor=None, fill_empty=False)

    assert basis_of(deputy) == [("G-JR-2", AssignmentBasis.RESIDENCE)]


def test_without_district_or_home_the_specialty_chooses_the_kind_of_grid(county):
    regions, *_ = county
    farmer = make_deputy("朱春燕", congress=regions.deqing, specialties=["农业农村"])

    outcome = assign_grids(actor=None, fill_empty=False)

    assert basis_of(farmer) == [("G-CD-1", AssignmentBasis.SPECIALTY)]
    assert outcome.by_basis[AssignmentBasis.SPECIALTY] == 1


def test_grids_left_empty_get_a_deputy_of_the_same_township(county):
    regions, *_ = county
    wukang = make_deputy("吴国平", congress=regions.deqing, district=regions.jueren)
    qianyuan = make_deputy("吴国安", congress=regions.deqing, district=regions.chengdong)

    assign_grids(actor=None)

    # 吴国安 has as few grids, but 居仁二网格 lies in 吴国平's township.
    assert basis_of(wukang) == [("G-JR-1", AssignmentBasis.DISTRICT), ("G-JR-2", AssignmentBasis.COVERAGE)]
    assert basis_of(qianyuan) == [("G-CD-1", AssignmentBasis.DISTRICT)]
    assert coverage_report().grids_without_deputy == []


def test_without_anyone_in_the_township_a_deputy_of_the_covering_congress_fills_the_grid(county):
    regions, *_ = county
    deputy = make_deputy("吴国平", congress=regions.deqing, district=regions.jueren)
    make_deputy("安吉代表", congress=regions.anji, district=regions.anji)

    assign_grids(actor=None)

    assert basis_of(deputy) == [
        ("G-CD-1", AssignmentBasis.COVERAGE),
        ("G-JR-1", AssignmentBasis.DISTRICT),
        ("G-JR-2", AssignmentBasis.COVERAGE),
    ]


def test_resigned_deputies_are_not_embedded(county):
    regions, *_ = county
    resigned = make_deputy("何文", congress=regions.deqing, district=regions.jueren, status=MandateStatus.RESIGNED)

    assign_grids(actor=None)

    assert basis_of(resigned) == []


def test_running_it_twice_changes_nothing_and_every_assignment_is_audited(county):
    regions, *_ = county
    make_deputy("沈一", congress=regions.deqing, district=regions.jueren)
    make_deputy("沈二", congress=regions.deqing, district=regions.chengdong)

    first = assign_grids(actor=None)  # 2 by district, 1 to fill 居仁二网格
    second = assign_grids(actor=None)

    assert first.total == GridAssignment.objects.count() == 3
    assert second.total == 0
    assert AuditEvent.objects.filter(action="grid_assignment.create").count() == 3


def test_a_region_limits_the_grids_and_deputies_considered(county):
    regions, *_ = county
    inside = make_deputy("徐一", congress=regions.deqing, district=regions.jueren)
    outside = make_deputy("徐二", congress=regions.deqing, district=regions.chengdong)

    assign_grids(actor=None, region=regions.wukang, fill_empty=False)

    assert GridAssignment.objects.filter(deputy=inside).exists()
    assert not GridAssignment.objects.filter(deputy=outside).exists()


def test_the_coverage_report_counts_gaps_and_grid_worker_load(county):
    regions, jueren_a, *_ = county
    a = make_deputy("孙甲", congress=regions.deqing, district=regions.jueren)
    b = make_deputy("孙乙", congress=regions.deqing, district=regions.jueren)
    idle = make_deputy("孙丙", congress=regions.anji)
    worker = GridWorker.objects.create(name="网格员甲", grid=jueren_a, phone="13800000001")
    GridWorker.objects.create(name="网格员乙", grid=jueren_a, phone="13800000002")
    GridWorkerPairing.objects.create(deputy=a, grid_worker=worker)
    GridWorkerPairing.objects.create(deputy=b, grid_worker=worker)
    GridAssignment.objects.create(deputy=a, grid=jueren_a, basis=AssignmentBasis.MANUAL)

    report = coverage_report(region=regions.deqing)

    assert [g.code for g in report.grids_without_deputy] == ["G-CD-1", "G-JR-2"]
    assert report.deputies_total == 2  # 孙丙 belongs to 安吉县, outside 德清县
    assert [d.name for d in report.deputies_without_grid] == ["孙乙"]
    assert [(w.worker.name, w.deputies) for w in report.workers] == [("网格员甲", 2), ("网格员乙", 0)]
    assert [g.code for g in report.grids_without_worker] == ["G-CD-1", "G-JR-2"]
    assert idle not in report.deputies_without_grid


def test_the_command_embeds_and_prints_the_report(county):
    regions, *_ = county
    make_deputy("陈一", congress=regions.deqing, district=regions.chengdong)
    out = StringIO()

    call_command("assign_grids", "--no-fill", stdout=out)

    text = out.getvalue()
    assert "已编入：按选区/原选举单位 1 名" in text
    assert "网格 3 个，有代表 1 个（33.3%），无代表 2 个" in text
    assert "G-JR-1 居仁一网格（居仁社区居委会）" in text


def test_the_dry_run_writes_nothing_and_json_is_one_line(county):
    regions, *_ = county
    make_deputy("陈二", congress=regions.deqing, district=regions.chengdong)
    out = StringIO()

    call_command("assign_grids", "--dry-run", "--json", stdout=out)

    data = json.loads(out.getvalue())
    assert data["assigned"] == {"按选区/原选举单位": 1, "补足空白网格": 2}
    assert data["grids_without_deputy"] == []
    assert GridAssignment.objects.count() == 0


def test_an_unknown_region_is_refused(county):
    with pytest.raises(Exception, match="区划 999999999999 不存在"):
        call_command("assign_grids", "--region", "999999999999")


def test_region_subtree_is_one_prefix_query(county, django_assert_num_queries):
    regions, *_ = county
    with django_assert_num_queries(1):
        names = list(Region.objects.subtree(regions.wukang).values_list("name", flat=True))
    assert names == ["武康街道", "居仁社区居委会"]
    assert Region.objects.subtree(regions.deqing).filter(level=RegionLevel.VILLAGE).count() == 2
