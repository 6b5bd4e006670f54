from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lianxin.cases.noticeboard import month_parse, noticeboard_for
from lianxin.core.errors import DomainError
from lianxin.regions.models import Region


class Command(BaseCommand):
    help = "一个村（社区）的月度公告栏：本月公开的办理结果、代表接待安排、联系代表和二维码，A4 PDF"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="12位区划代码，如 330521001001（居仁社区）")
        parser.add_argument("--month", help="月份，如 2026-11；默认本月")
        parser.add_argument("--out", required=True, help="输出的 PDF 文件")

    def handle(self, *args, region: str, month: str | None, out: str, **options):
        place = Region.objects.filter(code=region).first()
        if place is None:
            raise CommandError(f"区划代码 {region} 不存在")
        try:
            first = month_parse(month) if month else timezone.localdate().replace(day=1)
            pdf = noticeboard_for(region=place, month=first)
        except DomainError as error:
            raise CommandError(error.message) from error
        Path(out).write_bytes(pdf)
        self.stdout.write(f"{place.name} {first:%Y年%m月}公告栏: {out}（{len(pdf) // 1024} KB）")
