"""Enqueue notifications (inside the caller's transaction) and deliver them (the worker, after commit)."""

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from lianxin.notifications.models import Notification

logger = logging.getLogger("lianxin.notifications")


def notification_enqueue(
    *,
    kind: str,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    user: Any = None,
    case: Any = None,
) -> Notification:
    """Write an outbox row. Call inside the transaction of the change it reports; delivery starts on commit."""
    notification = Notification.objects.create(
        kind=kind,
        channel=channel,
        recipient=recipient,
        user=user if getattr(user, "pk", None) else None,
        case=case,
        subject=subject,
        body=body,
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(_kick_delivery)
    return notification


def _kick_delivery() -> None:
    """Ask the worker to deliver soon. Without a worker the rows wait for the next `deliver_notifications` run."""
    try:
        from lianxin.notifications.tasks import deliver_notifications_task
    except ImportError:  # the worker module is optional in the core; delivery still happens on the next run
        return
    deliver_notifications_task.enqueue()
