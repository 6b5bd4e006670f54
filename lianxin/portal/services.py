"""Writes from the public pages. They call the closed loop's own services (case_register, case_rate_as_citizen);
what is added here is the public form's part: the form token, rate limits, photos."""

from dataclasses import dataclass
from typing import IO

from lianxin.cases import permissions as p
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.intake.rules import normalize_phone
from lianxin.cases.models import Case, Category, Channel
from lianxin.cases.selectors import case_get_by_idempotency_key
from lianxin.cases.services import Registration, case_rate_as_citizen, case_register
from lianxin.core.errors import DomainError
from lianxin.deputies.models import Deputy
from lianxin.publicweb.abuse import rate_limit
from lianxin.publicweb.photos import MAX_PHOTOS, photo_clean
from lianxin.venues.models import Place


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
    """Register an opinion from the public form to a deputy or a place. The page looks up its form token first
    (`opinion_for_token`, before the captcha is spent); two submits that race are one case all the same
    (case_register's idempotency key)."""
    if not token or len(token) > 64:
        raise DomainError("form_expired", "表单已过期，请刷新页面后重新提交")
    photos = photos or []
    if len(photos) > MAX_PHOTOS:
        raise DomainError("photo_count", f"照片: 最多{MAX_PHOTOS}张", field="photos")
    phone = normalize_phone(person_phone)
    rate_limit("submit_ip", ip)
    if phone:
        rate_limit("submit_phone", phone)
    cleaned = tuple(photo_clean(photo.file, size=photo.size, number=n) for n, photo in enumerate(photos, start=1))
    draft = CaseDraft(
        channel=Channel.ONLINE,
        body=text,
        deputy=deputy,
        place=place,
        category=category,
        lat=lat,
        lng=lng,
        address=address,
        person_name=person_name,
        person_phone=phone,
        wants_reply=wants_reply,
        photos=cleaned,
        idempotency_key=form_key(token),
    )
    return case_register(actor=p.CITIZEN, draft=draft)


def opinion_rate(*, code: str, rating: str, comment: str, ip: str) -> Case:
    """The person rates the reply by receipt code; unsatisfied reopens the case through the workflow."""
    rate_limit("rate_ip", ip)
    return case_rate_as_citizen(receipt_code=code, rating=rating, comment=comment)
