"""Who hears of each step. Outbox rows in the same transaction as the change (lianxin.notifications)."""

from collections.abc import Iterable

from lianxin.accounts.models import User
from lianxin.notifications.services import notify_users as send
from lianxin.suggestions.models import Suggestion, UnitAssignment


def notify_users(suggestion: Suggestion, users: Iterable[User | None], kind: str, body: str) -> None:
    subject = f"{suggestion.number_label}：{suggestion.title}"
    send(users, kind=f"suggestion.{kind}", subject=subject, body=body, region_path=suggestion.region.path)


def notify_lead_deputy(suggestion: Suggestion, kind: str, body: str) -> None:
    deputy = suggestion.lead_deputy
    notify_users(suggestion, [deputy.user if deputy is not None else None], kind, body)


def notify_unit(assignment: UnitAssignment, kind: str, body: str) -> None:
    notify_users(assignment.suggestion, assignment.unit.handlers.filter(is_active=True), kind, body)
