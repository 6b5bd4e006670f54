"""A database that is briefly away (a restart, a failover, a terminated connection) answers people with a page
that says so and when to try again, instead of a bare server error. The API maps the same errors to JSON
(lianxin.api.errors); this covers the pages."""

import json
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

# Seconds a client is asked to wait: a restart or failover takes a few; persistent connections are checked and
# reopened on the next request (CONN_HEALTH_CHECKS), so a retry after that normally succeeds.
RETRY_AFTER_SECONDS = 5


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        message = {"code": "database_unavailable", "message": "系统暂时繁忙，请稍后重试", "field": None}
        response = HttpResponse(json.dumps(message, ensure_ascii=False), content_type="application/json", status=503)
    else:
        body = render_to_string("database_unavailable.html", {"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OperationalError | InterfaceError):
            return database_unavailable_response(request)
        return None


def database_unavailable_in_flight() -> bool:
    """Whether the exception being handled (in Django's 500 handler) is the database being away: raised by a
    middleware before any view ran (a session or rate-limit read), where neither the API's error mapping nor
    DatabaseUnavailableMiddleware sees it."""
    return isinstance(sys.exc_info()[1], OperationalError | InterfaceError)
