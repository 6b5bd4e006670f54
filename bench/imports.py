"""Peak memory of importing a crafted spreadsheet: a few KB of .xlsx whose rows reach column XFD (16,384).

openpyxl pads every row to its last cell's column, so before issue 12 (item 10) 20,000 such rows became 20,000
tuples of 16,384 values each, all held in a list before the first header was looked at. Each case runs in a fresh
process and prints the file's size, whether it was refused (and the message), the wall time, tracemalloc's peak
of Python allocations and the process's peak RSS growth.

    .venv/bin/python bench/imports.py [--rows 20000]
"""

import argparse
import io
import multiprocessing
import os
import resource
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
    ' Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"'
    ' Target="worksheets/sheet1.xml"/></Relationships>'
)


def wide_xlsx(rows: int, *, declare: bool = True, far: str = "XFD") -> bytes:
    """A roster header (姓名, 手机号) and `rows` rows whose one cell sits in column `far`."""
    cell = '<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'
    body = [f'<row r="1">{cell.format(ref="A1", text="姓名")}{cell.format(ref="B1", text="手机号")}</row>']
    body += [f'<row r="{n}">{cell.format(ref=f"{far}{n}", text="x")}</row>' for n in range(2, rows + 2)]
    dimension = f'<dimension ref="A1:{far}{rows + 1}"/>' if declare else ""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}'
        f"<sheetData>{''.join(body)}</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def _measure(data: bytes, queue: "multiprocessing.Queue[tuple[str, float, float, float]]") -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianxin.settings")
    import django

    django.setup()
    from lianxin.core.errors import DomainError
    from lianxin.core.tabular import Column, read_sheet

    columns = [Column("姓名", "name", required=True), Column("手机号", "phone")]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    try:
        sheet = read_sheet(file=data, filename="wide.xlsx", columns=columns)
        outcome = f"read {len(sheet.rows)} rows"
    except DomainError as error:
        outcome = f"refused: {error.message}"
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before  # KiB on Linux
    queue.put((outcome, seconds, peak / 2**20, rss_growth / 1024))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000, help="rows reaching column XFD (default 2000)")
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    cases = [
        ("declared A1:XFD", wide_xlsx(args.rows)),
        ("no <dimension>", wide_xlsx(args.rows, declare=False)),
    ]
    for label, data in cases:
        queue = context.Queue()
        process = context.Process(target=_measure, args=(data, queue))
        process.start()
        outcome, seconds, peak_mb, rss_mb = queue.get()
        process.join()
        print(
            f"{label:16} {len(data) / 1024:6.1f} KB, {args.rows} rows to XFD: {seconds:6.2f} s, "
            f"tracemalloc peak {peak_mb:8.1f} MB, RSS growth {rss_mb:8.1f} MB; {outcome}",
            flush=True,
        )


if __name__ == "__main__":
    main()
