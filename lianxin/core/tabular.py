"""Spreadsheets in and out: .xlsx/.csv sheets with Chinese headers, read into typed rows, written back.

The shape of every import:

    COLUMNS = [Column("姓名", "name", required=True), Column("手机号", "phone", parse=Phone()), ...]
    sheet = read_sheet(file=file, filename=filename, columns=COLUMNS)   # every cell parsed
    for row in sheet.rows:                                               # domain checks
        if ...: sheet.error(row, "phone", "与第3行重复")
    sheet.raise_if_errors()                                              # ImportRejected, nothing written
    with transaction.atomic(): ...                                       # write

Rules a township clerk can rely on:
- Row numbers are the spreadsheet's own: the header is row 1 (or the first row that holds a known
  header, when the sheet has a title row above it), the first data row is row 2.
- Headers match when they differ only by spaces, line breaks, full-width characters, a "*" marking a
  required column, or a hint in parentheses ("性别（男/女）").
- Columns the import does not know (序号, 备注 …) are ignored. A column missing from the sheet leaves
  that field alone on update; a required column missing is an error on the header row.
- Blank rows are skipped. Every error in the whole file is reported, then nothing is written.
- `write_xlsx` writes the same headers, so an export can be edited and imported back.
"""

import contextlib
import csv
import datetime
import io
import itertools
import re
import time
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import openpyxl
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from lianxin.core.errors import DomainError, ImportRejected, RowError
from lianxin.core.phones import PhoneInvalid, phone_normalize

MAX_FILE_BYTES = 10 * 1024 * 1024
# An .xlsx is a zip: refuse archives that would unpack to far more than any real roster.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# Parts that openpyxl reads whole (shared strings, styles), unlike worksheets, which are streamed row by row.
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_DATA_ROWS = 20_000
# Columns read from a sheet. openpyxl pads each row to its last cell's column: rows reaching column XFD (16,384)
# turned a 2.8 KB file into 1.3 GB. No roster has more than a few dozen columns.
MAX_COLUMNS = 200
# Rows a sheet may declare or hold, blank rows included (templates are often formatted far below their data).
MIN_SHEET_ROWS = 100_000
# How far down a title or note above the header may push it.
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class ImportResult:
    """What an import did, counted in the things a clerk thinks of (people, places), not table rows."""

    created: int
    updated: int
    unchanged: int = 0

    def __str__(self) -> str:
        return f"新增 {self.created} 条，更新 {self.updated} 条，未变 {self.unchanged} 条"


class FileRejected(DomainError):
    """The file as a whole cannot be read (format, size, encoding): no row-level errors to list."""

    def __init__(self, message: str) -> None:
        super().__init__("import_file_rejected", message)


class CellError(ValueError):
    """Raised by a parser: `message` says what is wrong with the cell, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------------------------------
# Parsers: a callable that receives a non-empty cell value (str from CSV; str, int, float, bool,
# datetime from xlsx) and returns the value or raises CellError. `render` turns a stored value back into
# a cell that the same parser accepts, for exports.


def _clean_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 17.0 from a cell typed as a number
    return str(value).strip().strip("\u200b\ufeff").strip()


def _ascii_text(value: Any) -> str:
    """Digits and Latin letters typed in full-width (１３８…) as ASCII, all whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", _clean_text(value)).split())


class Parser:
    # Written as text in exports so that Excel keeps leading zeros and all 18 digits.
    excel_text = False
    number_format: str | None = None

    def __call__(self, value: Any) -> Any:
        return value

    def render(self, value: Any) -> Any:
        return value

    def options(self) -> list[str] | None:
        """The allowed labels, for a drop-down list in the exported sheet."""
        return None


class Text(Parser):
    excel_text = True

    def __init__(self, max_length: int | None = None) -> None:
        self.max_length = max_length

    def __call__(self, value: Any) -> str:
        text = unescape_formula(_clean_text(value))
        if self.max_length is not None and len(text) > self.max_length:
            raise CellError(f"不能超过{self.max_length}个字，实为{len(text)}个字")
        return text


class Digits(Parser):
    """A code made of digits (区划代码). Codes may be given shortened: 330521 means 330521000000."""

    excel_text = True

    def __init__(self, length: int, label: str, shorter: Sequence[int] = ()) -> None:
        self.length, self.label, self.shorter = length, label, tuple(shorter)

    def __call__(self, value: Any) -> str:
        text = _ascii_text(value)
        if text.isdigit() and len(text) in self.shorter:
            text = text.ljust(self.length, "0")
        if not (text.isdigit() and len(text) == self.length):
            raise CellError(f"{self.label}应为{self.length}位数字，实为“{_clean_text(value)}”")
        return text


class Phone(Parser):
    """A mainland mobile number (1[3-9] and 9 digits) or a landline with area code (0572-8012345)."""

    excel_text = True

    def __init__(self, mobile_only: bool = False) -> None:
        self.mobile_only = mobile_only

    def __call__(self, value: Any) -> str:
        try:
            return phone_normalize(_clean_text(value), mobile_only=self.mobile_only)
        except PhoneInvalid as exc:
            raise CellError(f"{exc}，实为“{_clean_text(value)}”") from None


DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


class Date(Parser):
    """A date cell, or text like 2024-01-05, 2024/1/5, 2024.1.5, 2024年1月5日, 20240105."""

    number_format = "yyyy-mm-dd"

    def __init__(self, allow_future: bool = True) -> None:
        self.allow_future = allow_future

    def __call__(self, value: Any) -> datetime.date:
        day = self._parse(value)
        if not self.allow_future and day > datetime.date.today():
            raise CellError(f"不能晚于今天，实为{day:%Y-%m-%d}")
        return day

    def _parse(self, value: Any) -> datetime.date:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            # A date cell formatted as "General" shows its serial number (45296 = 2024-01-05).
            if 1 <= value < 2958466:
                return from_excel(value).date()
            raise CellError(f"不是有效的日期，实为“{value}”")
        # "2024-01-05 00:00:00" is how a date cell comes out of some CSV exports.
        text = _ascii_text(re.sub(r"\s+\d{1,2}:\d{2}(:\d{2})?$", "", _clean_text(value)))
        match = DATE_RE.fullmatch(text) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
        if not match:
            raise CellError(f"日期格式应为 2024-01-05，实为“{_clean_text(value)}”")
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            raise CellError(f"日期不存在：“{_clean_text(value)}”") from None


TIME_RE = re.compile(r"(\d{1,2})(?:[:：点时])(\d{1,2})?分?")


class Time(Parser):
    """A time cell, or text like 9:00, 09:30, 9点, 9点30."""

    number_format = "hh:mm"

    def __call__(self, value: Any) -> datetime.time:
        if isinstance(value, datetime.datetime):
            return value.time()
        if isinstance(value, datetime.time):
            return value
        if isinstance(value, float) and 0 <= value < 1:
            minutes = round(value * 24 * 60)  # a time cell formatted as "General" is a fraction of a day
            return datetime.time(minutes // 60, minutes % 60)
        text = _clean_text(value)
        match = TIME_RE.fullmatch(text.replace(" ", "")) or re.fullmatch(r"(\d{1,2}):(\d{2}):\d{2}", text)
        if match:
            hour, minute = int(match.group(1)), int(match.group(2) or 0)
            if hour < 24 and minute < 60:
                return datetime.time(hour, minute)
        raise CellError(f"时间格式应为 9:00，实为“{text}”")


class Integer(Parser):
    def __init__(self, min_value: int | None = None, max_value: int | None = None) -> None:
        self.min_value, self.max_value = min_value, max_value

    def __call__(self, value: Any) -> int:
        if isinstance(value, bool):
            raise CellError(f"应为整数，实为“{value}”")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = _ascii_text(value).replace(",", "")
        if not re.fullmatch(r"[-+]?\d+", text):
            raise CellError(f"应为整数，实为“{_clean_text(value)}”")
        number = int(text)
        _check_range(number, self.min_value, self.max_value)
        return number


class Number(Parser):
    def __init__(self, min_value: float | None = None, max_value: float | None = None) -> None:
        self.min_value, self.max_value = min_value, max_value

    def __call__(self, value: Any) -> float:
        if isinstance(value, bool):
            raise CellError(f"应为数字，实为“{value}”")
        try:
            number = float(value if isinstance(value, int | float) else _ascii_text(value))
        except ValueError:
            raise CellError(f"应为数字，实为“{_clean_text(value)}”") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise CellError(f"应为数字，实为“{_clean_text(value)}”")
        _check_range(number, self.min_value, self.max_value)
        return number


def _check_range(number: float, low: float | None, high: float | None) -> None:
    if low is not None and high is not None and not low <= number <= high:
        raise CellError(f"应在{low:g}到{high:g}之间，实为{number:g}")
    if low is not None and number < low:
        raise CellError(f"不能小于{low:g}，实为{number:g}")
    if high is not None and number > high:
        raise CellError(f"不能大于{high:g}，实为{number:g}")


def _choice_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


class Choice(Parser):
    """One of a fixed set: accepts the Chinese label (男) or the code value (male); stores the value.

    `choices` is a Django TextChoices class or (value, label) pairs; `aliases` maps other words people
    write to a value ({"女性": "female"}).
    """

    def __init__(self, choices: Any, aliases: Mapping[str, str] | None = None) -> None:
        pairs = list(choices.choices if hasattr(choices, "choices") else choices)
        self.labels = {value: str(label) for value, label in pairs}
        self.lookup: dict[str, str] = {}
        for value, label in pairs:
            self.lookup[_choice_key(str(label))] = value
            self.lookup[_choice_key(value)] = value
        for word, value in (aliases or {}).items():
            self.lookup[_choice_key(word)] = value

    def __call__(self, value: Any) -> str:
        text = _clean_text(value)
        found = self.lookup.get(_choice_key(text))
        if found is None:
            raise CellError(f"应为 {'/'.join(self.labels.values())} 之一，实为“{text}”")
        return found

    def render(self, value: Any) -> str:
        return self.labels.get(value, value or "")

    def options(self) -> list[str]:
        return list(self.labels.values())


class Boolean(Parser):
    TRUE = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "对"})
    FALSE = frozenset({"否", "n", "no", "false", "0", "×", "✗", "不是"})

    def __call__(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = _choice_key(_clean_text(value))
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise CellError(f"应为 是/否，实为“{_clean_text(value)}”")

    def render(self, value: Any) -> str:
        return "是" if value else "否"

    def options(self) -> list[str]:
        return ["是", "否"]


LIST_SEPARATORS = re.compile(r"[、，,;；\n]+")


class ListOf(Parser):
    """Several values in one cell, separated by 、，,;； or line breaks; each item parsed by `item`."""

    excel_text = True

    def __init__(self, item: Callable[[Any], Any] | None = None, max_items: int | None = None) -> None:
        self.item = item or Text()
        self.max_items = max_items

    def __call__(self, value: Any) -> list[Any]:
        parts = [part.strip() for part in LIST_SEPARATORS.split(_clean_text(value))]
        parts = [part for part in parts if part]
        if self.max_items is not None and len(parts) > self.max_items:
            raise CellError(f"最多填写{self.max_items}项，实为{len(parts)}项")
        out: list[Any] = []
        for number, part in enumerate(parts, start=1):
            try:
                parsed = self.item(part)
            except CellError as exc:
                raise CellError(f"第{number}项“{part}”{exc.message}") from None
            if parsed not in out:
                out.append(parsed)
        return out

    def render(self, value: Any) -> str:
        render = getattr(self.item, "render", lambda v: v)
        return "、".join(str(render(v)) for v in value or [])


# --------------------------------------------------------------------------------------------------
# Columns and sheets


@dataclass(frozen=True)
class Column:
    header: str  # the Chinese header, as written in exports
    key: str  # the attribute the value goes to
    required: bool = False  # the column must be in the sheet and no cell may be blank
    parse: Callable[[Any], Any] = field(default_factory=Text)
    default: Any = ""  # the value of a blank cell in an optional column
    aliases: tuple[str, ...] = ()  # other headers accepted on import ("身份证号码")
    width: int | None = None  # export column width in characters; None = from the content

    def render(self, value: Any) -> Any:
        return getattr(self.parse, "render", lambda v: v)(value)


@dataclass
class Row:
    number: int  # the spreadsheet's own row number
    values: dict[str, Any]  # parsed values by column key; a cell that failed to parse is absent
    failed: set[str] = field(default_factory=set)  # keys of cells with an error

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def ok(self, *keys: str) -> bool:
        """True when none of these cells had an error (a check that needs them can run)."""
        return not any(key in self.failed for key in keys)


@dataclass
class Sheet:
    columns: Sequence[Column]
    rows: list[Row]
    present: frozenset[str]  # keys of the columns found in the sheet
    header_row: int = 1
    errors: list[RowError] = field(default_factory=list)

    def has(self, key: str) -> bool:
        return key in self.present

    def header(self, key: str) -> str:
        for column in self.columns:
            if column.key == key:
                return column.header
        return key

    def error(self, row: Row | int, key: str, message: str) -> None:
        """Record a problem in a cell; `key` is a column key (or a header for a whole-file problem)."""
        number = row.number if isinstance(row, Row) else row
        if isinstance(row, Row):
            row.failed.add(key)
        self.errors.append(RowError(number, self.header(key), message))

    def raise_if_errors(self) -> None:
        if self.errors:
            order = {column.header: index for index, column in enumerate(self.columns)}
            unique = dict.fromkeys(self.errors)  # the same problem found twice is listed once
            raise ImportRejected(sorted(unique, key=lambda e: (e.row, order.get(e.column, len(order)))))


def normalise_header(text: Any) -> str:
    """ "  手机号（必填）* " and "手机号(必填)" compare equal: NFKC, no whitespace, no "*" markers."""
    folded = unicodedata.normalize("NFKC", _clean_text(text) if text is not None else "")
    return "".join(folded.split()).strip("*")


def _without_hint(text: str) -> str:
    return re.sub(r"\([^()]*\)", "", text).strip("*")


def read_sheet(
    *,
    file: IO[bytes] | bytes | Path,
    filename: str,
    columns: Sequence[Column],
    max_rows: int = MAX_DATA_ROWS,
    max_bytes: int = MAX_FILE_BYTES,
) -> Sheet:
    """Read an .xlsx or .csv file and parse every cell. Cell errors are collected in `sheet.errors`
    (call `raise_if_errors` after the domain checks); an unreadable file raises FileRejected."""
    data = _read_bytes(file, max_bytes)
    suffix = Path(filename).suffix.lower()
    # Rows are streamed into parse_rows: only parsed values are kept, never the raw sheet.
    raw_rows: Generator[Sequence[Any], None, None]
    if suffix == ".xlsx" or (suffix == "" and data[:2] == b"PK"):
        raw_rows = _xlsx_rows(data, columns, max_sheet_rows=_max_sheet_rows(max_rows))
    elif suffix in (".csv", ".txt"):
        raw_rows = _csv_rows(data)
    elif suffix in (".xls", ".et", ".wps"):
        raise FileRejected("不支持旧版 Excel（.xls）或 WPS 格式，请在 Excel/WPS 中“另存为” .xlsx 后再导入")
    else:
        raise FileRejected(f"不支持的文件类型“{suffix or filename}”，请上传 .xlsx 或 .csv 文件")
    with contextlib.closing(raw_rows):  # closes the workbook even when parse_rows stops early
        return parse_rows(raw_rows, columns=columns, max_rows=max_rows)


def _max_sheet_rows(max_rows: int) -> int:
    return max(2 * max_rows, MIN_SHEET_ROWS) + HEADER_SEARCH_ROWS


def parse_rows(raw_rows: Iterable[Sequence[Any]], *, columns: Sequence[Column], max_rows: int = MAX_DATA_ROWS) -> Sheet:
    """Turn raw rows (the first row of the sheet first) into a parsed Sheet."""
    iterator = iter(raw_rows)
    buffered: list[Sequence[Any]] = []
    for raw in iterator:
        buffered.append(raw)
        if len(buffered) >= HEADER_SEARCH_ROWS:
            break
    header_index = _find_header(buffered, columns)
    header_row = header_index + 1
    header_cells = list(buffered[header_index]) if buffered else []

    errors: list[RowError] = []
    by_header: dict[str, Column] = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            by_header[normalise_header(name)] = column
    positions: dict[str, int] = {}
    for index, cell in enumerate(header_cells):
        text = normalise_header(cell)
        if not text:
            continue
        matched = by_header.get(text) or by_header.get(_without_hint(text))
        if matched is None:
            continue  # 序号, 备注 and other columns of the clerk's own
        if matched.key in positions:
            errors.append(RowError(header_row, matched.header, f"表头重复（第{get_column_letter(index + 1)}列）"))
            continue
        positions[matched.key] = index
    for column in columns:
        if column.required and column.key not in positions:
            errors.append(RowError(header_row, column.header, "缺少该列"))

    sheet = Sheet(columns=columns, rows=[], present=frozenset(positions), header_row=header_row, errors=errors)
    if errors:
        return sheet  # without the right header the cells cannot be read meaningfully

    data_rows = _chain(buffered[header_index + 1 :], iterator)
    for number, raw in enumerate(data_rows, start=header_row + 1):
        if all(_is_blank(cell) for cell in raw):
            continue
        if len(sheet.rows) >= max_rows:
            raise FileRejected(f"数据超过{max_rows}行，请分成几个文件导入")
        row = Row(number=number, values={})
        for column in columns:
            if column.key not in positions:
                continue
            index = positions[column.key]
            cell = raw[index] if index < len(raw) else None
            if _is_blank(cell):
                if column.required:
                    sheet.error(row, column.key, "不能为空")
                else:
                    row.values[column.key] = column.default() if callable(column.default) else column.default
                continue
            if isinstance(cell, str):
                cell = cell.strip()
            try:
                row.values[column.key] = column.parse(cell)
            except CellError as exc:
                sheet.error(row, column.key, exc.message)
        sheet.rows.append(row)
    if not sheet.rows:
        raise FileRejected(f"文件中没有数据：第{header_row}行是表头，其下没有填写内容")
    return sheet


def _chain(first: list[Sequence[Any]], rest: Iterator[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    yield from first
    yield from rest


def _is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip().strip("\u200b\ufeff").strip())


def _find_header(rows: list[Sequence[Any]], columns: Sequence[Column]) -> int:
    """The row with the most known headers among the first few; a title row above the header is
    common in sheets made by hand ("德清县人大代表名册")."""
    known = set()
    for column in columns:
        for name in (column.header, *column.aliases):
            known.add(normalise_header(name))
    best, best_count = 0, 0
    for index, raw in enumerate(rows):
        count = sum(
            1 for cell in raw if normalise_header(cell) in known or _without_hint(normalise_header(cell)) in known
        )
        if count > best_count:
            best, best_count = index, count
    if best_count == 0:
        # No known header anywhere: report against the first non-blank row.
        for index, raw in enumerate(rows):
            if not all(_is_blank(cell) for cell in raw):
                return index
    return best


def _read_bytes(file: IO[bytes] | bytes | Path, max_bytes: int) -> bytes:
    if isinstance(file, bytes):
        data = file
    elif isinstance(file, Path):
        with open(file, "rb") as handle:
            data = handle.read(max_bytes + 1)
    else:
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileRejected(f"文件超过{max_bytes // (1024 * 1024)}MB，请分成几个文件导入")
    if not data:
        raise FileRejected("文件是空的")
    return data


def _xlsx_rows(
    data: bytes, columns: Sequence[Column], *, max_sheet_rows: int
) -> Generator[tuple[Any, ...], None, None]:
    """The rows of the worksheet that holds the headers, one at a time, at most MAX_COLUMNS wide. Refused before
    parsing: an archive that unpacks too large, and a sheet whose declared size (<dimension ref="A1:XFD…">)
    is past the limits."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _archive_check(archive)
        with warnings.catch_warnings():
            # openpyxl warns about features it drops on reading (data validation extensions, default
            # styles); none of them matter for the values.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                yield from _pick_worksheet_rows(workbook, columns, max_sheet_rows=max_sheet_rows)
        finally:
            workbook.close()
    except FileRejected:
        raise
    except Exception as exc:  # zipfile, XML and openpyxl raise many types for a damaged file
        raise FileRejected("无法读取该 Excel 文件，文件可能已损坏或不是 .xlsx 格式") from exc


def _archive_check(archive: zipfile.ZipFile) -> None:
    """By the sizes the zip declares (zipfile stops at the declared size when it unpacks, so they cannot lie)."""
    infos = archive.infolist()
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise FileRejected(f"文件解压后超过{MAX_UNPACKED_BYTES // (1024 * 1024)}MB，请分成几个文件导入")
    for info in infos:
        if not info.filename.startswith("xl/worksheets/") and info.file_size > MAX_PART_BYTES:
            raise FileRejected(
                f"文件中的“{info.filename}”解压后超过{MAX_PART_BYTES // (1024 * 1024)}MB，请另存为新文件后再导入"
            )


def _declared_size_check(worksheet: Any, max_sheet_rows: int) -> None:
    """The sheet's own <dimension>, read by openpyxl without parsing a row."""
    columns, rows = worksheet.max_column or 0, worksheet.max_row or 0
    if columns > MAX_COLUMNS:
        raise FileRejected(
            f"工作表“{worksheet.title}”的范围到第{columns}列（{get_column_letter(min(columns, 16384))}列），"
            f"超过{MAX_COLUMNS}列的上限；请删除多余的列，或把数据复制到新的工作表后再导入"
        )
    if rows > max_sheet_rows:
        raise FileRejected(
            f"工作表“{worksheet.title}”的范围到第{rows}行，超过{max_sheet_rows}行的上限；"
            "请删除多余的行，或分成几个文件导入"
        )


def _sheet_rows(worksheet: Any, max_sheet_rows: int) -> Generator[tuple[Any, ...], None, None]:
    """A worksheet's rows as values, without trailing empty cells, at most MAX_COLUMNS wide."""
    worksheet.reset_dimensions()  # the stored size is often too small; read what is there, within the caps
    for number, row in enumerate(worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
        if number > max_sheet_rows:
            raise FileRejected(f"工作表“{worksheet.title}”超过{max_sheet_rows}行（含空行），请分成几个文件导入")
        end = len(row)
        while end and row[end - 1] is None:
            end -= 1
        yield row[:end]


def _pick_worksheet_rows(workbook: Any, columns: Sequence[Column], *, max_sheet_rows: int) -> Iterator[tuple[Any, ...]]:
    """The first worksheet that has the expected headers: a workbook often begins with a 填表说明 sheet."""
    known = {normalise_header(name) for column in columns for name in (column.header, *column.aliases)}
    sheets = [worksheet for worksheet in workbook.worksheets if hasattr(worksheet, "iter_rows")]  # no chart sheets
    for worksheet in sheets:
        _declared_size_check(worksheet, max_sheet_rows)
        rows = _sheet_rows(worksheet, max_sheet_rows)
        head = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
        if any(normalise_header(cell) in known for raw in head for cell in raw):
            yield from head
            yield from rows
            return
        rows.close()
    if sheets:  # no sheet has a known header: the first one, so that the errors name its header row
        yield from _sheet_rows(sheets[0], max_sheet_rows)


def _csv_rows(data: bytes) -> Generator[list[str], None, None]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")  # Excel's "Unicode 文本" export: UTF-16, tab-separated
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                # What Excel on a Chinese Windows writes for "CSV (逗号分隔)".
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise FileRejected("无法识别文件编码，请另存为 UTF-8 编码的 CSV 或 .xlsx 文件") from None
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            yield row[:MAX_COLUMNS]
    except csv.Error as exc:
        raise FileRejected(f"CSV 文件格式错误：{exc}") from exc


# --------------------------------------------------------------------------------------------------
# Writing

# OWASP's CSV-injection rule: a text cell that starts with one of these is read as a formula by Excel, WPS and
# LibreOffice (=HYPERLINK(…), =cmd|' /C calc'!A0, +1+1, @SUM(…)), in .xlsx as well as .csv. Every export writes
# its text through `escape_formula`, which puts a ' in front; numbers and dates are written as themselves.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: Any) -> Any:
    """A text cell made inert: "'" + text when it starts with = + - @ tab or CR. Other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unescape_formula(text: str) -> str:
    """The text an export escaped, read back on import: "'=A1" is "=A1" again, so a round trip changes nothing."""
    if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


class _CsvWriter:
    def __init__(self, buffer: IO[str]) -> None:
        self._writer = csv.writer(buffer)

    def writerow(self, cells: Iterable[Any]) -> None:
        self._writer.writerow([escape_formula(cell) for cell in cells])


def csv_writer(buffer: IO[str]) -> _CsvWriter:
    """csv.writer whose every row goes through `escape_formula`: the only way exports write CSV."""
    return _CsvWriter(buffer)


HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


WIDTH_SAMPLE_ROWS = 2000  # column widths follow the first rows; enough for a readable sheet


def write_xlsx(
    columns: Sequence[Column],
    rows: Iterable[Mapping[str, Any]],
    *,
    title: str = "Sheet1",
) -> bytes:
    """An .xlsx with one header row (bold, frozen, filtered) and one row per mapping of key → stored value.

    Values go through each column's `render`, so choices come out as their Chinese labels and lists
    joined with 、: exactly what the import accepts. Text columns are formatted as text so that Excel
    keeps ID numbers and codes intact when the sheet is edited.
    """
    return write_xlsx_sheets([(title, columns, rows)])


def write_xlsx_sheets(sheets: Sequence[tuple[str, Sequence[Column], Iterable[Mapping[str, Any]]]]) -> bytes:
    """An .xlsx of several sheets, (title, columns, rows) each, every one written as `write_xlsx` writes its one."""
    workbook = openpyxl.Workbook(write_only=True)
    for title, columns, rows in sheets:
        _append_sheet(workbook, columns, rows, title)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _append_sheet(workbook: Any, columns: Sequence[Column], rows: Iterable[Mapping[str, Any]], title: str) -> None:
    # Rows are turned into plain values first (cheap), then written by openpyxl's write-only mode, which streams
    # cells instead of building a cell object per value: a 100k-row ledger takes seconds, not minutes.
    text_columns = [bool(getattr(column.parse, "excel_text", False)) for column in columns]
    table: list[list[Any]] = []
    for values in rows:
        cells = []
        for index, column in enumerate(columns):
            value = values.get(column.key)
            cell = column.render(value) if value is not None else None
            if cell is not None and cell != "" and text_columns[index]:
                cell = str(cell)
            cells.append(escape_formula(cell))
        table.append(cells)
    count = len(table)

    column_formats = [getattr(column.parse, "number_format", None) for column in columns]
    # A date or time column is as wide as its format shows, whatever the sampled rows hold (a 销号时间 empty in
    # the first rows is filled further down): Excel shows ######## in a date cell too narrow for it.
    widths = [
        max(_display_width(column.header), _format_width(number_format) if not text else 0)
        for column, number_format, text in zip(columns, column_formats, text_columns, strict=True)
    ]
    for cells in table[:WIDTH_SAMPLE_ROWS]:
        for index, cell in enumerate(cells):
            if cell is None:
                continue
            if isinstance(cell, datetime.date | datetime.time):
                shown_width = _format_width(column_formats[index] or _default_format(cell))
            else:
                shown_width = _display_width(str(cell))
            widths[index] = max(widths[index], shown_width)

    sheet = workbook.create_sheet(title=title[:31])
    formats: list[str | None] = []
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width or min(max(widths[index - 1] + 2, 8), 50)
        formats.append("@" if text_columns[index - 1] else getattr(column.parse, "number_format", None))
        options = column.parse.options() if isinstance(column.parse, Parser) else None
        if options and len(",".join(options)) < 250:
            # A drop-down for the rows already there and a few hundred more the clerk may add.
            validation = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
            validation.add(f"{letter}2:{letter}{count + 500}")
            sheet.data_validations.append(validation)
    sheet.freeze_panes = "A2"
    if count:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"

    bold = Font(bold=True)
    centred = Alignment(horizontal="center", vertical="center")
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font, cell.fill, cell.alignment = bold, HEADER_FILL, centred
        header.append(cell)
    sheet.append(header)
    formatted = [index for index, number_format in enumerate(formats) if number_format]
    for cells in table:
        out_cells: list[Any] = list(cells)
        for index in formatted:
            cell = WriteOnlyCell(sheet, value=cells[index])
            cell.number_format = formats[index]
            out_cells[index] = cell
        for index, value in enumerate(cells):
            if isinstance(value, str) and value.startswith("'"):
                # Escaped above; typed as a string as well, so that openpyxl can never take it for a formula.
                cell = out_cells[index] if index in formatted else WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                out_cells[index] = cell
        sheet.append(out_cells)


def _display_width(text: str) -> int:
    """Characters as Excel shows them: a Chinese character takes two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text.split("\n")[0])


# The widest each date and time code of a number format shows: mmmm a month's name, m a month up to 12, AM/PM two.
_FORMAT_CODE = re.compile(r'yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|AM/PM|\[[^]]*\]|\\.|"[^"]*"', re.I)
_CODE_WIDTH = {"yyyy": 4, "mmmm": 9, "mmm": 3, "dddd": 9, "ddd": 3, "am/pm": 2}


def _format_width(number_format: str | None) -> int:
    """How wide a value in `number_format` is at most: "yyyy-mm-dd hh:mm" 16, "yyyy年m月d日" 14; 0 for none."""
    if not number_format or number_format in ("@", "General"):
        return 0

    def shown(code: re.Match[str]) -> str:
        text = code.group()
        if text.startswith("["):  # a colour or condition
            return ""
        if text.startswith("\\") or text.startswith('"'):  # a literal
            return text[1:].strip('"')
        return "0" * _CODE_WIDTH.get(text.lower(), 2)

    return _display_width(_FORMAT_CODE.sub(shown, number_format.split(";")[0]))


def _default_format(value: datetime.date | datetime.time) -> str:
    """The format openpyxl gives a date or time written without one."""
    if isinstance(value, datetime.datetime):
        return "yyyy-mm-dd h:mm:ss"
    return "yyyy-mm-dd" if isinstance(value, datetime.date) else "h:mm:ss"


# --------------------------------------------------------------------------------------------------
# The command-line face of an import: parse arguments, call the service, print. Nothing else.


# How a long import or export reports how far it got: progress(done, total, message). The worker's long jobs
# (lianxin.ops.longjobs) show it as a progress bar and may raise from it to cancel; commands print it.
Progress = Callable[[int, int, str], None]


def terminal_progress(stream: Any, *, every: float = 0.5) -> Progress:
    """A Progress that prints "message done/total" to a terminal (stderr), at most every `every` seconds and at
    the end, each on its own line so that it reads the same in a log."""
    last = [0.0]

    def progress(done: int, total: int, message: str = "") -> None:
        now = time.monotonic()
        if (total == 0 or done < total) and now - last[0] < every:
            return
        last[0] = now
        stream.write(f"{message} {done}/{total}".strip())

    return progress


class ImportCommand(BaseCommand):
    """Base for `import_<things> FILE [--user NAME]`; subclasses set `service` and `noun`."""

    service: Callable[..., ImportResult]
    noun = "条"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help=".xlsx 或 .csv 文件路径")
        parser.add_argument(
            "--user", metavar="USERNAME", help="以该账号的身份和管辖范围导入（默认以系统身份，不限范围）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"账号不存在：{options['user']}")
        path = Path(options["file"])
        try:
            with open(path, "rb") as handle:
                result = self.service(
                    actor=actor, file=handle, filename=path.name, progress=terminal_progress(self.stderr)
                )
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{path}") from exc
        except ImportRejected as exc:
            lines = [f"文件未导入，共{len(exc.errors)}处错误：", *(str(error) for error in exc.errors)]
            raise CommandError("\n".join(lines)) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"新增 {result.created} {self.noun}，更新 {result.updated} {self.noun}，未变 {result.unchanged} {self.noun}"
        )
