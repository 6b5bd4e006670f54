from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lianxin.deputies.imports import EXPORT_KINDS, list_export_xlsx
from lianxin.regions.models import Region


class Command(BaseCommand):
    help = "把一个名录导出为 .xlsx（表头与导入模板一致，可修改后重新导入）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "kind",
            choices=list(EXPORT_KINDS),
            help="名录：" + "、".join(f"{kind}（{label}）" for kind, (label, *_rest) in EXPORT_KINDS.items()),
        )
        parser.add_argument("out", help="输出文件路径（.xlsx）")
        parser.add_argument("--region", metavar="CODE", help="只导出该区划（12位代码）及其下级的数据")

    def handle(self, *args, **options):
        region = None
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                raise CommandError(f"区划代码不存在：{options['region']}")
        data = list_export_xlsx(kind=options["kind"], region=region)
        Path(options["out"]).write_bytes(data)
        self.stdout.write(f"已导出{EXPORT_KINDS[options['kind']][0]}到 {options['out']}")
