"""The outbox: a notification is a row written in the same transaction as the change it reports, delivered
after commit by the worker and retried until a channel accepts it. A rolled-back change sends nothing."""

from django.conf import settings
from django.db import models


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class Notification(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    kind = models.CharField("事由", max_length=40, db_index=True)
    channel = models.CharField("渠道", max_length=16, help_text="log / sms / wechat / email，见 NOTIFICATION_CHANNELS")
    recipient = models.CharField("接收方", max_length=200, help_text="手机号、邮箱或账号")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收账号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="意见建议",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    status = models.CharField(
        "状态", max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", db_index=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.subject}"
