"""The worker's heartbeat and job counters, read by health and metrics.

The worker (lianxin.notifications.worker) calls them through its watchers, which OpsConfig.ready plugs in: the
worker's app sits below this one in the layers and does not import it. Django and this app's model only.
"""

import datetime
import logging
import os
import socket
import threading
import time
from typing import Any

from django.utils import timezone

from lianxin.ops.models import WorkerHeartbeat

logger = logging.getLogger("lianxin.worker")

# Rows of workers that stopped beating this long ago are removed by the next beat of any worker.
FORGET_AFTER = datetime.timedelta(days=1)
# At most one write per this many seconds: a busy worker runs many rounds a second, and the health check's
# threshold (HEALTH_WORKER_STALE_SECONDS) is minutes.
BEAT_EVERY = 5.0

_lock = threading.Lock()
_jobs: dict[str, dict[str, float]] = {}
_started = timezone.now()
_last_beat: float | None = None


def heartbeat_reset() -> None:
    """Forget this process's counters and last beat (a new worker process, or a test)."""
    global _last_beat
    with _lock:
        _jobs.clear()
        _last_beat = None


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def job_observe(name: str, *, seconds: float, ok: bool) -> None:
    """Count one run of a job in this process (sent with the next heartbeat)."""
    with _lock:
        stats = _jobs.setdefault(name, {"runs": 0, "failures": 0, "seconds": 0.0, "last_seconds": 0.0})
        stats["runs"] += 1
        stats["failures"] += 0 if ok else 1
        stats["seconds"] += seconds
        stats["last_seconds"] = seconds


def heartbeat_beat(*, now: datetime.datetime | None = None, force: bool = False) -> None:
    """Record that this worker process is alive. Never raises: a heartbeat must not stop the worker.

    A failed beat (the database is down) is exactly what the health check then reports. At most one write per
    BEAT_EVERY seconds unless `force`d. The job counters are those of the rounds before this one.
    """
    global _last_beat
    with _lock:
        if not force and _last_beat is not None and time.monotonic() - _last_beat < BEAT_EVERY:
            return
        _last_beat = time.monotonic()
        jobs: dict[str, Any] = {name: dict(stats) for name, stats in _jobs.items()}
    now = now or timezone.now()
    try:
        WorkerHeartbeat.objects.update_or_create(
            name=process_name(),
            defaults={"beat_at": now, "jobs": jobs},
            create_defaults={"beat_at": now, "jobs": jobs, "started_at": _started},
        )
        WorkerHeartbeat.objects.filter(beat_at__lt=now - FORGET_AFTER).delete()
    except Exception:
        logger.warning("worker heartbeat not recorded", exc_info=True)
