"""The background worker's loop: deliver the outbox continuously, run the periodic jobs when they are due.

Deliberately small (see the command `lianxin run_worker` for why this is not django-tasks). One process is
enough; several are safe, because delivery claims rows by compare-and-swap (and SKIP LOCKED on PostgreSQL) and
every job is idempotent. A failing job is logged and tried again after a short backoff of its own (`backoff`);
it never stops the loop. Scheduled runs are remembered in the database (JobState), so a restart does not repeat
them; and a job that has never run waits for its schedule (its next time, or its interval from the worker's start)
instead of running the moment the worker starts: the first start is not the time for the nightly retraining or a
day's summaries.
"""

import datetime
import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Protocol

from django.db import close_old_connections, connections
from django.utils import timezone

from lianxin.notifications.models import JobState
from lianxin.notifications.services import DeliveryReport, notifications_deliver_due
from lianxin.workdays.calendar import CHINA

logger = logging.getLogger("lianxin.worker")

# A failed job is tried again after BACKOFF_FIRST, then twice as long each time up to BACKOFF_MAX, each job on its
# own: a database that went away for a few seconds costs registration a few seconds, and a job that keeps failing
# (a bug) is not retried in a tight loop.
BACKOFF_FIRST = datetime.timedelta(seconds=1)
BACKOFF_MAX = datetime.timedelta(minutes=1)

# The queues a job belongs to. "intake": the every-round jobs that turn submissions into cases with their routing
# proposal. "heavy": everything on a clock, some of which takes a minute (the nightly retraining). A worker runs
# each queue in its own loop (`run_worker --queue`, or one thread per queue), so registration never waits behind
# a slow job.
INTAKE, HEAVY = "intake", "heavy"
QUEUES = (INTAKE, HEAVY)

# Who watches the worker: called at the start of every round, and after every job run with its name, duration and
# outcome. lianxin.ops plugs its heartbeat and job counters in here when Django starts (OpsConfig.ready), so that
# this low app does not import the operations app above it, which reads the outbox for health and metrics.
# A watcher must never raise.
round_watchers: list[Callable[[], None]] = []
job_watchers: list[Callable[[str, float, bool], None]] = []


def _job_watched(name: str, seconds: float, ok: bool) -> None:
    for watcher in job_watchers:
        watcher(name, seconds, ok)


def backoff(failures: int) -> datetime.timedelta:
    """The wait after the `failures`-th failure in a row: 1 s, 2 s, 4 s, … at most BACKOFF_MAX."""
    return min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** min(failures - 1, 16))


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
    queue: str = HEAVY

    @property
    def remembered(self) -> bool:
        """A run on a clock is kept across restarts; an every-round job has nothing worth a write per round."""
        return not (isinstance(self.schedule, Every) and not self.schedule.interval)


def _drop_broken_connections() -> None:
    """After a failed job, close a connection the database has dropped, so that the next try opens a new one at
    once (close_old_connections would only drop it at the end of the round). A connection inside a transaction
    (a test's) is left to its owner."""
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and not conn.in_atomic_block and not conn.is_usable():
            conn.close()


class Worker:
    def __init__(self, jobs: list[Job], *, batch: int = 100, started: datetime.datetime | None = None) -> None:
        self.jobs = jobs
        self.batch = batch
        # A scheduled job with no recorded run counts from here (run_forever sets it to the start): a daily job
        # first runs at its next time after the start, an every-15-minutes job 15 minutes after it. None: a job
        # never run is due at once (`run_worker --once`, a round asked for now, for cron and tests).
        self.started = started
        self.last: dict[str, datetime.datetime] = {}
        self.not_before: dict[str, datetime.datetime] = {}
        self.failures: dict[str, int] = {}
        self.stopping = False
        self.delivery_failed = False
        # Whether the last round's every-round jobs found work: then the next round starts without a pause.
        self.busy = False

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
            _drop_broken_connections()
        if total.handled:
            logger.info("deliver: %s", total)
        return total

    def _last(self, job: Job) -> datetime.datetime | None:
        if job.name not in self.last and job.remembered:
            last = JobState.objects.filter(name=job.name).values_list("last_run", flat=True).first()
            if last is not None:
                self.last[job.name] = last
        return self.last.get(job.name, self.started if job.remembered else None)

    def _remember(self, job: Job, fire: datetime.datetime) -> None:
        self.last[job.name] = fire
        if job.remembered:
            JobState.objects.update_or_create(name=job.name, defaults={"last_run": fire, "finished_at": timezone.now()})

    def run_job(self, job: Job, now: datetime.datetime) -> bool:
        """Run `job` if it is due; False when it failed."""
        if now < self.not_before.get(job.name, now):
            return True
        started = time.monotonic()
        try:
            fire = job.schedule.due(now, self._last(job))
            if fire is None:
                return True
            result = job.run(now=fire)
            self._remember(job, fire)
        except Exception:
            failures = self.failures.get(job.name, 0) + 1
            self.failures[job.name] = failures
            wait = backoff(failures)
            self.not_before[job.name] = now + wait
            logger.exception("job %s failed (%d in a row); retrying in %s", job.name, failures, wait)
            _job_watched(job.name, time.monotonic() - started, False)
            _drop_broken_connections()
            return False
        self.failures.pop(job.name, None)
        self.not_before.pop(job.name, None)
        if result and not job.remembered:
            self.busy = True
        # A job that found nothing to do (the every-round ones, mostly) is not worth a line at INFO.
        level = logging.INFO if result else logging.DEBUG
        logger.log(level, "job %s: %s (%.2fs)", job.name, result, time.monotonic() - started)
        _job_watched(job.name, time.monotonic() - started, True)
        return True

    def tick(self, now: datetime.datetime | None = None) -> list[str]:
        """One round: deliver, run what is due, deliver what the jobs queued. Returns the jobs that failed."""
        for watcher in round_watchers:
            watcher()  # lianxin.ops: the heartbeat /api/v1/health and /metrics read
        self.busy = False
        self.deliver()
        failed = ["deliver"] if self.delivery_failed else []
        now = now or timezone.now()
        failed += [job.name for job in self.jobs if not self.run_job(job, now)]
        self.deliver()
        return failed + (["deliver"] if self.delivery_failed and "deliver" not in failed else [])

    def queues(self) -> list["Worker"]:
        """One worker per queue that has jobs (intake first), each to run in its own loop."""
        names = [q for q in QUEUES if any(j.queue == q for j in self.jobs)]
        names += sorted({j.queue for j in self.jobs} - set(names))
        if len(names) <= 1:
            return [self]
        return [
            Worker([j for j in self.jobs if j.queue == name], batch=self.batch, started=self.started) for name in names
        ]

    def run_forever(self, *, poll_seconds: float) -> None:
        """Run every queue until SIGTERM or SIGINT: the first in this thread, any other in a thread of its own
        (the heavy jobs spend most of their time in numpy and the database, which release the GIL)."""
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        self.started = self.started or timezone.now()
        loops = self.queues()
        for loop in loops:
            logger.info("worker started: %s", ", ".join(f"{j.name} ({j.schedule})" for j in loop.jobs))
        threads = [
            threading.Thread(target=self._loop, args=(loop, poll_seconds), name=f"worker-{loop.jobs[0].queue}")
            for loop in loops[1:]
        ]
        for thread in threads:
            thread.start()
        self._loop(loops[0], poll_seconds)
        for thread in threads:
            thread.join()
        logger.info("worker stopped")

    def _loop(self, loop: "Worker", poll_seconds: float) -> None:
        try:
            while not self.stopping:
                close_old_connections()  # a database restart costs a round or two, not the process
                loop.tick()
                if loop.busy:
                    continue  # a full batch was handled: more is probably waiting
                deadline = time.monotonic() + poll_seconds
                while not self.stopping and time.monotonic() < deadline:
                    time.sleep(min(0.5, poll_seconds))
        finally:
            if threading.current_thread() is not threading.main_thread():
                connections.close_all()  # this thread's own connections

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True
