"""`lianxin monthly_report 2026-11 --region 330521000000 --out 德清县-2026年11月.pdf [--xlsx 德清县.xlsx]`: a region's
monthly report as an A4 PDF (and .xlsx); 2026-Q4 makes the quarterly report, 2026 the yearly one. Reads every case
of the region (a trusted operator); nothing is stored (the office and the worker store theirs)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianxin.core.errors import DomainError
from lianxin.insight.reports import period_parse, report_collect, report_pdf, report_xlsx
from lianxin.regions.models import Region


class Command(BaseCommand):
    help = "生成区划的意见建议办理月报（A4 PDF，可另存 Excel）；期间写 2026-11（月）、2026-Q4（季度）或 2026（年）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period", help="统计期间：2026-11、2026-Q4 或 2026")
        parser.add_argument("--region", required=True, help="区划代码（12位），如 330521000000")
        parser.add_argument("--out", required=True, help="输出 PDF 文件（.pdf）")
        parser.add_argument("--xlsx", default=None, help="另存 Excel 文件（.xlsx）")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        if out.suffix.lower() != ".pdf":
            raise CommandError("--out: 输出文件须以 .pdf 结尾")
        xlsx = Path(options["xlsx"]) if options["xlsx"] else None
        if xlsx is not None and xlsx.suffix.lower() != ".xlsx":
            raise CommandError("--xlsx: 输出文件须以 .xlsx 结尾")
        region = Region.objects.filter(code=options["region"].strip()).first()
        if region is None:
            raise CommandError(f"--region: 区划 {options['region']} 不存在")
        try:
            period = period_parse(options["period"])
            report = report_collect(region, period)
            pdf = report_pdf(report)  # DomainError font_missing without a CJK font
        except DomainError as error:
            raise CommandError(error.message) from error
        out.write_bytes(pdf)
        self.stdout.write(f"已写入 {out}：{report.title}")
        if xlsx is not None:
            xlsx.write_bytes(report_xlsx(report))
            self.stdout.write(f"已写入 {xlsx}")
