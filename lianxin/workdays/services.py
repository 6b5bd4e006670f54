"""Writes to the working-day calendar. Every change is audited and makes every process reload the calendar.

Only system administrators whose scope covers the whole deployment may change it (it counts every case's
deadline: accounts.selectors.platform_settings_editable); `actor=None` is the system (commands).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction

from lianxin.accounts.models import User
from lianxin.accounts.selectors import platform_settings_editable
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.tabular import Choice, Column, Date, ImportResult, Text, read_sheet
from lianxin.workdays.calendar import WEEKDAY_NAMES, calendar_changed, calendar_listeners_before
from lianxin.workdays.models import CalendarDay, CalendarSource, CalendarYear

MIN_YEAR, MAX_YEAR = 2000, 2100

HOLIDAY, WORKDAY = "holiday", "workday"
KIND_CHOICES = [(HOLIDAY, "放假"), (WORKDAY, "调休上班")]
KIND_ALIASES = {"休": HOLIDAY, "休息": HOLIDAY, "假": HOLIDAY, "节假日": HOLIDAY, "放假调休": HOLIDAY}
KIND_ALIASES |= {"班": WORKDAY, "上班": WORKDAY, "补班": WORKDAY, "调休": WORKDAY, "工作日": WORKDAY}

CALENDAR_COLUMNS = [
    Column("日期", "date", required=True, parse=Date()),
    Column("类型", "kind", required=True, parse=Choice(KIND_CHOICES, aliases=KIND_ALIASES), aliases=("放假/上班",)),
    Column("名称", "name", parse=Text(max_length=50), aliases=("节日", "节日名称")),
]


@dataclass(frozen=True)
class CalendarImportResult(ImportResult):
    removed: int = 0  # exceptions of that year that the new arrangement no longer has

    def __str__(self) -> str:
        return f"{super().__str__()}，删除 {self.removed} 条"


def require_calendar_admin(actor: User | None) -> None:
    if actor is not None and not platform_settings_editable(actor=actor):
        raise PermissionDenied("工作日历适用于全平台，只有管辖范围覆盖全平台的系统管理员可以维护")


def calendar_day_problem(day: datetime.date, is_workday: bool) -> str | None:
    """Why this day need not be stored (it follows the Monday–Friday rule anyway), or None."""
    weekend = day.weekday() >= 5
    if is_workday and not weekend:
        return f"{day:%Y-%m-%d} 是{WEEKDAY_NAMES[day.weekday()]}，本就是工作日，无需登记为调休上班"
    if not is_workday and weekend:
        return f"{day:%Y-%m-%d} 是{WEEKDAY_NAMES[day.weekday()]}，本就休息，无需登记为放假"
    return None


def calendar_day_set(*, actor: User, day: datetime.date, is_workday: bool, name: str, note: str = "") -> CalendarDay:
    """Make `day` a holiday (a weekday off) or a make-up working day (a weekend at work)."""
    require_calendar_admin(actor)
    problem = calendar_day_problem(day, is_workday)
    if problem:
        raise DomainError("calendar_day_redundant", problem, field="is_workday")
    fields = {"is_workday": is_workday, "name": name.strip(), "note": note.strip()}
    with transaction.atomic():
        after_change = calendar_listeners_before(day.year)
        existing = CalendarDay.objects.select_for_update().filter(date=day).first()
        if existing is None:
            row = CalendarDay.objects.create(date=day, **fields)
            audit_record(
                actor=actor, action="calendar_day.create", obj=row, changes={k: [None, v] for k, v in fields.items()}
            )
        else:
            row = existing
            changes = {k: [getattr(row, k), v] for k, v in fields.items() if getattr(row, k) != v}
            if not changes:
                return row
            for key, value in fields.items():
                setattr(row, key, value)
            row.save(update_fields=list(fields))
            audit_record(actor=actor, action="calendar_day.update", obj=row, changes=changes)
        _touch_year(day.year)
        calendar_changed()
        _follow(after_change)
    return row


def calendar_day_delete(*, actor: User, day: datetime.date) -> None:
    """Let `day` follow the Monday–Friday rule again."""
    require_calendar_admin(actor)
    with transaction.atomic():
        after_change = calendar_listeners_before(day.year)
        row = CalendarDay.objects.select_for_update().filter(date=day).first()
        if row is None:
            return
        audit_record(
            actor=actor,
            action="calendar_day.delete",
            obj=row,
            changes={"is_workday": [row.is_workday, None], "name": [row.name, None]},
        )
        row.delete()
        _touch_year(day.year)
        calendar_changed()
        _follow(after_change)


def calendar_year_set(*, actor: User, year: int, is_complete: bool) -> CalendarYear:
    """Declare a year's arrangement complete (entered by hand) or not (deadlines then count weekends only)."""
    require_calendar_admin(actor)
    _check_year(year)
    with transaction.atomic():
        after_change = calendar_listeners_before(year)
        row, created = CalendarYear.objects.select_for_update().get_or_create(
            year=year, defaults={"source": CalendarSource.MANUAL, "is_complete": is_complete}
        )
        if created:
            audit_record(
                actor=actor, action="calendar_year.create", obj=row, changes={"is_complete": [None, is_complete]}
            )
        elif row.is_complete != is_complete:
            changes = {"is_complete": [row.is_complete, is_complete], "source": [row.source, CalendarSource.MANUAL]}
            row.is_complete, row.source = is_complete, CalendarSource.MANUAL
            row.save(update_fields=["is_complete", "source", "updated_at"])
            audit_record(actor=actor, action="calendar_year.update", obj=row, changes=changes)
        else:
            return row
        calendar_changed()
        _follow(after_change)
    return row


def calendar_year_import(
    *, actor: User | None, year: int, file: IO[bytes] | bytes, filename: str
) -> CalendarImportResult:
    """Replace `year`'s arrangement with a spreadsheet (columns 日期, 类型 放假/调休上班, 名称) and mark the year
    complete. All or nothing: every bad row is reported and nothing is written unless the whole file is good.

    A holiday on a weekend (the 国庆节 Saturday) is accepted but not stored: the weekend rule already covers it.
    """
    require_calendar_admin(actor)
    _check_year(year)
    sheet = read_sheet(file=file, filename=filename, columns=CALENDAR_COLUMNS)
    wanted: dict[datetime.date, dict[str, Any]] = {}
    first_row: dict[datetime.date, int] = {}
    for row in sheet.rows:
        if not row.ok("date", "kind"):
            continue
        day, is_workday = row["date"], row["kind"] == WORKDAY
        if day.year != year:
            sheet.error(row, "date", f"{day:%Y-%m-%d} 不在 {year} 年内")
            continue
        if day in first_row:
            sheet.error(row, "date", f"{day:%Y-%m-%d} 与第{first_row[day]}行重复")
            continue
        first_row[day] = row.number
        if is_workday and day.weekday() < 5:
            sheet.error(
                row, "kind", f"{day:%Y-%m-%d} 是{WEEKDAY_NAMES[day.weekday()]}，本就是工作日，不能登记为调休上班"
            )
            continue
        if not is_workday and day.weekday() >= 5:
            continue  # redundant but harmless: the notice lists the whole holiday, weekends included
        wanted[day] = {"is_workday": is_workday, "name": row.get("name") or ("调休上班" if is_workday else "放假")}
    sheet.raise_if_errors()

    created = updated = unchanged = removed = 0
    source = CalendarSource.IMPORT
    with transaction.atomic():
        after_change = calendar_listeners_before(year)
        year_row = CalendarYear.objects.select_for_update().filter(year=year).first()
        existing = {
            day_row.date: day_row
            for day_row in CalendarDay.objects.select_for_update().filter(
                date__gte=datetime.date(year, 1, 1), date__lte=datetime.date(year, 12, 31)
            )
        }
        for day, stale in existing.items():
            if day not in wanted:
                audit_record(
                    actor=actor,
                    action="calendar_day.delete",
                    obj=stale,
                    changes={"is_workday": [stale.is_workday, None], "name": [stale.name, None]},
                    note=f"导入 {filename}",
                )
                stale.delete()
                removed += 1
        for day, fields in sorted(wanted.items()):
            found = existing.get(day)
            if found is None:
                new = CalendarDay.objects.create(date=day, **fields)
                audit_record(
                    actor=actor,
                    action="calendar_day.create",
                    obj=new,
                    changes={k: [None, v] for k, v in fields.items()},
                    note=f"导入 {filename}",
                )
                created += 1
                continue
            changes = {k: [getattr(found, k), v] for k, v in fields.items() if getattr(found, k) != v}
            if not changes:
                unchanged += 1
                continue
            for key, value in fields.items():
                setattr(found, key, value)
            found.save(update_fields=list(fields))
            audit_record(actor=actor, action="calendar_day.update", obj=found, changes=changes, note=f"导入 {filename}")
            updated += 1
        result = CalendarImportResult(created=created, updated=updated, unchanged=unchanged, removed=removed)
        if year_row is None:
            year_row = CalendarYear.objects.create(year=year, source=source, is_complete=True)
            before: dict[str, Any] = {"source": None, "is_complete": None}
        else:
            before = {"source": year_row.source, "is_complete": year_row.is_complete}
            year_row.source, year_row.is_complete = source, True
            year_row.save(update_fields=["source", "is_complete", "updated_at"])
        audit_record(
            actor=actor,
            action="calendar_year.import",
            obj=year_row,
            changes={"source": [before["source"], source], "is_complete": [before["is_complete"], True]},
            note=f"导入 {filename}：{result}",
        )
        calendar_changed()
        _follow(after_change)
    return result


def _follow(after_change: list[Callable[[], object]]) -> None:
    """Run what must follow a calendar change (recomputing the open deadlines), in the change's transaction."""
    for follow in after_change:
        follow()


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DomainError("calendar_year_invalid", f"年份应在 {MIN_YEAR} 到 {MAX_YEAR} 之间，实为 {year}", field="year")


def _touch_year(year: int) -> None:
    row = CalendarYear.objects.filter(year=year).first()
    if row is not None:
        row.save(update_fields=["updated_at"])
