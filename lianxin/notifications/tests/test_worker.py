import datetime
import logging
import re
import threading

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.utils import timezone

from lianxin.accounts.roles import Role
from lianxin.cases.intake.queue import submission_accept
from lianxin.cases.models import Status
from lianxin.cases.workflow import Action, case_transition
from lianxin.notifications.models import JobState, Notification, NotificationStatus
from lianxin.notifications.worker import BACKOFF_MAX, INTAKE, At, Every, Job, Worker
from lianxin.ops.management.commands.run_worker import jobs

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
T = datetime.datetime(2026, 3, 4, 9, 0, tzinfo=SHANGHAI)  # a Wednesday
QUARTER = datetime.timedelta(minutes=15)


def test_run_worker_once_delivers_the_outbox_and_escalates_a_late_case(loop, personas):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI), tick=False):
        case = loop.register()
        case_transition(
            case=case, action=Action.ACCEPT, actor=personas.township_staff, params={"category": "transport"}
        )
        params = {"unit": loop.unit.pk, "reply_days": 1}  # due Tuesday 3 March
        case_transition(case=case, action=Action.TRANSFER, actor=personas.township_staff, params=params)
    assert Notification.objects.filter(status=NotificationStatus.PENDING).exists()

    with time_machine.travel(datetime.datetime(2026, 3, 9, 9, tzinfo=SHANGHAI), tick=False):  # 4 working days late
        call_command("run_worker", "--once")

    case.refresh_from_db()
    assert (case.status, case.is_overdue) == (Status.SUPERVISING, True)
    assert list(case.events.filter(action__in=["overdue", "escalate"]).values_list("action", flat=True)) == [
        "overdue",
        "escalate",
    ]
    # Everything queued before the round and by it (the supervisors' notices) has gone out.
    assert Notification.objects.filter(kind="case.escalated").count() == 2
    assert not Notification.objects.exclude(status=NotificationStatus.SENT).exists()


def test_run_worker_once_can_run_one_job_and_refuses_an_unknown_one(db):
    call_command("run_worker", "--once", "--job", "cases_mark_overdue")
    with pytest.raises(CommandError, match="没有任务"):
        call_command("run_worker", "--once", "--job", "nope")


def test_a_failing_job_backs_off_on_its_own_for_seconds_doubling_up_to_a_minute_without_stopping_the_others(db, caplog):
    ran = []

    def boom(*, now):
        raise RuntimeError("数据库断开")

    def fine(*, now):
        ran.append(now)
        return 0

    worker = Worker([Job("boom", Every(datetime.timedelta(0)), boom), Job("fine", Every(QUARTER), fine)])
    second = datetime.timedelta(seconds=1)

    with caplog.at_level(logging.DEBUG, logger="lianxin.worker"):
        assert worker.tick(now=T) == ["boom"]  # 1st failure: wait 1 s
        assert worker.tick(now=T + 0.5 * second) == []  # boom waits, fine is not due
        assert worker.tick(now=T + second) == ["boom"]  # 2nd: wait 2 s
        assert worker.tick(now=T + 2 * second) == []
        assert worker.tick(now=T + 3 * second) == ["boom"]  # 3rd: wait 4 s
        assert worker.tick(now=T + 7 * second) == ["boom"]
        assert worker.not_before["boom"] == T + 15 * second
        for _ in range(10):
            failed_at = worker.not_before["boom"]
            assert worker.tick(now=failed_at) == ["boom"]
        assert worker.not_before["boom"] - failed_at == BACKOFF_MAX  # capped at a minute
        assert worker.tick(now=T + QUARTER) == ["boom"]

    assert ran == [T, T + QUARTER]
    assert any("job boom failed (1 in a row); retrying in 0:00:01" in r.getMessage() for r in caplog.records)
    # A run that found nothing to do is logged, but below INFO: the every-round jobs would flood the log.
    assert any(r.getMessage().startswith("job fine: 0") and r.levelno == logging.DEBUG for r in caplog.records)


def test_a_job_that_recovers_runs_every_round_again(db):
    calls = []

    def once_broken(*, now):
        calls.append(now)
        if len(calls) == 1:
            raise RuntimeError("数据库断开")
        return 0

    worker = Worker([Job("register", Every(datetime.timedelta(0)), once_broken, queue=INTAKE)])
    second = datetime.timedelta(seconds=1)

    assert worker.tick(now=T) == ["register"]
    assert worker.tick(now=T + second) == []
    assert worker.tick(now=T + 1.1 * second) == []  # no backoff left over from the failure

    assert calls == [T, T + second, T + 1.1 * second]


def test_daily_weekly_and_monthly_runs_fall_at_seven_beijing_time_once_per_period():
    daily, weekly, monthly = At(datetime.time(7)), At(datetime.time(7), weekday=0), At(datetime.time(7), monthday=1)
    early = datetime.datetime(2026, 3, 4, 6, 59, tzinfo=SHANGHAI)

    assert daily.latest(early) == datetime.datetime(2026, 3, 3, 7, tzinfo=SHANGHAI)
    assert weekly.latest(early) == datetime.datetime(2026, 3, 2, 7, tzinfo=SHANGHAI)
    assert monthly.latest(early) == datetime.datetime(2026, 3, 1, 7, tzinfo=SHANGHAI)

    seven = datetime.datetime(2026, 3, 4, 7, tzinfo=SHANGHAI)
    assert daily.due(early, last=daily.latest(early)) is None
    assert daily.due(seven, last=daily.latest(early)) == seven
    assert daily.due(seven + QUARTER, last=seven) is None
    # A worker that starts late makes the run it missed, with that run's time.
    assert weekly.due(early, last=None) == datetime.datetime(2026, 3, 2, 7, tzinfo=SHANGHAI)


def test_the_loop_keeps_going_after_a_failed_round_and_stops_when_asked(db, monkeypatch):
    from lianxin.notifications import worker as worker_module

    monkeypatch.setattr(worker_module.signal, "signal", lambda *args: None)  # leave pytest's handlers alone
    rounds = []

    def flaky(*, now):
        rounds.append(now)
        if len(rounds) == 1:
            raise RuntimeError("数据库断开")
        worker.stopping = True  # what SIGTERM does

    worker = Worker([Job("flaky", Every(datetime.timedelta(0)), flaky)])
    monkeypatch.setattr(worker_module, "BACKOFF_FIRST", datetime.timedelta(0))

    worker.run_forever(poll_seconds=0.01)

    assert len(rounds) == 2


def test_a_restarted_worker_waits_for_the_next_scheduled_run_instead_of_repeating_the_last(db):
    runs: list[tuple[str, datetime.datetime]] = []

    def job(name):
        def run(*, now):
            runs.append((name, now))
            return 1

        return run

    def start():  # a new process: nothing in memory
        return Worker(
            [
                Job("register", Every(datetime.timedelta(0)), job("register"), queue=INTAKE),
                Job("mark_overdue", Every(QUARTER), job("mark_overdue")),
                Job("retrain", At(datetime.time(2, 30)), job("retrain")),
            ]
        )

    start().tick(now=T)
    start().tick(now=T + datetime.timedelta(minutes=1))  # restarted a minute later
    start().tick(now=T + QUARTER)

    nightly = datetime.datetime(2026, 3, 4, 2, 30, tzinfo=SHANGHAI)
    assert [r for r in runs if r[0] != "register"] == [
        ("mark_overdue", T),
        ("retrain", nightly),  # the first start ever makes the run it missed, once
        ("mark_overdue", T + QUARTER),
    ]
    assert len([r for r in runs if r[0] == "register"]) == 3  # every round, in every process
    assert dict(JobState.objects.values_list("name", "last_run")) == {"mark_overdue": T + QUARTER, "retrain": nightly}


def test_registration_does_not_wait_behind_a_slow_heavy_job(transactional_db, monkeypatch):
    from lianxin.notifications import worker as worker_module

    monkeypatch.setattr(worker_module.signal, "signal", lambda *args: None)  # leave pytest's handlers alone
    retraining = threading.Event()
    released = threading.Event()
    registered_meanwhile = []
    finished_in_time = []

    def retrain(*, now):  # the nightly retraining: a minute of work
        retraining.set()
        finished_in_time.append(released.wait(timeout=10))
        return 1

    def register(*, now):
        if retraining.is_set() and not released.is_set():
            registered_meanwhile.append(now)
            if len(registered_meanwhile) == 3:
                released.set()
                worker.stopping = True
        return 0

    worker = Worker(
        [
            Job("register", Every(datetime.timedelta(0)), register, queue=INTAKE),
            Job("retrain", Every(QUARTER), retrain),
        ],
        started=timezone.now() - QUARTER,  # running for a quarter of an hour: the retraining is due
    )
    worker.run_forever(poll_seconds=0.01)

    assert finished_in_time == [True]  # released by registration rounds made while it ran, not by the timeout
    assert len(registered_meanwhile) == 3


def test_the_worker_log_lines_carry_the_date_and_time():
    console = next(h for h in logging.getLogger().handlers if h.name == "console")
    record = logging.LogRecord("lianxin.worker", logging.INFO, __file__, 1, "job %s: %s", ("x", 3), None)

    assert re.match(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO lianxin\.worker \[\d+ \w+\] job x: 3$", console.format(record)
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_terminate_backend is PostgreSQL's")
def test_a_terminated_database_connection_costs_registration_seconds_not_minutes(
    transactional_db, regions, make_user, monkeypatch
):
    clerk = make_user("clerk", Role.TOWNSHIP_STAFF, regions.wukang)
    payload = {"channel": "hotline", "title": "居仁路积水", "body": "雨后积水没过脚踝。", "region": regions.jueren.code}
    terminated: list[int] = []

    def outage(*, now):
        """The database drops this worker's connection just before registration runs (a restart, a failover)."""
        if not terminated:
            terminated.append(connection.connection.info.backend_pid)
            other = connections.create_connection("default")
            with other.cursor() as cursor:
                cursor.execute("select pg_terminate_backend(%s)", [terminated[0]])
            other.close()
        return 0

    registration = [job for job in jobs() if job.queue == INTAKE]
    worker = Worker([Job("outage", Every(datetime.timedelta(0)), outage), *registration])
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 600)  # persistent, as in production
    connection.close()
    submission = submission_accept(actor=clerk, payload=payload).submission

    assert worker.tick(now=T) == ["cases_register_submissions"]  # met the dead connection
    assert worker.tick(now=T + datetime.timedelta(seconds=2)) == []  # tried again two seconds later

    submission.refresh_from_db()
    assert submission.case is not None
    assert connection.connection.info.backend_pid != terminated[0]  # on a new connection
    monkeypatch.undo()
    connection.close()
