"""代表服务圈 in the office (issue 20): the plans of the user's regions, a form to compute one now (straight-line
model, inline: a county of the demo takes a few seconds, the programme's time limit is OFFICE_TIME_LIMIT), a plan's
map (grids coloured by coverage, places, proposed sites), its tables and workbook, and "create the proposed places"
in one action. For staff who maintain the registry (manage_registry); a plan or region outside the scope is a 404.
A road network (--osm) is for the command: the file lives on the server, not in a browser upload."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from lianxin.accounts.permissions import may
from lianxin.circle.analysis import MAX_PROPOSE, circle_analyse
from lianxin.circle.exports import plan_xlsx
from lianxin.circle.models import CirclePlan
from lianxin.circle.selectors import plan_get_visible_to, plans_visible_to, regions_for
from lianxin.circle.services import CIRCLE_PERM, plan_create_places, plan_save
from lianxin.circle.svgmap import grid_share, legend, plan_map
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.office.access import office_required
from lianxin.regions.models import Grid
from lianxin.venues.models import Place

OFFICE_TIME_LIMIT = 20.0
PAGE_SIZE = 30


class PlanForm(forms.Form):
    region = forms.ChoiceField(label="区划")
    minutes = forms.IntegerField(label="步行分钟", min_value=5, max_value=30, initial=15)
    propose = forms.IntegerField(
        label="拟新设点位数", min_value=0, max_value=MAX_PROPOSE, initial=5, help_text=f"0到{MAX_PROPOSE}；0为只看覆盖"
    )

    def __init__(self, *args: Any, regions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(r.code, f"{r.name}（{r.get_level_display()}）") for r in regions]


def _none(request: HttpRequest) -> HttpResponse:
    return render(request, "office/circle/none.html", status=403)


@office_required
def circle_list(request: HttpRequest) -> HttpResponse:
    if not may(request.user, CIRCLE_PERM):
        return _none(request)
    regions = regions_for(request.user)
    return _list(request, PlanForm(regions=regions, initial={"region": regions[0].code if regions else ""}))


def _list(request: HttpRequest, form: PlanForm, status: int = 200) -> HttpResponse:
    page = Paginator(plans_visible_to(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "office/circle/list.html", {"form": form, "page": page}, status=status)


@office_required
@require_POST
def circle_run(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may(user, CIRCLE_PERM):
        return _none(request)
    regions = regions_for(user)
    form = PlanForm(request.POST, regions=regions)
    if not form.is_valid():
        if "region" in form.errors and request.POST.get("region"):
            raise Http404  # a region outside the scope answers like an unknown one
        return _list(request, form, status=400)
    region = next(r for r in regions if r.code == form.cleaned_data["region"])
    try:
        analysis = circle_analyse(
            region=region,
            minutes=form.cleaned_data["minutes"],
            propose=form.cleaned_data["propose"],
            time_limit=OFFICE_TIME_LIMIT,
        )
        plan = plan_save(actor=user, analysis=analysis)
    except PermissionDenied as exc:
        raise Http404 from exc
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _list(request, form, status=400)
    messages.success(request, f"已计算并保存{plan}")
    return HttpResponseRedirect(reverse("office:circle_plan", args=[plan.pk]))


def _plan(request: HttpRequest, pk: int) -> CirclePlan:
    plan = plan_get_visible_to(user=request.user, pk=pk)
    if plan is None:
        raise Http404
    return plan


@office_required
def circle_plan(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    grids = list(Grid.objects.filter(region__path__startswith=plan.region.path).select_related("region"))
    places = list(Place.objects.filter(region__path__startswith=plan.region.path, is_active=True).exclude(lat=None))
    rows: list[dict[str, Any]] = []
    for grid in grids:
        figures = grid_share(plan, grid.pk)
        if figures is None:
            continue
        people, covered = figures
        if people - covered > 0:
            rows.append(
                {
                    "grid": grid,
                    "people": people,
                    "covered": covered,
                    "uncovered": people - covered,
                    "share": covered / people if people else 1.0,
                }
            )
    rows.sort(key=lambda r: (-r["uncovered"], r["grid"].code))
    thresholds = plan.figures.get("thresholds") or []
    by_level: dict[str, int] = plan.figures.get("covered") or {}
    levels = [{"minutes": t, "covered": by_level.get(str(t), 0)} for t in thresholds]
    sites = list(plan.sites.select_related("grid__region", "place"))
    context = {
        "plan": plan,
        "map": plan_map(plan=plan, grids=grids, places=places),
        "legend": legend(),
        "levels": levels,
        "uncovered": rows[:100],
        "uncovered_total": len(rows),
        "sites": sites,
        "after": plan.covered + sum(s.gain for s in sites),
        "gain": sum(s.gain for s in sites),
        "gap_pct": "" if plan.ilp_gap is None else f"{plan.ilp_gap:.2%}",
        "greedy_sites": plan.figures.get("greedy_sites") or [],
        "figures": plan.figures,
    }
    return render(request, "office/circle/plan.html", context)


@office_required
def circle_plan_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    response = HttpResponse(
        plan_xlsx(plan), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''circle-plan-{plan.pk}.xlsx"
    return response


@office_required
@require_POST
def circle_create_places(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    try:
        created = plan_create_places(actor=request.user, plan_id=plan.pk)
    except PermissionDenied as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已建{len(created)}个代表联络站（未启用：请补充地址、开放时间和电话后启用）")
    return HttpResponseRedirect(reverse("office:circle_plan", args=[plan.pk]))


# Included by lianxin/office/urls.py under circle/.
urlpatterns = [
    path("", circle_list, name="circle"),
    path("run/", circle_run, name="circle_run"),
    path("<int:pk>/", circle_plan, name="circle_plan"),
    path("<int:pk>/xlsx/", circle_plan_xlsx, name="circle_plan_xlsx"),
    path("<int:pk>/places/", circle_create_places, name="circle_create_places"),
]
