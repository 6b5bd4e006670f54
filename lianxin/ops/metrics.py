"""/metrics in Prometheus' text format: request latencies, the queues, the worker's jobs.

Request latencies are observed in each gunicorn worker process; with PROMETHEUS_MULTIPROC_DIR set (deploy/ sets
it, and gunicorn.conf.py cleans a dead worker's files) prometheus_client keeps them in shared files, and a scrape
adds them up whichever process answers. Everything else is read from the database at scrape time (queue lengths,
the worker's heartbeat and job counters), so it is right from any process and any host.

Access: a bearer token (METRICS_TOKEN) or a client address in METRICS_ALLOWED_IPS (addresses or networks, checked
against the socket's peer, never a forwarded header). With neither set the endpoint does not exist (404).
"""

import hmac
import ipaddress
import os
from collections.abc import Iterator

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from lianxin.ops.models import WorkerHeartbeat
from lianxin.ops.selectors import queue_state

# Not registered globally: each scrape builds its registry (below), which in multi-process mode reads the files.
REQUEST_LATENCY = Histogram(
    "lianxin_http_request_duration_seconds",
    "Time from the first middleware to the response, by view",
    ["view", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=None,
)


class DatabaseCollector(Collector):
    """Gauges and counters read from the database at scrape time."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        state = queue_state(now=now)
        yield GaugeMetricFamily(
            "lianxin_submissions_queued", "API submissions accepted and not yet registered", value=state.queued
        )
        yield GaugeMetricFamily(
            "lianxin_submissions_oldest_queued_age_seconds",
            "Age of the oldest queued API submission (0 when none)",
            value=state.oldest_age_seconds or 0.0,
        )
        yield GaugeMetricFamily(
            "lianxin_notifications_due", "Outbox notifications due and not yet delivered", value=state.notifications_due
        )
        age = GaugeMetricFamily(
            "lianxin_worker_heartbeat_age_seconds", "Seconds since the worker's last round", labels=["worker"]
        )
        runs = CounterMetricFamily("lianxin_job_runs", "Job runs since the worker started", labels=["worker", "job"])
        failures = CounterMetricFamily(
            "lianxin_job_failures", "Failed job runs since the worker started", labels=["worker", "job"]
        )
        seconds = CounterMetricFamily(
            "lianxin_job_duration_seconds", "Time spent in the job since the worker started", labels=["worker", "job"]
        )
        last = GaugeMetricFamily(
            "lianxin_job_last_duration_seconds", "Duration of the job's last run", labels=["worker", "job"]
        )
        for beat in WorkerHeartbeat.objects.order_by("name"):
            age.add_metric([beat.name], (now - beat.beat_at).total_seconds())
            for job, stats in sorted(beat.jobs.items()):
                runs.add_metric([beat.name, job], stats.get("runs", 0))
                failures.add_metric([beat.name, job], stats.get("failures", 0))
                seconds.add_metric([beat.name, job], stats.get("seconds", 0.0))
                last.add_metric([beat.name, job], stats.get("last_seconds", 0.0))
        yield from (age, runs, failures, seconds, last)


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if given and hmac.compare_digest(given.encode(), token.encode()):
            return True
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(peer in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_IPS)


def metrics_view(request: HttpRequest) -> HttpResponse:
    # Not allowed looks the same as not there: a scanner learns nothing.
    if not _allowed(request):
        raise Http404
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_LATENCY)
    registry.register(DatabaseCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
