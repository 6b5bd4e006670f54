"""The background worker's loop: deliver the outbox continuously, run the periodic jobs when they are due.

Deliberately small (see the command `lianxin run_worker` for why this is not django-tasks). One process is
enough; several are safe, because delivery claims rows by compare-and-swap (and SKIP LOCKED on PostgreSQL) and
every job is idempotent. A failing job is logged and tried again RETRY_FAILED later; it never stops the loop.
"""

import datetime
import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Protocol

from django.db import close_old_connections
from django.utils import timezone

from lianxin.notifications.services import DeliveryReport, notifications_deliver_due
from lianxin.workdays.calendar import CHINA

logger = logging.getLogger("lianxin.worker")

RETRY_FAILED = datetime.timedelta(minutes=5)


class Schedule(Protocol):
    def due(self, now: datetime.datetime, last: datetime.datetime | None) -> datetime.datetime | None:
        """The run that is due now (its nominal time, handed to the job as `now`), or None."""
        ...


@dataclass(frozen=True)
class Every:
    interval: datetime.timedelta

    def due(self, now: datetime.datetime, last: datetime.datetime | None) -> datetime.datetime | None:
        return now if last is None or now - last >= self.interval else None

    def __str__(self) -> str:
        return f"every {self.interval}"


@dataclass(frozen=True)
class At:
    """At `time` Beijing time every day, or on one `weekday` (0 = Monday), or on one `monthday`.

    A worker that starts late still makes the latest run it missed (the job is idempotent, so a run already
    made costs nothing) and hands the job that run's nominal time, so "yesterday" means the right day.
    """

    time: datetime.time
    weekday: int | None = None
    monthday: int | None = None

    def latest(self, now: datetime.datetime) -> datetime.datetime:
        local = timezone.localtime(now, CHINA)
        day = local.date()
        while True:
            moment = datetime.datetime.combine(day, self.time, tzinfo=CHINA)
            matches = (self.weekday is None or day.weekday() == self.weekday) and (
                self.monthday is None or day.day == self.monthday
            )
            if matches and moment <= local:
                return moment
            day -= datetime.timedelta(days=1)

    def due(self, now: datetime.datetime, last: datetime.datetime | None) -> datetime.datetime | None:
        fire = self.latest(now)
        return fire if last is None or last < fire else None

    def __str__(self) -> str:
        when = "daily" if self.weekday is None and self.monthday is None else ""
        when += f"weekday {self.weekday}" if self.weekday is not None else ""
        when += f"monthday {self.monthday}" if self.monthday is not None else ""
        return f"{when} at {self.time:%H:%M}"


@dataclass(frozen=True)
class Job:
    name: str
    schedule: Schedule
    run: Callable[..., object]  # run(now=...) -> a count or a report, logged


class Worker:
    def __init__(self, jobs: list[Job], *, batch: int = 100) -> None:
        self.jobs = jobs
        self.batch = batch
        self.last: dict[str, datetime.datetime] = {}
        self.not_before: dict[str, datetime.datetime] = {}
        self.stopping = False
        self.delivery_failed = False

    def deliver(self) -> DeliveryReport:
        """Deliver until nothing is due (bounded, so that jobs still get their turn under a flood)."""
        total = DeliveryReport()
        self.delivery_failed = False
        try:
            for _ in range(50):
                report = notifications_deliver_due(limit=self.batch)
                total.sent += report.sent
                total.retried += report.retried
                total.failed += report.failed
                if report.handled < self.batch:
                    break
        except Exception:
            logger.exception("投递通知出错")
            self.delivery_failed = True
        if total.handled:
            logger.info("deliver: %s", total)
        return total

    def run_job(self, job: Job, now: datetime.datetime) -> bool:
        """Run `job` if it is due; False when it failed."""
        if now < self.not_before.get(job.name, now):
            return True
        fire = job.schedule.due(now, self.last.get(job.name))
        if fire is None:
            return True
        started = time.monotonic()
        try:
            result = job.run(now=fire)
        except Exception:
            logger.exception("job %s failed; retrying in %s", job.name, RETRY_FAILED)
            self.not_before[job.name] = now + RETRY_FAILED
            return False
        self.last[job.name] = fire
        self.not_before.pop(job.name, None)
        # A job that found nothing to do (the every-round ones, mostly) is not worth a line at INFO.
        level = logging.INFO if result else logging.DEBUG
        logger.log(level, "job %s: %s (%.2fs)", job.name, result, time.monotonic() - started)
        return True

    def tick(self, now: datetime.datetime | None = None) -> list[str]:
        """One round: deliver, run what is due, deliver what the jobs queued. Returns the jobs that failed."""
        self.deliver()
        failed = ["deliver"] if self.delivery_failed else []
        now = now or timezone.now()
        failed += [job.name for job in self.jobs if not self.run_job(job, now)]
        self.deliver()
        return failed + (["deliver"] if self.delivery_failed and "deliver" not in failed else [])

    def run_forever(self, *, poll_seconds: float) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        logger.info("worker started: %s", ", ".join(f"{j.name} ({j.schedule})" for j in self.jobs))
        while not self.stopping:
            close_old_connections()  # a database restart costs a round or two, not the process
            self.tick()
            deadline = time.monotonic() + poll_seconds
            while not self.stopping and time.monotonic() < deadline:
                time.sleep(min(0.5, poll_seconds))
        logger.info("worker stopped")

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True
