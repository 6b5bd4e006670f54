"""Simulated time for the demo cases: office hours on working days, and a patched `timezone.now` so that the
real services stamp events, deadlines and overdue flags as if they had happened over the past year."""

import datetime
import random
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from lianxin.cases.deadlines import Limits, limits_for
from lianxin.cases.models import (
    Case,
)
from lianxin.cases.receipts import RECEIPT_LENGTH
from lianxin.core.codes import ALPHABET
from lianxin.workdays.calendar import CHINA, add_workdays, is_workday


class Clock:
    """Stands in for django.utils.timezone.now while the year is written."""

    def __init__(self) -> None:
        self.at = datetime.datetime(2000, 1, 1, tzinfo=CHINA)

    def __call__(self) -> datetime.datetime:
        return self.at


def _moment(day: datetime.date, minutes: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=CHINA) + datetime.timedelta(minutes=minutes)


def office_time(rng: random.Random, day: datetime.date, *, after: datetime.datetime | None = None) -> datetime.datetime:
    """A moment in office hours (8:30–17:30) on `day`, later than `after` when that is the same day."""
    low = 8 * 60 + 30
    if after is not None and after.astimezone(CHINA).date() == day:
        local = after.astimezone(CHINA)
        low = max(low, local.hour * 60 + local.minute + 5)
    return _moment(day, rng.randint(low, max(low, 17 * 60 + 30)))


def same_working_day(
    rng: random.Random, t: datetime.datetime, *, minutes: tuple[int, int] = (10, 90)
) -> datetime.datetime:
    """德清: 当天受理、当天交办 — later the same working day, or the next working day's morning."""
    local = t.astimezone(CHINA)
    later = local + datetime.timedelta(minutes=rng.randint(*minutes))
    if is_workday(local.date()) and later.date() == local.date() and later.hour < 18:
        return later
    return _moment(add_workdays(local.date(), 1), rng.randint(8 * 60 + 30, 11 * 60))


def after_workdays(rng: random.Random, t: datetime.datetime, days: int) -> datetime.datetime:
    local = t.astimezone(CHINA)
    day = add_workdays(local.date(), days)
    if day == local.date() and local.hour >= 17:
        day = add_workdays(day, 1)
    return office_time(rng, day, after=local)


def person_time(rng: random.Random, t: datetime.datetime, days: tuple[int, int]) -> datetime.datetime:
    """When a person does something: any day, between 8:00 and 22:00."""
    local = t.astimezone(CHINA)
    day = local.date() + datetime.timedelta(days=rng.randint(*days))
    moment = _moment(day, rng.randint(8 * 60, 22 * 60))
    return moment if moment > local else local + datetime.timedelta(minutes=rng.randint(20, 180))


# --- the plan ---------------------------------------------------------------------------------------------------


@contextmanager
def simulated_time(rng: random.Random) -> Iterator[Clock]:
    """timezone.now is the clock; receipt codes come from the seeded generator (see the module docstring)."""
    clock = Clock()

    def receipt_code() -> str:
        return "".join(rng.choice(ALPHABET) for _ in range(RECEIPT_LENGTH)).upper()

    # The deadline policies do not change while the seed runs: read each (category, urgency) once.
    limits: dict[tuple[int | None, str], Limits] = {}

    def cached_limits(case: Case) -> Limits:
        key = (case.category_id, case.urgency)
        if key not in limits:
            limits[key] = limits_for(case)
        return limits[key]

    with (
        mock.patch("django.utils.timezone.now", clock),
        mock.patch("lianxin.cases.services.new_receipt_code", receipt_code),
        mock.patch("lianxin.cases.services.limits_for", cached_limits),
        mock.patch("lianxin.cases.workflow.limits_for", cached_limits),
    ):
        yield clock
