"""What the duty pages of the office share: who may open them (manage_duties somewhere; a deputy or a clerk
without it gets 403), the scope they read from (the regions where the user holds manage_duties; anything outside
is a 404, as if it did not exist), and how a refusal of a service reaches the page."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.core.errors import DomainError, NotFound
from lianxin.core.errors import PermissionDenied as DomainDenied
from lianxin.core.scoping import region_scope_q
from lianxin.deputies.models import Deputy
from lianxin.duties.models import Activity
from lianxin.office.access import office_required
from lianxin.regions.models import Region, RegionLevel

# The sub-pages of 代表履职, as tabs on each of them.
TABS = (
    ("履职活动", "office:duty_activities"),
    ("履职频次", "office:duty_board"),
    ("履职积分", "office:duty_scores"),
    ("履职培训", "office:duty_trainings"),
    ("履职经费", "office:duty_funds"),
)


def tabs(request: HttpRequest) -> list[dict[str, Any]]:
    out = []
    for label, name in TABS:
        url = reverse(name)
        out.append({"label": label, "url": url, "current": request.path.startswith(url)})
    return out


def duties_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An office page for those holding manage_duties somewhere (congress staff, place staff)."""

    @office_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may(request.user, Perm.MANAGE_DUTIES):
            raise PermissionDenied("没有组织履职活动的权限")
        return view(request, *args, **kwargs)

    return wrapper


def managed_regions(user: Any) -> QuerySet[Region]:
    """The regions where the user organises activities (their grants and everything below)."""
    return Region.objects.filter(region_scope_q(user, "path", Perm.MANAGE_DUTIES)).order_by("path")


def townships(user: Any) -> QuerySet[Region]:
    """Townships the user may invite from: inside their scope, or containing it (place staff of a village)."""
    return managed_regions(user).filter(level=RegionLevel.TOWNSHIP)


def deputies_of(user: Any) -> QuerySet[Deputy]:
    """Serving deputies of the user's scope, in the order of their surname's strokes."""
    return Deputy.objects.visible_to(user).serving().order_by("name_stroke_key", "id")


def refused(request: HttpRequest, exc: DomainError) -> None:
    """A service's refusal: outside the scope is a 404, a missing permission a 403, the rest a message."""
    if isinstance(exc, NotFound):
        raise Http404(exc.message) from exc
    if isinstance(exc, DomainDenied):
        raise PermissionDenied(exc.message) from exc
    messages.error(request, exc.message)


def year_of(request: HttpRequest, default: int) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or default)
    except ValueError:
        return default
    return year if 2000 <= year <= 2100 else default


def activities_managed_by(user: Any) -> QuerySet[Activity]:
    """The activities of the regions where the user organises (manage_duties); anything else is a 404."""
    return Activity.objects.filter(region_scope_q(user, "region__path", Perm.MANAGE_DUTIES)).select_related(
        "region", "place"
    )


def activity_or_404(request: HttpRequest, pk: int) -> Activity:
    activity = activities_managed_by(request.user).filter(pk=pk).first()
    if activity is None:
        raise Http404("未找到该活动，或不在您的管辖范围内")
    return activity


def signin_url(request: HttpRequest, activity: Activity) -> str:
    """What the activity's QR code encodes: the deputy's sign-in page of the workbench (/w/signin/<code>/)."""
    return request.build_absolute_uri(reverse("workbench:signin", args=[activity.signin_code]))
