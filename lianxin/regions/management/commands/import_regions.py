from django.core.management.base import BaseCommand, CommandError

from lianxin.core.errors import ImportRejected
from lianxin.regions.services import region_import_csv


class Command(BaseCommand):
    help = "导入行政区划 CSV（列：code,name,level,parent_code）。全部成功才写入；重复导入不产生变化。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV 文件路径")

    def handle(self, *args, **options):
        try:
            result = region_import_csv(path=options["file"])
        except ImportRejected as exc:
            raise CommandError("\n".join([exc.message.split("：")[0], *map(str, exc.errors)])) from exc
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{options['file']}") from exc
        self.stdout.write(f"新增 {result.created} 个，更新 {result.updated} 个，未变 {result.unchanged} 个")
