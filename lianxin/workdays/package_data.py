"""The arrangements the installed `chinese-calendar` package knows, reduced to exceptions to the weekday rule.

Used by the seeding migration. Plain data only (no models), so that the migration stays valid as models change.
The package carries its data, so this works offline.
"""

import datetime

# The package's short names ("清明", "端午") as people write them in notices.
FULL_NAMES = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}

Exception_ = tuple[datetime.date, bool, str]  # (date, is_workday, name)


def package_exceptions() -> dict[int, list[Exception_]]:
    """{year: [(date, is_workday, name), …]} for every year the package knows, sorted by date."""
    from chinese_calendar.constants import Holiday, holidays, workdays

    def name_of(value: str) -> str:
        chinese = Holiday(value).chinese
        return FULL_NAMES.get(chinese, chinese)

    out: dict[int, list[Exception_]] = {}
    for day, value in holidays.items():
        out.setdefault(day.year, [])  # a year whose holidays all fall on weekends is still known
        if day.weekday() < 5:
            out[day.year].append((day, False, name_of(value)))
    for day, value in workdays.items():
        if day.weekday() >= 5:
            out.setdefault(day.year, []).append((day, True, f"{name_of(value)}调休上班"))
    return {year: sorted(days) for year, days in sorted(out.items())}
