"""Errors mapped to HTTP once, for the whole API: JSON with a stable `code` and a Chinese `message`.

DomainError → its own status, {"code", "message", "field"}; invalid parameters → 422 "invalid_input"
with one Chinese line per parameter; authentication → 401; Django's Http404 → 404 "not_found"; the database
briefly away → 503 "database_unavailable" with Retry-After.
"""

from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from lianxin.core.errors import DomainError, NotFound
from lianxin.core.middleware import RETRY_AFTER_SECONDS

NOT_AUTHENTICATED = "请先登录，或在 Authorization 头中提供有效的访问令牌"

# Chinese wording for pydantic's error types; `{…}` names come from the error's context.
_MESSAGES = {
    "missing": "必须提供",
    "greater_than_equal": "应大于或等于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "应小于或等于 {le}",
    "less_than": "应小于 {lt}",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_too_short": "长度至少为 {min_length}",
    "string_too_long": "长度不能超过 {max_length}",
    "string_type": "应为文本",
    "enum": "应为以下取值之一：{expected}",
    "literal_error": "应为以下取值之一：{expected}",
    "date_from_datetime_parsing": "应为日期，格式 YYYY-MM-DD",
    "date_parsing": "应为日期，格式 YYYY-MM-DD",
}
_PATTERNS = {r"^\d{12}$": "应为12位数字的区划代码"}

_HTTP_CODES = {
    400: ("bad_request", "请求无效"),
    401: ("not_authenticated", NOT_AUTHENTICATED),
    403: ("permission_denied", "您没有执行此操作的权限"),
    404: ("not_found", NotFound().message),
    405: ("method_not_allowed", "不支持该请求方法"),
    429: ("throttled", "请求过于频繁，请稍后再试"),
}


def _field_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        return _PATTERNS.get(str(ctx.get("pattern")), "格式不正确")
    template = _MESSAGES.get(kind)
    if template is None:
        return "取值无效"
    # pydantic lists choices as "'a', 'b' or 'c'"; Chinese lists them as a、b、c.
    values = {k: str(v).replace("'", "").replace(" or ", "、").replace(", ", "、") for k, v in ctx.items()}
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return template.split("{")[0].rstrip("：: ") or "取值无效"


def translate_validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    """ninja's error list → [{"field", "location", "code", "message"}] in Chinese."""
    out = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        location = loc[0] if loc else ""
        # The parameter's own name: skip ninja's grouping levels (e.g. the filters schema's argument name).
        field = loc[-1] if loc else ""
        out.append(
            {
                "field": field,
                "location": location,
                "code": error.get("type", "invalid"),
                "message": _field_message(error),
            }
        )
    return out


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, body: dict[str, Any], status: int) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return respond(request, {"code": exc.code, "message": exc.message, "field": exc.field}, exc.status)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = translate_validation_errors(exc.errors)
        message = "；".join(f"参数 {e['field']}: {e['message']}" for e in errors) or "参数无效"
        return respond(request, {"code": "invalid_input", "message": message, "errors": errors}, 422)

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(request, {"code": "not_authenticated", "message": NOT_AUTHENTICATED, "field": None}, 401)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 403 and "CSRF" in exc.message:
            body = {"code": "csrf_failed", "message": "CSRF 校验失败：请刷新页面后重试，或改用访问令牌", "field": None}
        else:
            code, message = _HTTP_CODES.get(exc.status_code, ("http_error", "请求无法完成"))
            body = {"code": code, "message": message, "field": None}
        return respond(request, body, exc.status_code)

    # The database is away for a moment (a restart, a terminated connection): a client should retry, not give up.
    @api.exception_handler(OperationalError)
    @api.exception_handler(InterfaceError)
    def database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
        body = {"code": "database_unavailable", "message": "系统暂时繁忙，请稍后重试", "field": None}
        response = respond(request, body, 503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, {"code": "not_found", "message": NotFound().message, "field": None}, 404)
