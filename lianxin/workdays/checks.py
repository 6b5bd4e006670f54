"""`lianxin check --database default` warns when this year's (or, from October, next year's) official
arrangement is missing. Tagged `database` because it queries: Django runs such checks only when asked."""

from typing import Any

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError

from lianxin.workdays import calendar


@register(Tags.database)
def unknown_years_check(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Warning]:
    if not databases:
        return []
    try:
        years = calendar.unknown_years_to_warn()
    except DatabaseError:
        return []  # not migrated yet
    return [
        Warning(
            calendar.unknown_year_message(year),
            hint=f"国务院办公厅发布通知后，在后台“工作日历”导入，或运行 lianxin import_calendar {year} 文件",
            id="workdays.W001",
        )
        for year in years
    ]
