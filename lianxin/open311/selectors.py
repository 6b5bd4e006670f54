"""Reads for Open311: which cases a GeoReport client may see, and the filters of GET Service Requests.

The Open311 reader is the public, not a staff account, so these queries do not start from `visible_to(user)`
(which answers "nothing" for the public). What the public may see instead:
- published cases (公开) — the list;
- a case whose service_request_id (= receipt code, ~59 random bits) the client names: knowing it proves the
  client submitted the case, exactly as on the portal's lookup by receipt code;
- the cases submitted with the client's own api_key, when it sends one.
Either way only public-safe fields leave (see serializers.py): never the person's name, phone or e-mail.
"""

import datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery

from lianxin.cases.models import RESOLVED_STATUSES, Case, CaseEvent, Category, Status
from lianxin.cases.receipts import normalize_receipt
from lianxin.core.errors import DomainError, NotFound
from lianxin.open311.models import Open311Key
from lianxin.regions.models import Region

MAX_RESULTS = 1000
MAX_IDS = 100
MAX_SPAN = datetime.timedelta(days=90)
OPEN, CLOSED = "open", "closed"


def _with_public_fields(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """One query for a list: the latest public note and the latest change come as subqueries."""
    events = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-created_at", "-id")
    return queryset.select_related("category", "unit", "region", "grid").annotate(
        latest_public_note=Subquery(events.filter(is_public=True).exclude(note="").values("note")[:1]),
        updated_at=Subquery(events.values("created_at")[:1]),
    )


def open311_request_get(*, service_request_id: str) -> Case:
    code = normalize_receipt(service_request_id)
    case = _with_public_fields(Case.objects.filter(receipt_code=code)).first() if code else None
    if case is None:
        raise NotFound(f"service_request_id: 未找到“{service_request_id}”")
    return case


def open311_requests_list(
    *,
    key: Open311Key | None = None,
    service_request_ids: list[str] | None = None,
    jurisdiction: Region | None = None,
    service_codes: list[str] | None = None,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    statuses: list[str] | None = None,
    now: datetime.datetime,
) -> list[Case]:
    """GET Service Requests. service_request_ids overrides every other filter, as the spec says. Without it the
    window is at most 90 days of requested_datetime (the last 90 days by default), newest first, 1000 at most."""
    if service_request_ids:
        if len(service_request_ids) > MAX_IDS:
            raise DomainError("too_many_ids", f"service_request_id: 一次最多查询{MAX_IDS}个")
        codes = [normalize_receipt(c) for c in service_request_ids if c.strip()]
        return list(_with_public_fields(Case.objects.filter(receipt_code__in=codes)).order_by("-registered_at", "-id"))

    start, end = _window(start, end, now)
    visible = Q(status=Status.PUBLISHED)
    if key is not None:
        visible |= Q(idempotency_key__startswith=f"open311:{key.pk}:")
    queryset = Case.objects.filter(visible, registered_at__gte=start, registered_at__lte=end)
    if jurisdiction is not None:
        queryset = queryset.filter(region__path__startswith=jurisdiction.path)
    if service_codes:
        queryset = queryset.filter(category__code__in=service_codes)
    if statuses:
        unknown = sorted(set(statuses) - {OPEN, CLOSED})
        if unknown:
            raise DomainError("field_invalid", f"status: 应为 open 或 closed，收到“{unknown[0]}”", field="status")
        if set(statuses) == {OPEN}:
            queryset = queryset.exclude(status__in=RESOLVED_STATUSES)
        elif set(statuses) == {CLOSED}:
            queryset = queryset.filter(status__in=RESOLVED_STATUSES)
    return list(_with_public_fields(queryset).order_by("-registered_at", "-id")[:MAX_RESULTS])


def _window(
    start: datetime.datetime | None, end: datetime.datetime | None, now: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    if start is None and end is None:
        return now - MAX_SPAN, now
    if start is None:
        assert end is not None
        return end - MAX_SPAN, end
    if end is None:
        return start, start + MAX_SPAN
    if end < start:
        raise DomainError("date_range_invalid", "end_date: 不能早于 start_date", field="end_date")
    if end - start > MAX_SPAN:
        raise DomainError("date_range_too_long", "start_date/end_date: 查询范围不能超过90天", field="start_date")
    return start, end


def open311_services() -> list[Category]:
    return list(Category.objects.filter(is_active=True))


def open311_service_get(*, service_code: str) -> Category:
    category = Category.objects.filter(code=service_code, is_active=True).first()
    if category is None:
        raise NotFound(f"service_code: 服务类别“{service_code}”不存在")
    return category
