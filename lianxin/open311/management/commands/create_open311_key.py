from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianxin.core.errors import DomainError
from lianxin.open311.services import open311_key_create
from lianxin.regions.models import Region, RegionLevel


class Command(BaseCommand):
    help = "生成 Open311 接入密钥并打印（密钥只显示这一次）。默认可向本系统唯一的县（区）提交。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="接入方，如 德清县12345平台")
        parser.add_argument("--region", default="", help="可提交的区划代码（县、乡镇或村）；默认为唯一的县（区）")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["region"].strip()
        if code:
            region = Region.objects.filter(code=code).first()
            if region is None:
                raise CommandError(f"区划代码“{code}”不存在")
        else:
            counties = list(Region.objects.filter(level=RegionLevel.COUNTY)[:2])
            if len(counties) != 1:
                raise CommandError("系统中不止一个县（区）或没有县（区），请用 --region 指定区划代码")
            region = counties[0]
        try:
            key = open311_key_create(actor=None, name=options["name"], region=region)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(key)
