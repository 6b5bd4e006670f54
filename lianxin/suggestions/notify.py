"""Who hears of each step. Outbox rows in the same transaction as the change (lianxin.notifications)."""

from collections.abc import Iterable

from django.conf import settings

from lianxin.accounts.models import User
from lianxin.notifications.services import notification_enqueue
from lianxin.suggestions.models import Suggestion, UnitAssignment


def _channel() -> str:
    return getattr(settings, "NOTIFICATION_STAFF_CHANNEL", "log")


def notify_users(suggestion: Suggestion, users: Iterable[User | None], kind: str, body: str) -> None:
    seen: set[int] = set()
    for user in users:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        notification_enqueue(
            kind=f"suggestion.{kind}",
            channel=_channel(),
            recipient=user.phone or user.username,
            user=user,
            region_path=suggestion.region.path,
            subject=f"{suggestion.number_label}：{suggestion.title}"[:200],
            body=body,
        )


def notify_lead_deputy(suggestion: Suggestion, kind: str, body: str) -> None:
    deputy = suggestion.lead_deputy
    notify_users(suggestion, [deputy.user if deputy is not None else None], kind, body)


def notify_unit(assignment: UnitAssignment, kind: str, body: str) -> None:
    notify_users(assignment.suggestion, assignment.unit.handlers.filter(is_active=True), kind, body)
