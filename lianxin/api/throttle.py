"""Rate limits for the API (/api/): per caller (bearer token or staff session) and per client address.

A middleware rather than ninja's throttles: ninja authenticates first, so a flood of made-up tokens would cost a
token lookup each and never be counted. Here nothing is looked up: the caller is the hash of the credential it
presents, and a made-up one only opens a fresh caller bucket, while the address's bucket still fills.
Counters live in the shared store (lianxin.core.ratelimit), so the limits hold across gunicorn workers.
Refusals are 429 with Retry-After and the API's JSON error ({"code": "throttled", "message", "field"}).
"""

import hashlib
import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from lianxin.core.net import client_ip
from lianxin.core.ratelimit import Limit, limit_from_setting, rate_hit

PREFIX = "/api/"
# Probes (liveness, readiness) must answer whatever the store's state and however often they are asked.
EXEMPT = ("/api/v1/health",)


def _caller(request: HttpRequest) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:7].lower() == "bearer " and header[7:].strip():
        return "token:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:32]
    session = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if session:
        return "session:" + hashlib.sha256(session.encode()).hexdigest()[:32]
    return None


def api_limits(request: HttpRequest) -> list[Limit]:
    caller = _caller(request)
    return [
        *(limit_from_setting("API_RATE_CALLER", f"api:{caller}") if caller else []),
        *limit_from_setting("API_RATE_IP", f"api:ip:{client_ip(request)}"),
    ]


def throttled_response(retry_after: int) -> HttpResponse:
    body = {"code": "throttled", "message": f"请求过于频繁，请在{retry_after}秒后重试", "field": None}
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=429, content_type="application/json; charset=utf-8"
    )
    response["Retry-After"] = str(retry_after)
    return response


class ApiRateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(PREFIX) and not request.path.startswith(EXEMPT):
            refused = [hit for hit in rate_hit(api_limits(request)) if not hit.allowed]
            if refused:
                return throttled_response(max(hit.retry_after for hit in refused))
        return self.get_response(request)
