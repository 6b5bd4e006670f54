"""廉情监测点 in the office: the points of the user's scope with their clue counts, a form to set one up, and a
point's page (its staff by account name, its deputies, active or not)."""

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from lianxin.accounts.models import User
from lianxin.accounts.roles import Perm
from lianxin.core.errors import DomainError, NotFound
from lianxin.core.scoping import region_scope_q
from lianxin.deputies.models import Deputy
from lianxin.integrity import selectors, services
from lianxin.integrity.services import POINT_LEVELS
from lianxin.office.integrity.common import integrity_required
from lianxin.regions.models import Region
from lianxin.venues.models import Place


class PointForm(forms.Form):
    region: forms.ModelChoiceField = forms.ModelChoiceField(
        label="所在乡镇或村（社区）", queryset=Region.objects.none(), to_field_name="code"
    )
    name = forms.CharField(label="监测点名称", max_length=100, required=False)
    place = forms.ModelChoiceField(label="所在家站室（选填）", queryset=Place.objects.none(), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = selectors.regions_managed_by(user).filter(level__in=POINT_LEVELS)
        self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        places = Place.objects.filter(region_scope_q(user, "region__path", Perm.MANAGE_INTEGRITY), is_active=True)
        self.fields["place"].queryset = places.order_by("region__path", "name")  # type: ignore[attr-defined]


@integrity_required
def point_list(request: HttpRequest) -> HttpResponse:
    form = PointForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            point = services.point_create(
                actor=request.user, name=data["name"], region=data["region"], place=data["place"]
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已设立监测点“{point.name}”")
            return redirect("office:integrity_point", point.pk)
    points = selectors.points_managed_by(request.user).order_by("region__path", "name")
    towns = len({_town_path(p.region) for p in points})
    return render(request, "office/integrity/points.html", {"points": points, "form": form, "towns": towns})


def _town_path(region: Region) -> str:
    return region.parent.path if region.level == "village" and region.parent else region.path


def _point(request: HttpRequest, pk: int) -> Any:
    try:
        return selectors.point_get_managed(user=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@integrity_required
def point_page(request: HttpRequest, pk: int) -> HttpResponse:
    point = _point(request, pk)
    chosen = point.deputies.all()
    living = Deputy.objects.serving().filter(residence_region__path__startswith=point.region.path)
    candidates = Deputy.objects.filter(Q(pk__in=living.values("pk")) | Q(pk__in=chosen.values("pk")))
    return render(
        request,
        "office/integrity/point.html",
        {
            "point": point,
            "staff": point.staff.order_by("username"),
            "deputies": chosen,
            "candidates": candidates.order_by("name_stroke_key", "pk"),
            "chosen_ids": set(chosen.values_list("pk", flat=True)),
            "staff_names": " ".join(point.staff.order_by("username").values_list("username", flat=True)),
            "clues": selectors.clues_managed_by(request.user).filter(point=point).order_by("-created_at")[:50],
        },
    )


@require_POST
@integrity_required
def point_members(request: HttpRequest, pk: int) -> HttpResponse:
    point = _point(request, pk)
    names = request.POST.get("staff", "").replace("，", " ").replace(",", " ").split()
    users = list(User.objects.filter(username__in=names, is_active=True))
    missing = sorted(set(names) - {u.username for u in users})
    if missing:
        messages.error(request, f"监测员: 没有账号“{'、'.join(missing)}”，未保存")
        return redirect("office:integrity_point", point.pk)
    ids = [int(i) for i in request.POST.getlist("deputies") if i.isdigit()]
    deputies = list(Deputy.objects.filter(pk__in=ids))
    services.point_set_members(actor=request.user, point=point, staff=users, deputies=deputies)
    messages.success(request, f"已保存：监测员{len(users)}人，监测代表{len(deputies)}人")
    return redirect("office:integrity_point", point.pk)


@require_POST
@integrity_required
def point_active(request: HttpRequest, pk: int) -> HttpResponse:
    point = _point(request, pk)
    services.point_set_active(actor=request.user, point=point, active=request.POST.get("active") == "1")
    messages.success(request, "已启用" if point.is_active else "已停用")
    return redirect("office:integrity_point", point.pk)


urlpatterns = [
    path("points/", point_list, name="integrity_points"),
    path("points/<int:pk>/", point_page, name="integrity_point"),
    path("points/<int:pk>/members/", point_members, name="integrity_point_members"),
    path("points/<int:pk>/active/", point_active, name="integrity_point_active"),
]
