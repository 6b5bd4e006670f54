import datetime
import logging

import pytest
import time_machine
from django.core.management import CommandError, call_command

from lianxin.cases.models import Status
from lianxin.cases.workflow import Action, case_transition
from lianxin.notifications.models import Notification, NotificationStatus
from lianxin.notifications.worker import BACKOFF_MAX, INTAKE, At, Every, Job, Worker

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
