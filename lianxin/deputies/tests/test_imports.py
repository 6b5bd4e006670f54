import csv
import datetime
import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from lianxin.core.errors import ImportRejected, PermissionDenied
from lianxin.core.idcard import id_number_check_character
from lianxin.core.models import AuditEvent
from lianxin.deputies.imports import (
    DEPUTY_COLUMNS,
    deputies_export_xlsx,
    deputies_import,
    duty_shifts_export_xlsx,
    grid_workers_export_xlsx,
    grid_workers_import,
    groups_export_xlsx,
)
from lianxin.deputies.models import (
    Deputy,
    DeputyGroup,
    DutyShift,
    GridWorker,
    GridWorkerPairing,
    GroupKind,
    Mandate,
    MandateLevel,
    MandateStatus,
)
from lianxin.regions.models import Grid
from lianxin.testing import xlsx_bytes
from lianxin.venues.models import Place, PlaceKind


def make_id(birth: str = "19700512", sequence: str = "231", prefix: str = "330521") -> str:
    first17 = prefix + birth + sequence
    return first17 + id_number_check_character(first17)


ZHANG = make_id("19700512", "231")  # male (17th digit 1)
LI = make_id("19820303", "242")  # female (17th digit 4)
WANG = make_id("19650820", "113")  # male

HEADERS = [column.header for column in DEPUTY_COLUMNS]


def deputy_row(**values) -> list:
    """A row of the deputy sheet: 张建国, county deputy of 德清 for 武康, unless overridden by header."""
    row = {
        "姓名": "张建国",
        "性别": "男",
        "民族": "汉族",
        "出生日期": datetime.date(1970, 5, 12),
        "身份证号": ZHANG,
        "手机号": "13957211234",
        "政治面貌": "中共党员",
        "学历": "大学",
        "职业": "企业负责人",
        "工作单位及职务": "德清县某某公司 总经理",
        "专业特长": "企业管理、法律",
        "居住村社区代码": "330521001001",
        "代表层级": "县级",
        "人大所在区划代码": "330521000000",
        "届次": 17,
        "选区": "武康街道第一选区",
        "选区区划代码": "330521001000",
        "状态": "在任",
        "常委会组成人员": "否",
        "任职日期": datetime.date(2021, 12, 28),
    }
    row.update(values)
    return [row[header] for header in HEADERS]


def li_row(**values) -> list:
    """李秀英, township deputy of 乾元镇."""
    base = {
        "姓名": "李秀英",
        "性别": "女",
        "出生日期": datetime.date(1982, 3, 3),
        "身份证号": LI,
        "手机号": "13857220001",
        "职业": "村医",
        "工作单位及职务": "城东村卫生室",
        "专业特长": "医疗卫生",
        "居住村社区代码": "330521101001",
        "代表层级": "乡镇级",
        "人大所在区划代码": "330521101000",
        "届次": "第十八届",
        "选区": "城东村选区",
        "选区区划代码": "330521101001",
        "常委会组成人员": "否",
        "任职日期": "2022/1/5",
    }
    base.update(values)
    return deputy_row(**base)


def xlsx(rows: list[list], headers: list[str] = HEADERS) -> bytes:
    return xlsx_bytes(headers, rows)


def good_file() -> bytes:
    return xlsx(
        [
            deputy_row(),
            # The same person's second mandate: 武康街道 township congress.
            deputy_row(
                **{"代表层级": "乡镇级", "人大所在区划代码": "330521001000", "届次": "第十八届", "常委会组成人员": ""}
            ),
            li_row(),
        ]
    )


def someone(sequence: str) -> dict:
    """Another person: a new ID number, with 性别 and 出生日期 left for the ID number to give."""
    return {"身份证号": make_id("19900101", sequence), "性别": None, "出生日期": None}


def counts() -> tuple[int, int, int]:
    return Deputy.objects.count(), Mandate.objects.count(), AuditEvent.objects.count()


def errors_of(info) -> list[str]:
    return [str(error) for error in info.value.errors]


# --- deputies ----------------------------------------------------------------------------------------


def test_a_good_sheet_creates_deputies_with_their_mandates_and_audit_rows(regions):
    result = deputies_import(actor=None, file=good_file(), filename="代表名册.xlsx")

    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    zhang = Deputy.objects.get(id_number=ZHANG)
    assert zhang.name == "张建国" and zhang.gender == "male" and zhang.birth_date == datetime.date(1970, 5, 12)
    assert zhang.specialties == ["企业管理", "法律"]
    assert zhang.residence_region == regions.jueren
    assert zhang.phone == "13957211234"
    county, township = sorted(zhang.mandates.all(), key=lambda m: m.level)
    assert (county.level, county.congress_region, county.term) == (MandateLevel.COUNTY, regions.deqing, 17)
    assert county.district_region == regions.wukang and county.district_name == "武康街道第一选区"
    assert county.started_on == datetime.date(2021, 12, 28) and county.status == MandateStatus.SERVING
    assert (township.level, township.congress_region, township.term) == (MandateLevel.TOWNSHIP, regions.wukang, 18)
    li = Deputy.objects.get(id_number=LI)
    assert li.gender == "female"
    assert li.mandates.get().started_on == datetime.date(2022, 1, 5)

    actions = sorted(AuditEvent.objects.values_list("action", flat=True))
    assert actions == ["deputy.create"] * 2 + ["mandate.create"] * 3
    event = AuditEvent.objects.get(action="deputy.create", object_id=str(zhang.pk))
    assert event.note == "导入 代表名册.xlsx 第2行"
    assert event.changes["name"] == [None, "张建国"]


def test_importing_the_same_file_twice_changes_nothing_the_second_time(regions):
    deputies_import(actor=None, file=good_file(), filename="a.xlsx")
    before = counts()
    stamps = dict(Deputy.objects.values_list("pk", "updated_at"))

    result = deputies_import(actor=None, file=good_file(), filename="a.xlsx")

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert counts() == before
    assert dict(Deputy.objects.values_list("pk", "updated_at")) == stamps


def test_a_changed_row_updates_the_deputy_and_records_old_and_new_values(regions):
    deputies_import(actor=None, file=good_file(), filename="a.xlsx")
    changed = xlsx([deputy_row(**{"手机号": "13957219999", "状态": "辞职"})])

    result = deputies_import(actor=None, file=changed, filename="b.xlsx")

    assert (result.created, result.updated) == (0, 1)
    zhang = Deputy.objects.get(id_number=ZHANG)
    assert zhang.phone == "13957219999"
    assert zhang.mandates.get(level=MandateLevel.COUNTY).status == MandateStatus.RESIGNED
    # The township mandate is not in the sheet and is left alone.
    assert zhang.mandates.get(level=MandateLevel.TOWNSHIP).status == MandateStatus.SERVING
    update = AuditEvent.objects.get(action="deputy.update")
    assert update.changes == {"phone": ["139****1234", "139****9999"]}  # masked when written (core.audit)
    assert AuditEvent.objects.get(action="mandate.update").changes == {"status": ["serving", "resigned"]}


def test_a_column_left_out_of_the_sheet_leaves_that_field_alone(regions):
    deputies_import(actor=None, file=good_file(), filename="a.xlsx")
    keep = ["姓名", "身份证号", "代表层级", "人大所在区划代码", "届次"]
    slim = xlsx([["张建国", ZHANG, "县级", "330521000000", 17]], headers=keep)

    result = deputies_import(actor=None, file=slim, filename="b.xlsx")

    assert result.unchanged == 1
    zhang = Deputy.objects.get(id_number=ZHANG)
    assert zhang.phone == "13957211234" and zhang.specialties == ["企业管理", "法律"]


def test_a_bad_sheet_is_rejected_with_every_error_and_nothing_is_written(regions):
    before = counts()
    bad = xlsx(
        [
            deputy_row(),  # row 2: fine
            li_row(**{"身份证号": LI[:-1] + ("0" if LI[-1] != "0" else "1")}),  # row 3
            li_row(**{"身份证号": WANG, "姓名": "王强", "性别": "女", "出生日期": "1965-08-21"}),  # row 4
            li_row(**someone("315"), **{"代表层级": "县级"}),  # row 5: township as county
            li_row(**someone("333"), **{"人大所在区划代码": "330521999000"}),  # row 6
            deputy_row(**someone("355"), **{"选区区划代码": "330523000000"}),  # row 7
            deputy_row(),  # row 8: the same mandate as row 2
            deputy_row(**someone("377"), **{"届次": "下一届", "手机号": "123"}),  # row 9
        ]
    )

    with pytest.raises(ImportRejected) as info:
        deputies_import(actor=None, file=bad, filename="bad.xlsx")

    assert errors_of(info) == [
        "第3行 身份证号: 校验位错误",
        "第4行 性别: 与身份证号不符（身份证号显示为男）",
        "第4行 出生日期: 与身份证号不符（身份证号显示为1965-08-20）",
        "第5行 人大所在区划代码: 县级代表的人大所在区划应为县/区，“乾元镇”是乡镇/街道",
        "第6行 人大所在区划代码: 区划代码不存在或不在您的管辖范围内",
        "第7行 选区区划代码: 选区应位于人大所在区划“德清县”之内，“安吉县”不在其中",
        "第8行 身份证号: 与第2行重复（同一人、同一层级、同一人大、同一届次）",
        "第9行 手机号: 不是有效的手机号或固定电话（如 13812345678、0572-8012345），实为“123”",
        "第9行 届次: 届次应为数字，如 17 或 第十七届，实为“下一届”",
    ]
    assert info.value.message.startswith("文件未导入，共9处错误：第3行 身份证号: 校验位错误；")
    assert counts() == before


def test_an_id_number_that_excel_stored_as_a_number_is_explained(regions):
    with pytest.raises(ImportRejected) as info:
        deputies_import(actor=None, file=xlsx([deputy_row(**{"身份证号": int(ZHANG[:15]) * 1000})]), filename="a.xlsx")
    assert errors_of(info) == ["第2行 身份证号: 被 Excel 存成了数字，后几位已丢失；请把该列设为“文本”格式后重新录入"]


def test_rows_of_one_person_must_agree_on_personal_columns(regions):
    sheet = xlsx(
        [deputy_row(), deputy_row(**{"代表层级": "乡镇级", "人大所在区划代码": "330521001000", "姓名": "张健国"})]
    )
    with pytest.raises(ImportRejected) as info:
        deputies_import(actor=None, file=sheet, filename="a.xlsx")
    assert errors_of(info) == ["第3行 姓名: 与第2行（同一身份证号）不一致"]


def test_a_minor_cannot_be_imported_as_a_deputy(regions):
    child = make_id(f"{datetime.date.today().year - 10}0101", "231")
    with pytest.raises(ImportRejected) as info:
        deputies_import(actor=None, file=xlsx([deputy_row(**{"身份证号": child, "出生日期": None})]), filename="a.xlsx")
    assert errors_of(info) == ["第2行 身份证号: 未满18周岁，不能担任代表"]


def test_sex_and_birth_date_are_taken_from_the_id_number_when_left_blank(regions):
    deputies_import(actor=None, file=xlsx([li_row(**{"性别": None, "出生日期": None})]), filename="a.xlsx")
    li = Deputy.objects.get(id_number=LI)
    assert (li.gender, li.birth_date) == ("female", datetime.date(1982, 3, 3))


def test_missing_required_columns_are_reported_on_row_1(regions):
    headers = [h for h in HEADERS if h not in ("身份证号", "届次")]
    with pytest.raises(ImportRejected) as info:
        deputies_import(actor=None, file=xlsx([["张建国"] * len(headers)], headers=headers), filename="a.xlsx")
    assert errors_of(info) == ["第1行 身份证号: 缺少该列", "第1行 届次: 缺少该列"]


def test_a_csv_saved_in_gb18030_by_chinese_excel_imports(regions):
    lines = [",".join(HEADERS)]
    for row in (deputy_row(), li_row()):
        lines.append(
            ",".join("" if v is None else (f"{v:%Y-%m-%d}" if isinstance(v, datetime.date) else str(v)) for v in row)
        )
    data = "\r\n".join(lines).encode("gb18030")

    result = deputies_import(actor=None, file=data, filename="代表名册.csv")

    assert result.created == 2
    assert Deputy.objects.get(id_number=LI).name == "李秀英"
    assert Mandate.objects.get(deputy__id_number=LI).term == 18


def test_township_staff_cannot_import_a_deputy_into_another_township(personas, regions):
    before = counts()
    with pytest.raises(ImportRejected) as info:
        deputies_import(actor=personas.township_staff, file=xlsx([li_row()]), filename="a.xlsx")
    # 乾元镇 exists, but is reported exactly like a code that does not.
    assert errors_of(info) == [
        "第2行 居住村社区代码: 区划代码不存在或不在您的管辖范围内",
        "第2行 人大所在区划代码: 区划代码不存在或不在您的管辖范围内",
        "第2行 选区区划代码: 区划代码不存在或不在您的管辖范围内",
    ]
    assert counts() == before


def test_township_staff_imports_deputies_of_their_own_township(personas, regions):
    row = deputy_row(**{"代表层级": "乡镇级", "人大所在区划代码": "330521001000", "选区区划代码": "330521001001"})
    result = deputies_import(actor=personas.township_staff, file=xlsx([row]), filename="a.xlsx")
    assert result.created == 1
    imported = AuditEvent.objects.filter(action__in=["deputy.create", "mandate.create"])
    assert imported.count() == 2
    assert set(imported.values_list("actor", flat=True)) == {personas.township_staff.pk}


def test_county_staff_may_not_reach_a_county_congress_with_township_scope(personas, regions):
    with pytest.raises(ImportRejected) as info:
        deputies_import(actor=personas.township_staff, file=xlsx([deputy_row()]), filename="a.xlsx")
    assert errors_of(info) == ["第2行 人大所在区划代码: 区划代码不存在或不在您的管辖范围内"]


def test_a_deputy_registered_outside_the_actors_scope_cannot_be_overwritten(personas, regions):
    deputies_import(actor=None, file=xlsx([li_row()]), filename="a.xlsx")
    row = li_row(**{"人大所在区划代码": "330521001000", "选区区划代码": "", "居住村社区代码": "", "姓名": "改名"})
    with pytest.raises(ImportRejected) as info:
        deputies_import(actor=personas.township_staff, file=xlsx([row]), filename="a.xlsx")
    assert errors_of(info) == ["第2行 身份证号: 该身份证号已由其他辖区登记为代表，请联系上级人大工作人员处理"]
    assert Deputy.objects.get(id_number=LI).name == "李秀英"


def test_users_without_the_registry_permission_cannot_import_at_all(personas, regions):
    for user in (personas.deputy, personas.place_staff, personas.no_role):
        with pytest.raises(PermissionDenied):
            deputies_import(actor=user, file=good_file(), filename="a.xlsx")
    assert Deputy.objects.count() == 0


def test_an_export_imports_back_without_changes(regions):
    deputies_import(actor=None, file=good_file(), filename="a.xlsx")
    before = counts()

    exported = deputies_export_xlsx(Deputy.objects.all())
    result = deputies_import(actor=None, file=exported, filename="export.xlsx")

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert counts() == before
    sheet = openpyxl.load_workbook(io.BytesIO(exported)).active
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet.max_row == 4  # header + three mandates
    assert sheet.freeze_panes == "A2"


def test_an_edited_export_imports_into_an_empty_database_identically(regions):
    deputies_import(actor=None, file=good_file(), filename="a.xlsx")
    exported = deputies_export_xlsx(Deputy.objects.all())
    snapshot = sorted(Mandate.objects.values_list("deputy__id_number", "level", "congress_region", "term", "status"))
    Deputy.objects.all().delete()

    deputies_import(actor=None, file=exported, filename="export.xlsx")

    assert sorted(Mandate.objects.values_list("deputy__id_number", "level", "congress_region", "term", "status")) == (
        snapshot
    )


# --- grid workers ------------------------------------------------------------------------------------

WORKER_HEADERS = ["姓名", "性别", "身份证号", "手机号", "网格编码", "结对代表身份证号"]
WORKER_ID = make_id("19880808", "426")


@pytest.fixture
def grids(regions):
    deputies_import(actor=None, file=good_file(), filename="a.xlsx")
    return (
        Grid.objects.create(region=regions.jueren, code="330521001001-01", name="居仁社区第1网格"),
        Grid.objects.create(region=regions.chengdong, code="330521101001-01", name="城东村第1网格"),
    )


def test_grid_workers_are_imported_with_their_deputy_pairings(grids, regions):
    audit_before = AuditEvent.objects.count()
    data = xlsx(
        [
            ["陈丽", "", WORKER_ID, "13757201234", "330521001001-01", f"{ZHANG}、{LI}"],
            ["周明", "男", "", "13757205678", "330521101001-01", ""],
        ],
        headers=WORKER_HEADERS,
    )

    result = grid_workers_import(actor=None, file=data, filename="网格员.xlsx")

    assert (result.created, result.updated) == (2, 0)
    chen = GridWorker.objects.get(phone="13757201234")
    assert chen.gender == "female" and chen.id_number == WORKER_ID and chen.grid == grids[0]
    assert set(chen.deputy_pairings.values_list("deputy__id_number", flat=True)) == {ZHANG, LI}
    assert GridWorker.objects.get(phone="13757205678").deputy_pairings.count() == 0
    new_events = AuditEvent.objects.exclude(action__startswith="deputy").exclude(action__startswith="mandate")
    assert (
        sorted(new_events.values_list("action", flat=True))
        == ["grid_worker.create"] * 2 + ["grid_worker_pairing.create"] * 2
    )
    assert AuditEvent.objects.count() == audit_before + 4

    again = grid_workers_import(actor=None, file=data, filename="网格员.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert AuditEvent.objects.count() == audit_before + 4


def test_a_pairing_left_out_of_the_sheet_is_removed(grids):
    first = xlsx(
        [["陈丽", "女", WORKER_ID, "13757201234", "330521001001-01", f"{ZHANG}、{LI}"]], headers=WORKER_HEADERS
    )
    grid_workers_import(actor=None, file=first, filename="a.xlsx")
    second = xlsx([["陈丽", "女", WORKER_ID, "13757201234", "330521001001-01", ZHANG]], headers=WORKER_HEADERS)

    result = grid_workers_import(actor=None, file=second, filename="b.xlsx")

    assert result.updated == 1
    assert list(GridWorkerPairing.objects.values_list("deputy__id_number", flat=True)) == [ZHANG]
    assert AuditEvent.objects.filter(action="grid_worker_pairing.delete").count() == 1


def test_a_bad_grid_worker_sheet_is_rejected_and_nothing_is_written(grids):
    before = (GridWorker.objects.count(), GridWorkerPairing.objects.count(), AuditEvent.objects.count())
    data = xlsx(
        [
            ["陈丽", "男", WORKER_ID, "13757201234", "330521001001-01", ""],
            ["周明", "", "", "13757205678", "没有这个网格", ""],
            ["吴刚", "", "", "13757201234", "330521001001-01", make_id("19900101", "999")],
        ],
        headers=WORKER_HEADERS,
    )
    with pytest.raises(ImportRejected) as info:
        grid_workers_import(actor=None, file=data, filename="a.xlsx")
    assert errors_of(info) == [
        "第2行 性别: 与身份证号不符（身份证号显示为女）",
        "第3行 网格编码: 网格编码不存在或不在您的管辖范围内",
        "第4行 手机号: 与第2行重复（同一网格、同一手机号）",
        "第4行 结对代表身份证号: 第1项：未找到该身份证号的代表，或不在您的管辖范围内",
    ]
    assert (GridWorker.objects.count(), GridWorkerPairing.objects.count(), AuditEvent.objects.count()) == before


def test_township_staff_cannot_import_grid_workers_into_another_townships_grid(grids, personas):
    data = xlsx([["周明", "男", "", "13757205678", "330521101001-01", ""]], headers=WORKER_HEADERS)
    with pytest.raises(ImportRejected) as info:
        grid_workers_import(actor=personas.township_staff, file=data, filename="a.xlsx")
    assert errors_of(info) == ["第2行 网格编码: 网格编码不存在或不在您的管辖范围内"]
    assert GridWorker.objects.count() == 0


def test_grid_workers_export_imports_back_without_changes(grids):
    data = xlsx([["陈丽", "女", WORKER_ID, "13757201234", "330521001001-01", f"{ZHANG}、{LI}"]], headers=WORKER_HEADERS)
    grid_workers_import(actor=None, file=data, filename="a.xlsx")
    audit_before = AuditEvent.objects.count()

    exported = grid_workers_export_xlsx(GridWorker.objects.all())
    result = grid_workers_import(actor=None, file=exported, filename="export.xlsx")

    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert AuditEvent.objects.count() == audit_before
    sheet = openpyxl.load_workbook(io.BytesIO(exported)).active
    assert [cell.value for cell in sheet[1]][:6] == WORKER_HEADERS
    assert sheet["G2"].value == "居仁社区第1网格"


# --- other exports -----------------------------------------------------------------------------------


def test_groups_and_duty_shifts_export_with_chinese_headers(grids, regions):
    zhang = Deputy.objects.get(id_number=ZHANG)
    place = Place.objects.create(kind=PlaceKind.HOME, name="武康街道代表之家", region=regions.wukang)
    group = DeputyGroup.objects.create(
        kind=GroupKind.PROFESSIONAL, name="法制小组", region=regions.deqing, leader=zhang
    )
    group.members.add(zhang, Deputy.objects.get(id_number=LI))
    DutyShift.objects.create(
        place=place,
        deputy=zhang,
        date=datetime.date(2026, 3, 3),
        start_time=datetime.time(9),
        end_time=datetime.time(11),
    )

    groups = openpyxl.load_workbook(io.BytesIO(groups_export_xlsx(DeputyGroup.objects.all()))).active
    assert [cell.value for cell in groups[1]][:3] == ["名称", "类型", "所属区划代码"]
    assert [cell.value for cell in groups[2]][:3] == ["法制小组", "专业代表小组", "330521000000"]
    assert groups[2][8].value == 2 and groups[2][9].value == "张建国、李秀英"

    shifts = openpyxl.load_workbook(io.BytesIO(duty_shifts_export_xlsx(DutyShift.objects.all()))).active
    assert [cell.value for cell in shifts[1]] == [
        "日期",
        "开始时间",
        "结束时间",
        "家站室",
        "所在区划",
        "接待代表",
        "备注",
    ]
    assert shifts["A2"].value == datetime.datetime(2026, 3, 3)
    assert shifts["B2"].value == datetime.time(9) and shifts["D2"].value == "武康街道代表之家"


# --- management commands -----------------------------------------------------------------------------


def test_import_deputies_command_prints_the_counts(regions, tmp_path, capsys):
    path = tmp_path / "代表名册.xlsx"
    path.write_bytes(good_file())
    call_command("import_deputies", str(path))
    assert "新增 2 名代表，更新 0 名代表，未变 0 名代表" in capsys.readouterr().out
    assert Deputy.objects.count() == 2


def test_import_deputies_command_fails_with_every_error_line(regions, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx([li_row(**{"身份证号": LI[:-1] + ("0" if LI[-1] != "0" else "1")}), li_row(**{"届次": "x"})]))
    with pytest.raises(CommandError) as info:
        call_command("import_deputies", str(path))
    lines = str(info.value).splitlines()
    assert lines == [
        "文件未导入，共2处错误：",
        "第2行 身份证号: 校验位错误",
        "第3行 届次: 届次应为数字，如 17 或 第十七届，实为“x”",
    ]
    assert Deputy.objects.count() == 0


def test_import_commands_take_a_user_whose_scope_applies(personas, tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(xlsx([li_row()]))
    with pytest.raises(CommandError, match="区划代码不存在或不在您的管辖范围内"):
        call_command("import_deputies", str(path), "--user", "township_staff")
    with pytest.raises(CommandError, match="账号不存在"):
        call_command("import_deputies", str(path), "--user", "nobody")
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_deputies", str(tmp_path / "missing.xlsx"))


def test_import_grid_workers_command_imports(grids, tmp_path, capsys):
    path = tmp_path / "网格员.csv"
    path.write_bytes(
        ("姓名,手机号,网格编码,结对代表身份证号\n陈丽,13757201234,330521001001-01," + ZHANG + "\n").encode("gb18030")
    )
    call_command("import_grid_workers", str(path))
    assert "新增 1 名网格员" in capsys.readouterr().out
    assert GridWorkerPairing.objects.get().deputy.id_number == ZHANG


@pytest.mark.parametrize("kind", ["regions", "grids", "deputies", "grid_workers", "groups", "places", "duty_shifts"])
def test_export_list_command_writes_every_kind(grids, tmp_path, kind, capsys):
    out = tmp_path / f"{kind}.xlsx"
    call_command("export_list", kind, str(out))
    assert "已导出" in capsys.readouterr().out
    sheet = openpyxl.load_workbook(out).active
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])


def test_export_list_deputies_reimports_through_the_import_command(grids, tmp_path, capsys):
    out = tmp_path / "deputies.xlsx"
    call_command("export_list", "deputies", str(out), "--region", "330521101000")
    assert openpyxl.load_workbook(out).active.max_row == 2  # only 李秀英's township mandate lies in 乾元镇
    call_command("import_deputies", str(out))
    assert "新增 0 名代表，更新 0 名代表，未变 1 名代表" in capsys.readouterr().out


def test_formula_text_in_an_imported_deputy_sheet_exports_as_inert_text(regions):
    """Typed into a CSV (or after a ' in Excel) the text arrives as it is; the export must not make it live."""
    formula = '=HYPERLINK("http://evil.example";"点击")'
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    cells = deputy_row(**{"工作单位及职务": formula, "职业": "@SUM(1)"})
    writer.writerow(["" if v is None else (f"{v:%Y-%m-%d}" if isinstance(v, datetime.date) else v) for v in cells])
    deputies_import(actor=None, file=buffer.getvalue().encode(), filename="代表名册.csv")
    assert Deputy.objects.get().employer == formula

    sheet = openpyxl.load_workbook(io.BytesIO(deputies_export_xlsx(Deputy.objects.all()))).active
    row = dict(zip(HEADERS, sheet[2], strict=True))
    assert (row["工作单位及职务"].value, row["工作单位及职务"].data_type) == ("'" + formula, "s")
    assert row["职业"].value == "'@SUM(1)"
    assert all(cell.data_type != "f" for cell in sheet[2])
