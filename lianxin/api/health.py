"""A no-op for load balancers and benchmarks: it answers without touching the database or the session.

bench/intake.py measures it beside case submission, so that the submission rate reads as a share of what the
same server does for the cheapest possible request.
"""

from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["运行状态"])


class HealthOut(Schema):
    status: str


@router.get(
    "/health",
    response=HealthOut,
    auth=None,
    summary="运行状态",
    description='服务正常运行时返回 {"status": "ok"}。无需登录，不访问数据库，供负载均衡和监控探测。',
)
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok"}
