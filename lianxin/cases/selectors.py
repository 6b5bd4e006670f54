"""Reads for cases, their events, categories, responsible units and reception sessions.

Every read starts from `visible_to(user)`: outside the user's scope is the same as not existing (NotFound).
Lists load what their output needs with select_related, so a page costs the same few queries at any size.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from lianxin.accounts.roles import Perm
from lianxin.cases.deadlines import late_open_q
from lianxin.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    Category,
    GridFollowUp,
    ReceptionSession,
    ResponsibleUnit,
)
from lianxin.core.errors import DomainError, NotFound
from lianxin.core.scoping import region_scope_q
from lianxin.deputies.models import Deputy, GridWorker
from lianxin.regions.models import Grid, Region
from lianxin.regions.selectors import region_get_for_filter
from lianxin.venues.models import Place

_CASE_RELATED = ("region", "category", "unit", "deputy", "place", "grid", "session", "master")


def _visible_cases(user: Any) -> QuerySet[Case]:
    return Case.objects.visible_to(user)


def _with_caller(qs: QuerySet[Case], user: Any) -> QuerySet[Case]:
    """Annotate whether the caller handles the case's unit (for contact details), in the same query."""
    handlers = ResponsibleUnit.handlers.through.objects.filter(responsibleunit_id=OuterRef("unit_id"), user_id=user.pk)
    return qs.select_related(*_CASE_RELATED).annotate(caller_handles_unit=Exists(handlers))


def category_get_by_code(*, code: str, field: str = "category") -> Category:
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise DomainError("category_unknown", f"类别: “{code}”不存在或已停用", field=field)
    return category


def case_list_visible_to(
    *,
    user: Any,
    region: str | None = None,
    status: list[str] | None = None,
    channel: str | None = None,
    category: str | None = None,
    unit: int | None = None,
    deputy: int | None = None,
    registered_from: datetime.date | None = None,
    registered_to: datetime.date | None = None,
    overdue: bool | None = None,
    q: str | None = None,
) -> QuerySet[Case]:
    """Cases the user may see, newest first. `region`: its subtree; `status`: any of several; the period is
    inclusive, in local dates; `overdue`: see deadlines.late_open_q; `q`: receipt code, title, body, address or work-order
    number (never the person's name or phone, which not every caller may see)."""
    qs = _visible_cases(user)
    if region:
        qs = qs.filter(region__path__startswith=region_get_for_filter(user=user, code=region).path)
    if status:
        qs = qs.filter(status__in=status)
    if channel:
        qs = qs.filter(channel=channel)
    if category:
        qs = qs.filter(category=category_get_by_code(code=category))
    if unit is not None:
        qs = qs.filter(unit_id=unit)
    if deputy is not None:
        qs = qs.filter(deputy_id=deputy)
    if registered_from is not None:
        qs = qs.filter(registered_at__gte=_local_midnight(_within_calendar(registered_from)))
    if registered_to is not None:
        qs = qs.filter(registered_at__lt=_local_midnight(_within_calendar(registered_to) + datetime.timedelta(days=1)))
    if overdue is not None:
        late = late_open_q(timezone.now())
        qs = qs.filter(late if overdue else ~late)
    if q:
        text = q.strip()
        qs = qs.filter(
            Q(receipt_code=text.upper())
            | Q(title__icontains=text)
            | Q(body__icontains=text)
            | Q(address__icontains=text)
            | Q(external_id=text)
        )
    return _with_caller(qs, user).order_by("-registered_at", "-id")


def _within_calendar(day: datetime.date) -> datetime.date:
    """A filter's day moved inside the years a case can have (registration refuses dates before 2000), so the
    ends of the calendar (0001-01-01, 9999-12-31) filter as far as they reach instead of overflowing the time
    zone arithmetic (a 500 before)."""
    return min(max(day, datetime.date(1999, 12, 31)), datetime.date(9000, 1, 1))


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def case_get_by_idempotency_key(*, key: str) -> Case | None:
    """The case an earlier submission with this "<client>:<key>" created, if any (a retry replays it).
    A unique lookup: `get`, not `first`, which would sort by the model's ordering for nothing."""
    try:
        return Case.objects.get(idempotency_key=key)
    except Case.DoesNotExist:
        return None


def case_get_visible_to(*, user: Any, case_id: int) -> Case:
    case = _with_caller(_visible_cases(user), user).filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    return case


def attachments_visible_to(*, user: Any, case_id: int) -> QuerySet[Attachment]:
    """The photos and files of a case the user can see (none otherwise). Served by the back office to these users
    only: media under cases/ is never a public URL (deploy/nginx refuses it), since a file name carries the
    receipt code."""
    return Attachment.objects.filter(case__in=_visible_cases(user).filter(pk=case_id)).order_by("uploaded_at", "pk")


def attachment_get_visible_to(*, user: Any, case_id: int, attachment_id: int) -> Attachment:
    attachment = attachments_visible_to(user=user, case_id=case_id).filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound()
    return attachment


def case_events_visible_to(*, user: Any, case_id: int) -> QuerySet[CaseEvent]:
    """The case's whole history, oldest first (staff see internal steps too; `is_public` marks what the person
    sees by receipt code)."""
    if not _visible_cases(user).filter(pk=case_id).exists():
        raise NotFound()
    return CaseEvent.objects.filter(case_id=case_id).select_related("actor").order_by("created_at", "id")


def case_follow_ups_visible_to(*, user: Any, case_id: int) -> QuerySet[GridFollowUp]:
    """The grid workers' follow-up notes on the case, oldest first."""
    if not _visible_cases(user).filter(pk=case_id).exists():
        raise NotFound()
    return GridFollowUp.objects.filter(case_id=case_id).select_related("grid_worker").order_by("created_at", "id")


def case_contact_visible(*, user: Any, case: Case) -> bool:
    """Whether the user may see the person's name and phone: staff with Perm.VIEW_CONTACTS in the case's region,
    the deputy the case came to, and the handlers of the unit it was transferred to (they must call back).
    Reads `caller_handles_unit` when the selectors annotated it."""
    if user.has_perm_in(Perm.VIEW_CONTACTS, case.region.path):
        return True
    if case.deputy_id is not None and case.deputy is not None and case.deputy.user_id == user.pk:
        return True
    if case.unit_id is None or not user.has_perm_in(Perm.REPLY_AS_UNIT, case.region.path):
        return False
    handles = getattr(case, "caller_handles_unit", None)
    if handles is None:
        handles = ResponsibleUnit.handlers.through.objects.filter(
            responsibleunit_id=case.unit_id, user_id=user.pk
        ).exists()
    return bool(handles)


# Categories and units --------------------------------------------------------------------------------------


def category_list() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("sort", "code")


def _relevant_units_q(user: Any) -> Q:
    """Units of the user's regions, and units that serve a region above or below them: township staff must see
    the county's bureaus to transfer cases to them."""
    if user.is_superuser:
        return Q()
    visible = region_scope_q(user, "region__path")
    for path in user.scope_paths(Perm.VIEW_REGISTRY):
        ancestors = [path[: i + 1] for i, ch in enumerate(path) if ch == "/"]
        visible |= Q(serves__path__in=ancestors) | Q(serves__path__startswith=path)
    return visible


def unit_list_visible_to(
    *, user: Any, category: str | None = None, region: str | None = None, q: str | None = None
) -> QuerySet[ResponsibleUnit]:
    """Active units relevant to the user. `category`: units that handle it; `region`: units that serve it
    (a unit serving a county serves its towns)."""
    ids = ResponsibleUnit.objects.filter(_relevant_units_q(user)).values("id")
    qs = ResponsibleUnit.objects.filter(id__in=ids, is_active=True)
    if category:
        qs = qs.filter(categories=category_get_by_code(code=category))
    if region:
        path = region_get_for_filter(user=user, code=region).path
        ancestors = [path[: i + 1] for i, ch in enumerate(path) if ch == "/"]
        qs = qs.filter(id__in=ResponsibleUnit.objects.filter(serves__path__in=ancestors).values("id"))
    if q:
        qs = qs.filter(name__icontains=q.strip())
    return qs.select_related("region").order_by("region__path", "name", "id")


def unit_get_visible_to(*, user: Any, unit_id: int) -> ResponsibleUnit:
    unit = unit_list_visible_to(user=user).filter(pk=unit_id).first()
    if unit is None:
        raise NotFound()
    return unit


# Reception sessions ----------------------------------------------------------------------------------------


def reception_list_visible_to(
    *, user: Any, deputy: int | None = None, is_open: bool | None = None
) -> QuerySet[ReceptionSession]:
    """Sessions in the regions where the user handles cases, and the deputy's own sessions."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ReceptionSession.objects.none()
    visible = region_scope_q(user, "region__path", Perm.HANDLE_CASES) | Q(deputy__user=user)
    qs = ReceptionSession.objects.filter(visible)
    if deputy is not None:
        qs = qs.filter(deputy_id=deputy)
    if is_open is not None:
        qs = qs.filter(ended_at__isnull=is_open)
    return qs.select_related("deputy", "place", "region").order_by("-started_at", "-id")


def reception_get_visible_to(*, user: Any, session_id: int) -> ReceptionSession:
    session = reception_list_visible_to(user=user).filter(pk=session_id).first()
    if session is None:
        raise NotFound()
    return session


# What a registration refers to -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRefs:
    region: Region | None
    place: Place | None
    deputy: Deputy | None
    grid: Grid | None
    grid_worker: GridWorker | None
    session: ReceptionSession | None
    category: Category | None


def _unknown(field: str, label: str) -> DomainError:
    return DomainError(f"{field}_unknown", f"{label}: 不存在或不在您的管辖范围内", field=field)


def case_refs_resolve(
    *,
    user: Any,
    region: str | None = None,
    place: int | None = None,
    deputy: int | None = None,
    grid: str | None = None,
    grid_worker: int | None = None,
    session: int | None = None,
    category: str | None = None,
    received_at: datetime.datetime | None = None,
) -> CaseRefs:
    """Turn the ids and codes of a registration into objects the user may see (DomainError 400 naming the field
    otherwise). Regions are public (GB/T 2260), so any existing code resolves; whether the user may register
    there is case_register's decision. A deputy or grid worker registering without naming one is taken to be
    registering their own reception or report. `received_at`: when a queued submission arrived, for the
    reception session it names, which may have closed since."""
    region_obj = None
    if region:
        region_obj = Region.objects.filter(code=region).first()
        if region_obj is None:
            raise DomainError("region_unknown", f"所在区划: 区划代码 {region} 不存在", field="region")
    place_obj = None
    if place is not None:
        place_obj = Place.objects.visible_to(user).filter(pk=place, is_active=True).first()
        if place_obj is None:
            raise _unknown("place", "家站室")
    session_obj = None
    if session is not None:
        session_obj = reception_list_visible_to(user=user).filter(pk=session).first()
        if session_obj is None:
            raise _unknown("session", "接待活动")
        # A submission queued while the session was open still belongs to it (`received_at`).
        if session_obj.ended_at is not None and (received_at is None or session_obj.ended_at <= received_at):
            raise DomainError("reception_closed", "接待活动: 该接待活动已结束，不能再登记", field="session")
    deputy_obj = None
    if deputy is not None:
        deputy_obj = Deputy.objects.visible_to(user).filter(pk=deputy).first()
        if deputy_obj is None:
            raise _unknown("deputy", "接待代表")
    elif session_obj is None and not user.has_perm_anywhere(Perm.HANDLE_CASES):
        deputy_obj = Deputy.objects.filter(user=user).first()
    grid_obj = None
    if grid:
        grid_obj = Grid.objects.visible_to(user).select_related("region").filter(code=grid).first()
        if grid_obj is None:
            raise _unknown("grid", "网格")
    worker_obj = None
    if grid_worker is not None:
        worker_obj = GridWorker.objects.visible_to(user).filter(pk=grid_worker).first()
        if worker_obj is None:
            raise _unknown("grid_worker", "上报网格员")
    elif not user.has_perm_anywhere(Perm.HANDLE_CASES):
        worker_obj = GridWorker.objects.filter(user=user).first()
    return CaseRefs(
        region=region_obj,
        place=place_obj,
        deputy=deputy_obj,
        grid=grid_obj,
        grid_worker=worker_obj,
        session=session_obj,
        category=category_get_by_code(code=category) if category else None,
    )
