"""接待登记台 (the walk-in and phone desk): place staff (家站室联络员) and township and county staff register an
opinion brought in person (来访, at a station: the `station` channel) or by a phone call (来电, `phone`) outside a
deputy's reception session, in a minute, and hand the person the receipt code.

Like every channel it only builds a CaseDraft and calls case_register, which checks, derives (title, reply
preference, anonymity), scopes (the place and region must be the clerk's) and writes the event and the SMS with the
receipt code when a phone number is given. What is the desk's own: which channels it takes, that a walk-in names
the place where it came in, the places a clerk may pick (and their own place first), and today's list.
"""

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.accounts.roles import Perm, Role
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.intake.rules import REGISTRABLE_LEVELS
from lianxin.cases.models import Case, Category, Channel
from lianxin.cases.services import Registration, case_register
from lianxin.core.errors import DomainError
from lianxin.core.scoping import region_scope_q
from lianxin.regions.models import Region
from lianxin.venues.models import Place

DESK_CHANNELS = (Channel.STATION, Channel.PHONE)
DESK_CHANNEL_LABELS = {Channel.STATION: "来访", Channel.PHONE: "来电"}
PLACES_LIMIT = 300
REGIONS_LIMIT = 1000


def desk_places(*, user: Any) -> list[Place]:
    """The active places where the user handles cases, the places of their own place-staff grants first."""
    places = list(
        Place.objects.filter(region_scope_q(user, "region__path", Perm.HANDLE_CASES), is_active=True)
        .select_related("region")
        .order_by("region__path", "kind", "name", "id")[:PLACES_LIMIT]
    )
    own = _own_place_paths(user)
    return sorted(places, key=lambda place: place.region.path not in own)


def desk_default_place(*, user: Any, places: list[Place]) -> Place | None:
    """A place staff member's own place: the first active place of a region they were granted as place staff."""
    own = _own_place_paths(user)
    return next((place for place in places if place.region.path in own), None)


def _own_place_paths(user: Any) -> set[str]:
    return {path for role, path in getattr(user, "grants", ()) if role == Role.PLACE_STAFF}


def desk_regions(*, user: Any) -> list[Region]:
    """Where a desk registration may be filed: the counties, townships and villages where the user handles cases."""
    return list(
        Region.objects.filter(region_scope_q(user, "path", Perm.HANDLE_CASES), level__in=REGISTRABLE_LEVELS)
        .only("id", "name", "level", "path")
        .order_by("path")[:REGIONS_LIMIT]
    )


def desk_register(
    *,
    actor: User,
    channel: str,
    body: str,
    place: Place | None = None,
    region: Region | None = None,
    person_name: str = "",
    person_phone: str = "",
    is_anonymous: bool = False,
    category: Category | None = None,
    reply_via: str | None = None,
    form_token: str = "",
) -> Registration:
    """Register a walk-in or a phone call. A walk-in names the place it came to; a call may (the station's phone)
    or may not (the congress office's). The region defaults to the place's; one named must lie within it. The form
    token makes a double submit return the first case."""
    if channel not in DESK_CHANNELS:
        raise DomainError("field_invalid", "登记方式: 请选择来访或来电", field="channel")
    if channel == Channel.STATION and place is None:
        raise DomainError("field_required", "家站室: 来访登记须选择接待的家站室", field="place")
    if place is not None and region is not None and not region.path.startswith(place.region.path):
        raise DomainError("region_outside_place", f"所在区划: 应在{place.region.name}范围内", field="region")
    draft = CaseDraft(
        channel=channel,
        body=body,
        place=place,
        region=region,
        category=category,
        person_name=person_name,
        person_phone=person_phone,
        is_anonymous=is_anonymous,
        reply_via=reply_via or None,
        idempotency_key=f"desk:{actor.pk}:{form_token}" if form_token else None,
    )
    return case_register(actor=actor, draft=draft)


def desk_today_visible_to(*, user: Any, place: Place | None) -> QuerySet[Case]:
    """Today's desk registrations (walk-ins and calls, outside any reception session): the place's, or without a
    place the user's own; newest first."""
    start = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
    cases = Case.objects.visible_to(user).filter(
        channel__in=DESK_CHANNELS, session__isnull=True, registered_at__gte=start
    )
    cases = cases.filter(place=place) if place is not None else cases.filter(created_by=user, place__isnull=True)
    return cases.select_related("region", "category").order_by("-registered_at", "-id")
