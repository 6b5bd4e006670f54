"""Delivery channels. A channel sends one notification or raises; the worker retries what raised.

`NOTIFICATION_CHANNELS` maps the channel names stored on notifications ("log", "sms", "wechat", "email") to
classes. Out of the box every name maps to LogChannel, so a new installation sends nothing by accident and the
log shows what would have gone out. Production sets e.g. NOTIFICATION_SMS_CHANNEL to HttpSmsChannel.
"""

import json
import logging
import urllib.request
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from lianxin.core.masking import mask_recipient, mask_text
from lianxin.notifications.models import Notification

logger = logging.getLogger("lianxin.notifications")


class ChannelError(Exception):
    """The channel refused or could not be reached; the notification is retried later."""


class Channel(Protocol):
    def send(self, notification: Notification) -> None: ...


def channel_for(name: str) -> Channel:
    path = settings.NOTIFICATION_CHANNELS.get(name)
    if not path:
        # Not a silent fallback to the log: a notification for an unconfigured channel stays visible as failing.
        raise ChannelError(f"渠道“{name}”未配置（NOTIFICATION_CHANNELS）")
    channel: Channel = import_string(path)()
    return channel


class LogChannel:
    """Writes the notification to the log: development, the demo, and any channel not yet contracted.

    Logs are kept and copied more widely than the database (files, journald, a log collector), so the recipient
    and any phone or ID number in the text are masked; the full text stays on the notification row, where the
    back office's scope and the retention rules (lianxin.privacy) apply."""

    def send(self, notification: Notification) -> None:
        logger.info(
            "通知 #%s [%s → %s] %s：%s",
            notification.pk,
            notification.channel,
            mask_recipient(notification.recipient),
            mask_text(notification.subject),
            mask_text(notification.body),
        )


class EmailChannel:
    """Django's send_mail with the EMAIL_* settings. The address is the account's email, else the recipient."""

    def send(self, notification: Notification) -> None:
        address = (notification.user.email if notification.user else "") or notification.recipient
        if "@" not in address:
            # Logged and kept as the row's last error: masked like the log channel's lines.
            raise ChannelError(f"接收方“{mask_recipient(notification.recipient)}”没有电子邮箱")
        send_mail(notification.subject, notification.body, settings.DEFAULT_FROM_EMAIL, [address])


class HttpGatewayChannel:
    """POSTs JSON to an HTTP gateway (the congress's SMS platform, a WeChat template-message relay) with a bearer
    token; any answer but 2xx is a failure. Subclasses name their settings and shape the payload."""

    url_setting = ""
    token_setting = ""
    timeout = 10.0

    def payload(self, notification: Notification) -> dict[str, Any]:
        raise NotImplementedError

    def send(self, notification: Notification) -> None:
        url = getattr(settings, self.url_setting, "")
        if not url:
            raise ChannelError(f"{self.url_setting} 未配置")
        request = urllib.request.Request(
            url,
            data=json.dumps(self.payload(notification), ensure_ascii=False).encode(),
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {getattr(settings, self.token_setting, '')}",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status = response.status
        except OSError as exc:  # URLError and HTTPError (non-2xx) are OSErrors
            raise ChannelError(f"网关请求失败：{exc}") from exc
        if not 200 <= status < 300:
            raise ChannelError(f"网关返回 {status}")


class HttpSmsChannel(HttpGatewayChannel):
    url_setting = "SMS_GATEWAY_URL"
    token_setting = "SMS_GATEWAY_TOKEN"

    def payload(self, notification: Notification) -> dict[str, Any]:
        return {"phone": notification.recipient, "text": f"【连心】{notification.body}", "ref": notification.pk}


class WeChatTemplateChannel(HttpGatewayChannel):
    """A relay that holds the official account's access token and sends template messages (模板消息)."""

    url_setting = "WECHAT_GATEWAY_URL"
    token_setting = "WECHAT_GATEWAY_TOKEN"

    def payload(self, notification: Notification) -> dict[str, Any]:
        return {
            "touser": notification.recipient,
            "template_id": getattr(settings, "WECHAT_TEMPLATE_ID", ""),
            "data": {"first": {"value": notification.subject}, "remark": {"value": notification.body}},
            "ref": notification.pk,
        }
