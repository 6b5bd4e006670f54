"""Reads for deputies and deputy groups. Every read starts from `visible_to(user)`.

Contact details (phone, ID number, address) are shown only to users holding Perm.VIEW_CONTACTS in one of
the regions that place the deputy (their congress, electoral district or grid): `deputy_contact_for`.
"""

import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from lianxin.accounts.roles import Perm
from lianxin.core.errors import NotFound
from lianxin.deputies.models import (
    Deputy,
    DeputyGroup,
    DutyShift,
    GridAssignment,
    GridWorker,
    GridWorkerPairing,
    GroupGridPairing,
    Mandate,
)
from lianxin.regions.selectors import grid_get_for_filter, region_get_for_filter
from lianxin.venues.models import Place


def _json_text_q(field: str, text: str, *, whole: bool = False) -> Q:
    """Text search inside a JSON list of strings, on both databases; `whole` matches a whole element.

    SQLite keeps JSON as text with non-ASCII characters escaped (\\uXXXX), PostgreSQL renders jsonb as
    text with the characters themselves; matching either form finds the value on both.
    """
    plain, escaped = json.dumps(text, ensure_ascii=False)[1:-1], json.dumps(text)[1:-1]
    if whole:
        plain, escaped = f'"{plain}"', f'"{escaped}"'
    q = Q(**{f"{field}__icontains": plain})
    if escaped != plain:
        q |= Q(**{f"{field}__icontains": escaped})
    return q


def _deputy_list_prefetch() -> tuple[Prefetch, Prefetch]:
    return (
        Prefetch(
            "mandates",
            queryset=Mandate.objects.select_related("congress_region", "district_region").order_by(
                "level", "-term", "id"
            ),
        ),
        Prefetch(
            "grid_assignments",
            queryset=GridAssignment.objects.select_related("grid__region").order_by("grid__code"),
        ),
    )


def deputy_list_visible_to(
    *,
    user: Any,
    region: str | None = None,
    level: str | None = None,
    status: str | None = None,
    grid: str | None = None,
    specialty: str | None = None,
    q: str | None = None,
) -> QuerySet[Deputy]:
    """Deputies the user may see.

    `region`: a mandate's congress or electoral-district region, or an embedded grid, lies in that
    region's subtree. `level` and `status` apply to the same mandate (e.g. serving county deputies).
    """
    qs = Deputy.objects.visible_to(user)
    if region:
        path = region_get_for_filter(user=user, code=region).path
        in_mandates = Mandate.objects.filter(
            Q(congress_region__path__startswith=path) | Q(district_region__path__startswith=path)
        ).values("deputy_id")
        in_grids = GridAssignment.objects.filter(grid__region__path__startswith=path).values("deputy_id")
        qs = qs.filter(Q(id__in=in_mandates) | Q(id__in=in_grids))
    if level or status:
        mandates = Mandate.objects.all()
        if level:
            mandates = mandates.filter(level=level)
        if status:
            mandates = mandates.filter(status=status)
        qs = qs.filter(id__in=mandates.values("deputy_id"))
    if grid:
        grid_obj = grid_get_for_filter(user=user, code=grid)
        qs = qs.filter(id__in=GridAssignment.objects.filter(grid=grid_obj).values("deputy_id"))
    if specialty:
        qs = qs.filter(_json_text_q("specialties", specialty, whole=True))
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(occupation__icontains=q)
            | Q(employer__icontains=q)
            | _json_text_q("specialties", q)
        )
    return qs.prefetch_related(*_deputy_list_prefetch()).order_by("name_stroke_key", "id")  # 姓氏笔画


def deputy_get_visible_to(*, user: Any, deputy_id: int) -> Deputy:
    """One deputy with mandates, groups, grids and paired grid workers; NotFound outside scope."""
    deputy = (
        Deputy.objects.visible_to(user)
        .filter(id=deputy_id)
        .prefetch_related(
            *_deputy_list_prefetch(),
            Prefetch("groups", queryset=DeputyGroup.objects.select_related("region").order_by("kind", "name", "id")),
            Prefetch(
                "worker_pairings",
                queryset=GridWorkerPairing.objects.select_related("grid_worker__grid__region").order_by(
                    "grid_worker__name", "id"
                ),
            ),
        )
        .first()
    )
    if deputy is None:
        raise NotFound()
    return deputy


def deputy_region_paths(deputy: Deputy) -> list[str]:
    """The paths of the regions that place a deputy. Reads the prefetched mandates and grid assignments."""
    paths: list[str] = []
    for mandate in deputy.mandates.all():
        paths.append(mandate.congress_region.path)
        if mandate.district_region is not None:
            paths.append(mandate.district_region.path)
    paths.extend(assignment.grid.region.path for assignment in deputy.grid_assignments.all())
    return paths


@dataclass(frozen=True)
class Contact:
    phone: str
    id_number: str
    address: str


def deputy_contact_for(*, user: Any, deputy: Deputy) -> Contact | None:
    """The deputy's contact details, or None when the user may not see them."""
    if not any(user.has_perm_in(Perm.VIEW_CONTACTS, path) for path in deputy_region_paths(deputy)):
        return None
    return Contact(phone=deputy.phone, id_number=deputy.id_number, address=deputy.address)


def grid_worker_phone_for(*, user: Any, worker: GridWorker) -> str | None:
    """A grid worker's phone, or None when the user may not see contacts in the worker's grid."""
    return worker.phone if user.has_perm_in(Perm.VIEW_CONTACTS, worker.grid.region.path) else None


def group_liaison_phone_for(*, user: Any, group: DeputyGroup) -> str | None:
    return group.liaison_phone if user.has_perm_in(Perm.VIEW_CONTACTS, group.region.path) else None


def group_list_visible_to(
    *,
    user: Any,
    region: str | None = None,
    kind: str | None = None,
    q: str | None = None,
) -> QuerySet[DeputyGroup]:
    qs = (
        DeputyGroup.objects.visible_to(user)
        .select_related("region", "leader", "place")
        .annotate(member_count=Count("members", distinct=True))
    )
    if region:
        qs = qs.filter(region__path__startswith=region_get_for_filter(user=user, code=region).path)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("region__path", "kind", "name", "id")


def group_get_visible_to(*, user: Any, group_id: int) -> DeputyGroup:
    group = (
        DeputyGroup.objects.visible_to(user)
        .select_related("region", "leader", "place")
        .annotate(member_count=Count("members", distinct=True))
        .prefetch_related(
            Prefetch("members", queryset=Deputy.objects.order_by("name_stroke_key", "id")),
            Prefetch("grid_pairings", queryset=GroupGridPairing.objects.select_related("grid").order_by("grid__code")),
        )
        .filter(id=group_id)
        .first()
    )
    if group is None:
        raise NotFound()
    return group


# How many upcoming duty shifts a place's detail shows.
UPCOMING_SHIFTS = 20


def place_get_visible_to(*, user: Any, place_id: int) -> Place:
    """One place with its next duty shifts (`upcoming_shifts`); NotFound outside scope."""
    today = timezone.localdate()
    shifts = DutyShift.objects.filter(date__gte=today).select_related("deputy").order_by("date", "start_time", "id")
    place = (
        Place.objects.visible_to(user)
        .select_related("region", "grid", "hub")
        .prefetch_related(Prefetch("duty_shifts", queryset=shifts[:UPCOMING_SHIFTS], to_attr="upcoming_shifts"))
        .filter(id=place_id)
        .first()
    )
    if place is None:
        raise NotFound()
    return place


def deputy_places(*, deputy: Deputy) -> list[Place]:
    """The places a deputy serves: where they are on the roster, and the places in their grids."""
    grids = GridAssignment.objects.filter(deputy=deputy).values("grid_id")
    rostered = DutyShift.objects.filter(deputy=deputy).values("place_id")
    return list(
        Place.objects.filter(is_active=True)
        .filter(Q(id__in=rostered) | Q(grid_id__in=grids))
        .select_related("region")
        .order_by("kind", "name", "id")
    )
