"""What the 廉情监测 pages share. These pages are confidential: a user without manage_integrity gets a 404 (not a
403: the pages do not admit to existing), and a clue's pages audit every read and every refused attempt (through
lianxin.integrity.selectors)."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase

from lianxin.integrity.permissions import can_manage_integrity
from lianxin.office.access import LOGIN_URL

NOT_FOUND = "未找到该页面"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _login(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(f"{LOGIN_URL}?{urlencode({'next': request.get_full_path()})}")


def integrity_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for integrity staff (manage_integrity somewhere); anyone else logged in gets a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return _login(request)
        if not can_manage_integrity(request.user):
            raise Http404(NOT_FOUND)
        return view(request, *args, **kwargs)

    return wrapper


def logged_in(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A clue's pages: any logged-in user reaches the view, whose selector decides (and audits) — so that an attempt
    by a county clerk or a deputy is recorded, not merely refused at the door."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return _login(request)
        return view(request, *args, **kwargs)

    return wrapper
