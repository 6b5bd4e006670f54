from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lianxin.core.errors import DomainError
from lianxin.portal.posters import region_posters
from lianxin.regions.models import Region


class Command(BaseCommand):
    help = "一个区划（如乡镇）全部在任代表和家站室的二维码海报，合成一个 A4 PDF"

    def add_arguments(self, parser):
        parser.add_argument("region_code", help="12位区划代码，如 330521001000（武康街道）")
        parser.add_argument("output", help="输出的 PDF 文件")

    def handle(self, *args, region_code: str, output: str, **options):
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise CommandError(f"区划代码 {region_code} 不存在")
        try:
            pdf = region_posters(region=region)
        except DomainError as error:
            raise CommandError(error.message) from error
        Path(output).write_bytes(pdf)
        self.stdout.write(f"{region.name}: {output}（{len(pdf) // 1024} KB）")
