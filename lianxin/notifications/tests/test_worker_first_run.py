"""A started worker's scheduled jobs wait for their schedule: the nightly retraining (minutes of CPU) and the day's
summaries (hundreds of notices) do not run the moment the worker starts; a run the records say was missed is made."""

import datetime

import pytest
from django.utils import timezone

from lianxin.notifications.models import JobState
from lianxin.notifications.worker import INTAKE, At, Every, Job, Worker
from lianxin.ops.management.commands.run_worker import jobs
from lianxin.workdays.calendar import CHINA

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
T = datetime.datetime(2026, 3, 4, 9, 0, tzinfo=SHANGHAI)  # a Wednesday, 09:00
QUARTER = datetime.timedelta(minutes=15)
NIGHT = datetime.datetime(2026, 3, 5, 2, 30, tzinfo=SHANGHAI)  # the next night's retraining
MORNING = datetime.datetime(2026, 3, 5, 7, 0, tzinfo=SHANGHAI)  # the next morning's summaries


@pytest.fixture
def runs() -> list[tuple[str, datetime.datetime]]:
    return []


def _jobs(runs):
    def job(name):
        def run(*, now):
            runs.append((name, now))
            return 1

        return run

    return [
        Job("register", Every(datetime.timedelta(0)), job("register"), queue=INTAKE),
        Job("mark_overdue", Every(QUARTER), job("mark_overdue")),
        Job("retrain", At(datetime.time(2, 30)), job("retrain")),
        Job("summaries", At(datetime.time(7)), job("summaries")),
    ]


def _heavy(runs):
    return [r for r in runs if r[0] != "register"]


def test_a_first_start_runs_each_scheduled_job_at_its_next_time_not_at_once(db, runs):
    worker = Worker(_jobs(runs), started=T)

    worker.tick(now=T)
    worker.tick(now=T + datetime.timedelta(minutes=14))
    assert _heavy(runs) == []
    assert not JobState.objects.exists()
    assert [r[0] for r in runs] == ["register", "register"]  # the every-round jobs run from the first round

    worker.tick(now=T + QUARTER)  # an interval after the start
    worker.tick(now=NIGHT - datetime.timedelta(minutes=1))
    worker.tick(now=NIGHT)
    worker.tick(now=MORNING)

    assert _heavy(runs) == [
        ("mark_overdue", T + QUARTER),
        ("mark_overdue", NIGHT - datetime.timedelta(minutes=1)),
        ("retrain", NIGHT),
        ("mark_overdue", MORNING),
        ("summaries", MORNING),
    ]
    assert JobState.objects.get(name="retrain").last_run == NIGHT


def test_a_restart_before_the_first_run_does_not_bring_it_forward(db, runs):
    Worker(_jobs(runs), started=T).tick(now=T)
    later = T + datetime.timedelta(hours=3)
    Worker(_jobs(runs), started=later).tick(now=later)  # restarted three hours later: 07:00 and 02:30 not passed

    assert _heavy(runs) == []


def test_recorded_runs_survive_a_restart_and_a_missed_run_is_made_once(db, runs):
    JobState.objects.create(name="mark_overdue", last_run=T - 2 * QUARTER, finished_at=T - 2 * QUARTER)
    JobState.objects.create(name="retrain", last_run=NIGHT - datetime.timedelta(days=3), finished_at=T)
    JobState.objects.create(name="summaries", last_run=T.replace(hour=7), finished_at=T.replace(hour=7))
    worker = Worker(_jobs(runs), started=T)

    worker.tick(now=T)
    worker.tick(now=T + datetime.timedelta(minutes=1))

    # The interval from the recorded run has passed; the worker was down for last night's retraining; today's
    # summaries were sent before the restart.
    assert _heavy(runs) == [("mark_overdue", T), ("retrain", NIGHT - datetime.timedelta(days=1))]


def test_run_forever_counts_from_its_start_so_the_real_jobs_first_round_runs_only_the_every_round_ones(
    transactional_db, monkeypatch, runs
):
    from lianxin.notifications import worker as worker_module

    monkeypatch.setattr(worker_module.signal, "signal", lambda *args: None)  # leave pytest's handlers alone
    rounds: list[str] = []

    def record(name):
        def run(*, now):
            runs.append((name, now))
            rounds.append(name)
            # Stop when both queues have made two rounds: every heavy job was looked at before "heavy_round".
            if rounds.count("cases_register_submissions") >= 2 and rounds.count("heavy_round") >= 2:
                worker.stopping = True
            return 0

        return run

    real = jobs()
    # A daily job whose time passed a minute ago: without a record, the old worker made that run at start.
    passed = (timezone.localtime(timezone.now(), CHINA) - datetime.timedelta(minutes=1)).time()
    recorded = [Job(j.name, j.schedule, record(j.name), queue=j.queue) for j in real]
    worker = Worker(
        [
            *recorded,
            Job("daily", At(passed), record("daily")),
            Job("heavy_round", Every(datetime.timedelta(0)), record("heavy_round")),
        ]
    )

    worker.run_forever(poll_seconds=0.01)

    every_round = {j.name for j in real if not j.remembered} | {"heavy_round"}
    assert {name for name, _ in runs} == every_round
    assert {"routing_retrain", "summaries_grid_daily", "cases_mark_overdue", "daily"}.isdisjoint(rounds)
    assert worker.started is not None and not JobState.objects.exists()
