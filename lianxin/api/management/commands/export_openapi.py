from pathlib import Path

from django.core.management.base import BaseCommand

from lianxin.api.openapi import openapi_document


class Command(BaseCommand):
    help = "把 API v1 的 OpenAPI 文档写入指定文件（默认 docs/openapi.json），供检入版本库。"

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default="docs/openapi.json", help="输出文件路径；- 表示标准输出")

    def handle(self, *args, **options):
        document = openapi_document()
        if options["path"] == "-":
            self.stdout.write(document, ending="")
            return
        path = Path(options["path"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(document, encoding="utf-8")
        self.stdout.write(f"已写入 {path}")
