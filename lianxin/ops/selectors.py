"""Reads for the health check and the metrics: database, cache, worker heartbeat, queues.

Each probe is cheap (an indexed count or a primary-key lookup) because load balancers and Prometheus call them
every few seconds.
"""

import datetime
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from lianxin.cases.models import Submission, SubmissionStatus
from lianxin.notifications.models import Notification, NotificationStatus
from lianxin.ops.models import WorkerHeartbeat


@dataclass
class Check:
    ok: bool
    detail: str = ""


@dataclass
class QueueState:
    queued: int
    oldest_age_seconds: float | None
    notifications_due: int


@dataclass
class HealthReport:
    database: Check
    cache: Check
    worker: Check
    queue: Check
    last_heartbeat: datetime.datetime | None = None
    heartbeat_age_seconds: float | None = None
    state: QueueState | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in (self.database, self.cache, self.worker, self.queue))


def queue_state(*, now: datetime.datetime) -> QueueState:
    queued = Submission.objects.filter(status=SubmissionStatus.QUEUED)
    oldest = queued.order_by("id").values_list("received_at", flat=True).first()
    due = Notification.objects.filter(status=NotificationStatus.PENDING, next_attempt_at__lte=now).count()
    return QueueState(
        queued=queued.count(),
        oldest_age_seconds=(now - oldest).total_seconds() if oldest else None,
        notifications_due=due,
    )


def worker_last_heartbeat() -> datetime.datetime | None:
    beat: datetime.datetime | None = WorkerHeartbeat.objects.aggregate(last=Max("beat_at"))["last"]
    return beat


def _cache_check() -> Check:
    key, value = "lianxin:health", uuid.uuid4().hex
    try:
        cache.set(key, value, 30)
        return Check(True) if cache.get(key) == value else Check(False, "缓存写入后读不回")
    except Exception as exc:  # any cache backend error means unhealthy, whatever its class
        return Check(False, f"缓存不可用：{type(exc).__name__}")


def health_report(*, now: datetime.datetime | None = None) -> HealthReport:
    """Whether the platform is well: database, cache, a worker that beats, and intake that moves.

    Thresholds: HEALTH_WORKER_STALE_SECONDS since the last heartbeat, HEALTH_QUEUE_MAX_AGE_SECONDS for the oldest
    queued submission (a worker that beats while one submission blocks the rest shows here).
    """
    now = now or timezone.now()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = Check(True)
    except Exception as exc:  # the driver's errors differ by engine; all of them mean "down"
        return HealthReport(
            database=Check(False, f"数据库不可用：{type(exc).__name__}"),
            cache=_cache_check(),
            worker=Check(False, "数据库不可用，无法读取心跳"),
            queue=Check(False, "数据库不可用，无法读取队列"),
        )
    beat = worker_last_heartbeat()
    age = (now - beat).total_seconds() if beat else None
    stale = settings.HEALTH_WORKER_STALE_SECONDS
    if age is None:
        worker = Check(False, "后台任务从未运行（lianxin run_worker）")
    elif age > stale:
        worker = Check(False, f"后台任务已 {age:.0f} 秒没有心跳（上限 {stale} 秒）")
    else:
        worker = Check(True)
    state = queue_state(now=now)
    limit = settings.HEALTH_QUEUE_MAX_AGE_SECONDS
    if state.oldest_age_seconds is not None and state.oldest_age_seconds > limit:
        queue = Check(False, f"最早的接口提交已排队 {state.oldest_age_seconds:.0f} 秒（上限 {limit} 秒）")
    else:
        queue = Check(True)
    return HealthReport(
        database=database,
        cache=_cache_check(),
        worker=worker,
        queue=queue,
        last_heartbeat=beat,
        heartbeat_age_seconds=age,
        state=state,
    )
