"""Cases and categories as GeoReport v2 dicts, in the spec's field order. Only public-safe fields: the person's
name and phone never leave, and free text passes through `redact` (phone, ID and e-mail numbers, the name)."""

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
    detail = ""
    if case.status in RESOLVED_STATUSES:
        detail = case.reply or case.decline_reason
    if not detail:
        detail = getattr(case, "latest_public_note", None) or ""
    return f"{label}：{redact(detail, case)}" if detail else label


def request_dict(case: Case) -> dict[str, Any]:
    return {
        "service_request_id": case.receipt_code,
        "status": open311_status(case),
        "status_notes": status_notes(case),
        "service_name": case.category.name if case.category else None,
        "service_code": case.category.code if case.category else None,
        "description": redact(case.body, case),
        "agency_responsible": case.unit.name if case.unit else None,
        "service_notice": None,
        "requested_datetime": w3_datetime(case.registered_at),
        "updated_datetime": w3_datetime(getattr(case, "updated_at", None) or case.registered_at),
        "expected_datetime": w3_datetime(case.reply_due),
        "address": redact(case.address, case) or None,
        "address_id": None,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lng,
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
