"""Request latencies for /metrics, by view (the URL pattern's name, never the raw path: codes are unbounded)."""

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from lianxin.ops.metrics import REQUEST_LATENCY


class RequestMetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        view = (match.view_name or match.route) if match else "unmatched"
        REQUEST_LATENCY.labels(
            view=view, method=request.method or "", status=f"{response.status_code // 100}xx"
        ).observe(time.perf_counter() - started)
        return response
