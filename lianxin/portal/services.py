"""Writes from the public pages. They call the closed loop's own services (case_register, case_rate_as_citizen);
what is added here is the public form's part: the form token, rate limits, photos."""

from dataclasses import dataclass
from typing import IO

from django.core.files.base import ContentFile
from django.db import transaction

from lianxin.cases import permissions as p
from lianxin.cases.models import Attachment, Case, Category, Channel, ReplyVia
from lianxin.cases.selectors import case_get_by_idempotency_key
from lianxin.cases.services import Registration, case_rate_as_citizen, case_register
from lianxin.core.errors import DomainError
from lianxin.deputies.models import Deputy, GridAssignment
from lianxin.publicweb.abuse import rate_limit
from lianxin.publicweb.photos import MAX_PHOTOS, photo_clean
from lianxin.regions.models import Region, RegionLevel
from lianxin.venues.models import Place

TITLE_CHARS = 30


@dataclass(frozen=True)
class Photo:
    file: IO[bytes]
    size: int


def form_key(token: str) -> str:
    """The idempotency key of a public form: the random token the page was rendered with."""
    return f"portal:{token}"


def opinion_for_token(*, token: str) -> Case | None:
    """The case a form with this token already created (a double submit, a reload), if any."""
    if not token or len(token) > 64:
        return None
    return case_get_by_idempotency_key(key=form_key(token))


def _fallback_region(deputy: Deputy | None, place: Place | None) -> Region | None:
    """Where an opinion with no location is about: the place's region, else the deputy's electoral district,
    else the village of their first grid, else the county or township whose congress elected them."""
    if place is not None or deputy is None:
        return None  # case_register takes the place's region, or asks for one
    if deputy.mandates.exclude(district_region=None).exists():
        return None  # case_register takes the district
    assignment = GridAssignment.objects.filter(deputy=deputy).select_related("grid__region").first()
    if assignment is not None:
        return assignment.grid.region
    mandate = (
        deputy.mandates.filter(congress_region__level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP])
        .select_related("congress_region")
        .order_by("-congress_region__path")
        .first()
    )
    return mandate.congress_region if mandate is not None else None


def opinion_submit(
    *,
    token: str,
    ip: str,
    text: str,
    deputy: Deputy | None = None,
    place: Place | None = None,
    category: Category | None = None,
    photos: list[Photo] | None = None,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    person_name: str = "",
    person_phone: str = "",
    wants_reply: bool = True,
) -> Registration:
    """Register an opinion from the public form to a deputy or a place. The form token makes a double submit
    return the first case instead of creating a second one."""
    existing = opinion_for_token(token=token)
    if existing is not None:
        return Registration(existing, created=False)
    if not token or len(token) > 64:
        raise DomainError("form_expired", "表单已过期，请刷新页面后重新提交")
    photos = photos or []
    if len(photos) > MAX_PHOTOS:
        raise DomainError("photo_count", f"照片: 最多{MAX_PHOTOS}张", field="photos")
    person_phone = person_phone.replace(" ", "").strip()
    rate_limit("submit_ip", ip)
    if person_phone:
        rate_limit("submit_phone", person_phone)
    cleaned = [photo_clean(photo.file, size=photo.size, number=n) for n, photo in enumerate(photos, start=1)]
    body = (text or "").strip()
    first_line = body.splitlines()[0] if body else ""
    title = first_line[:TITLE_CHARS] + ("…" if len(first_line) > TITLE_CHARS else "")
    person_name = person_name.strip()
    if not wants_reply:
        reply_via = ReplyVia.NONE
    elif person_phone:
        reply_via = ReplyVia.SMS
    else:
        reply_via = ReplyVia.ONLINE
    with transaction.atomic():
        registration = case_register(
            actor=p.CITIZEN,
            channel=Channel.ONLINE,
            title=title,
            body=body,
            region=None if lat is not None else _fallback_region(deputy, place),
            deputy=deputy,
            place=place,
            category=category,
            lat=lat,
            lng=lng,
            address=address,
            person_name=person_name,
            person_phone=person_phone,
            is_anonymous=not person_name and not person_phone,
            reply_via=reply_via,
            idempotency_key=form_key(token),
        )
        if registration.created:
            case = registration.case
            for n, data in enumerate(cleaned, start=1):
                attachment = Attachment(case=case, content_type="image/jpeg", size=len(data))
                attachment.file.save(f"{case.receipt_code}-{n}.jpg", ContentFile(data), save=False)
                attachment.save()
    return registration


def opinion_rate(*, code: str, rating: str, comment: str, ip: str) -> Case:
    """The person rates the reply by receipt code; unsatisfied reopens the case through the workflow."""
    rate_limit("rate_ip", ip)
    return case_rate_as_citizen(receipt_code=code, rating=rating, comment=comment)
