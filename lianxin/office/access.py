"""Who may open an office page: a logged-in member of staff with `use_backoffice` somewhere (the second factor and
the idle timeout are enforced for every staff page by lianxin.accounts.middleware). Anyone else goes to the staff
login, or gets a 403 when logged in without the permission. Each page checks its own permission again, in the
region of the object it shows (the services enforce it a third time)."""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm

LOGIN_URL = "/admin/login/"


def office_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return HttpResponseRedirect(f"{LOGIN_URL}?{urlencode({'next': request.get_full_path()})}")
        if not may(request.user, Perm.USE_BACKOFFICE):
            raise PermissionDenied("没有进入工作台的权限")
        return view(request, *args, **kwargs)

    return wrapper
