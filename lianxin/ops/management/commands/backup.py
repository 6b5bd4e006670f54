"""`lianxin backup DIR`: a consistent dump of the database, the uploaded files and a manifest (lianxin.ops.backup)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from lianxin.core.errors import DomainError
from lianxin.ops.backup import backup_create


class Command(BaseCommand):
    help = "备份：数据库（PostgreSQL 用 pg_dump，SQLite 用在线备份）、上传的照片和文件、带计数和校验和的清单，写入一个新目录"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="新的（或空的）备份目录，如 /var/backups/lianxin/2026-12-05")
        parser.add_argument("--database", default="default", help="数据库别名（默认 default）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_create(
                directory=options["directory"],
                database=connections[options["database"]].settings_dict,
                media_root=Path(settings.MEDIA_ROOT),
            )
        except DomainError as exc:
            raise CommandError(f"{exc.message} [{exc.code}]") from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"已备份到 {options['directory']}：{len(manifest['tables'])} 张表 {rows} 行，{len(manifest['media'])} 个文件"
        )
