"""Embedding deputies in grids (代表进网格) and the coverage report.

The rule of the sources is "by the original electoral unit or district, nearest and most convenient (就近就便),
and by professional specialty". `assign_grids` applies it to every serving deputy who has no grid yet, in
four passes, and records which rule placed each deputy (GridAssignment.basis):

1. district   — the deputy's electoral district (the most local one when they hold several mandates) is a
                village or township with grids: the least-loaded grid there.
2. residence  — their home point lies in a grid, or their home village/township has grids: the least-loaded.
3. specialty  — anywhere in their congress's region, preferring grids whose kind suits the specialty
                (农业农村 → rural, 城建环保/社会建设 → community, 财政经济 → enterprise), then the least-loaded.
4. coverage   — grids that still have no deputy take one more grid for the deputy of the same township (else
                county) who has the fewest grids, so that every grid has a deputy.

"Least-loaded" means fewest deputies already embedded; ties go to the lower grid code, so the result is
deterministic.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from lianxin.accounts.models import User
from lianxin.core.models import AuditEvent
from lianxin.core.tabular import Progress
from lianxin.deputies.models import (
    SERVING_STATUSES,
    AssignmentBasis,
    Deputy,
    GridAssignment,
    GridWorker,
    Mandate,
)
from lianxin.regions.models import Grid, GridKind, Region, RegionLevel
from lianxin.regions.services import grid_locate

SPECIALTY_GRID_KIND: dict[str, str] = {
    "农业农村": GridKind.RURAL,
    "城建环保": GridKind.COMMUNITY,
    "社会建设": GridKind.COMMUNITY,
    "财政经济": GridKind.ENTERPRISE,
}


@dataclass
class AssignmentOutcome:
    by_basis: Counter = field(default_factory=Counter)
    assignments: list[GridAssignment] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.by_basis.values())


class _GridIndex:
    """The grids in play, indexed by village and township, with their current load."""

    def __init__(self, grids: list[Grid], load: Counter) -> None:
        self.grids = grids
        self.load = load
        self.by_village: dict[int, list[Grid]] = defaultdict(list)
        self.by_township: dict[int | None, list[Grid]] = defaultdict(list)
        for grid in grids:
            self.by_village[grid.region_id].append(grid)
            self.by_township[grid.region.parent_id].append(grid)

    def in_region(self, region: Region) -> list[Grid]:
        if region.level == RegionLevel.VILLAGE:
            return self.by_village.get(region.pk, [])
        if region.level == RegionLevel.TOWNSHIP:
            return self.by_township.get(region.pk, [])
        return [g for g in self.grids if g.region.path.startswith(region.path)]

    def least_loaded(self, candidates: list[Grid], prefer_kind: str | None = None) -> Grid | None:
        if not candidates:
            return None
        return min(
            candidates, key=lambda g: (prefer_kind is not None and g.kind != prefer_kind, self.load[g.pk], g.code)
        )


def _unassigned_serving_deputies(region: Region | None) -> list[Deputy]:
    deputies = (
        Deputy.objects.filter(mandates__status__in=SERVING_STATUSES, grid_assignments__isnull=True)
        .distinct()
        .select_related("residence_region")
        .prefetch_related("mandates__district_region", "mandates__congress_region")
        .order_by("id")
    )
    if region is not None:
        deputies = deputies.filter(_deputy_in_region_q(region))
    return list(deputies)


def _deputy_in_region_q(region: Region) -> Q:
    return (
        Q(mandates__congress_region__path__startswith=region.path)
        | Q(mandates__district_region__path__startswith=region.path)
        | Q(residence_region__path__startswith=region.path)
    )


def _serving_mandates(deputy: Deputy) -> list[Mandate]:
    return [m for m in deputy.mandates.all() if m.status in SERVING_STATUSES]


def _choose_grid(deputy: Deputy, index: _GridIndex, grid_pool: QuerySet[Grid]) -> tuple[Grid | None, str]:
    mandates = _serving_mandates(deputy)
    districts = sorted(
        (m.district_region for m in mandates if m.district_region is not None), key=lambda r: -r.path.count("/")
    )
    for district in districts:
        if grid := index.least_loaded(index.in_region(district)):
            return grid, AssignmentBasis.DISTRICT

    if deputy.residence_lat is not None and deputy.residence_lng is not None:
        grid = grid_locate(lat=deputy.residence_lat, lng=deputy.residence_lng, queryset=grid_pool)
        if grid is not None:
            return next(g for g in index.grids if g.pk == grid.pk), AssignmentBasis.RESIDENCE
    if deputy.residence_region is not None:
        home = deputy.residence_region
        candidates = index.in_region(home) or (index.by_township.get(home.parent_id, []) if home.parent_id else [])
        if grid := index.least_loaded(candidates):
            return grid, AssignmentBasis.RESIDENCE

    prefer_kind = next((SPECIALTY_GRID_KIND[s] for s in deputy.specialties if s in SPECIALTY_GRID_KIND), None)
    congresses = sorted((m.congress_region for m in mandates), key=lambda r: -r.path.count("/"))
    for congress in congresses:
        if grid := index.least_loaded(index.in_region(congress), prefer_kind):
            return grid, AssignmentBasis.SPECIALTY
    return None, ""


def _township_of(region: Region | None) -> int | None:
    if region is None:
        return None
    if region.level == RegionLevel.VILLAGE:
        return region.parent_id
    return region.pk if region.level == RegionLevel.TOWNSHIP else None


def _fill_empty_grids(index: _GridIndex, region: Region | None) -> list[tuple[Deputy, Grid]]:
    empty = sorted((g for g in index.grids if index.load[g.pk] == 0), key=lambda g: g.code)
    if not empty:
        return []
    queryset = (
        Deputy.objects.filter(mandates__status__in=SERVING_STATUSES)
        .distinct()
        .annotate(grid_count=Count("grid_assignments", distinct=True))
        .select_related("residence_region")
        .prefetch_related("mandates__district_region", "mandates__congress_region")
        .order_by("id")
    )
    if region is not None:
        queryset = queryset.filter(_deputy_in_region_q(region))
    deputies = list(queryset)
    grid_count = {d.pk: d.grid_count for d in deputies}
    townships: dict[int, set[int | None]] = {}
    congresses: dict[int, list[str]] = {}
    for deputy in deputies:
        mandates = _serving_mandates(deputy)
        townships[deputy.pk] = {_township_of(m.district_region) for m in mandates} | {
            _township_of(deputy.residence_region)
        }
        congresses[deputy.pk] = [m.congress_region.path for m in mandates]
    made: list[tuple[Deputy, Grid]] = []
    for grid in empty:
        # Same township first; else any deputy whose congress covers the grid.
        pool = [d for d in deputies if grid.region.parent_id in townships[d.pk]] or [
            d for d in deputies if any(grid.region.path.startswith(path) for path in congresses[d.pk])
        ]
        if not pool:
            continue
        wanted = {kind: s for s, kind in SPECIALTY_GRID_KIND.items()}.get(grid.kind)
        deputy = min(pool, key=lambda d: (grid_count[d.pk], wanted is not None and wanted not in d.specialties, d.pk))
        grid_count[deputy.pk] += 1
        index.load[grid.pk] += 1
        made.append((deputy, grid))
    return made


def assign_grids(
    *, actor: User | None, region: Region | None = None, fill_empty: bool = True, progress: Progress | None = None
) -> AssignmentOutcome:
    """Embed every serving deputy without a grid, then (unless `fill_empty` is off) give every grid a deputy."""
    with transaction.atomic():
        grid_pool = Grid.objects.select_related("region").order_by("code")
        if region is not None:
            grid_pool = grid_pool.filter(region__path__startswith=region.path)
        grids = list(grid_pool.select_for_update(of=("self",)) if _supports_for_update() else grid_pool)
        load = Counter(
            dict(
                GridAssignment.objects.filter(grid__in=grid_pool)
                .values("grid_id")
                .annotate(n=Count("id"))
                .values_list("grid_id", "n")
            )
        )
        index = _GridIndex(grids, load)
        outcome = AssignmentOutcome()
        pairs: list[tuple[Deputy, Grid, str]] = []
        deputies = _unassigned_serving_deputies(region)
        for number, deputy in enumerate(deputies):
            if progress is not None:
                progress(number, len(deputies), "正在为代表选择网格")
            grid, basis = _choose_grid(deputy, index, grid_pool)
            if grid is not None:
                index.load[grid.pk] += 1
                pairs.append((deputy, grid, basis))
        if fill_empty:
            pairs += [(d, g, AssignmentBasis.COVERAGE) for d, g in _fill_empty_grids(index, region)]

        created = GridAssignment.objects.bulk_create(
            [GridAssignment(deputy=d, grid=g, basis=basis) for d, g, basis in pairs]
        )
        # bulk_create returns primary keys on PostgreSQL and SQLite ≥ 3.35; audit rows point at them.
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    actor=actor if getattr(actor, "pk", None) else None,
                    action="grid_assignment.create",
                    object_type=GridAssignment._meta.label_lower,
                    object_id=str(assignment.pk),
                    object_repr=f"{deputy} → {grid}"[:200],
                    region_path=grid.region.path,
                    changes={"deputy": deputy.pk, "grid": grid.code, "basis": basis},
                )
                for assignment, (deputy, grid, basis) in zip(created, pairs, strict=True)
            ]
        )
        for assignment, (_, _, basis) in zip(created, pairs, strict=True):
            outcome.by_basis[basis] += 1
            outcome.assignments.append(assignment)
    return outcome


def _supports_for_update() -> bool:
    from django.db import connection

    return connection.features.has_select_for_update_of


@dataclass
class WorkerLoad:
    worker: GridWorker
    deputies: int


@dataclass
class CoverageReport:
    grids_total: int
    grids_without_deputy: list[Grid]
    deputies_total: int
    deputies_without_grid: list[Deputy]
    workers: list[WorkerLoad]
    grids_without_worker: list[Grid]

    @property
    def workers_without_deputy(self) -> list[GridWorker]:
        return [w.worker for w in self.workers if w.deputies == 0]

    def as_dict(self) -> dict[str, Any]:
        loads = [w.deputies for w in self.workers]
        return {
            "grids_total": self.grids_total,
            "grids_without_deputy": [g.code for g in self.grids_without_deputy],
            "deputies_total": self.deputies_total,
            "deputies_without_grid": [d.pk for d in self.deputies_without_grid],
            "grid_workers_total": len(self.workers),
            "grid_workers_without_deputy": [w.pk for w in self.workers_without_deputy],
            "grids_without_worker": [g.code for g in self.grids_without_worker],
            "deputies_per_worker_max": max(loads, default=0),
            "deputies_per_worker_mean": round(sum(loads) / len(loads), 2) if loads else 0,
        }


def coverage_report(*, region: Region | None = None) -> CoverageReport:
    grids = Grid.objects.select_related("region").annotate(
        deputy_count=Count("deputy_assignments", distinct=True), worker_count=Count("workers", distinct=True)
    )
    deputies = Deputy.objects.filter(mandates__status__in=SERVING_STATUSES).distinct()
    workers = GridWorker.objects.filter(is_active=True).select_related("grid").annotate(n=Count("deputy_pairings"))
    if region is not None:
        grids = grids.filter(region__path__startswith=region.path)
        deputies = deputies.filter(_deputy_in_region_q(region))
        workers = workers.filter(grid__region__path__startswith=region.path)
    grid_rows = list(grids.order_by("code"))
    return CoverageReport(
        grids_total=len(grid_rows),
        grids_without_deputy=[g for g in grid_rows if g.deputy_count == 0],
        deputies_total=deputies.count(),
        deputies_without_grid=list(deputies.filter(grid_assignments__isnull=True).order_by("id")),
        workers=sorted((WorkerLoad(w, w.n) for w in workers), key=lambda w: (-w.deputies, w.worker.grid.code)),
        grids_without_worker=[g for g in grid_rows if g.worker_count == 0],
    )
