import datetime
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianxin.cases import permissions as p
from lianxin.cases.reports import ledger_filters_resolve, ledger_xlsx
from lianxin.core.errors import DomainError
from lianxin.core.tabular import terminal_progress


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期格式应为 2026-01-31，实为“{text}”") from None


class Command(BaseCommand):
    help = "把意见建议台账导出为 .xlsx（每件一行，中文表头）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="输出文件路径（.xlsx）")
        parser.add_argument("--region", metavar="CODE", help="只导出该区划（12位代码）及其下级的件")
        parser.add_argument("--start", metavar="DATE", type=_date, help="登记日期起（含），如 2026-01-01")
        parser.add_argument("--end", metavar="DATE", type=_date, help="登记日期止（含），如 2026-12-31")
        parser.add_argument("--user", metavar="USERNAME", help="以该账号的可见范围导出（默认以系统身份，导出全部）")

    def handle(self, *args: Any, **options: Any) -> None:
        user: Any = p.SYSTEM
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"账号不存在：{options['user']}")
        try:
            filters = ledger_filters_resolve(
                user=user, region=options["region"], registered_from=options["start"], registered_to=options["end"]
            )
            data = ledger_xlsx(user=user, filters=filters, progress=terminal_progress(self.stderr))
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        Path(options["out"]).write_bytes(data)
        self.stdout.write(f"已导出意见建议台账到 {options['out']}")
