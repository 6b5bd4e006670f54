"""履职积分: a congress's ranking for a year with the points per item (selectors.scores), or a deputy group's, the self-assessments
waiting for the organisation (selectors.pending_claims) with a form each to confirm or correct them (a correction
needs a note), 优秀代表: proposed from the top of the ranking, then awarded or declined, and 履职档案公开: for each
congress of the user's scope and each of the last past years, whether its deputies' records are on their public
pages, with a button to publish or withdraw them (services.record_publish / record_unpublish). The items are
edited in the admin (lianxin/duties/admin.py)."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.accounts.roles import Perm
from lianxin.core.errors import DomainError, NotFound
from lianxin.core.errors import PermissionDenied as DomainDenied
from lianxin.core.scoping import region_scope_q
from lianxin.deputies.models import Deputy, DeputyGroup, Mandate, MandateLevel
from lianxin.duties import services
from lianxin.duties.models import Honour, HonourStatus, RecordPublication, ScoreEntry, ScoreItem
from lianxin.duties.selectors import pending_claims, scores
from lianxin.office.duties.common import duties_required, refused, tabs, year_of
from lianxin.regions.models import Region


@dataclass(frozen=True)
class Congress:
    region: Region
    level: str

    @property
    def key(self) -> str:
        return f"{self.region.pk}-{self.level}"

    @property
    def label(self) -> str:
        return f"{self.region.name}人大（{MandateLevel(self.level).label}）"


def _items(user: Any) -> QuerySet[ScoreItem]:
    return ScoreItem.objects.filter(region_scope_q(user, "region__path", Perm.MANAGE_DUTIES))


def congresses(user: Any, year: int) -> list[Congress]:
    """The congresses of the user's scope that have scoring items for the year."""
    pairs = _items(user).filter(year=year).values_list("region_id", "level").distinct().order_by("region_id", "level")
    regions = Region.objects.in_bulk([r for r, _ in pairs])
    return [Congress(regions[r], level) for r, level in pairs]


PUBLICATION_YEARS = 4  # the past years shown in the publication table


def publishing_congresses(user: Any) -> list[Congress]:
    """The congresses of the user's scope (manage_duties over the congress's region) that have deputies."""
    pairs = (
        Mandate.objects.filter(region_scope_q(user, "congress_region__path", Perm.MANAGE_DUTIES))
        .values_list("congress_region_id", "level")
        .distinct()
        .order_by()
    )
    regions = Region.objects.in_bulk({r for r, _ in pairs})
    levels = list(MandateLevel.values)
    return sorted(
        (Congress(regions[r], level) for r, level in pairs), key=lambda c: (c.region.path, levels.index(c.level))
    )


def _publications(user: Any) -> tuple[list[int], list[dict[str, Any]]]:
    """The past years and, per congress, a cell per year with its publication (None: not published)."""
    today = timezone.localdate()
    years = list(range(today.year - 1, today.year - 1 - PUBLICATION_YEARS, -1))
    congresses = publishing_congresses(user)
    published = {
        (p.region_id, p.level, p.year): p
        for p in RecordPublication.objects.filter(
            region_id__in={c.region.pk for c in congresses}, year__in=years
        ).select_related("published_by")
    }
    rows = [
        {"congress": c, "cells": [(y, published.get((c.region.pk, c.level, y))) for y in years]} for c in congresses
    ]
    return years, rows


def _groups_of(user: Any, congress: Congress) -> list[DeputyGroup]:
    """The deputy groups (代表小组) of the user's scope with members in the congress."""
    serving = Mandate.objects.filter(congress_region=congress.region, level=congress.level).values("deputy_id")
    return list(
        DeputyGroup.objects.visible_to(user).filter(members__in=serving).distinct().order_by("region__path", "name")
    )


def _scores_url(congress: Congress | None, year: int) -> str:
    query = f"?year={year}" + (f"&congress={congress.key}" if congress else "")
    return reverse("office:duty_scores") + query


@duties_required
def scores_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    year = year_of(request, timezone.localdate().year)
    choices = congresses(user, year)
    key = request.GET.get("congress", "")
    congress = next((c for c in choices if c.key == key), choices[0] if choices else None)
    items: list[ScoreItem] = []
    lines: list[Any] = []
    honours: list[Honour] = []
    groups: list[DeputyGroup] = []
    group: DeputyGroup | None = None
    if congress is not None:
        items = list(_items(user).filter(region=congress.region, level=congress.level, year=year).order_by("position"))
        groups = _groups_of(user, congress)
        group = next((g for g in groups if str(g.pk) == request.GET.get("group", "")), None)
        # A group's ranking: its members among the congress's deputies, ranked among themselves.
        members = list(group.members.values_list("id", flat=True)) if group is not None else None
        lines = scores(region_id=congress.region.pk, level=congress.level, year=year, deputy_ids=members)
        honours = list(
            Honour.objects.filter(region=congress.region, year=year).select_related("deputy").order_by("rank", "id")
        )
    proposed = {h.deputy_id for h in honours}
    rows = [
        {
            "line": line,
            "cells": [(line.items.get(i.pk), i.pk in line.pending) for i in items],
            "proposed": line.deputy_id in proposed,
        }
        for line in lines
    ]
    claims = list(pending_claims(user=user).filter(item__year=year).select_related("item__region"))
    publication_years, publication_rows = _publications(user)
    context = {
        "tabs": tabs(request),
        "year": year,
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
        "choices": choices,
        "congress": congress,
        "groups": groups,
        "group": group,
        "items": items,
        "rows": rows,
        "claims": claims,
        "honours": honours,
        "proposed_status": HonourStatus.PROPOSED,
        "back": _scores_url(congress, year),
        "publication_years": publication_years,
        "publication_rows": publication_rows,
    }
    return render(request, "office/duties/scores.html", context)


def _back(request: HttpRequest) -> HttpResponse:
    back = request.POST.get("back", "")
    return redirect(back if back.startswith(reverse("office:duty_scores")) else reverse("office:duty_scores"))


@require_POST
@duties_required
def claim_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    entry = pending_claims(user=request.user).filter(pk=pk).first() or _confirmed_in_scope(request, pk)
    try:
        services.score_confirm(
            actor=request.user,  # type: ignore[arg-type]
            entry=entry,
            points=request.POST.get("points", ""),
            note=request.POST.get("note", ""),
        )
    except (NotFound, DomainDenied) as exc:
        refused(request, exc)
        raise
    except DomainError as exc:
        messages.error(request, f"{entry.deputy.name}“{entry.item.name}”未评定：{exc.message}")
        return _back(request)
    corrected = entry.confirmed != entry.claimed
    messages.success(
        request,
        f"已评定 {entry.deputy.name}“{entry.item.name}” {entry.confirmed} 分" + ("（已修正）" if corrected else ""),
    )
    return _back(request)


def _confirmed_in_scope(request: HttpRequest, pk: int) -> ScoreEntry:
    """An entry already confirmed may be corrected again from the ranking; outside the scope it is a 404."""
    entry = (
        ScoreEntry.objects.filter(region_scope_q(request.user, "item__region__path", Perm.MANAGE_DUTIES), pk=pk)
        .select_related("deputy", "item__region")
        .first()
    )
    if entry is None:
        raise Http404("未找到该自评，或不在您的管辖范围内")
    return entry


@require_POST
@duties_required
def honour_propose(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    year = year_of(request, timezone.localdate().year)
    congress = next((c for c in congresses(user, year) if c.key == request.POST.get("congress")), None)
    if congress is None:
        raise Http404("未找到该人大")
    wanted = {int(v) for v in request.POST.getlist("deputies") if v.isdigit()}
    top = int(request.POST["top"]) if request.POST.get("top", "").isdigit() else 0
    if not wanted and not top:
        messages.error(request, "推荐: 请在排名中勾选代表，或填写推荐前几名")
        return _back(request)
    taken = set(Honour.objects.filter(region=congress.region, year=year).values_list("deputy_id", flat=True))
    lines = [
        line
        for line in scores(region_id=congress.region.pk, level=congress.level, year=year)
        if line.deputy_id in wanted or (line.rank <= top and line.deputy_id not in taken)
    ]
    if not lines:
        messages.error(request, "推荐: 没有尚未推荐的代表")
        return _back(request)
    deputies = Deputy.objects.in_bulk([line.deputy_id for line in lines])
    done = 0
    for line in lines:
        try:
            services.honour_propose(
                actor=user,
                region=congress.region,
                year=year,
                deputy=deputies[line.deputy_id],
                score=line.total,
                rank=line.rank,
            )
            done += 1
        except DomainError as exc:
            refused(request, exc)
    if done:
        messages.success(request, f"已推荐 {done} 名优秀代表")
    return _back(request)


@require_POST
@duties_required
def honour_decide(request: HttpRequest, pk: int) -> HttpResponse:
    honour = (
        Honour.objects.filter(region_scope_q(request.user, "region__path", Perm.MANAGE_DUTIES), pk=pk)
        .select_related("deputy", "region")
        .first()
    )
    if honour is None:
        raise Http404("未找到该推荐，或不在您的管辖范围内")
    award = request.POST.get("award") == "1"
    try:
        services.honour_decide(actor=request.user, honour=honour, award=award)  # type: ignore[arg-type]
    except DomainError as exc:
        refused(request, exc)
    else:
        messages.success(request, f"{honour.deputy.name}：{'授予' if award else '未授予'}{honour.title}")
    return _back(request)


@require_POST
@duties_required
def record_publication(request: HttpRequest) -> HttpResponse:
    """公开履职档案 / 撤回公开 of a congress of the user's scope for a past year; another congress is a 404."""
    user: Any = request.user
    congress = next((c for c in publishing_congresses(user) if c.key == request.POST.get("congress")), None)
    year = request.POST.get("year", "")
    if congress is None or not year.isdigit():
        raise Http404("未找到该人大，或不在您的管辖范围内")
    try:
        if request.POST.get("publish") == "1":
            services.record_publish(actor=user, region=congress.region, level=congress.level, year=int(year))
            messages.success(request, f"已公开{congress.label}代表的{year}年度履职档案")
        else:
            services.record_unpublish(actor=user, region=congress.region, level=congress.level, year=int(year))
            messages.success(request, f"已撤回{congress.label}代表的{year}年度履职档案")
    except DomainError as exc:
        refused(request, exc)
    return _back(request)


urlpatterns = [
    path("", scores_page, name="duty_scores"),
    path("claims/<int:pk>/", claim_confirm, name="duty_claim_confirm"),
    path("honours/", honour_propose, name="duty_honour_propose"),
    path("honours/<int:pk>/", honour_decide, name="duty_honour_decide"),
    path("publication/", record_publication, name="duty_record_publication"),
]
