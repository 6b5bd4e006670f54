"""Reads for the deputy's workbench (码上答、交、办). Every case list starts from Case.objects.visible_to(user)."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import BooleanField, Count, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from lianxin.accounts.roles import Perm
from lianxin.cases.deadlines import late_open_q
from lianxin.cases.models import RESOLVED_STATUSES, Case, ReceptionSession, Status
from lianxin.cases.selectors import reception_list_visible_to
from lianxin.core.scoping import region_scope_q
from lianxin.deputies.models import Deputy, DutyShift, GridAssignment, GridWorkerPairing, Household, Mandate
from lianxin.deputies.selectors import deputy_places
from lianxin.regions.models import Region
from lianxin.venues.models import Place
from lianxin.workbench.models import DiaryEntry

# The deputy acts first: accept it, answer on the spot, coordinate locally, or turn it into a suggestion.
TO_ANSWER = (Status.REGISTERED, Status.ACCEPTED)
# Being handled locally or replied to: the deputy hands the result over (reply, feed back to the person).
TO_HAND_OVER = (Status.COORDINATING, Status.REPLIED)
# With a unit or with the person: the deputy follows it.
TO_FOLLOW = (Status.TRANSFERRED, Status.SUPERVISING, Status.FED_BACK, Status.MERGED)


def deputy_for_user(*, user: Any) -> Deputy | None:
    if user is None or not user.is_authenticated:
        return None
    return Deputy.objects.filter(user=user).first()


@dataclass(frozen=True)
class Buckets:
    to_answer: list[Case]
    to_hand_over: list[Case]
    to_follow: list[Case]


def my_cases(*, user: Any) -> Buckets:
    """The cases that came to the user as a deputy, overdue first, then oldest first (one query)."""
    late = models.Case(
        When(late_open_q(timezone.now()), then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    cases = list(
        Case.objects.visible_to(user)
        .filter(deputy__user=user, status__in=(*TO_ANSWER, *TO_HAND_OVER, *TO_FOLLOW))
        .select_related("category", "unit", "region")
        .annotate(late=late)
        .order_by("-late", "registered_at", "id")
    )
    return Buckets(
        to_answer=[c for c in cases if c.status in TO_ANSWER],
        to_hand_over=[c for c in cases if c.status in TO_HAND_OVER],
        to_follow=[c for c in cases if c.status in TO_FOLLOW],
    )


def my_open_sessions(*, user: Any) -> QuerySet[ReceptionSession]:
    return reception_list_visible_to(user=user, is_open=True).filter(deputy__user=user)


def reception_places(*, deputy: Deputy) -> list[Place]:
    """Where a deputy may sit (坐诊): places on their roster or in their grids, else the places of their
    electoral districts."""
    places = deputy_places(deputy=deputy)
    if places:
        return places
    paths = [
        m.district_region.path
        for m in Mandate.objects.filter(deputy=deputy).exclude(district_region=None).select_related("district_region")
        if m.district_region
    ]
    qs = Place.objects.none()
    for path in paths:
        qs = qs | Place.objects.filter(region__path__startswith=path, is_active=True)
    return list(qs.select_related("region").order_by("name", "id"))


def reception_regions(*, deputy: Deputy) -> list[Region]:
    """Where a deputy's mobile reception (巡诊) usually is: the villages of their grids and their districts."""
    ids = set(GridAssignment.objects.filter(deputy=deputy).values_list("grid__region_id", flat=True))
    ids |= set(
        Mandate.objects.filter(deputy=deputy).exclude(district_region=None).values_list("district_region_id", flat=True)
    )
    return list(Region.objects.filter(id__in=ids).order_by("path"))


def my_shifts(*, deputy: Deputy, days: int = 60) -> list[DutyShift]:
    """The deputy's duty roster (接待排班) from today."""
    today = timezone.localdate()
    return list(
        DutyShift.objects.filter(deputy=deputy, date__gte=today, date__lte=today + datetime.timedelta(days=days))
        .select_related("place")
        .order_by("date", "start_time", "id")
    )


def my_households(*, deputy: Deputy) -> list[Household]:
    """The households the deputy keeps in touch with (联系户); their phones are for the deputy's own calls."""
    return list(
        Household.objects.filter(deputies=deputy).select_related("grid").order_by("grid__code", "head_name", "id")
    )


def my_grids(*, deputy: Deputy) -> list[GridAssignment]:
    return list(GridAssignment.objects.filter(deputy=deputy).select_related("grid__region").order_by("grid__code"))


def my_grid_workers(*, deputy: Deputy) -> list[GridWorkerPairing]:
    return list(
        GridWorkerPairing.objects.filter(deputy=deputy)
        .select_related("grid_worker__grid__region")
        .order_by("grid_worker__name", "id")
    )


def my_diary(*, deputy: Deputy, limit: int = 50) -> list[DiaryEntry]:
    return list(DiaryEntry.objects.filter(deputy=deputy).select_related("region").order_by("-date", "-id")[:limit])


# Place staff (家站室联络员) and other case handlers ------------------------------------------------------------


def handles_cases(*, user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_perm_anywhere(Perm.HANDLE_CASES))


def staff_places(*, user: Any) -> list[Place]:
    """The active places in the regions where the user handles cases."""
    return list(
        Place.objects.filter(region_scope_q(user, "region__path", Perm.HANDLE_CASES), is_active=True)
        .select_related("region")
        .order_by("region__path", "kind", "name", "id")[:200]
    )


def place_deputies(*, places: list[Place]) -> list[Deputy]:
    """Deputies who receive at these places: on their roster, or embedded in a grid of their regions."""
    if not places:
        return []
    rostered = DutyShift.objects.filter(place__in=places).values("deputy_id")
    in_grids = Q()
    for path in {p.region.path for p in places}:
        in_grids |= Q(grid__region__path__startswith=path)
    embedded = GridAssignment.objects.filter(in_grids).values("deputy_id")
    return list(Deputy.objects.filter(Q(id__in=rostered) | Q(id__in=embedded)).order_by("name", "id")[:500])


@dataclass(frozen=True)
class MonthSummary:
    place: Place
    sessions: int
    people: int
    cases: int
    resolved: int


def place_month_summary(*, place: Place, year: int, month: int) -> MonthSummary:
    """A place's month (月度小结): receptions held, people received, opinions registered there, how many resolved."""
    start = timezone.make_aware(datetime.datetime(year, month, 1))
    end = timezone.make_aware(datetime.datetime(year + (month == 12), month % 12 + 1, 1))
    sessions = ReceptionSession.objects.filter(place=place, started_at__gte=start, started_at__lt=end).aggregate(
        count=Count("id"), people=Sum("people_received")
    )
    cases = Case.objects.filter(place=place, registered_at__gte=start, registered_at__lt=end).aggregate(
        count=Count("id"), resolved=Count("id", filter=Q(status__in=RESOLVED_STATUSES))
    )
    return MonthSummary(
        place=place,
        sessions=sessions["count"],
        people=sessions["people"] or 0,
        cases=cases["count"],
        resolved=cases["resolved"],
    )


def place_shifts(*, place: Place, days: int = 60) -> list[DutyShift]:
    today = timezone.localdate()
    return list(
        DutyShift.objects.filter(place=place, date__gte=today, date__lte=today + datetime.timedelta(days=days))
        .select_related("deputy")
        .order_by("date", "start_time", "id")
    )
