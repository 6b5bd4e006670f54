"""/metrics: Prometheus text for request latencies, the queues and the worker's jobs, only for whom it is meant."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from lianxin.cases.models import Submission
from lianxin.notifications.worker import Every, Job, Worker
from lianxin.ops.heartbeat import heartbeat_beat, heartbeat_reset, process_name


@pytest.fixture(autouse=True)
def _fresh_heartbeat():
    heartbeat_reset()
    yield
    heartbeat_reset()


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_do_not_exist_without_a_token_or_an_allowed_address(db, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", []
    assert Client().get("/metrics").status_code == 404


def test_metrics_answer_the_right_token_and_refuse_a_wrong_one(db, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "s3cret-scrape-token", []
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    response = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


def test_an_allowed_network_is_checked_against_the_peer_not_a_forwarded_header(db, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", ["10.1.0.0/16"]
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="192.0.2.7").get("/metrics", HTTP_X_FORWARDED_FOR="10.1.2.3").status_code == 404


def test_metrics_report_the_queue_the_worker_jobs_and_request_latencies(db, settings, personas, regions):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", ["127.0.0.1"]
    Submission.objects.create(
        receipt_code="RQUEUED0001",
        submitted_by=personas.county_staff,
        payload={},
        region=regions.deqing,
        received_at=timezone.now() - datetime.timedelta(seconds=90),
    )

    def boom(now):
        raise RuntimeError("a bug")

    worker = Worker(
        [Job("fine", Every(datetime.timedelta(0)), lambda now: 1), Job("boom", Every(datetime.timedelta(0)), boom)]
    )
    worker.tick()
    heartbeat_beat(force=True)  # a round's counters travel with the next beat
    Client().get("/api/v1/health/live")

    samples = _samples(Client().get("/metrics").content.decode())
    me = ("worker", process_name())
    assert samples[("lianxin_submissions_queued", ())] == 1
    assert 90 <= samples[("lianxin_submissions_oldest_queued_age_seconds", ())] < 120
    assert samples[("lianxin_worker_heartbeat_age_seconds", (me,))] < 5
    assert samples[("lianxin_job_runs_total", (("job", "fine"), me))] == 1
    assert samples[("lianxin_job_failures_total", (("job", "boom"), me))] == 1
    assert samples[("lianxin_job_failures_total", (("job", "fine"), me))] == 0
    live = (("method", "GET"), ("status", "2xx"), ("view", "api-v1:live"))
    assert samples[("lianxin_http_request_duration_seconds_count", live)] >= 1
