"""`lianxin suggestions_compile --session 3 --format pdf --out 汇编.pdf`: a session's suggestions and bills with their
replies (汇编, lianxin.suggestions.reports), printing its progress. Run by an operator: every accepted suggestion of
the session, or with --user those that account may see."""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianxin.core.errors import DomainError
from lianxin.core.tabular import terminal_progress
from lianxin.suggestions.models import Session
from lianxin.suggestions.reports import FORMATS, compilation_collect, compilation_render


class Command(BaseCommand):
    help = "生成一次会议的代表建议、议案及答复汇编（Word .docx 或 PDF）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--session", required=True, type=int, help="会议编号")
        parser.add_argument("--format", choices=FORMATS, help="docx 或 pdf；不填时按输出文件的扩展名")
        parser.add_argument("--out", required=True, help="输出文件")
        parser.add_argument("--user", metavar="USERNAME", help="只汇编该账号可见的建议（默认全部）")

    def handle(self, *args: Any, **options: Any) -> None:
        session = Session.objects.filter(pk=options["session"]).first()
        if session is None:
            raise CommandError(f"没有编号为 {options['session']} 的会议")
        out = Path(options["out"])
        fmt = options["format"] or out.suffix.lstrip(".").lower()
        if fmt not in FORMATS:
            raise CommandError("请用 --format docx 或 --format pdf，或让输出文件以 .docx 或 .pdf 结尾")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"账号不存在：{options['user']}")
        progress = terminal_progress(self.stdout)
        try:
            compilation = compilation_collect(user=user, session=session, progress=progress)
            if not compilation.sections:
                raise CommandError(f"{session.name}还没有已立案的建议或议案，无可汇编")
            data = compilation_render(compilation, fmt, progress)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        out.write_bytes(data)
        self.stdout.write(f"已写入 {out}：{compilation.summary}")
