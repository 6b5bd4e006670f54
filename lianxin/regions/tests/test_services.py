from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from lianxin.core.errors import DomainError, ImportRejected
from lianxin.core.models import AuditEvent
from lianxin.regions.models import Grid, Region, RegionLevel
from lianxin.regions.services import grid_locate, grid_save, region_import_csv
from lianxin.testing import square

DEMO_REGIONS = Path(__file__).resolve().parents[2] / "demo" / "data" / "deqing_regions.csv"


def write_csv(tmp_path, text: str) -> Path:
    path = tmp_path / "regions.csv"
    path.write_text("code,name,level,parent_code\n" + text, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_importing_the_shared_file_gives_1497_regions_and_twice_changes_nothing(shared_data):
    shared_regions = shared_data / "regions" / "lanzhou_deqing.csv"
    out = StringIO()
    call_command("import_regions", str(shared_regions), stdout=out)
    assert out.getvalue().strip() == "新增 1497 个，更新 0 个，未变 0 个"
    snapshot = list(Region.objects.values_list("code", "name", "level", "parent__code", "path"))

    again = StringIO()
    call_command("import_regions", str(shared_regions), stdout=again)

    assert again.getvalue().strip() == "新增 0 个，更新 0 个，未变 1497 个"
    assert list(Region.objects.values_list("code", "name", "level", "parent__code", "path")) == snapshot
    assert Region.objects.filter(level=RegionLevel.COUNTY).count() == 10  # 兰州's 9 and 德清


@pytest.mark.django_db
def test_the_subtree_of_a_county_is_its_towns_and_villages():
    region_import_csv(path=DEMO_REGIONS)
    deqing = Region.objects.get(code="330521000000")

    subtree = Region.objects.subtree(deqing)

    assert subtree.filter(level=RegionLevel.TOWNSHIP).count() == 13
    assert subtree.filter(level=RegionLevel.VILLAGE).count() == 177
    assert not subtree.filter(code="330500000000").exists()
    assert [r.name for r in Region.objects.get(code="330521001001").ancestors()] == [
        "浙江省",
        "湖州市",
        "德清县",
        "武康街道",
        "居仁社区居委会",
    ]


@pytest.mark.django_db
def test_a_bad_file_is_refused_with_every_row_named_and_nothing_written(tmp_path):
    path = write_csv(
        tmp_path,
        "330000000000,浙江省,province,\n"
        "33050000000,湖州市,prefecture,330000000000\n"  # 11 digits
        "330521000000,德清县,county,330599999999\n"  # parent missing
        "330521001000,武康街道,hamlet,330521000000\n"  # bad level
        "330000000000,浙江省,province,\n",  # duplicate
    )

    with pytest.raises(ImportRejected) as info:
        region_import_csv(path=path)

    messages = [str(e) for e in info.value.errors]
    assert messages == [
        "第3行 code: 区划代码应为12位数字，实为“33050000000”",
        "第4行 parent_code: 上级区划 330599999999 不存在",
        "第5行 level: 层级应为 province/prefecture/county/township/village 之一，实为“hamlet”",
        "第6行 code: 与第2行重复",
    ]
    assert Region.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
def test_a_child_above_its_parent_level_is_refused(tmp_path):
    path = write_csv(tmp_path, "330521000000,德清县,county,\n330000000000,浙江省,province,330521000000\n")

    with pytest.raises(ImportRejected, match="第3行 level: 层级“province”不能位于“county”之下"):
        region_import_csv(path=path)


@pytest.mark.django_db
def test_the_command_prints_each_error_and_fails(tmp_path):
    path = write_csv(tmp_path, "330000000000,,province,\n")
    with pytest.raises(CommandError, match="第2行 name: 名称不能为空"):
        call_command("import_regions", str(path))


@pytest.mark.django_db
def test_a_renamed_region_is_updated_and_audited(tmp_path):
    region_import_csv(path=write_csv(tmp_path, "330000000000,浙江省,province,\n"))
    result = region_import_csv(path=write_csv(tmp_path, "330000000000,浙江省人民政府,province,\n"))

    assert (result.created, result.updated) == (0, 1)
    assert Region.objects.get().name == "浙江省人民政府"
    event = AuditEvent.objects.get(action="region.update")
    assert event.changes == {"name": ["浙江省", "浙江省人民政府"]}


def test_locate_finds_the_one_grid_that_holds_the_point(regions):
    west = grid_save(actor=None, region=regions.jueren, code="W", name="西网格", polygon=square(119.95, 30.54))
    east = grid_save(actor=None, region=regions.jueren, code="E", name="东网格", polygon=square(119.96, 30.54))

    assert grid_locate(lat=30.545, lng=119.955) == west
    assert grid_locate(lat=30.545, lng=119.965) == east
    assert grid_locate(lat=30.60, lng=119.955) is None
    assert (west.centroid_lat, west.centroid_lng) == (30.545, 119.955)


def test_overlapping_grids_are_refused_so_a_point_lies_in_at_most_one(regions):
    grid_save(actor=None, region=regions.jueren, code="A", name="甲网格", polygon=square(119.95, 30.54))

    with pytest.raises(DomainError) as info:
        grid_save(actor=None, region=regions.jueren, code="B", name="乙网格", polygon=square(119.955, 30.54))

    assert info.value.code == "grid_polygon_overlap"
    assert info.value.message == "网格边界: 与网格“甲网格”(A)重叠"
    assert Grid.objects.count() == 1


def test_a_grid_must_hang_under_a_village_and_have_a_valid_polygon(regions):
    with pytest.raises(DomainError, match="网格只能设在村或社区之下"):
        grid_save(actor=None, region=regions.wukang, code="X", name="X")
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(DomainError, match="多边形无效"):
        grid_save(actor=None, region=regions.jueren, code="X", name="X", polygon=bowtie)
    assert Grid.objects.count() == 0


def test_saving_a_grid_writes_an_audit_row_with_the_changes(regions):
    grid = grid_save(actor=None, region=regions.jueren, code="A", name="甲网格", population=10)
    grid_save(actor=None, region=regions.jueren, code="A", name="甲网格", population=12, grid=grid)

    events = list(AuditEvent.objects.filter(object_id=str(grid.pk)).order_by("id"))
    assert [e.action for e in events] == ["grid.create", "grid.update"]
    assert events[1].changes == {"population": [10, 12]}
