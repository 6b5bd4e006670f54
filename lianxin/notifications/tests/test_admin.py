from django.urls import reverse

from lianxin.core.models import AuditEvent
from lianxin.notifications.models import Notification, NotificationStatus

CHANGELIST = "admin:notifications_notification_changelist"


def failed_notification(loop) -> Notification:
    case = loop.register()
    notification = Notification.objects.filter(case=case).first()
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.FAILED, attempts=10, last_error="网关超时"
    )
    return notification


def test_supervising_staff_see_their_regions_outbox_and_send_a_failed_notification_again(client, loop, personas):
    notification = failed_notification(loop)
    client.force_login(personas.county_staff)

    page = client.get(reverse(CHANGELIST))
    assert page.status_code == 200 and notification.subject in page.content.decode()
    detail = reverse("admin:notifications_notification_change", args=[notification.pk])
    assert client.get(detail).status_code == 200

    response = client.post(reverse(CHANGELIST), {"action": "resend", "_selected_action": [notification.pk], "index": 0})
    assert response.status_code == 302
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.PENDING, 0)
    assert AuditEvent.objects.filter(action="notification.retry", actor=personas.county_staff).count() == 1


def test_staff_of_another_township_get_a_404_and_place_staff_no_outbox_at_all(client, loop, personas):
    notification = failed_notification(loop)
    detail = reverse("admin:notifications_notification_change", args=[notification.pk])

    client.force_login(personas.outsider)
    assert notification.subject not in client.get(reverse(CHANGELIST)).content.decode()
    assert client.get(detail).status_code == 404

    client.force_login(personas.place_staff)
    assert client.get(reverse(CHANGELIST)).status_code == 403
