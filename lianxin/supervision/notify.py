"""Who hears of each supervision step: outbox rows in the change's transaction (lianxin.notifications)."""

from collections.abc import Iterable
from typing import Any

from lianxin.accounts.models import RoleAssignment, User
from lianxin.accounts.roles import ROLE_PERMISSIONS, Perm
from lianxin.deputies.models import Deputy
from lianxin.notifications.services import notify_users


def _send(users: Iterable[User | None], *, kind: str, subject: str, body: str, region_path: str) -> int:
    return notify_users(users, kind=f"supervision.{kind}", subject=subject, body=body, region_path=region_path)


def _deputy_users(deputies: Iterable[Deputy]) -> list[User | None]:
    return [d.user for d in deputies]


def staff_of(region_path: str) -> list[User]:
    """Supervision staff whose role is granted exactly over the congress's region (not every level above)."""
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.MANAGE_SUPERVISION in perms]
    grants = RoleAssignment.objects.filter(region__path=region_path, role__in=roles).select_related("user")
    return [g.user for g in grants]


def item_unit(item: Any, kind: str, body: str) -> int:
    users = list(item.unit.handlers.all()) if item.unit_id else []
    return _send(users, kind=kind, subject=f"监督事项：{item.title}", body=body, region_path=item.region.path)


def item_members(item: Any, kind: str, body: str) -> int:
    from lianxin.supervision.services import item_member_ids

    deputies = Deputy.objects.filter(pk__in=item_member_ids(item)).select_related("user")
    return _send(
        _deputy_users(deputies), kind=kind, subject=f"监督事项：{item.title}", body=body, region_path=item.region.path
    )


def meeting_deputies(meeting: Any, kind: str, body: str) -> int:
    deputies = meeting.deputies.select_related("user")
    return _send(
        _deputy_users(deputies),
        kind=kind,
        subject=f"约见：{meeting.subject}",
        body=body,
        region_path=meeting.region.path,
    )


def meeting_organ(meeting: Any, kind: str, body: str) -> int:
    return _send(
        meeting.organ.handlers.all(),
        kind=kind,
        subject=f"约见：{meeting.subject}",
        body=body,
        region_path=meeting.region.path,
    )


def meeting_staff(meeting: Any, kind: str, body: str) -> int:
    return _send(
        staff_of(meeting.region.path),
        kind=kind,
        subject=f"约见：{meeting.subject}",
        body=body,
        region_path=meeting.region.path,
    )


def direct_unit(line: Any, kind: str, body: str) -> int:
    units = line.suggestion.units.filter(is_active=True, role="lead").select_related("unit")
    users = [u for part in units for u in part.unit.handlers.all()]
    return _send(users, kind=kind, subject=f"直通车：{line.suggestion.title}", body=body, region_path=line.region.path)
