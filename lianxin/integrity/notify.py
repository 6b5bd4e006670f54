"""Who hears of a clue: integrity staff of its region when one is reported, the reporter when its status changes.
Outbox rows (lianxin.notifications) in the change's transaction. They carry the clue's number, the point and the
status, never the subject or the text, and no region path: the outbox's admin page shows supervising staff the rows
of their region, and these are nobody's business but the integrity staff's and the reporter's."""

from typing import Any

from django.conf import settings

from lianxin.accounts.models import RoleAssignment, User
from lianxin.accounts.roles import Role
from lianxin.integrity.models import Clue, ClueStatus
from lianxin.notifications.services import notification_enqueue


def _send(user: User, *, kind: str, subject: str, body: str) -> None:
    notification_enqueue(
        kind=f"integrity.{kind}",
        channel=getattr(settings, "NOTIFICATION_STAFF_CHANNEL", "log"),
        recipient=user.phone or user.username,
        user=user,
        region_path="",
        subject=subject,
        body=body,
    )


def staff_over(region_path: str) -> list[User]:
    """Integrity staff whose grant covers the region (a county's staff hear of a village's clue)."""
    grants = RoleAssignment.objects.filter(role=Role.INTEGRITY_STAFF, user__is_active=True).select_related(
        "user", "region"
    )
    users = {g.user.pk: g.user for g in grants if region_path.startswith(g.region.path)}
    return [users[pk] for pk in sorted(users)]


def clue_reported(clue: Clue, *, actor: Any) -> int:
    users = [u for u in staff_over(clue.region.path) if u.pk != getattr(actor, "pk", None)]
    for user in users:
        _send(
            user,
            kind="clue_reported",
            subject=f"新的廉情线索 {clue.number}",
            body=f"{clue.point.name}报告了一条廉情线索（编号 {clue.number}），请登录工作台“廉情监测”查看。",
        )
    return len(users)


def clue_status_changed(clue: Clue, new_status: str, *, actor: Any) -> int:
    reporter = clue.reporter
    if reporter is None or not reporter.is_active or reporter.pk == getattr(actor, "pk", None):
        return 0
    label = ClueStatus(new_status).label
    _send(
        reporter,
        kind="clue_status",
        subject=f"廉情线索 {clue.number}：{label}",
        body=f"您报告的廉情线索（编号 {clue.number}）办理状态已更新为“{label}”。感谢您的监督。",
    )
    return 1
