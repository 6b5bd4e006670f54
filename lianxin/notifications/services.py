"""Enqueue notifications (inside the caller's transaction) and deliver them (the worker, after commit).

Delivery is at-least-once: a row is claimed (its attempt counted and its next attempt pushed CLAIM ahead) in a
short transaction, sent outside any transaction, then marked sent or given its next attempt. A worker that dies
between sending and marking leaves the row to be sent again after CLAIM: a duplicate message is better than a
lost one. Nothing is ever deleted; after NOTIFICATION_MAX_ATTEMPTS a row is marked failed and waits for staff.
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.core.audit import audit_record
from lianxin.core.errors import PermissionDenied
from lianxin.notifications.channels import channel_for
from lianxin.notifications.models import Notification, NotificationStatus

logger = logging.getLogger("lianxin.notifications")

# Waits after the 1st, 2nd, … failed attempt; then every 6 hours until the last attempt.
BACKOFF = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
)
BACKOFF_LATER = datetime.timedelta(hours=6)
# How long a claimed row is left to the worker that claimed it; far above a channel's timeout.
CLAIM = datetime.timedelta(minutes=5)


def notification_enqueue(
    *,
    kind: str,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    user: Any = None,
    case: Any = None,
    region_path: str = "",
) -> Notification:
    """Write an outbox row. Call inside the transaction of the change it reports: a rollback removes it, and the
    worker (`lianxin run_worker`) only ever sees committed rows."""
    if not region_path and case is not None:
        region_path = case.region.path
    return Notification.objects.create(
        kind=kind,
        channel=channel,
        recipient=recipient,
        user=user if getattr(user, "pk", None) else None,
        case=case,
        region_path=region_path,
        subject=subject[:200],
        body=body,
        next_attempt_at=timezone.now(),
    )


def notify_users(users: Iterable[Any], *, kind: str, subject: str, body: str, region_path: str = "") -> int:
    """One outbox row for each distinct active user among `users` (None skipped), on the staff channel, to their phone
    or else their username; returns how many. Call inside the change's transaction, as notification_enqueue."""
    seen: set[int] = set()
    for user in users:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        notification_enqueue(
            kind=kind,
            channel=getattr(settings, "NOTIFICATION_STAFF_CHANNEL", "log"),
            recipient=user.phone or user.username,
            user=user,
            region_path=region_path,
            subject=subject[:200],
            body=body,
        )
    return len(seen)


def retry_delay(attempts: int) -> datetime.timedelta:
    """The wait after the `attempts`-th failed attempt."""
    return BACKOFF[attempts - 1] if 1 <= attempts <= len(BACKOFF) else BACKOFF_LATER


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed

    def __str__(self) -> str:
        return f"sent={self.sent} retried={self.retried} failed={self.failed}"


def notifications_deliver_due(*, now: datetime.datetime | None = None, limit: int = 100) -> DeliveryReport:
    """Send up to `limit` pending notifications whose time has come. Safe to run in several processes at once."""
    now = now or timezone.now()
    report = DeliveryReport()
    for notification in _claim_due(now=now, limit=limit):
        _deliver(notification, now=now, report=report)
    return report


def _claim_due(*, now: datetime.datetime, limit: int) -> list[Notification]:
    with transaction.atomic():
        due = Notification.objects.filter(status=NotificationStatus.PENDING, next_attempt_at__lte=now)
        due = due.select_related("user").order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            # PostgreSQL: workers take disjoint batches instead of queueing behind each other's locks.
            due = due.select_for_update(skip_locked=True, of=("self",))
        claimed = []
        for notification in due[:limit]:
            # Compare-and-swap on the attempt count: on SQLite (no row locks) two workers may read the same row,
            # and only one of them wins it here.
            won = Notification.objects.filter(
                pk=notification.pk, status=NotificationStatus.PENDING, attempts=notification.attempts
            ).update(attempts=notification.attempts + 1, next_attempt_at=now + CLAIM)
            if won:
                notification.attempts += 1
                claimed.append(notification)
    return claimed


def _deliver(notification: Notification, *, now: datetime.datetime, report: DeliveryReport) -> None:
    mine = Notification.objects.filter(
        pk=notification.pk, status=NotificationStatus.PENDING, attempts=notification.attempts
    )
    try:
        channel_for(notification.channel).send(notification)
    except Exception as exc:  # any failure of any channel: keep the row and try again later
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            mine.update(status=NotificationStatus.FAILED, last_error=error)
            report.failed += 1
            logger.error("通知 #%s 第 %s 次发送失败，已停止重试：%s", notification.pk, notification.attempts, error)
        else:
            mine.update(next_attempt_at=now + retry_delay(notification.attempts), last_error=error)
            report.retried += 1
            logger.warning("通知 #%s 第 %s 次发送失败，稍后重试：%s", notification.pk, notification.attempts, error)
        return
    mine.update(status=NotificationStatus.SENT, sent_at=now, last_error="")
    report.sent += 1


def can_retry_notification(user: Any, notification: Notification) -> bool:
    if notification.status == NotificationStatus.SENT:
        return False
    if not notification.region_path:
        return bool(getattr(user, "is_superuser", False)) and user.is_active
    return may(user, Perm.SUPERVISE_CASES, notification.region_path)


def notification_retry(*, actor: User, notification: Notification) -> Notification:
    """Staff send a failed (or still waiting) notification again now, with a fresh round of attempts."""
    if not can_retry_notification(actor, notification):
        raise PermissionDenied("您不能重新发送该通知")
    before = (notification.status, notification.attempts)
    with transaction.atomic():
        Notification.objects.filter(pk=notification.pk).exclude(status=NotificationStatus.SENT).update(
            status=NotificationStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        notification.refresh_from_db()
        audit_record(
            actor=actor,
            action="notification.retry",
            obj=notification,
            changes={"status": [before[0], notification.status], "attempts": [before[1], notification.attempts]},
            region_path=notification.region_path,
        )
    return notification
