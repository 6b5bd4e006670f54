import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lianxin.workdays import calendar


class Command(BaseCommand):
    help = "按法定工作日历推算：DATE 之后第 N 个工作日（N 为负数则往前推，0 为当日或下一个工作日）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("date", help="起始日期，如 2026-09-30")
        parser.add_argument("n", type=int, help="工作日数")
        parser.add_argument("--explain", action="store_true", help="列出跳过的非工作日及其名称")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start = datetime.date.fromisoformat(options["date"])
        except ValueError as exc:
            raise CommandError(f"日期格式应为 2026-09-30，实为“{options['date']}”") from exc
        walk = calendar.workdays_walk(start, options["n"])
        self.stdout.write(walk[-1].date.isoformat())
        if options["explain"]:
            counted = 0
            for info in walk:
                label = f"{info.date.isoformat()} {calendar.WEEKDAY_NAMES[info.date.weekday()]}"
                if info.is_workday:
                    counted += 1
                    extra = f"（{info.name}）" if info.name else ""
                    self.stdout.write(f"  {label} 工作日{extra} 第{counted}个")
                else:
                    self.stdout.write(f"  {label} 跳过：{info.name or '休息'}")
            for year in calendar.unknown_years(start, walk[-1].date):
                self.stderr.write(self.style.WARNING(f"注意：{calendar.unknown_year_message(year)}"))
