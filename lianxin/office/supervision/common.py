"""What the supervision pages share: who may open them, the tabs, the scope, reading form values."""

import datetime
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.core.errors import DomainError, NotFound
from lianxin.core.errors import PermissionDenied as DomainDenied
from lianxin.core.scoping import region_scope_q
from lianxin.office.access import office_required
from lianxin.regions.models import Region, RegionLevel
from lianxin.workdays.calendar import CHINA

TABS = (
    ("监督事项", "office:supervision"),
    ("约见", "office:supervision_meetings"),
    ("直通车", "office:supervision_direct"),
)


def tabs(request: HttpRequest) -> list[dict[str, Any]]:
    out = []
    for label, name in TABS:
        url = reverse(name)
        current = request.path == url if name == "office:supervision" else request.path.startswith(url)
        if name == "office:supervision" and request.path.startswith(url + "items/"):
            current = True
        out.append({"label": label, "url": url, "current": current})
    return out


def supervision_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @office_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may(request.user, Perm.MANAGE_SUPERVISION):
            raise PermissionDenied("没有监督工作的权限")
        return view(request, *args, **kwargs)

    return wrapper


def congresses(user: Any) -> QuerySet[Region]:
    """The congresses (county and township regions, and above) the user manages supervision for."""
    return (
        Region.objects.filter(region_scope_q(user, "path", Perm.MANAGE_SUPERVISION))
        .exclude(level=RegionLevel.VILLAGE)
        .order_by("path")
    )


def refused(request: HttpRequest, exc: DomainError) -> None:
    if isinstance(exc, NotFound):
        raise Http404(exc.message) from exc
    if isinstance(exc, DomainDenied):
        raise PermissionDenied(exc.message) from exc
    messages.error(request, exc.message)


def parse_date(value: str, field: str, label: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        raise DomainError("field_invalid", f"{label}: 应为日期，如 2026-06-30", field=field) from None


def parse_datetime(value: str, field: str, label: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise DomainError("field_invalid", f"{label}: 应为日期和时间，如 2026-06-30 09:00", field=field) from None
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=CHINA)


def pick(queryset: QuerySet[Any], value: Any, field: str, label: str) -> Any:
    try:
        key = int(value)
    except (TypeError, ValueError):
        raise DomainError("field_required", f"{label}: 请选择", field=field) from None
    obj = queryset.filter(pk=key).first()
    if obj is None:
        raise DomainError("field_invalid", f"{label}: 不存在或不在您的范围内", field=field)
    return obj


def get_or_404(queryset: QuerySet[Any], pk: Any) -> Any:
    """The object of the user's scope, or a 404 page (outside the scope is as if it did not exist)."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404() from None
    obj = queryset.filter(pk=key).first()
    if obj is None:
        raise Http404("未找到该对象，或不在您的管辖范围内")
    return obj


def staff(request: HttpRequest) -> User:
    """The logged-in user (every page here is behind supervision_required)."""
    user = request.user
    assert isinstance(user, User)
    return user
