"""What the long-job kinds of several apps share: the job's owner as the actor, a workbook of plain sheets, a
percentage as the messages write it."""

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from lianxin.core.errors import PermissionDenied
from lianxin.ops.models import LongJob


def job_owner(job: LongJob) -> Any:
    """The job runs as its owner; without one (the account was deleted) it does not run as the system."""
    if job.owner is None:
        raise PermissionDenied("提交任务的账号已不存在，任务未运行")
    return job.owner


def sheets_xlsx(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]]) -> bytes:
    """A workbook of (title, headers, rows) sheets: bold frozen headers, columns wide enough for Chinese text."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(list(headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(list(row))
        sheet.freeze_panes = "A2"
        for index, header in enumerate(headers):
            longest = max([len(str(header)), *(len(str(row[index] or "")) for row in rows)])
            sheet.column_dimensions[sheet.cell(1, index + 1).column_letter].width = min(60, 4 + 2 * longest)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def percent(value: Any) -> str:
    return f"{value:.1%}" if isinstance(value, int | float) else "—"
