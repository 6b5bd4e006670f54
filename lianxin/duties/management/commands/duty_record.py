"""`lianxin duty_record --deputy 12 --year 2026 --out 沈建国-2026.pdf`: a deputy's duty record (履职档案) as a PDF."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianxin.core.errors import DomainError
from lianxin.deputies.models import Deputy
from lianxin.duties.record import duty_record_pdf


class Command(BaseCommand):
    help = "生成代表的年度履职档案（A4 PDF）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--deputy", type=int, required=True, help="代表编号（ID）")
        parser.add_argument("--year", type=int, required=True, help="年度，如 2026")
        parser.add_argument("--out", required=True, help="输出文件（.pdf）")

    def handle(self, *args: Any, **options: Any) -> None:
        deputy = Deputy.objects.filter(pk=options["deputy"]).first()
        if deputy is None:
            raise CommandError(f"--deputy: 没有编号为 {options['deputy']} 的代表")
        if not 1950 <= options["year"] <= 2100:
            raise CommandError(f"--year: {options['year']} 不是有效的年度")
        out = Path(options["out"])
        if out.suffix.lower() != ".pdf":
            raise CommandError("--out: 输出文件须以 .pdf 结尾")
        try:
            pdf = duty_record_pdf(deputy, options["year"])
        except DomainError as error:  # no CJK font installed
            raise CommandError(error.message) from error
        out.write_bytes(pdf)
        self.stdout.write(f"已写入 {out}：{deputy.name}代表{options['year']}年度履职档案")
