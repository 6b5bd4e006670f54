"""/api/v1/health reports the database, cache, worker and intake queue; /api/v1/health/live only that we answer.

The liveness tests have no `db` fixture on purpose: pytest-django raises on any query, so passing proves none is
made.
"""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from lianxin.cases.models import Submission
from lianxin.ops.heartbeat import heartbeat_beat, heartbeat_reset


def test_liveness_answers_ok_without_authentication_or_the_database():
    response = Client().get("/api/v1/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_liveness_ignores_a_bad_token():
    response = Client().get("/api/v1/health/live", HTTP_AUTHORIZATION="Bearer lx_not-a-real-token")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.fixture
def beating(db):
    heartbeat_reset()
    heartbeat_beat()
    yield
    heartbeat_reset()


def test_health_is_ok_when_database_cache_and_a_beating_worker_are_well(beating):
    response = Client().get("/api/v1/health", HTTP_AUTHORIZATION="Bearer lx_not-a-real-token")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["cache"]["ok"] and body["worker"]["ok"] and body["queue"]["ok"]
    assert body["worker"]["heartbeat_age_seconds"] < 5
    assert body["queue"] == {
        "ok": True,
        "detail": "",
        "queued": 0,
        "oldest_queued_age_seconds": None,
        "notifications_due": 0,
    }


def test_health_is_503_when_no_worker_ever_ran(db):
    heartbeat_reset()
    response = Client().get("/api/v1/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["worker"]["ok"] is False
    assert "run_worker" in body["worker"]["detail"]
    assert body["database"]["ok"] is True


def test_health_is_503_when_the_worker_stopped_beating(db, settings):
    heartbeat_reset()
    heartbeat_beat(now=timezone.now() - datetime.timedelta(seconds=settings.HEALTH_WORKER_STALE_SECONDS + 5))
    response = Client().get("/api/v1/health")
    assert response.status_code == 503
    assert "没有心跳" in response.json()["worker"]["detail"]


def test_health_reports_the_queue_and_is_503_when_its_oldest_submission_waited_too_long(
    beating, personas, regions, settings
):
    old = timezone.now() - datetime.timedelta(seconds=settings.HEALTH_QUEUE_MAX_AGE_SECONDS + 60)
    for received_at in (old, timezone.now()):
        Submission.objects.create(
            receipt_code=f"R{received_at:%H%M%S%f}"[:16],
            submitted_by=personas.county_staff,
            payload={},
            region=regions.deqing,
            received_at=received_at,
        )
    response = Client().get("/api/v1/health")
    assert response.status_code == 503
    queue = response.json()["queue"]
    assert queue["ok"] is False
    assert queue["queued"] == 2
    assert queue["oldest_queued_age_seconds"] > settings.HEALTH_QUEUE_MAX_AGE_SECONDS
    assert response.json()["worker"]["ok"] is True


def test_a_worker_round_writes_the_heartbeat_that_health_reads(db):
    from lianxin.notifications.worker import Worker

    heartbeat_reset()
    assert Client().get("/api/v1/health").status_code == 503
    Worker([]).tick()
    assert Client().get("/api/v1/health").status_code == 200
