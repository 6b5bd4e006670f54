from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from lianxin.core.appendonly import AppendOnlyQuerySet


class AuditEvent(models.Model):
    """An append-only record of a state change: who did what to which object, with old and new values.

    Every service that writes calls `lianxin.core.audit.audit_record`. Rows are never updated or deleted: not
    one by one (save, delete below), not in bulk (the queryset), not in SQL (a PostgreSQL trigger) —
    lianxin/core/appendonly.py.
    """

    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象编号", max_length=64)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    region_path = models.CharField("所属区划路径", max_length=255, blank=True, db_index=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    note = models.TextField("说明", blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "操作日志"
        verbose_name_plural = "操作日志"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ValueError("audit events are append-only")
