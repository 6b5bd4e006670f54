"""Reads for the deputy's workbench (码上答、交、办). Every case list starts from Case.objects.visible_to(user)."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import BooleanField, CharField, Count, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from lianxin.accounts.roles import Perm
from lianxin.cases.deadlines import late_open_q
from lianxin.cases.models import (
    OPEN_STATUSES,
    RESOLVED_STATUSES,
    Attachment,
    Case,
    CaseEvent,
    GridFollowUp,
    ReceptionSession,
    Status,
)
from lianxin.cases.selectors import case_contact_visible, reception_list_visible_to
from lianxin.core.errors import NotFound
from lianxin.core.scoping import region_scope_q
from lianxin.deputies.models import (
    Deputy,
    DutyShift,
    GridAssignment,
    GridWorker,
    GridWorkerPairing,
    Household,
    Mandate,
)
from lianxin.deputies.selectors import deputy_contact_for, deputy_places
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


# A diary entry turned into a case (转为群众意见) is the case registered with this idempotency key plus the entry's id,
# so the entry needs no column of its own and a second tap returns the first case.
DIARY_CASE_KEY = "visit:diary-"


def my_diary(*, deputy: Deputy, limit: int = 50) -> list[DiaryEntry]:
    """The deputy's entries, each with `case_id` of the case it was turned into (or None)."""
    case = Case.objects.filter(idempotency_key=Concat(Value(DIARY_CASE_KEY), Cast(OuterRef("pk"), CharField())))
    entries = DiaryEntry.objects.filter(deputy=deputy).annotate(case_id=Subquery(case.values("pk")[:1]))
    return list(entries.select_related("region").order_by("-date", "-id")[:limit])


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


# Grid workers (网格员) --------------------------------------------------------------------------------------------
#
# A grid worker sees the cases of their grid: those registered in it, whoever reported them, and those they reported
# themselves. The rule is the cases app's (Case.objects.of_grid_worker, the grid worker's share of visible_to), so
# the API and the back office show the same cases; these pages show the person's contact only by the usual rule
# (case_contact_visible) or to the worker who wrote it down.

# Waiting for the result to reach the person (反馈) or for the person's rating: the worker can knock on the door.
GRID_TO_FEED_BACK = (Status.REPLIED, Status.FED_BACK)
GRID_OPEN = tuple(sorted(OPEN_STATUSES - set(GRID_TO_FEED_BACK)))


def grid_worker_for_user(*, user: Any) -> GridWorker | None:
    """The active grid worker this account is linked to, with their grid."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return GridWorker.objects.filter(user=user, is_active=True).select_related("grid__region__parent", "user").first()


@dataclass(frozen=True)
class GridBuckets:
    open: Sequence[Case]
    to_feed_back: Sequence[Case]
    closed_this_month: Sequence[Case]


def grid_cases(*, worker: GridWorker) -> GridBuckets:
    """The cases of the worker's grid: open (overdue first, then oldest), waiting for feedback, and those whose last
    step this month closed them (newest first). Two queries."""
    base = Case.objects.of_grid_worker(worker.user).select_related("category", "unit")
    late = models.Case(
        When(late_open_q(timezone.now()), then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    running = list(
        base.filter(status__in=OPEN_STATUSES).annotate(late=late).order_by("-late", "registered_at", "id")[:200]
    )
    month_start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    closed = list(
        base.exclude(status__in=OPEN_STATUSES)
        .annotate(finished_at=Max("events__created_at"))
        .filter(finished_at__gte=month_start)
        .order_by("-finished_at", "-id")[:200]
    )
    return GridBuckets(
        open=[c for c in running if c.status in GRID_OPEN],
        to_feed_back=[c for c in running if c.status in GRID_TO_FEED_BACK],
        closed_this_month=closed,
    )


def grid_case_get(*, worker: GridWorker, case_id: int) -> Case:
    """A case of the worker's grid; NotFound (a 404, as for a case that does not exist) otherwise."""
    case = (
        Case.objects.of_grid_worker(worker.user)
        .filter(pk=case_id)
        .select_related("region", "category", "unit", "deputy", "grid", "grid_worker")
        .first()
    )
    if case is None:
        raise NotFound()
    return case


def grid_case_events(*, case: Case) -> list[CaseEvent]:
    """The case's history as the person sees it (`is_public`; a grid worker is not staff), oldest first; `case`
    comes from grid_case_get (the scope check)."""
    return list(CaseEvent.objects.filter(case=case, is_public=True).order_by("created_at", "id"))


def grid_case_photos(*, case: Case) -> list[Attachment]:
    return list(Attachment.objects.filter(case=case, content_type__startswith="image/").order_by("uploaded_at", "pk"))


def grid_case_follow_ups(*, case: Case) -> list[GridFollowUp]:
    return list(GridFollowUp.objects.filter(case=case).select_related("grid_worker").order_by("created_at", "id"))


def grid_contact_visible(*, user: Any, case: Case) -> bool:
    """The person's name and phone: by the rule of every interface, or to the worker who reported the case."""
    reporter = case.grid_worker
    return (reporter is not None and reporter.user_id == user.pk) or case_contact_visible(user=user, case=case)


@dataclass(frozen=True)
class PairedDeputy:
    deputy: Deputy
    phone: str | None  # None: the worker may not see contacts where the deputy is placed


def grid_paired_deputies(*, user: Any, worker: GridWorker) -> list[PairedDeputy]:
    """The deputies paired with the worker (代表+网格员), with a phone only for those who may see contacts."""
    pairings = (
        GridWorkerPairing.objects.filter(grid_worker=worker)
        .select_related("deputy")
        .prefetch_related(
            "deputy__mandates__congress_region",
            "deputy__mandates__district_region",
            "deputy__grid_assignments__grid__region",
        )
        .order_by("deputy__name", "id")
    )
    result = []
    for pairing in pairings:
        contact = deputy_contact_for(user=user, deputy=pairing.deputy)
        result.append(PairedDeputy(deputy=pairing.deputy, phone=(contact.phone or None) if contact else None))
    return result


def my_suggestion_counts(*, user: Any) -> dict[str, int]:
    """The home page's 我的建议: invitations waiting for the deputy's answer, unit replies waiting for a rating."""
    from lianxin.suggestions.models import CoSigner, SignStatus, UnitAssignment, UnitRole
    from lianxin.suggestions.models import Status as SuggestionStatus

    invitations = CoSigner.objects.filter(
        deputy__user=user, status=SignStatus.INVITED, suggestion__status=SuggestionStatus.COLLECTING
    ).count()
    to_rate = UnitAssignment.objects.filter(
        suggestion__lead_deputy__user=user,
        suggestion__status=SuggestionStatus.REPLIED,
        is_active=True,
        role=UnitRole.LEAD,
        replied_at__isnull=False,
        rating="",
    ).count()
    return {"invitations": invitations, "to_rate": to_rate}
