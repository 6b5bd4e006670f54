"""Reads of supervision, each starting from what the user may see: staff with manage_supervision see their
region and below; a deputy sees the items of their groups (or where they were chosen), their own 约见 and 直通车;
a department's handler sees the items and 约见 addressed to the department. Anything else does not exist (404)."""

from typing import Any

from django.db.models import Q, QuerySet

from lianxin.accounts.roles import Perm
from lianxin.core.scoping import region_scope_q
from lianxin.deputies.models import Deputy
from lianxin.supervision.models import (
    DirectLine,
    ItemGroup,
    ItemRecord,
    Meeting,
    SupervisionEvent,
    SupervisionItem,
)


def _deputy(user: Any) -> Deputy | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Deputy.objects.filter(user=user).first()


def _units_q(user: Any, lookup: str) -> Q:
    if user is None or not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    return Q(**{f"{lookup}__handlers": user})


def items_visible_to(*, user: Any) -> QuerySet[SupervisionItem]:
    q = region_scope_q(user, "region__path", Perm.MANAGE_SUPERVISION) | _units_q(user, "unit")
    deputy = _deputy(user)
    if deputy is not None:
        q |= Q(pk__in=ItemGroup.objects.filter(group__members=deputy).values("item")) | Q(members=deputy)
    return (
        SupervisionItem.objects.filter(q)
        .distinct()
        .select_related("region", "unit", "project")
        .order_by("-year", "starts_on", "id")
    )


def items_of_deputy(*, deputy: Deputy) -> QuerySet[SupervisionItem]:
    q = Q(pk__in=ItemGroup.objects.filter(group__members=deputy).values("item")) | Q(members=deputy)
    return SupervisionItem.objects.filter(q).distinct().select_related("region", "unit").order_by("-year", "id")


def item_records(*, item: SupervisionItem) -> QuerySet[ItemRecord]:
    return item.records.select_related("activity", "created_by").order_by("created_at", "id")


def item_groups(*, item: SupervisionItem) -> QuerySet[ItemGroup]:
    return item.item_groups.select_related("group", "group__leader")


def item_events(*, item: SupervisionItem) -> QuerySet[SupervisionEvent]:
    return item.events.select_related("actor").order_by("created_at", "id")


def meetings_visible_to(*, user: Any) -> QuerySet[Meeting]:
    q = region_scope_q(user, "region__path", Perm.MANAGE_SUPERVISION) | _units_q(user, "organ")
    deputy = _deputy(user)
    if deputy is not None:
        q |= Q(deputies=deputy)
    return Meeting.objects.filter(q).distinct().select_related("region", "organ", "activity")


def direct_lines_visible_to(*, user: Any) -> QuerySet[DirectLine]:
    q = region_scope_q(user, "region__path", Perm.MANAGE_SUPERVISION)
    deputy = _deputy(user)
    if deputy is not None:
        q |= Q(suggestion__lead_deputy=deputy)
    return DirectLine.objects.filter(q).distinct().select_related("region", "suggestion", "suggestion__lead_deputy")


def direct_line_reply(line: DirectLine) -> dict[str, Any]:
    """The lead unit's reply as the suggestions app keeps it: when, which class, the deputy's rating."""
    part = line.suggestion.units.filter(is_active=True, role="lead").select_related("unit").order_by("id").first()
    if part is None:
        return {"unit": "", "replied_at": None, "reply": "", "reply_class": "", "rating": "", "late": False}
    late = part.replied_at is not None and part.replied_at.date() > line.reply_due
    return {
        "unit": part.unit.name,
        "replied_at": part.replied_at,
        "reply": part.reply_text,
        "reply_class": part.get_reply_class_display() if part.reply_class else "",
        "rating": part.get_rating_display() if part.rating else "",
        "late": late,
    }
