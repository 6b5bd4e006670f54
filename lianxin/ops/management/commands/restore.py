"""`lianxin restore DIR`: put a backup back into an empty database and MEDIA_ROOT, verified against its manifest."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from lianxin.core.errors import DomainError
from lianxin.ops.backup import backup_restore


class Command(BaseCommand):
    help = "恢复：把 `lianxin backup` 的目录恢复到空数据库和上传目录，并按清单核对每张表的行数和操作日志校验和"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="`lianxin backup` 写出的目录")
        parser.add_argument("--force", action="store_true", help="目标数据库已有数据时仍然覆盖")
        parser.add_argument("--database", default="default", help="数据库别名（默认 default）")

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        connection.close()  # pg_restore drops and recreates tables: hold no connection (or lock) of our own
        try:
            manifest = backup_restore(
                directory=options["directory"],
                database=connection.settings_dict,
                media_root=Path(settings.MEDIA_ROOT),
                force=options["force"],
            )
        except DomainError as exc:
            raise CommandError(f"{exc.message} [{exc.code}]") from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"已恢复 {manifest['created_at']} 的备份：{len(manifest['tables'])} 张表 {rows} 行与清单一致，"
            f"{len(manifest['media'])} 个文件校验和一致"
        )
