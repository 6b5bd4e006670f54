import datetime
import io
import json
import logging

import pytest
from django.db import transaction

from lianxin.core.errors import PermissionDenied
from lianxin.core.models import AuditEvent
from lianxin.notifications import channels
from lianxin.notifications.models import Notification, NotificationStatus
from lianxin.notifications.services import (
    _claim_due,
    notification_enqueue,
    notification_retry,
    notifications_deliver_due,
)

NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)


class FlakyChannel:
    """Fails as many times as `failures` says, then accepts; remembers what it sent."""

    failures = 0
    sent: list[int] = []

    def send(self, notification: Notification) -> None:
        if FlakyChannel.failures > 0:
            FlakyChannel.failures -= 1
            raise channels.ChannelError("网关超时")
        FlakyChannel.sent.append(notification.pk)


@pytest.fixture
def flaky(settings):
    settings.NOTIFICATION_CHANNELS = {**settings.NOTIFICATION_CHANNELS, "sms": f"{__name__}.FlakyChannel"}
    FlakyChannel.failures = 0
    FlakyChannel.sent = []
    return FlakyChannel


def enqueue(**fields) -> Notification:
    values = {"kind": "test", "channel": "log", "recipient": "13957211234", "subject": "主题", "body": "内容"}
    values.update(fields)
    notification = notification_enqueue(**values)
    Notification.objects.filter(pk=notification.pk).update(next_attempt_at=NOW)
    notification.refresh_from_db()
    return notification


def test_a_rolled_back_change_leaves_nothing_to_send(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue()
        raise RuntimeError("the change fails after the notification was queued")

    assert not Notification.objects.exists()
    assert notifications_deliver_due(now=NOW).handled == 0


def test_a_committed_notification_is_delivered_by_the_worker_run_and_written_to_the_log(db, caplog):
    notification = enqueue(subject="交办件 A1", body="请于 3 月 20 日前答复")

    with caplog.at_level(logging.INFO, logger="lianxin.notifications"):
        report = notifications_deliver_due(now=NOW)

    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.sent_at) == (NotificationStatus.SENT, 1, NOW)
    # The recipient is in the log masked (PIPL: logs travel further than the database; channels.LogChannel).
    assert any("交办件 A1" in r.getMessage() and "139****1234" in r.getMessage() for r in caplog.records)
    assert "13957211234" not in caplog.text
    assert notifications_deliver_due(now=NOW + MINUTE).handled == 0  # sent once


def test_a_failing_channel_is_retried_with_growing_waits_until_it_accepts(db, flaky):
    flaky.failures = 2
    notification = enqueue(channel="sms")

    assert notifications_deliver_due(now=NOW).retried == 1
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert notification.next_attempt_at == NOW + MINUTE
    assert "网关超时" in notification.last_error

    assert notifications_deliver_due(now=NOW + 30 * datetime.timedelta(seconds=1)).handled == 0  # not yet
    second = NOW + MINUTE
    assert notifications_deliver_due(now=second).retried == 1
    notification.refresh_from_db()
    assert notification.next_attempt_at == second + 5 * MINUTE

    assert notifications_deliver_due(now=second + 5 * MINUTE).sent == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts, notification.last_error) == ("sent", 3, "")
    assert flaky.sent == [notification.pk]


def test_after_the_last_attempt_a_notification_is_kept_as_failed_and_staff_can_send_it_again(
    loop, personas, flaky, settings
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    flaky.failures = 10
    case = loop.register()
    notification = enqueue(channel="sms", case=case)
    assert notification.region_path == case.region.path

    notifications_deliver_due(now=NOW)
    assert notifications_deliver_due(now=NOW + MINUTE).failed == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.FAILED, 2)
    assert notifications_deliver_due(now=NOW + datetime.timedelta(days=1)).handled == 0  # no longer tried

    with pytest.raises(PermissionDenied):
        notification_retry(actor=personas.outsider, notification=notification)
    notification_retry(actor=personas.county_staff, notification=notification)
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.PENDING, 0)
    audit = AuditEvent.objects.get(action="notification.retry")
    assert audit.actor == personas.county_staff and audit.changes["status"] == ["failed", "pending"]

    flaky.failures = 0
    notifications_deliver_due(now=datetime.datetime.now(datetime.UTC))
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT and notification.pk in flaky.sent


def test_a_notification_for_an_unconfigured_channel_is_retried_not_lost(db):
    notification = enqueue(channel="fax")

    assert notifications_deliver_due(now=NOW).retried == 1
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING and "fax" in notification.last_error


def test_a_row_claimed_by_one_worker_is_not_taken_by_another(db):
    enqueue()

    first = _claim_due(now=NOW, limit=10)
    second = _claim_due(now=NOW, limit=10)

    assert len(first) == 1 and second == []
    # A worker that died after claiming leaves the row to be tried again later, never lost.
    assert len(_claim_due(now=NOW + 6 * MINUTE, limit=10)) == 1


def test_the_email_channel_sends_to_the_accounts_address(db, make_user, mailoutbox, settings):
    settings.NOTIFICATION_CHANNELS = {
        **settings.NOTIFICATION_CHANNELS,
        "email": "lianxin.notifications.channels.EmailChannel",
    }
    user = make_user("mailer", email="staff@example.org")
    enqueue(channel="email", user=user, recipient="mailer", subject="督办件", body="请处理")

    assert notifications_deliver_due(now=NOW).sent == 1
    assert [(m.subject, m.to) for m in mailoutbox] == [("督办件", ["staff@example.org"])]


def test_the_sms_gateway_posts_json_and_a_refusal_is_a_failure(db, settings, monkeypatch):
    settings.NOTIFICATION_CHANNELS = {
        **settings.NOTIFICATION_CHANNELS,
        "sms": "lianxin.notifications.channels.HttpSmsChannel",
    }
    settings.SMS_GATEWAY_URL = "https://sms.example.invalid/send"
    settings.SMS_GATEWAY_TOKEN = "t0ken"
    requests = []

    class Response(io.BytesIO):
        status = 200

    def fake_urlopen(request, timeout):
        requests.append(request)
        return Response(b"{}")

    monkeypatch.setattr(channels.urllib.request, "urlopen", fake_urlopen)
    enqueue(channel="sms", body="您的意见已答复")

    assert notifications_deliver_due(now=NOW).sent == 1
    (request,) = requests
    assert request.full_url == settings.SMS_GATEWAY_URL
    assert request.get_header("Authorization") == "Bearer t0ken"
    assert json.loads(request.data)["phone"] == "13957211234"

    Response.status = 500
    enqueue(channel="sms")
    assert notifications_deliver_due(now=NOW).retried == 1
    assert Notification.objects.filter(last_error__contains="500").count() == 1
