"""The site's 400, 403, 404 and 500 answers: Chinese pages for people (templates 400.html … 500.html, mobile first,
with a way back to /home/), the API's JSON error for anything under /api/.

An old QR code (/d/<a code that was rotated>) is the common 404: the page says so in words a resident understands.
"""

import json

from django.http import HttpRequest, HttpResponse
from django.template import loader

from lianxin.core.middleware import database_unavailable_in_flight, database_unavailable_response

API_PREFIX = "/api/"

MESSAGES = {
    400: ("bad_request", "请求无效"),
    403: ("permission_denied", "您没有执行此操作的权限"),
    404: ("not_found", "未找到该对象，或不在您的管辖范围内"),
    500: ("server_error", "服务器出错了，请稍后再试"),
}


def _answer(request: HttpRequest, status: int) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        code, message = MESSAGES[status]
        body = json.dumps({"code": code, "message": message, "field": None}, ensure_ascii=False)
        return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")
    # No RequestContext for a 500: the error may lie in a context processor or the database.
    context = {"request_path": request.path} if status != 500 else {}
    return HttpResponse(loader.get_template(f"{status}.html").render(context), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    if database_unavailable_in_flight():  # a middleware met the database away: 503 with Retry-After, not 500
        return database_unavailable_response(request)
    return _answer(request, 500)
