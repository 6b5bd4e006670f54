"""`lianxin run_worker`: the background worker. `--once` runs one round (for cron and tests).

Why not django-tasks: its database backend (since 0.12 a separate package, django-tasks-db) is a second queue
table beside the outbox, which is already the durable queue; it has no periodic schedule, so a scheduler loop
would be needed anyway; and it is pre-1.0 with breaking changes between minor versions. What is left to do —
poll one indexed table and run five idempotent jobs on a clock — fits in ~150 lines we can read.

The job list lives here, in the operations app, because it wires the jobs of every domain app (cases, projects,
routing, privacy); the loop itself is lianxin.notifications.worker, low in the layers (docs/architecture.md).
"""

import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lianxin.cases.deadline_jobs import (
    cases_escalate_overdue,
    cases_mark_overdue,
    cases_remind_due,
    cases_repair_stranded_merges,
)
from lianxin.cases.intake.queue import submissions_register_queued
from lianxin.cases.summaries import (
    summaries_calendar_missing,
    summaries_grid_daily,
    summaries_place_weekly,
    summaries_station_monthly,
)
from lianxin.core.ratelimit import rate_counters_purge
from lianxin.duties.jobs import duty_jobs
from lianxin.insight.jobs import report_jobs
from lianxin.insight.rollups import rollups_update
from lianxin.notifications.worker import INTAKE, QUEUES, At, Every, Job, Worker
from lianxin.ops.longjobs import longjobs_purge, longjobs_run
from lianxin.privacy.retention import personal_data_purge
from lianxin.projects.jobs import projects_flag_missing, projects_remind_reports
from lianxin.routing.jobs import routing_jobs
from lianxin.suggestions.jobs import suggestion_jobs
from lianxin.supervision.jobs import supervision_jobs


def jobs() -> list[Job]:
    every = Every(datetime.timedelta(minutes=settings.WORKER_DEADLINE_MINUTES))
    at = datetime.time.fromisoformat(settings.WORKER_SUMMARY_TIME)
    return [
        # Every round: API submissions become cases within a poll interval of arriving.
        Job("cases_register_submissions", Every(datetime.timedelta(0)), submissions_register_queued, queue=INTAKE),
        # Overdue before escalation: a case is marked late before it is escalated in the same round.
        Job("cases_remind_due", every, cases_remind_due),
        Job("cases_mark_overdue", every, cases_mark_overdue),
        Job("cases_escalate_overdue", every, cases_escalate_overdue),
        Job("cases_repair_stranded_merges", every, cases_repair_stranded_merges),
        Job("summaries_grid_daily", At(at), summaries_grid_daily),
        Job("summaries_place_weekly", At(at, weekday=0), summaries_place_weekly),
        Job("summaries_station_monthly", At(at, monthday=1), summaries_station_monthly),
        Job("summaries_calendar_missing", At(at), summaries_calendar_missing),  # weekly per person, while missing
        # Daily; each job acts only in its days of the month (last days: remind; first days: flag) and once.
        Job("projects_remind_reports", At(at), projects_remind_reports),
        Job("projects_flag_missing", At(at), projects_flag_missing),
        # Daily, at night: personal data past its retention period (lianxin/privacy/retention.py).
        Job("privacy_purge", At(datetime.time.fromisoformat(settings.PRIVACY_PURGE_TIME)), personal_data_purge),
        *routing_jobs(),  # proposals for new cases every round, nightly retraining
        *suggestion_jobs(),  # suggestions: reminders before the deadline, overdue marks, B promises, the unit router
        *duty_jobs(),  # duties: deputies behind on a frequency rule, organisers of undecided leave requests
        *supervision_jobs(),  # supervision: reminders before rectification, 约见 follow-up and 直通车 deadlines; overdue
        *report_jobs(),  # insight: monthly, quarterly and yearly reports on the first working day, to the staff
        Job("insight_rollups", Every(datetime.timedelta(0)), rollups_update),  # dashboards' rollups: new case events
        # Every round: the imports and exports staff started in the office (lianxin/ops/longjobs.py), one a round;
        # a running one whose worker died is marked failed first.
        Job("longjobs_run", Every(datetime.timedelta(0)), longjobs_run),
        # Every few minutes: the database store's expired rate-limit counters (a request never deletes them).
        Job("rate_counters_purge", Every(datetime.timedelta(minutes=5)), rate_counters_purge),
        # Daily: their files and rejected rows past RETENTION_JOB_FILES_DAYS (privacy).
        Job("longjobs_purge", At(datetime.time.fromisoformat(settings.PRIVACY_PURGE_TIME)), longjobs_purge),
    ]


class Command(BaseCommand):
    help = "后台任务：持续登记接口提交、发送通知；每15分钟提醒、标记超期、自动督办；每日/每周/每月汇总（北京时间）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="只运行一轮后退出（供 cron 与测试）")
        parser.add_argument("--job", action="append", default=[], help="只运行指定任务（可重复）")
        parser.add_argument(
            "--queue",
            choices=QUEUES,
            default=None,
            help="只运行一个队列：intake（登记接口提交、分办建议）或 heavy（定时任务）；默认两个队列各一个线程",
        )
        parser.add_argument("--poll", type=float, default=None, help="两轮之间的秒数（默认 WORKER_POLL_SECONDS）")

    def handle(self, *args: Any, **options: Any) -> None:
        selected = jobs()
        if options["job"]:
            unknown = set(options["job"]) - {job.name for job in selected}
            if unknown:
                names = "、".join(job.name for job in selected)
                raise CommandError(f"没有任务 {'、'.join(sorted(unknown))}；可选：{names}")
            selected = [job for job in selected if job.name in options["job"]]
        if options["queue"]:
            selected = [job for job in selected if job.queue == options["queue"]]
        worker = Worker(selected, batch=settings.NOTIFICATION_BATCH)
        if options["once"]:
            failed = worker.tick()
            if failed:
                raise CommandError(f"任务失败：{'、'.join(failed)}（详见日志）")
            return
        worker.run_forever(poll_seconds=options["poll"] or settings.WORKER_POLL_SECONDS)
