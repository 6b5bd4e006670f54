"""The recurring reception schedule (代表接待日) read off the dated duty roster, for what is printed on paper.

The roster (`DutyShift`) holds one row per date, which a poster or a notice board cannot print: the dates are
stale within days. A station keeps a rhythm ("每周三上午 9:00–11:30", "每月第一个周一"), so the rows are grouped by
weekday and hours and the rhythm is recognised: weekly, fortnightly, or the n-th weekday of the month. Rows that
follow no rhythm (a one-off reception) are printed with their date.
"""

import datetime
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

from lianxin.deputies.models import DutyShift

WEEKDAYS = "一二三四五六日"
ORDINALS = ("一", "二", "三", "四")
# A weekly rhythm may miss a holiday or two: three in four of the weekdays in the span are enough.
WEEKLY_SHARE = 0.75


@dataclass
class ScheduleLine:
    """One line of the schedule: when (words), at which place, by whom."""

    when: str
    place: str = ""
    deputies: list[str] = field(default_factory=list)
    recurring: bool = True
    day: datetime.date | None = None  # a one-off's date

    def text(self, *, with_place: bool = False, with_deputies: bool = False) -> str:
        parts = [self.when]
        if with_place and self.place:
            parts.append(self.place)
        if with_deputies and self.deputies:
            parts.append("接待代表：" + "、".join(self.deputies))
        return " ".join(parts)


def clock(time: datetime.time) -> str:
    """9:00, 14:30 (no leading zero, as notices write it)."""
    return f"{time.hour}:{time.minute:02d}"


def part_of_day(start: datetime.time, end: datetime.time) -> str:
    if end <= datetime.time(12, 30):
        return "上午"
    if start >= datetime.time(18):
        return "晚上"
    if start >= datetime.time(12) and end <= datetime.time(18, 30):
        return "下午"
    return ""


def hours(start: datetime.time, end: datetime.time) -> str:
    return f"{part_of_day(start, end)} {clock(start)}–{clock(end)}"


def _weekdays_between(first: datetime.date, last: datetime.date, weekday: int) -> int:
    start = first + datetime.timedelta(days=(weekday - first.weekday()) % 7)
    return 0 if start > last else (last - start).days // 7 + 1


def _nth(day: datetime.date) -> int:
    """1..4 for the first to fourth such weekday of its month; -1 for the last one (a fifth is always last)."""
    if (day + datetime.timedelta(days=7)).month != day.month:
        return -1
    return (day.day - 1) // 7 + 1


def _rhythm(dates: list[datetime.date], first: datetime.date, last: datetime.date) -> str | None:
    """'每周', '每两周的', '每月第一个', '每月最后一个' or None (no rhythm) for the sorted dates of one weekday."""
    if len(dates) < 2:
        return None
    expected = _weekdays_between(first, last, dates[0].weekday())
    gaps = {(b - a).days for a, b in itertools.pairwise(dates)}
    if len(dates) >= WEEKLY_SHARE * expected and gaps <= {7, 14}:
        return "每周"
    if gaps == {14}:
        return "每两周的"
    nths = {_nth(d) for d in dates}
    if len(nths) == 1 and min(gaps) >= 28:
        nth = nths.pop()
        return "每月最后一个" if nth == -1 else f"每月第{ORDINALS[nth - 1]}个"
    return None


def schedule_lines(shifts: Iterable[DutyShift], *, by: str = "place") -> list[ScheduleLine]:
    """The schedule of the given shifts, one line per rhythm and hours; `by` says what else a line names: the
    place (a deputy's schedule, by="place"), or nothing (one place's schedule, by="") — the deputies who take
    turns are listed on each line either way. Lines with the same rhythm and hours on several weekdays are
    merged ("每周二、周五上午 9:00–11:30")."""
    shifts = sorted(shifts, key=lambda s: (s.date, s.start_time, s.pk or 0))
    if not shifts:
        return []
    first, last = shifts[0].date, shifts[-1].date
    groups: dict[tuple, list[DutyShift]] = {}
    for shift in shifts:
        place = shift.place.name if by == "place" else ""
        groups.setdefault((place, shift.date.weekday(), shift.start_time, shift.end_time), []).append(shift)

    merged: dict[tuple, tuple[list[int], list[str]]] = {}
    one_offs: list[tuple[datetime.date, ScheduleLine]] = []
    for (place, weekday, start, end), rows in groups.items():
        dates = sorted({s.date for s in rows})
        names = list(dict.fromkeys(s.deputy.name for s in rows))
        rhythm = _rhythm(dates, first, last)
        if rhythm is None:
            for day in dates:
                on_day = list(dict.fromkeys(s.deputy.name for s in rows if s.date == day))
                when = f"{day.month}月{day.day}日（周{WEEKDAYS[day.weekday()]}）{hours(start, end)}"
                one_offs.append((day, ScheduleLine(when=when, place=place, deputies=on_day, recurring=False, day=day)))
            continue
        weekdays, all_names = merged.setdefault((place, rhythm, start, end), ([], []))
        weekdays.append(weekday)
        all_names.extend(n for n in names if n not in all_names)

    lines = []
    for (place, rhythm, start, end), (weekdays, names) in sorted(
        merged.items(), key=lambda item: (item[0][0], min(item[1][0]), item[0][2])
    ):
        days = "、".join(f"周{WEEKDAYS[d]}" for d in sorted(weekdays))
        # 每周 + 周二、周五 reads 每周二、周五; the others keep the 周: 每两周的周三, 每月第一个周一.
        when = "每" + days if rhythm == "每周" else rhythm + days
        lines.append(ScheduleLine(when=f"{when}{hours(start, end)}", place=place, deputies=names))
    lines.extend(line for _, line in sorted(one_offs, key=lambda item: item[0]))
    return lines
