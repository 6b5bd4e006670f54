"""The outbox: a notification is a row written in the same transaction as the change it reports, delivered
after commit by the worker and retried until a channel accepts it. A rolled-back change sends nothing."""

from typing import Any

from django.conf import settings
from django.db import models

from lianxin.core.scoping import region_scope_q


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class SupervisedQuerySet(models.QuerySet[Any]):
    def visible_to(self, user: Any) -> "SupervisedQuerySet":
        """Supervising staff see the rows of their region (a case's region, a summary's grid or place); rows
        about no region are for administrators only."""
        return self.filter(region_scope_q(user, "region_path", "supervise_cases"))


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
    # The region it concerns (the case's, or the grid's or place's for a summary): the back office's scope.
    region_path = models.CharField("所属区划路径", max_length=255, blank=True, db_index=True, editable=False)
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    status = models.CharField(
        "状态", max_length=16, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", db_index=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)

    objects = SupervisedQuerySet.as_manager()

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.subject}"


class SummaryKind(models.TextChoices):
    GRID_DAILY = "grid_daily", "网格日报"
    PLACE_WEEKLY = "place_weekly", "联络点周报"
    STATION_MONTHLY = "station_monthly", "家站月报"


class SummaryRun(models.Model):
    """One periodic summary sent for one grid or place and one period. The unique key makes a second run of the
    same job (a restart, two workers, cron and the loop) send nothing."""

    kind = models.CharField("类型", max_length=20, choices=SummaryKind.choices)
    period_start = models.DateField("周期开始")
    scope_key = models.CharField("对象", max_length=64, help_text="如 grid:12、place:3")
    region_path = models.CharField("所属区划路径", max_length=255, blank=True, editable=False)
    recipients = models.PositiveIntegerField("接收人数", default=0)
    body = models.TextField("内容", blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    objects = SupervisedQuerySet.as_manager()

    class Meta:
        verbose_name = "定期汇总"
        verbose_name_plural = "定期汇总"
        ordering = ["-period_start", "kind", "scope_key"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "period_start", "scope_key"], name="summary_run_unique"),
            models.CheckConstraint(condition=models.Q(kind__in=SummaryKind.values), name="summary_run_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_start} {self.scope_key}"


class JobState(models.Model):
    """When the worker last made each scheduled run: read at start, so that a restarted worker waits for the next
    run instead of making the 15-minute jobs, the summaries and the nightly retraining again at once."""

    name = models.CharField("任务", max_length=64, unique=True)
    last_run = models.DateTimeField("上次运行（计划时间）")
    finished_at = models.DateTimeField("完成时间")

    class Meta:
        verbose_name = "后台任务状态"
        verbose_name_plural = "后台任务状态"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} {self.last_run:%Y-%m-%d %H:%M}"
