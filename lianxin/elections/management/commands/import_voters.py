from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from lianxin.core.errors import DomainError, ImportRejected
from lianxin.core.tabular import terminal_progress
from lianxin.elections.models import Election
from lianxin.elections.services import voters_import


class Command(BaseCommand):
    help = (
        "导入一个选区的选民名册（.xlsx 或 .csv，中文表头：姓名、性别、身份证号、出生日期、民族、户籍地址、现住址、选区）。"
        "全部无误才写入；同一身份证号已在该选区名册中的会被更新，重复导入不产生变化。"
        "选区编号若是区划代码（村/社区），首次导入时自动建立该选区。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help=".xlsx 或 .csv 文件路径")
        parser.add_argument("--election", type=int, required=True, help="选举编号")
        parser.add_argument("--district", required=True, help="选区编号（或村/社区的区划代码）")
        parser.add_argument("--user", metavar="USERNAME", help="以该账号的身份和管辖范围导入（默认以系统身份）")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"账号不存在：{options['user']}")
        election = Election.objects.filter(pk=options["election"]).first()
        if election is None:
            raise CommandError(f"选举不存在：{options['election']}")
        path = Path(options["file"])
        try:
            with open(path, "rb") as handle:
                result = voters_import(
                    actor=actor,
                    election=election,
                    district_code=options["district"],
                    file=handle,
                    filename=path.name,
                    progress=terminal_progress(self.stderr),
                )
        except FileNotFoundError as exc:
            raise CommandError(f"找不到文件：{path}") from exc
        except ImportRejected as exc:
            lines = [f"文件未导入，共{len(exc.errors)}处错误：", *(str(error) for error in exc.errors)]
            raise CommandError("\n".join(lines)) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"新增 {result.created} 名选民，更新 {result.updated} 名，未变 {result.unchanged} 名")
