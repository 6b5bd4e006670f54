import datetime
from typing import Any

from django.core.management.base import BaseCommand

from lianxin.workdays import calendar
from lianxin.workdays.models import CalendarDay, CalendarYear


class Command(BaseCommand):
    help = "工作日历状态：已知（已完整导入）的年份，以及今年、明年尚未导入时的提醒。"

    def handle(self, *args: Any, **options: Any) -> None:
        this_year = datetime.datetime.now(calendar.CHINA).year
        years = list(CalendarYear.objects.order_by("year"))
        complete = [row.year for row in years if row.is_complete]
        self.stdout.write(f"已知年份：{_ranges(complete) or '无'}")
        for row in years:
            if row.year >= this_year - 1 or not row.is_complete:
                count = CalendarDay.objects.filter(date__year=row.year).count()
                self.stdout.write(f"  {row}：{count} 个放假/调休日，更新于 {row.updated_at:%Y-%m-%d %H:%M}")
        for year in (this_year, this_year + 1):
            if year not in complete:
                self.stdout.write(self.style.WARNING(f"警告：{calendar.unknown_year_message(year)}"))


def _ranges(years: list[int]) -> str:
    """[2004, 2005, …, 2026, 2028] -> "2004–2026、2028"."""
    groups: list[list[int]] = []
    for year in years:
        if groups and year == groups[-1][-1] + 1:
            groups[-1].append(year)
        else:
            groups.append([year])
    return "、".join(f"{g[0]}–{g[-1]}" if len(g) > 1 else str(g[0]) for g in groups)
