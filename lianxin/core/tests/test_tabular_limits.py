"""Imports refuse what would exhaust memory before parsing it: a sheet declared (or written) far wider or longer than
any roster, an archive that unpacks too large; and the rows are streamed, never held whole."""

import csv
import io
import tracemalloc
import zipfile

import openpyxl
import pytest

from lianxin.core import tabular
from lianxin.core.tabular import MAX_COLUMNS, Column, FileRejected, Phone, read_sheet

COLUMNS = [Column("姓名", "name", required=True), Column("手机号", "phone", parse=Phone())]
TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}" Target="{target}"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="名册" sheetId="1" r:id="rId1"/></sheets></workbook>'
)


def crafted_xlsx(rows: list[str], dimension: str | None, extra: dict[str, str] | None = None) -> bytes:
    """An .xlsx written by hand, as an attacker would: whatever <dimension> and cells it likes."""
    cell = '<c r="{}" t="inlineStr"><is><t>{}</t></is></c>'
    header = f'<row r="1">{cell.format("A1", "姓名")}{cell.format("B1", "手机号")}</row>'
    body = header + "".join(
        f'<row r="{n}">{cell.format(ref + str(n), "x")}</row>' for n, ref in enumerate(rows, start=2)
    )
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet '
        f'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{declared}<sheetData>{body}</sheetData>'
        "</worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", TYPES)
        archive.writestr("_rels/.rels", RELS.format(kind="officeDocument", target="xl/workbook.xml"))
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", RELS.format(kind="worksheet", target="worksheets/sheet1.xml"))
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, text in (extra or {}).items():
            archive.writestr(name, text)
    return out.getvalue()


def peak_of(read) -> tuple[object, int]:
    tracemalloc.start()
    try:
        try:
            result: object = read()
        except FileRejected as error:
            result = error
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_small_xlsx_declaring_a_huge_width_is_refused_before_any_row_is_read():
    data = crafted_xlsx(["XFD"] * 400, "A1:XFD401")
    assert len(data) < 10_000
    result, peak = peak_of(lambda: read_sheet(file=data, filename="名册.xlsx", columns=COLUMNS))
    assert isinstance(result, FileRejected)
    assert f"超过{MAX_COLUMNS}列的上限" in result.message and "16384列" in result.message
    # Before the fix every row became 16,384 values: 400 rows took ~50 MB here (1.3 GB for the reported file).
    assert peak < 5 * 2**20


def test_rows_that_reach_far_columns_without_a_declared_size_are_read_at_most_the_cap_wide():
    data = crafted_xlsx(["XFD"] * 400, None)
    result, peak = peak_of(lambda: read_sheet(file=data, filename="名册.xlsx", columns=COLUMNS))
    # Nothing within the first MAX_COLUMNS columns: the file holds no data, and memory stayed small.
    assert isinstance(result, FileRejected) and "没有数据" in result.message
    assert peak < 5 * 2**20


def test_a_sheet_declaring_more_rows_than_the_limit_is_refused_naming_the_limit():
    data = crafted_xlsx(["A"], "A1:B1048576")
    with pytest.raises(FileRejected) as refused:
        read_sheet(file=data, filename="名册.xlsx", columns=COLUMNS, max_rows=100)
    assert "1048576行" in refused.value.message and "100010行的上限" in refused.value.message


def test_a_sheet_with_more_rows_than_the_limit_is_refused_while_streaming_even_if_blank(monkeypatch):
    monkeypatch.setattr(tabular, "MIN_SHEET_ROWS", 50)
    data = crafted_xlsx(["ZZ"] * 100, None)  # rows whose one cell is past the column cap: blank to the import
    with pytest.raises(FileRejected) as refused:
        read_sheet(file=data, filename="名册.xlsx", columns=COLUMNS, max_rows=10)
    assert "超过60行（含空行）" in refused.value.message


def test_an_archive_part_read_whole_is_refused_by_its_unpacked_size(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_PART_BYTES", 1000)
    data = crafted_xlsx(["A"], "A1:B2", extra={"xl/sharedStrings.xml": "<sst>" + "x" * 5000 + "</sst>"})
    with pytest.raises(FileRejected) as refused:
        read_sheet(file=data, filename="名册.xlsx", columns=COLUMNS)
    assert "xl/sharedStrings.xml" in refused.value.message and "解压后超过" in refused.value.message


def test_an_ordinary_roster_still_reads_with_its_row_numbers():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["德清县代表名册"])
    sheet.append(["序号", "姓名", "手机号"])
    sheet.append([1, "沈建国", "13800001111"])
    sheet.append([None, None, None])
    sheet.append([2, "陆小芳", "13900002222"])
    out = io.BytesIO()
    workbook.save(out)
    read = read_sheet(file=out.getvalue(), filename="名册.xlsx", columns=COLUMNS)
    assert [(row.number, row.values) for row in read.rows] == [
        (3, {"name": "沈建国", "phone": "13800001111"}),
        (5, {"name": "陆小芳", "phone": "13900002222"}),
    ]


def test_a_csv_row_wider_than_the_cap_is_cut_to_the_cap():
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "手机号"])
    writer.writerow(["沈建国", "13800001111", *(["x"] * 50_000)])
    read = read_sheet(file=out.getvalue().encode(), filename="名册.csv", columns=COLUMNS)
    assert read.rows[0].values == {"name": "沈建国", "phone": "13800001111"}
