from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from lianxin.core.errors import DomainError, ImportRejected
from lianxin.workdays.services import calendar_year_import


class Command(BaseCommand):
    help = (
        "导入某年的法定节假日安排（.xlsx 或 .csv，列：日期、类型（放假/调休上班）、名称）。"
        "替换该年原有安排并标记为已完整；全部无误才写入。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("year", type=int, help="年份，如 2027")
        parser.add_argument("file", help=".xlsx 或 .csv 文件路径")
        parser.add_argument("--user", metavar="USERNAME", help="以该账号的身份导入（默认以系统身份）")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"账号不存在：{options['user']}")
        path = Path(options["file"])
        try:
            with open(path, "rb") as handle:
                result = calendar_year_import(actor=actor, year=options["year"], file=handle, filename=path.name)
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{path}") from exc
        except ImportRejected as exc:
            lines = [f"文件未导入，共{len(exc.errors)}处错误：", *(str(error) for error in exc.errors)]
            raise CommandError("\n".join(lines)) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{options['year']} 年安排已导入：{result}")
