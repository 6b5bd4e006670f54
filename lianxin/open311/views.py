"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) at /open311/v2/, in .json and .xml.

Plain Django views: every URL ends in its format, and each view returns one Python value that renderers.py
writes as either. Errors use the spec's format, a list of {code, description}: 400 bad input, 403 bad api_key,
404 unknown service_code, jurisdiction_id or request, 405 wrong method.
"""

import datetime
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.csrf import csrf_exempt

from lianxin.core.errors import DomainError, NotFound, PermissionDenied
from lianxin.core.net import client_ip
from lianxin.core.ratelimit import RateLimited, limit_from_setting, rate_check
from lianxin.open311 import selectors, serializers
from lianxin.open311.models import Open311Key
from lianxin.open311.renderers import render
from lianxin.open311.services import open311_key_authenticate, open311_request_submit, region_by_jurisdiction

View = Callable[..., HttpResponse]
BAD_KEY = "api_key: 无效、已吊销或未提供"
_BEIJING = datetime.timezone(datetime.timedelta(hours=8))
FIRST_DAY, LAST_DAY = datetime.datetime(2000, 1, 1, tzinfo=_BEIJING), datetime.datetime(2100, 1, 1, tzinfo=_BEIJING)


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return render(fmt, "errors", serializers.errors_list(status, description), status=status)


def open311(*methods: str) -> Callable[[View], View]:
    """Allow `methods`, and answer a DomainError in the spec's error format with its HTTP status."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = error(fmt, 405, f"不支持 {request.method} 请求，请使用 {'、'.join(methods)}")
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, fmt, **kwargs)
            except RateLimited as exc:
                response = error(fmt, exc.status, exc.message)
                response["Retry-After"] = str(exc.retry_after)
                return response
            except DomainError as exc:
                return error(fmt, exc.status, exc.message)

        return wrapper

    return decorate


def _key_from(params: Any, *, required: bool) -> Open311Key | None:
    raw = params.get("api_key", "")
    if not raw and not required:
        return None
    key = open311_key_authenticate(raw)
    if key is None:
        raise PermissionDenied(BAD_KEY)
    return key


def _datetime(params: Any, name: str) -> datetime.datetime | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        # A "+08:00" in a query string that was not percent-encoded arrives as " 08:00".
        value = parse_datetime(re.sub(r" (\d{2}:?\d{2})$", r"+\1", raw))
        if value is None and (day := parse_date(raw)) is not None:
            value = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:
        value = None
    if value is None:
        raise DomainError("field_invalid", f"{name}: 应为 W3C 日期时间，如 2025-06-01T00:00:00+08:00", field=name)
    value = value if timezone.is_aware(value) else timezone.make_aware(value, timezone.get_default_timezone())
    # No case predates 2000 (registration refuses it); the calendar's ends overflowed the 90-day arithmetic (500s).
    if not FIRST_DAY <= value < LAST_DAY:
        raise DomainError("field_invalid", f"{name}: 应在2000年至2099年之间", field=name)
    return value


def _list(params: Any, name: str) -> list[str]:
    return [part.strip() for value in params.getlist(name) for part in value.split(",") if part.strip()]


def _lookups_check(request: HttpRequest, codes: int) -> None:
    """Receipt codes are not guessed many at a time: each code looked up counts against the address."""
    if codes:
        rate_check(limit_from_setting("OPEN311_RATE_LOOKUP", f"open311:lookup:{client_ip(request)}", cost=codes))


@open311("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    url = request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": fmt})).rsplit("/", 1)[0] + "/"
    return render(fmt, "discovery", serializers.discovery_dict(url=url, contact="本级人大常委会办公室"))


@open311("GET")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    region_by_jurisdiction(request.GET.get("jurisdiction_id"))
    return render(fmt, "services", [serializers.service_dict(c) for c in selectors.open311_services()])


@open311("GET")
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    region_by_jurisdiction(request.GET.get("jurisdiction_id"))
    category = selectors.open311_service_get(service_code=service_code)
    return render(fmt, "service_definition", serializers.service_definition_dict(category))


@csrf_exempt  # authenticated by api_key, not by a session cookie
@open311("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        # Per address before the key is checked (made-up keys are counted too), then per key.
        rate_check(limit_from_setting("OPEN311_RATE_WRITE", f"open311:write:ip:{client_ip(request)}"))
        key = _key_from(request.POST, required=True)
        assert key is not None
        rate_check(limit_from_setting("OPEN311_RATE_WRITE", f"open311:write:key:{key.pk}"))
        submission = open311_request_submit(key=key, data=dict(request.POST.lists()))
        return render(
            fmt,
            "service_requests",
            [serializers.submitted_dict(submission.registration.case, submission.account_id)],
        )
    params = request.GET
    service_request_ids = _list(params, "service_request_id")
    _lookups_check(request, len(service_request_ids))
    cases = selectors.open311_requests_list(
        key=_key_from(params, required=False),
        service_request_ids=service_request_ids,
        jurisdiction=region_by_jurisdiction(params.get("jurisdiction_id")),
        service_codes=_list(params, "service_code"),
        start=_datetime(params, "start_date"),
        end=_datetime(params, "end_date"),
        statuses=_list(params, "status"),
        now=timezone.now(),
    )
    return render(fmt, "service_requests", [serializers.request_dict(c) for c in cases])


@open311("GET")
def request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    region_by_jurisdiction(request.GET.get("jurisdiction_id"))
    _lookups_check(request, 1)
    case = selectors.open311_request_get(service_request_id=service_request_id)
    return render(fmt, "service_requests", [serializers.request_dict(case)])


@open311("GET")
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """Every service is realtime, so POST answers with the id and never issues a token. A client that asks
    anyway with the id it holds gets it back, so that generic clients work unchanged."""
    region_by_jurisdiction(request.GET.get("jurisdiction_id"))
    _lookups_check(request, 1)
    try:
        case = selectors.open311_request_get(service_request_id=token)
    except NotFound as exc:
        raise NotFound(f"token: 未找到“{token}”") from exc
    return render(fmt, "service_requests", [serializers.token_dict(case, token)])


def not_found(request: HttpRequest, fmt: str, rest: str = "") -> HttpResponse:
    return error(fmt, 404, "没有这个接口；请参阅 discovery.json")
