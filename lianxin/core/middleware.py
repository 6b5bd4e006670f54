"""A database that is briefly away (a restart, a failover, a terminated connection) answers people with a page
that says so and when to try again, instead of a bare server error. The API maps the same errors to JSON
(lianxin.api.errors); this covers the pages."""

from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

# Seconds a client is asked to wait: a restart or failover takes a few; persistent connections are checked and
# reopened on the next request (CONN_HEALTH_CHECKS), so a retry after that normally succeeds.
RETRY_AFTER_SECONDS = 5


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
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
