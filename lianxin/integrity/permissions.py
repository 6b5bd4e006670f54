"""Who may do what with the integrity monitoring points' records. One rule for staff: manage_integrity in the
region (held only by 廉情监测工作人员 and the administrator); one for reporters: a member of the point (its staff or a
deputy whose account is linked). Pages use these to hide buttons; services and selectors call them again."""

from typing import Any

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.integrity.models import Clue, MonitoringPoint


def can_manage_integrity(user: Any, region_path: str | None = None) -> bool:
    return may(user, Perm.MANAGE_INTEGRITY, region_path)


def can_handle_clue(user: Any, clue: Clue) -> bool:
    return can_manage_integrity(user, clue.region.path)


def is_point_member(user: Any, point: MonitoringPoint) -> bool:
    """A point's staff member, or the account of one of its deputies."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if point.staff.filter(pk=user.pk).exists():
        return True
    return point.deputies.filter(user_id=user.pk).exists()


def can_report_at(user: Any, point: MonitoringPoint) -> bool:
    """Members report from their point; integrity staff enter a clue for a point of their scope (e.g. from paper)."""
    if not point.is_active:
        return False
    return is_point_member(user, point) or can_manage_integrity(user, point.region.path)


def is_reporter(user: Any, clue: Clue) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and clue.reporter_id == user.pk)
