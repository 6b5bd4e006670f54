"""Refuse crafted input before any view sees it: a NUL character in the path, a query parameter or a form field.

Why here and not in each view: PostgreSQL cannot hold NUL in text, so a `\x00` that reaches a query ends in a
500 (`/results/?q=%00`, `/find/?town=%00`, `/d/%00`, Open311's `service_code=%00` all did), while SQLite
quietly matches nothing. No person types it; a probe or a broken client does. One check at the door covers
every page, the API, Open311 and the back office, including views written later. Django's forms already refuse
NUL in their own fields; this also covers parameters read straight from `request.GET`.

The answer is a 400 in the form the caller reads: the API's JSON error, Open311's error list (JSON or XML),
a short Chinese page elsewhere.
"""

from collections.abc import Callable
from xml.sax.saxutils import escape

from django.http import HttpRequest, HttpResponse, JsonResponse

NUL = "\x00"
MESSAGE = "请求无效：地址或参数中含有空字符（\\x00）"


def _nul_field(request: HttpRequest) -> str | None:
    """Where a NUL is ("path" or the parameter's name), or None."""
    if NUL in request.path:
        return "path"
    params = [request.GET]
    # Only url-encoded bodies: reading a multipart body here would parse uploads before the view can limit them,
    # and form fields in multipart bodies are checked by Django's forms (ProhibitNullCharactersValidator).
    if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        params.append(request.POST)
    for query in params:
        for name, values in query.lists():
            if NUL in name:
                return "parameter"
            if any(NUL in value for value in values):
                return name
    return None


def _refusal(request: HttpRequest, field: str) -> HttpResponse:
    path = request.path
    if path.startswith("/api/"):
        return JsonResponse(
            {"code": "nul_character", "message": MESSAGE, "field": field},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    if path.startswith("/open311/"):
        if path.endswith(".xml"):
            body = (
                '<?xml version="1.0" encoding="utf-8"?>\n'
                f"<errors><error><code>400</code><description>{escape(MESSAGE)}</description></error></errors>"
            )
            return HttpResponse(body, status=400, content_type="text/xml; charset=utf-8")
        return JsonResponse(
            [{"code": 400, "description": MESSAGE}],
            status=400,
            safe=False,
            json_dumps_params={"ensure_ascii": False},
        )
    page = f'<!doctype html><html lang="zh-hans"><meta charset="utf-8"><title>请求无效</title><p>{MESSAGE}</p></html>'
    return HttpResponse(page, status=400, content_type="text/html; charset=utf-8")


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = _nul_field(request)
        if field is not None:
            return _refusal(request, field)
        return self.get_response(request)
