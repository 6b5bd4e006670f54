"""Exported .xlsx columns are wide enough for what they show: dates and times for their number format (Excel
shows ######## in a date cell too narrow for it), Chinese text counted two columns a character."""

import datetime
import io

import openpyxl
import pytest

from lianxin.core import tabular
from lianxin.core.tabular import Column, Date, Integer, Parser, Text, Time, write_xlsx


class Stamp(Parser):
    """A date and time column as the ledger writes it (lianxin.cases.reports.DateTimeCell)."""

    number_format = "yyyy-mm-dd hh:mm"


class ChineseDate(Parser):
    number_format = "yyyy年m月d日"


COLUMNS = [
    Column("登记时间", "registered_at", parse=Stamp()),
    Column("销号时间", "closed_at", parse=Stamp()),
    Column("答复时限", "reply_due", parse=Date()),
    Column("约定", "agreed", parse=ChineseDate()),
    Column("接待时间", "at", parse=Time()),
    Column("所在区划", "region", parse=Text()),
    Column("件数", "count", parse=Integer()),
    Column("原始", "raw", parse=Parser()),  # no format of its own
]
T = datetime.datetime(2026, 12, 31, 23, 59)


def _widths(data: bytes) -> dict[str, float]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return {
        sheet.cell(1, i).value: sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width
        for i in range(1, len(COLUMNS) + 1)
    }


def _shown(data: bytes) -> dict[str, str]:
    """The header → number format of the last row's cells, as Excel will display them."""
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    last = sheet.max_row
    return {sheet.cell(1, i).value: sheet.cell(last, i).number_format for i in range(1, len(COLUMNS) + 1)}


@pytest.fixture
def rows():
    first = {"registered_at": T, "reply_due": T.date(), "region": "浙江省湖州市德清县武康街道", "count": 3}
    # Closed, agreed and timed only further down than the rows the widths are sampled from.
    later = {**first, "closed_at": T, "agreed": T.date(), "at": datetime.time(9, 30), "raw": T}
    return [first, first, later]


def test_date_and_time_columns_fit_their_number_format_even_when_the_sampled_rows_are_empty(rows, monkeypatch):
    monkeypatch.setattr(tabular, "WIDTH_SAMPLE_ROWS", 2)

    data = write_xlsx(COLUMNS, rows)

    widths, formats = _widths(data), _shown(data)
    assert formats["登记时间"] == formats["销号时间"] == "yyyy-mm-dd hh:mm"
    assert widths["登记时间"] >= len("2026-12-31 23:59") + 1  # was 12: ########
    assert widths["销号时间"] >= len("2026-12-31 23:59") + 1  # empty in the sampled rows
    assert widths["答复时限"] >= len("2026-12-31") + 1
    assert widths["约定"] >= len("2026") + 2 * 3 + 2 + 2 + 1  # 2026年12月31日: three Chinese characters
    assert widths["接待时间"] >= len("09:30") + 1


def test_a_datetime_in_a_column_without_a_format_fits_openpyxls_default_format(rows):
    data = write_xlsx(COLUMNS, rows)

    assert _shown(data)["原始"] == "yyyy-mm-dd h:mm:ss"
    assert _widths(data)["原始"] >= len("2026-12-31 23:59:59") + 1


def test_chinese_text_counts_two_columns_a_character_and_widths_stay_bounded(rows):
    rows[0]["region"] = "德" * 40

    widths = _widths(write_xlsx(COLUMNS, rows))

    assert widths["所在区划"] == 50  # capped: the text wraps rather than pushing the sheet wide
    assert widths["件数"] < 10  # a number column stays narrow
    short = _widths(write_xlsx(COLUMNS, [{"region": "浙江省湖州市德清县武康街道"}]))["所在区划"]
    assert short == 2 * 13 + 2


@pytest.mark.parametrize(
    ("number_format", "width"),
    [
        ("yyyy-mm-dd", 10),
        ("yyyy-mm-dd hh:mm", 16),
        ("hh:mm", 5),
        ("yyyy年m月d日", 14),
        ('yyyy"年"m"月"', 10),
        ("[Red]yyyy-mm-dd", 10),
        ("@", 0),
        (None, 0),
    ],
)
def test_the_width_a_number_format_shows(number_format, width):
    assert tabular._format_width(number_format) == width
