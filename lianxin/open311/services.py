"""Writes for Open311: API keys (create, authenticate, revoke) and submitting a service request as a case.

A submission is registered through `cases.services.case_register` on the online channel, like a citizen's own
submission through a QR code; it is not an act of a staff account (the actor is CITIZEN, the event says 群众).
"""

import hashlib
import json
import math
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.cases import permissions as p
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.intake.rules import region_check_level
from lianxin.cases.models import Case, Channel
from lianxin.cases.services import Registration, case_register
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, NotFound, PermissionDenied
from lianxin.open311.models import Open311Key
from lianxin.open311.selectors import open311_service_get
from lianxin.regions.models import Region

KEY_PREFIX = "o311_"
# A retry is the same key, the same client (device_id or account_id) and the same fields within this window.
# Later, the same report is a new case: the same pothole may well be reported again next month.
RETRY_WINDOW_SECONDS = 600
ASCII_NAME = re.compile(r"^[\x20-\x7e]*$")


def open311_key_create(*, actor: User | None, name: str, region: Region) -> str:
    """Create a key that may submit to `region` and everything below it; return it. Only its hash is kept."""
    name = (name or "").strip()
    if not name:
        raise DomainError("field_required", "接入方: 不能为空", field="name")
    if len(name) > 100:
        raise DomainError("field_too_long", "接入方: 不能超过100字", field="name")
    # A case is filed under a county, township or village; a key for a whole city would need a located point for
    # every submission.
    region_check_level(region, label="区划")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        record = Open311Key.objects.create(
            name=name,
            region=region,
            prefix=key[len(KEY_PREFIX) : len(KEY_PREFIX) + 6],
            key_hash=Open311Key.hash_key(key),
        )
        audit_record(actor=actor, action="open311_key.create", obj=record, region_path=region.path)
    return key


def open311_key_authenticate(key: str | None) -> Open311Key | None:
    """The active key record for `key`, or None."""
    if not key:
        return None
    return (
        Open311Key.objects.select_related("region")
        .filter(key_hash=Open311Key.hash_key(key), revoked_at__isnull=True)
        .first()
    )


def open311_key_revoke(*, actor: User, key: Open311Key) -> bool:
    """Revoke a key (compare-and-swap: only the first of two revocations writes). True when this call revoked it."""
    with transaction.atomic():
        changed = Open311Key.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if changed != 1:
            return False
        key.refresh_from_db()
        audit_record(
            actor=actor,
            action="open311_key.revoke",
            obj=key,
            region_path=key.region.path,
            changes={"revoked_at": [None, key.revoked_at.isoformat() if key.revoked_at else None]},
        )
    return True


def region_by_jurisdiction(jurisdiction_id: str | None) -> Region | None:
    """jurisdiction_id is a region code (12 digits, or the 6-digit GB/T 2260 code of a county or above).
    None when not given; NotFound when given and unknown."""
    code = (jurisdiction_id or "").strip()
    if not code:
        return None
    if len(code) == 6 and code.isdigit():
        code += "000000"
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise NotFound(f"jurisdiction_id: 区划代码“{jurisdiction_id}”不存在")
    return region


@dataclass(frozen=True)
class Submission:
    registration: Registration
    account_id: str | None


def open311_request_submit(
    *, key: Open311Key, data: Mapping[str, Sequence[str]], now: datetime | None = None
) -> Submission:
    """POST Service Request. `data` is the form as lists of values (QueryDict.lists()). A retry of the same
    submission within the retry window returns the case the first attempt created."""
    now = now or timezone.now()

    def one(name: str) -> str:
        values = data.get(name) or []
        return str(values[-1]).strip() if values else ""

    jurisdiction = region_by_jurisdiction(one("jurisdiction_id")) or key.region
    if not jurisdiction.path.startswith(key.region.path):
        raise PermissionDenied(f"jurisdiction_id: 该 api_key 不能向“{jurisdiction.name}”提交")
    region_check_level(jurisdiction, field="jurisdiction_id", label="jurisdiction_id", code="jurisdiction_invalid")

    service_code = one("service_code")
    if not service_code:
        raise DomainError("field_required", "service_code: 必须提供", field="service_code")
    category = open311_service_get(service_code=service_code)

    lat, lng = _location(one("lat"), one("long"))
    address = one("address_string") or one("address_id")
    if lat is None and not address:
        raise DomainError("location_required", "lat/long: 须提供位置（lat 和 long）或 address_string", field="lat")

    description = one("description")
    media_url = one("media_url")
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError as exc:
            raise DomainError("field_invalid", "media_url: 应为 http 或 https 网址", field="media_url") from exc
    # No description: the service's name is the title (a draft's title is otherwise its text's first line).
    title = "" if description else category.name
    body = description or f"（未填写说明）{category.name}"
    if media_url:
        body = f"{body}\n\n图片链接：{media_url}"

    first, last = one("first_name"), one("last_name")
    person_name = f"{first} {last}".strip() if ASCII_NAME.match(first + last) else f"{last}{first}"
    account_id = one("account_id") or None

    candidates = [_idempotency_key(key, data, now, shift) for shift in (0, 1)]
    existing = Case.objects.filter(idempotency_key__in=candidates).first()
    if existing is not None:
        return Submission(Registration(existing, created=False), account_id)
    draft = CaseDraft(
        channel=Channel.ONLINE,
        title=title,
        body=body,
        region=jurisdiction,
        category=category,
        lat=lat,
        lng=lng,
        address=address,
        person_name=person_name,
        person_phone=one("phone"),
        idempotency_key=candidates[0],
    )
    registration = case_register(actor=p.CITIZEN, draft=draft)
    return Submission(registration, account_id)


def _location(lat_text: str, lng_text: str) -> tuple[float | None, float | None]:
    if not lat_text and not lng_text:
        return None, None
    if not lat_text or not lng_text:
        raise DomainError("location_invalid", "lat/long: 纬度和经度须同时提供", field="lat")
    try:
        lat, lng = float(lat_text), float(lng_text)
    except ValueError as exc:
        raise DomainError("location_invalid", "lat/long: 应为 WGS-84 经纬度数字", field="lat") from exc
    if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
        raise DomainError("location_invalid", "lat/long: 应为 WGS-84 经纬度数字", field="lat")
    return lat, lng


def _idempotency_key(key: Open311Key, data: Mapping[str, Sequence[str]], now: datetime, shift: int) -> str:
    """open311:<key>:<client>:<payload>:<window>. The same payload from the same client in this window or the
    one before is a retry (two windows, so a retry just after a window's end still finds the first attempt)."""
    client = (data.get("device_id") or data.get("account_id") or ["-"])[-1]
    fields = sorted((name, [str(v) for v in values]) for name, values in data.items() if name != "api_key")
    payload = hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()[:32]
    client_hash = hashlib.sha256(str(client).encode()).hexdigest()[:12]
    window = int(now.timestamp()) // RETRY_WINDOW_SECONDS - shift
    return f"open311:{key.pk}:{client_hash}:{payload}:{window}"
