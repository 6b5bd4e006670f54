"""Working days on China's official calendar (法定节假日与调休). Pure reads; never raises for a missing year.

    add_workdays(date(2026, 9, 30), 3)  ->  date(2026, 10, 10)   (Oct 1–7 off, Oct 10 a make-up Saturday)

The exceptions to the Monday–Friday rule live in the database (`CalendarDay`) and are held in memory per process,
so a deadline costs no query in the common case. Services that change the calendar call `calendar_changed()`,
which stores a new token in the Django cache; each call here compares its snapshot's token with the cache's and
reloads when they differ. With a per-process cache (LocMemCache, no Redis) other processes cannot see the token,
so a snapshot is also reloaded after `MAX_AGE` seconds at the latest.

A year whose arrangement is not known (no complete `CalendarYear`) counts weekends and the holidays fixed by date
(FIXED_HOLIDAYS) as days off: a deadline that far ahead is better approximate than missing; importing the year
later recomputes the open deadlines that fell in it (the listeners below, `calendar_listen`). It is logged once per process and year and shown to administrators
(system check workdays.W001, the admin lists, `lianxin calendar_status`).
"""

import datetime
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

# The official calendar is Beijing time wherever the server runs.
CHINA = ZoneInfo("Asia/Shanghai")
END_OF_DAY = datetime.time(23, 59, 59)
VERSION_KEY = "workdays:calendar-version"
MAX_AGE = 300.0  # seconds
WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
# In a year whose arrangement is not known yet, the holidays fixed by date in 《全国年节及纪念日放假办法》 (as
# amended in 2024) are still days off: 元旦 1 January, 劳动节 1–2 May, 国庆节 1–3 October. The lunar holidays, the
# bridging days and the make-up Saturdays are only known from the State Council's notice.
FIXED_HOLIDAYS = {
    (1, 1): "元旦",
    (5, 1): "劳动节",
    (5, 2): "劳动节",
    (10, 1): "国庆节",
    (10, 2): "国庆节",
    (10, 3): "国庆节",
}


@dataclass(frozen=True)
class DayInfo:
    date: datetime.date
    is_workday: bool
    name: str  # "国庆节", "国庆节调休上班", "周末", or "" for an ordinary weekday
    known: bool  # the year's official arrangement is known; False: weekday rule only


@dataclass(frozen=True)
class _Snapshot:
    token: str | None
    loaded_at: float
    exceptions: dict[datetime.date, tuple[bool, str]]
    known_years: frozenset[int]


_lock = threading.Lock()
_snapshot: _Snapshot | None = None
_warned_years: set[int] = set()


# --- the questions --------------------------------------------------------------------------------------------


def is_workday(day: datetime.date) -> bool:
    return _day_info(_current(), day).is_workday


def day_info(day: datetime.date) -> DayInfo:
    return _day_info(_current(), day)


def add_workdays(start: datetime.date, n: int) -> datetime.date:
    """n > 0: the n-th working day after `start`; n < 0: the |n|-th working day before it;
    n = 0: `start` when it is a working day, else the next working day."""
    return workdays_walk(start, n)[-1].date


def workdays_walk(start: datetime.date, n: int) -> list[DayInfo]:
    """Every day that `add_workdays(start, n)` looks at, in order; the last one is its answer.
    (For n = 0 the walk begins at `start` itself, otherwise at the day after or before it.)"""
    snapshot = _current()
    step = -1 if n < 0 else 1
    remaining = abs(n)
    day = start if n == 0 else start + datetime.timedelta(days=step)
    walk: list[DayInfo] = []
    while True:
        info = _day_info(snapshot, day)
        walk.append(info)
        if info.is_workday:
            if remaining <= 1:
                return walk
            remaining -= 1
        day += datetime.timedelta(days=step)


def workdays_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after `start` up to and including `end`; 0 when `end` is not after `start`."""
    snapshot = _current()
    return sum(1 for day in _days(start + datetime.timedelta(days=1), end) if _day_info(snapshot, day).is_workday)


def due_at(start: datetime.datetime, n: int) -> datetime.datetime:
    """The end (23:59:59 Beijing time) of the n-th working day after `start`'s date in Beijing.
    A naive `start` is taken as Beijing time."""
    local = start.replace(tzinfo=CHINA) if start.tzinfo is None else start.astimezone(CHINA)
    return datetime.datetime.combine(add_workdays(local.date(), n), END_OF_DAY, tzinfo=CHINA)


def is_known(year: int) -> bool:
    return year in _current().known_years


def known_years() -> list[int]:
    return sorted(_current().known_years)


def unknown_years(start: datetime.date, end: datetime.date) -> list[int]:
    """The years from `start` to `end` (either order) whose official arrangement is not known."""
    low, high = sorted((start.year, end.year))
    known = _current().known_years
    return [year for year in range(low, high + 1) if year not in known]


def unknown_years_to_warn(today: datetime.date | None = None) -> list[int]:
    """The years an administrator should import now: this year when unknown, and next year from October on
    (the State Council publishes next year's arrangement in late October or November)."""
    from lianxin.workdays.models import CalendarYear

    today = today or datetime.datetime.now(CHINA).date()
    years = [today.year] + ([today.year + 1] if today.month >= 10 else [])
    # A query, not the snapshot: this runs from system checks, possibly before the data migration.
    known = set(CalendarYear.objects.filter(year__in=years, is_complete=True).values_list("year", flat=True))
    return [year for year in years if year not in known]


def unknown_year_message(year: int) -> str:
    return f"{year} 年的法定节假日安排尚未导入，暂按周末和元旦、劳动节、国庆节的法定日期计算时限"


# --- listeners: what must follow a change of the calendar -------------------------------------------------------
# A listener is called inside the change's transaction, before anything is written, with the year that changes;
# it returns a function that is called after the change, in the same transaction, when the new calendar is in
# force. (The cases app recomputes the open deadlines that fall in the year; workdays knows nothing of cases.)

CalendarListener = Callable[[int], Callable[[], object]]
_listeners: list[CalendarListener] = []


def calendar_listen(listener: CalendarListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def calendar_listeners_before(year: int) -> list[Callable[[], object]]:
    return [listener(year) for listener in _listeners]


# --- the snapshot ---------------------------------------------------------------------------------------------


def calendar_changed() -> None:
    """Tell every process to reload: now (so this transaction's own reads see the change) and again after
    commit (so a process that reloaded in between, seeing the old rows, reloads once more)."""
    _bump()
    transaction.on_commit(_bump)


def reset() -> None:
    """Forget the snapshot and the warnings given (tests; after restoring a database)."""
    global _snapshot
    with _lock:
        _snapshot = None
        _warned_years.clear()


def _bump() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def _current() -> _Snapshot:
    global _snapshot
    token = cache.get(VERSION_KEY)
    snapshot = _snapshot
    if snapshot is not None and snapshot.token == token and time.monotonic() - snapshot.loaded_at < MAX_AGE:
        return snapshot
    with _lock:
        snapshot = _snapshot
        if snapshot is not None and snapshot.token == token and time.monotonic() - snapshot.loaded_at < MAX_AGE:
            return snapshot  # another thread has just reloaded
        snapshot = _load(token)
        _snapshot = snapshot
        return snapshot


def _load(token: str | None) -> _Snapshot:
    from lianxin.workdays.models import CalendarDay, CalendarYear

    exceptions = {
        day: (workday, name) for day, workday, name in CalendarDay.objects.values_list("date", "is_workday", "name")
    }
    known = frozenset(CalendarYear.objects.filter(is_complete=True).values_list("year", flat=True))
    return _Snapshot(token=token, loaded_at=time.monotonic(), exceptions=exceptions, known_years=known)


def _day_info(snapshot: _Snapshot, day: datetime.date) -> DayInfo:
    known = day.year in snapshot.known_years
    if not known:
        _warn_unknown(day.year)
    found = snapshot.exceptions.get(day)
    if found is not None:
        # Kept even in a year not known as a whole: a day an administrator entered beats the weekday rule.
        return DayInfo(date=day, is_workday=found[0], name=found[1], known=known)
    weekend = day.weekday() >= 5
    if not known and not weekend:
        fixed = FIXED_HOLIDAYS.get((day.month, day.day))
        if fixed is not None:
            return DayInfo(date=day, is_workday=False, name=f"{fixed}（按法定日期推定）", known=False)
    return DayInfo(date=day, is_workday=not weekend, name="周末" if weekend else "", known=known)


def _warn_unknown(year: int) -> None:
    if year in _warned_years:
        return
    with _lock:
        if year in _warned_years:
            return
        _warned_years.add(year)
    logger.warning(
        "%s（工作日历中没有 %s 年的完整安排，请导入：lianxin import_calendar %s 文件）",
        unknown_year_message(year),
        year,
        year,
    )


def _days(first: datetime.date, last: datetime.date) -> Iterator[datetime.date]:
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)
