"""Request bodies are refused by their declared size (Content-Length) before anything reads them.

Django parses a multipart body in full (spooling files to disk) as soon as a view touches request.POST or
request.FILES, and a form can only refuse a file after that: a 200 MB upload was read whole before "too big".
Django's WSGI request reads no more than Content-Length, and a body without it reads as empty, so the declared
size is what will be read. UPLOAD_MAX_BYTES caps every request (RequestBodyLimitMiddleware); `body_limit` caps one
view below that (the portal's photos, the import forms).
"""

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

DEFAULT_MAX_BYTES = 64 * 1024 * 1024

View = Callable[..., HttpResponse]


def declared_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def _megabytes(limit: int) -> str:
    return f"{limit / (1024 * 1024):g}MB"


def too_large_response(request: HttpRequest, limit: int) -> HttpResponse:
    """413 in the caller's language: the API's JSON error, or a page for people."""
    message = f"提交的内容超过{_megabytes(limit)}，请减少照片或文件的数量与大小后重试"
    if request.path.startswith("/api/"):
        body = json.dumps({"code": "request_too_large", "message": message, "field": None}, ensure_ascii=False)
        return HttpResponse(body, status=413, content_type="application/json; charset=utf-8")
    return HttpResponse(render_to_string("413.html", {"message": message}), status=413)


def body_limit(max_bytes: int) -> Callable[[View], View]:
    """A view whose request body may not exceed `max_bytes`: refused by Content-Length before the view runs."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if declared_length(request) > max_bytes:
                return too_large_response(request, max_bytes)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


class RequestBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = int(getattr(settings, "UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))
        if declared_length(request) > limit:
            return too_large_response(request, limit)
        return self.get_response(request)
