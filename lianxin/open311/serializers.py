"""Cases and categories as GeoReport v2 dicts, in the spec's field order. Only public-safe fields leave:

- the description is the text staff wrote (and redaction checked) when they published the case (公开内容), never
  what the person wrote; a case not published has none;
- the address is the village or community (所在区划), never the street and door the person gave;
- the location is the centre of the case's grid, or the point rounded to 3 decimals (~100 m) without a grid, so a
  reader cannot walk to the person's door;
- the person's name, phone and e-mail never leave.
"""

import datetime
from typing import Any

from django.utils import timezone

from lianxin.cases.models import RESOLVED_STATUSES, Case, Category, Status
from lianxin.cases.redaction import redact

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's behaviour last changed (discovery's changeset).
CHANGESET = "2025-06-01T00:00:00+08:00"


def w3_datetime(value: datetime.datetime | None) -> str | None:
    """ISO 8601 with the offset, in the project's time zone: 2025-06-03T09:30:00+08:00."""
    if value is None:
        return None
    return timezone.localtime(value, timezone.get_default_timezone()).isoformat(timespec="seconds")


def open311_status(case: Case) -> str:
    """closed once the case is resolved (办结: fed back, rated, converted, declined, closed, published); a reopened
    case is open again. `merged` stays open until its master is answered."""
    return "closed" if case.status in RESOLVED_STATUSES else "open"


def status_notes(case: Case) -> str:
    label = Status(case.status).label
    if case.status == Status.PUBLISHED:
        return label  # the published text is the description; the reply is in it as staff chose to publish it
    detail = ""
    if case.status in RESOLVED_STATUSES:
        detail = case.reply or case.decline_reason
    if not detail:
        detail = getattr(case, "latest_public_note", None) or ""
    return f"{label}：{redact(detail, case)}" if detail else label


def public_description(case: Case) -> str | None:
    if case.status != Status.PUBLISHED:
        return None
    return case.public_text or case.public_title or None


# 3 decimals of a degree: ~110 m of latitude, ~95 m of longitude at 德清's 30.5°N.
COARSE_DECIMALS = 3


def public_location(case: Case) -> tuple[float | None, float | None]:
    """Where the case is, no closer than a grid or ~100 m: the grid's centre, else the point rounded."""
    grid = case.grid
    if grid is not None and grid.centroid_lat is not None and grid.centroid_lng is not None:
        return round(grid.centroid_lat, 6), round(grid.centroid_lng, 6)
    if case.lat is None or case.lng is None:
        return None, None
    return round(case.lat, COARSE_DECIMALS), round(case.lng, COARSE_DECIMALS)


def request_dict(case: Case) -> dict[str, Any]:
    lat, lng = public_location(case)
    return {
        "service_request_id": case.receipt_code,
        "status": open311_status(case),
        "status_notes": status_notes(case),
        "service_name": case.category.name if case.category else None,
        "service_code": case.category.code if case.category else None,
        "description": public_description(case),
        "agency_responsible": case.unit.name if case.unit else None,
        "service_notice": None,
        "requested_datetime": w3_datetime(case.registered_at),
        "updated_datetime": w3_datetime(getattr(case, "updated_at", None) or case.registered_at),
        "expected_datetime": w3_datetime(case.reply_due),
        "address": case.region.name,
        "address_id": None,
        "zipcode": None,
        "lat": lat,
        "long": lng,
        "media_url": None,
    }


def service_dict(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(category.keywords or []),
        "group": None,
    }


def service_definition_dict(category: Category) -> dict[str, Any]:
    # metadata is false for every category: no attributes to fill in.
    return {"service_code": category.code, "attributes": []}


def submitted_dict(case: Case, account_id: str | None) -> dict[str, Any]:
    return {
        "service_request_id": case.receipt_code,
        "service_notice": "已登记，当日受理；可凭 service_request_id（查询码）查询办理进度",
        "account_id": account_id,
    }


def token_dict(case: Case, token: str) -> dict[str, Any]:
    return {"service_request_id": case.receipt_code, "token": token}


def discovery_dict(*, url: str, contact: str) -> dict[str, Any]:
    return {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": "api_key 由本级人大常委会办公室发放（lianxin create_open311_key）",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def errors_list(status: int, description: str) -> list[dict[str, Any]]:
    return [{"code": status, "description": description}]
