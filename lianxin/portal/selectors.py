"""Public reads for the portal: no account, so nothing here starts from visible_to(user). What is public is
chosen field by field: a deputy's public profile, a place's address and roster, counts, and published results
(already redacted by the workflow's publish step). A citizen's own case is reached only by its receipt code."""

import datetime
import math
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from lianxin.cases.models import RESOLVED_STATUSES, Case, CaseEvent, Category, Status
from lianxin.cases.receipts import normalize_receipt
from lianxin.core.errors import NotFound
from lianxin.deputies.models import (
    SERVING_STATUSES,
    Deputy,
    DeputyGroup,
    DutyShift,
    GridAssignment,
    GridWorker,
    Mandate,
)
from lianxin.regions.models import Grid, Region, RegionLevel
from lianxin.venues.models import Place

RECENT_RESULTS = 5
UPCOMING_DAYS = 30
NEAREST_PLACES = 5
# Walking: ~4.5 km/h, and streets are ~1.3 times longer than the straight line.
WALK_KM_PER_MIN = 4.5 / 60
DETOUR = 1.3


@dataclass(frozen=True)
class Record:
    received: int
    resolved: int

    @property
    def resolved_percent(self) -> int | None:
        return round(100 * self.resolved / self.received) if self.received else None


def _published() -> QuerySet[Case]:
    return Case.objects.filter(status=Status.PUBLISHED).select_related("category", "region", "unit")


def _upcoming_shifts() -> QuerySet[DutyShift]:
    today = timezone.localdate()
    return (
        DutyShift.objects.filter(date__gte=today, date__lte=today + datetime.timedelta(days=UPCOMING_DAYS))
        .select_related("place", "deputy")
        .order_by("date", "start_time", "id")
    )


def deputy_get_public(*, code: str) -> Deputy:
    """A serving deputy's public profile by the code on their poster; NotFound otherwise (a rotated code too)."""
    serving = Mandate.objects.filter(status__in=SERVING_STATUSES).values("deputy_id")
    deputy = (
        Deputy.objects.filter(public_code=code, id__in=serving)
        .prefetch_related(
            Prefetch(
                "mandates",
                queryset=Mandate.objects.filter(status__in=SERVING_STATUSES)
                .select_related("congress_region")
                .order_by("level", "-term", "id"),
            ),
            Prefetch("groups", queryset=DeputyGroup.objects.order_by("kind", "name", "id")),
            Prefetch(
                "grid_assignments",
                queryset=GridAssignment.objects.select_related("grid__region").order_by("grid__code"),
            ),
            Prefetch("duty_shifts", queryset=_upcoming_shifts(), to_attr="upcoming_shifts"),
        )
        .first()
    )
    if deputy is None:
        raise NotFound("未找到该代表，二维码可能已更换，请扫描最新的二维码")
    return deputy


def deputy_record(*, deputy: Deputy) -> Record:
    counts = Case.objects.filter(deputy=deputy).aggregate(
        received=Count("id"), resolved=Count("id", filter=Q(status__in=RESOLVED_STATUSES))
    )
    return Record(received=counts["received"], resolved=counts["resolved"])


def place_get_public(*, code: str) -> Place:
    place = (
        Place.objects.filter(public_code=code, is_active=True)
        .select_related("region", "hub")
        .prefetch_related(Prefetch("duty_shifts", queryset=_upcoming_shifts(), to_attr="upcoming_shifts"))
        .first()
    )
    if place is None:
        raise NotFound("未找到该家站室，二维码可能已更换，请扫描最新的二维码")
    return place


def place_record(*, place: Place) -> Record:
    counts = Case.objects.filter(place=place).aggregate(
        received=Count("id"), resolved=Count("id", filter=Q(status__in=RESOLVED_STATUSES))
    )
    return Record(received=counts["received"], resolved=counts["resolved"])


def results_for(*, deputy: Deputy | None = None, place: Place | None = None, limit: int = RECENT_RESULTS) -> list[Case]:
    qs = _published()
    if deputy is not None:
        qs = qs.filter(deputy=deputy)
    if place is not None:
        qs = qs.filter(place=place)
    return list(qs.order_by("-published_at", "-id")[:limit])


def result_list(*, category: str | None = None, q: str | None = None) -> QuerySet[Case]:
    """Published results, newest first. Searches only the published (redacted) text."""
    qs = _published()
    if category:
        qs = qs.filter(category__code=category)
    if q:
        qs = qs.filter(Q(public_title__icontains=q) | Q(public_text__icontains=q))
    return qs.order_by("-published_at", "-id")


def result_get(*, case_id: int) -> Case:
    case = _published().filter(pk=case_id).first()
    if case is None:
        raise NotFound("未找到该办理结果")
    return case


def category_choices() -> list[Category]:
    return list(Category.objects.filter(is_active=True).order_by("sort", "code"))


# Tracking a case by its receipt code -----------------------------------------------------------------------


def case_get_by_receipt(*, code: str) -> Case:
    """The person's own case. The receipt code is the only key: 12 characters, ~59 bits, never guessed."""
    case = (
        Case.objects.filter(receipt_code=normalize_receipt(code))
        .select_related("category", "region", "unit", "deputy", "place")
        .annotate(photo_count=Count("attachments"))
        .first()
    )
    if case is None:
        raise NotFound("查询码不存在，请核对后重新输入")
    return case


def case_public_events(*, case: Case) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case=case, is_public=True).order_by("created_at", "id")


# Finding a deputy: town → village → grid, or by location ---------------------------------------------------


def townships() -> QuerySet[Region]:
    return Region.objects.filter(level=RegionLevel.TOWNSHIP).select_related("parent").order_by("code")


def villages(*, township_code: str) -> QuerySet[Region]:
    return Region.objects.filter(level=RegionLevel.VILLAGE, parent__code=township_code).order_by("code")


def grids(*, village_code: str) -> QuerySet[Grid]:
    return Grid.objects.filter(region__code=village_code).order_by("code")


def grid_get_public(*, code: str) -> Grid:
    grid = Grid.objects.filter(code=code).select_related("region__parent").first()
    if grid is None:
        raise NotFound("未找到该网格")
    return grid


@dataclass
class NearPlace:
    place: Place
    metres: int
    walk_minutes: int
    next_shift: DutyShift | None = None


@dataclass
class GridInfo:
    grid: Grid
    deputies: list[Deputy]
    workers: list[GridWorker]
    places: list[NearPlace] = field(default_factory=list)


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine), metres."""
    rad = math.radians
    dlat, dlng = rad(lat2 - lat1), rad(lng2 - lng1)
    a = math.sin(dlat / 2) ** 2 + math.cos(rad(lat1)) * math.cos(rad(lat2)) * math.sin(dlng / 2) ** 2
    return 6_371_000 * 2 * math.asin(math.sqrt(a))


def places_near(*, lat: float, lng: float, limit: int = NEAREST_PLACES) -> list[NearPlace]:
    """The nearest active places with coordinates, with walking time and their next reception on the roster.
    A box of ~20 km narrows the candidates first; further away nothing is a walk."""
    box = 0.2
    candidates = Place.objects.filter(
        is_active=True,
        lat__gte=lat - box,
        lat__lte=lat + box,
        lng__gte=lng - box,
        lng__lte=lng + box,
    ).select_related("region")
    near = []
    for place in candidates:
        assert place.lat is not None and place.lng is not None  # filtered above
        metres = distance_m(lat, lng, place.lat, place.lng)
        minutes = math.ceil(metres * DETOUR / 1000 / WALK_KM_PER_MIN)
        near.append(NearPlace(place=place, metres=round(metres), walk_minutes=minutes))
    near.sort(key=lambda n: n.metres)
    near = near[:limit]
    nexts: dict[int, DutyShift] = {}
    for shift in _upcoming_shifts().filter(place_id__in=[n.place.pk for n in near]):
        nexts.setdefault(shift.place_id, shift)
    for n in near:
        n.next_shift = nexts.get(n.place.pk)
    return near


def grid_info(*, grid: Grid, lat: float | None = None, lng: float | None = None) -> GridInfo:
    """Who serves a grid: its serving deputies, its grid workers (names only), and the nearest places to the
    person (or to the grid's centre)."""
    serving = Mandate.objects.filter(status__in=SERVING_STATUSES).values("deputy_id")
    deputies = list(
        Deputy.objects.filter(grid_assignments__grid=grid, id__in=serving)
        .prefetch_related(
            Prefetch(
                "mandates",
                queryset=Mandate.objects.filter(status__in=SERVING_STATUSES).order_by("level", "-term", "id"),
            )
        )
        .order_by("name", "id")
        .distinct()
    )
    workers = list(GridWorker.objects.filter(grid=grid, is_active=True).order_by("name", "id"))
    info = GridInfo(grid=grid, deputies=deputies, workers=workers)
    if lat is None or lng is None:
        lat, lng = grid.centroid_lat, grid.centroid_lng
    if lat is not None and lng is not None:
        info.places = places_near(lat=lat, lng=lng)
    return info
