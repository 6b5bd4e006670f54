"""`lianxin projects_report 2026-11 --out 2026-11.xlsx` (or .pdf): the monthly progress report for the congress."""

import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianxin.projects.reports import progress_pdf, progress_rows, progress_xlsx


class Command(BaseCommand):
    help = "生成民生实事项目月度进度通报（.xlsx 或 .pdf，按输出文件扩展名）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("month", help="月份，如 2026-11")
        parser.add_argument("--out", required=True, help="输出文件（.xlsx 或 .pdf）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = datetime.date.fromisoformat(options["month"] + "-01")
        except ValueError as error:
            raise CommandError("月份格式应为 2026-11") from error
        out = Path(options["out"])
        if out.suffix not in (".xlsx", ".pdf"):
            raise CommandError("输出文件须以 .xlsx 或 .pdf 结尾")
        report = progress_rows(user=None, year=month.year, month=month)
        if not report.rows:
            raise CommandError(f"{month.year}年没有民生实事项目点位")
        out.write_bytes(progress_xlsx(report) if out.suffix == ".xlsx" else progress_pdf(report))
        self.stdout.write(f"已写入 {out}：{len(report.rows)}个点位，总进度{report.total.progress}%")
