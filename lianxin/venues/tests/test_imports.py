import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from lianxin.core.errors import ImportRejected
from lianxin.core.models import AuditEvent
from lianxin.regions.models import Grid, Region
from lianxin.testing import xlsx_bytes
from lianxin.venues.imports import (
    PLACE_COLUMNS,
    grids_export_xlsx,
    places_export_xlsx,
    places_import,
    regions_export_xlsx,
)
from lianxin.venues.models import Place, PlaceKind, RoomKind

HEADERS = [column.header for column in PLACE_COLUMNS]


def place_row(**values) -> list:
    row = {
        "名称": "居仁社区代表工作站",
        "类型": "代表工作站",
        "联络室类别": "",
        "所在区划代码": "330521001001",
        "网格编码": "",
        "所属代表之家": "武康街道代表之家",
        "地址": "武康街道居仁路1号",
        "纬度": 30.5446,
        "经度": 119.9605,
        "开放时间": "每周二、周五 9:00-11:30",
        "联系电话": "0572-8012345",
    }
    row.update(values)
    return [row[header] for header in HEADERS]


def xlsx(rows: list[list], headers: list[str] = HEADERS) -> bytes:
    return xlsx_bytes(headers, rows)


def good_file() -> bytes:
    return xlsx(
        [
            # The station names its home, which comes further down the same sheet.
            place_row(),
            place_row(
                **{"名称": "武康街道代表之家", "类型": "代表之家", "所在区划代码": "330521001000", "所属代表之家": ""}
            ),
            place_row(
                **{
                    "名称": "居仁村企联动联络室",
                    "类型": "代表联络室",
                    "联络室类别": "村企联动",
                    "网格编码": "330521001001-01",
                    "纬度": None,
                    "经度": None,
                    "联系电话": "13957211234",
                }
            ),
        ]
    )


@pytest.fixture
def grid(regions):
    return Grid.objects.create(region=regions.jueren, code="330521001001-01", name="居仁社区第1网格")


def counts() -> tuple[int, int]:
    return Place.objects.count(), AuditEvent.objects.count()


def errors_of(info) -> list[str]:
    return [str(error) for error in info.value.errors]


def test_a_good_sheet_creates_places_linked_to_their_home(regions, grid):
    result = places_import(actor=None, file=good_file(), filename="家站室.xlsx")

    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    home = Place.objects.get(name="武康街道代表之家")
    station = Place.objects.get(name="居仁社区代表工作站")
    room = Place.objects.get(name="居仁村企联动联络室")
    assert home.kind == PlaceKind.HOME and home.region == regions.wukang and home.hub is None
    assert station.kind == PlaceKind.STATION and station.hub == home and station.region == regions.jueren
    assert (station.lat, station.lng) == (30.5446, 119.9605)
    assert station.opening_hours == "每周二、周五 9:00-11:30" and station.phone == "0572-8012345"
    assert room.room_kind == RoomKind.VILLAGE_ENTERPRISE and room.grid == grid and room.lat is None
    assert AuditEvent.objects.filter(action="place.create").count() == 3
    assert AuditEvent.objects.get(object_id=str(station.pk)).note == "导入 家站室.xlsx 第2行"


def test_importing_the_same_places_twice_changes_nothing(regions, grid):
    places_import(actor=None, file=good_file(), filename="a.xlsx")
    before = counts()
    result = places_import(actor=None, file=good_file(), filename="a.xlsx")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert counts() == before


def test_a_changed_place_is_updated_with_an_audit_row(regions, grid):
    places_import(actor=None, file=good_file(), filename="a.xlsx")
    result = places_import(actor=None, file=xlsx([place_row(**{"开放时间": "每周三 14:00-17:00"})]), filename="b.xlsx")
    assert (result.created, result.updated) == (0, 1)
    assert Place.objects.get(name="居仁社区代表工作站").opening_hours == "每周三 14:00-17:00"
    assert AuditEvent.objects.get(action="place.update").changes == {
        "opening_hours": ["每周二、周五 9:00-11:30", "每周三 14:00-17:00"]
    }


def test_a_station_may_name_a_home_registered_earlier(regions):
    Place.objects.create(kind=PlaceKind.HOME, name="武康街道代表之家", region=regions.wukang)
    places_import(actor=None, file=xlsx([place_row()]), filename="a.xlsx")
    assert Place.objects.get(name="居仁社区代表工作站").hub.name == "武康街道代表之家"


def test_a_bad_place_sheet_is_rejected_with_every_error_and_nothing_is_written(regions, grid):
    Grid.objects.create(region=regions.chengdong, code="330521101001-01", name="城东村第1网格")
    before = counts()
    bad = xlsx(
        [
            place_row(**{"所属代表之家": "", "联络室类别": "村企联动"}),  # row 2
            place_row(**{"名称": "二号站", "所属代表之家": "", "纬度": 120.1, "经度": 30.2}),  # row 3: swapped
            place_row(**{"名称": "三号站", "所属代表之家": "", "经度": None}),  # row 4
            place_row(**{"名称": "四号站", "所属代表之家": "不存在的代表之家"}),  # row 5
            place_row(**{"名称": "五号站", "所属代表之家": "", "网格编码": "330521101001-01"}),  # row 6
            place_row(**{"名称": "七号站", "所属代表之家": "", "类型": "驿站"}),  # row 7
            place_row(**{"所属代表之家": ""}),  # row 8: same as row 2
            place_row(**{"名称": "六号站", "所属代表之家": "", "所在区划代码": "330521999999"}),  # row 9
        ]
    )
    with pytest.raises(ImportRejected) as info:
        places_import(actor=None, file=bad, filename="bad.xlsx")
    assert errors_of(info) == [
        "第2行 联络室类别: 只有“代表联络室”可以填写联络室类别",
        "第3行 纬度: 应在3到54之间，实为120.1",
        "第3行 经度: 应在73到136之间，实为30.2",
        "第4行 经度: 纬度和经度应同时填写",
        "第5行 所属代表之家: 本县（区）内没有名为“不存在的代表之家”的代表之家",
        "第6行 网格编码: 网格“城东村第1网格”不在所在区划“居仁社区居委会”之内",
        "第7行 类型: 应为 代表之家/代表工作站/代表联络室/便民服务窗/代表履职岗 之一，实为“驿站”",
        "第8行 名称: 与第2行重复（同一区划下的同名家站室）",
        "第9行 所在区划代码: 区划代码不存在或不在您的管辖范围内",
    ]
    assert counts() == before


def test_a_home_in_another_county_does_not_count(regions):
    Place.objects.create(kind=PlaceKind.HOME, name="武康街道代表之家", region=regions.anji)
    with pytest.raises(ImportRejected) as info:
        places_import(actor=None, file=xlsx([place_row()]), filename="a.xlsx")
    assert errors_of(info) == ["第2行 所属代表之家: 本县（区）内没有名为“武康街道代表之家”的代表之家"]


def test_township_staff_cannot_import_a_place_into_another_township(personas, regions):
    before = counts()
    row = place_row(**{"名称": "城东村代表工作站", "所在区划代码": "330521101001", "所属代表之家": ""})
    with pytest.raises(ImportRejected) as info:
        places_import(actor=personas.township_staff, file=xlsx([row]), filename="a.xlsx")
    assert errors_of(info) == ["第2行 所在区划代码: 区划代码不存在或不在您的管辖范围内"]
    assert counts() == before

    result = places_import(
        actor=personas.township_staff, file=xlsx([place_row(**{"所属代表之家": ""})]), filename="a.xlsx"
    )
    assert result.created == 1


def test_a_gb18030_csv_of_places_imports(regions):
    text = "名称,类型,所在区划代码,纬度,经度\r\n乾元镇代表之家,代表之家,330521101000,30.52,120.01\r\n"
    result = places_import(actor=None, file=text.encode("gb18030"), filename="家站室.csv")
    assert result.created == 1
    assert Place.objects.get().region == regions.qianyuan


def test_places_export_imports_back_without_changes(regions, grid):
    places_import(actor=None, file=good_file(), filename="a.xlsx")
    before = counts()

    exported = places_export_xlsx(Place.objects.all())
    result = places_import(actor=None, file=exported, filename="export.xlsx")

    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert counts() == before
    sheet = openpyxl.load_workbook(io.BytesIO(exported)).active
    assert [cell.value for cell in sheet[1]][: len(HEADERS)] == HEADERS
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold


def test_grids_and_regions_export_with_codes_as_text(regions, grid):
    grids = openpyxl.load_workbook(io.BytesIO(grids_export_xlsx(Grid.objects.all()))).active
    assert [cell.value for cell in grids[1]][:4] == ["网格编码", "网格名称", "网格类型", "所属村社区代码"]
    assert [cell.value for cell in grids[2]][:5] == [
        "330521001001-01",
        "居仁社区第1网格",
        "农村网格",
        "330521001001",
        "居仁社区居委会",
    ]

    exported = openpyxl.load_workbook(io.BytesIO(regions_export_xlsx(Region.objects.all()))).active
    assert [cell.value for cell in exported[1]] == ["区划代码", "名称", "层级", "上级区划代码", "上级区划"]
    assert exported.max_row == Region.objects.count() + 1
    assert [cell.value for cell in exported[2]] == ["330000000000", "浙江省", "省", None, None]
    assert exported["A2"].number_format == "@"


def test_import_places_command_prints_counts_or_every_error(regions, grid, tmp_path, capsys):
    path = tmp_path / "家站室.xlsx"
    path.write_bytes(good_file())
    call_command("import_places", str(path))
    assert "新增 3 个家站室，更新 0 个家站室，未变 0 个家站室" in capsys.readouterr().out

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx([place_row(**{"纬度": 99})]))
    with pytest.raises(CommandError) as info:
        call_command("import_places", str(bad))
    assert str(info.value).splitlines() == ["文件未导入，共1处错误：", "第2行 纬度: 应在3到54之间，实为99"]


def test_import_places_command_reports_an_unreadable_file(regions, tmp_path):
    path = tmp_path / "家站室.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(CommandError, match="不支持旧版 Excel"):
        call_command("import_places", str(path))
