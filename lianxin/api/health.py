"""Health: `/health` says whether the platform is well (503 when not); `/health/live` only that the process answers.

`/health/live` touches neither the database nor the session: a load balancer's liveness probe, and the baseline
bench/intake.py measures submissions against. `/health` is for monitoring and readiness: the database, the cache,
the worker's last heartbeat, and the intake queue (lianxin.ops.selectors.health_report).
"""

import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from lianxin.ops.selectors import health_report

router = Router(tags=["运行状态"])


class LiveOut(Schema):
    status: str


class CheckOut(Schema):
    ok: bool
    detail: str


class WorkerOut(CheckOut):
    last_heartbeat: datetime.datetime | None
    heartbeat_age_seconds: float | None


class QueueOut(CheckOut):
    queued: int | None
    oldest_queued_age_seconds: float | None
    notifications_due: int | None


class HealthOut(Schema):
    status: str
    database: CheckOut
    cache: CheckOut
    worker: WorkerOut
    queue: QueueOut


@router.get(
    "/health",
    response={200: HealthOut, 503: HealthOut},
    auth=None,
    summary="运行状态",
    description=(
        "数据库、缓存、后台任务（最近心跳）和接口提交队列（排队数、最早一条已等待的秒数）是否正常。"
        '全部正常时返回 200 和 "status": "ok"；任何一项异常返回 503 和 "status": "unhealthy"，'
        "异常项的 detail 说明原因。无需登录，供监控和负载均衡探测。"
    ),
)
def health(request: HttpRequest) -> Status[HealthOut]:
    report = health_report()
    state = report.state
    body = HealthOut(
        status="ok" if report.ok else "unhealthy",
        database=CheckOut(ok=report.database.ok, detail=report.database.detail),
        cache=CheckOut(ok=report.cache.ok, detail=report.cache.detail),
        worker=WorkerOut(
            ok=report.worker.ok,
            detail=report.worker.detail,
            last_heartbeat=report.last_heartbeat,
            heartbeat_age_seconds=report.heartbeat_age_seconds,
        ),
        queue=QueueOut(
            ok=report.queue.ok,
            detail=report.queue.detail,
            queued=state.queued if state else None,
            oldest_queued_age_seconds=state.oldest_age_seconds if state else None,
            notifications_due=state.notifications_due if state else None,
        ),
    )
    return Status(200 if report.ok else 503, body)


@router.get(
    "/health/live",
    response=LiveOut,
    auth=None,
    summary="进程存活",
    description='进程能应答时返回 {"status": "ok"}。无需登录，不访问数据库，供负载均衡的存活探测和压测基线。',
)
def live(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}
