"""import_households: household points by latitude and longitude, all-or-nothing with errors by row and column,
and the analysis counting them instead of the grid's population."""

import pytest
from django.core.management import CommandError, call_command

from lianxin.circle.analysis import circle_analyse
from lianxin.circle.imports import households_import
from lianxin.circle.models import HouseholdPoint
from lianxin.core.errors import ImportRejected, PermissionDenied

pytestmark = pytest.mark.django_db

HEADER = "地址,人数,纬度,经度,网格编码\n"


def csv(*rows: str) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


def test_a_file_with_bad_rows_is_refused_whole_with_each_error_by_row_and_column(town):
    lat, lng = town.west
    data = csv(
        f"居仁路1号,3,{lat},{lng},",  # fine
        f"居仁路2号,3,{lng},{lat},",  # latitude and longitude swapped
        "居仁路3号,,30.0,,",  # no longitude
        f"居仁路4号,3,{lat},{lng},NO-SUCH-GRID",
        f"居仁路5号,3,{lat},{lng},G-CHENGDONG",  # not inside the grid it names
        "居仁路6号,3,31.5,121.5,",  # inside no grid
        f"居仁路7号,零,{lat},{lng},",
    )
    with pytest.raises(ImportRejected) as rejected:
        households_import(actor=None, file=data, filename="households.csv")
    errors = {(e.row, e.column) for e in rejected.value.errors}
    assert errors == {(3, "纬度"), (3, "经度"), (4, "经度"), (5, "网格编码"), (6, "纬度"), (7, "纬度"), (8, "人数")}
    assert not HouseholdPoint.objects.exists()


def test_imported_points_replace_the_grid_s_spread_population_and_a_second_import_replaces_them(regions, town):
    lat, lng = town.east
    data = csv(f"城东1号,4,{lat},{lng},", f"城东2号,2,{lat + 0.0005},{lng},G-CHENGDONG")
    result = households_import(actor=None, file=data, filename="households.csv")
    assert result.created == 2
    assert list(HouseholdPoint.objects.values_list("grid__code", "members").order_by("pk")) == [
        ("G-CHENGDONG", 4),
        ("G-CHENGDONG", 2),
    ]
    analysis = circle_analyse(region=regions.deqing)
    assert "导入的住户点位2户" in analysis.demand_source
    assert analysis.population == pytest.approx(1000 + 6)
    households_import(actor=None, file=data, filename="households.csv")
    assert HouseholdPoint.objects.count() == 2


def test_staff_may_import_only_points_in_their_own_region(personas, town):
    lat, lng = town.east  # 城东 lies in 乾元镇, outside 武康街道
    with pytest.raises(ImportRejected) as rejected:
        households_import(actor=personas.township_staff, file=csv(f"城东1号,4,{lat},{lng},"), filename="h.csv")
    assert [e.column for e in rejected.value.errors] == ["纬度"]
    with pytest.raises(PermissionDenied):
        households_import(actor=personas.deputy, file=csv(f"城东1号,4,{lat},{lng},"), filename="h.csv")


def test_the_command_lists_the_errors_and_imports_a_good_file(town, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv("无坐标,1,,,"))
    with pytest.raises(CommandError, match="第2行"):
        call_command("import_households", str(bad))
    good = tmp_path / "good.csv"
    lat, lng = town.west
    good.write_bytes(csv(f"居仁路1号,3,{lat},{lng},"))
    call_command("import_households", str(good))
    assert "新增 1 个住户点位" in capsys.readouterr().out
