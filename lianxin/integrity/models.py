"""Integrity monitoring points (廉情监测点), their members, and the clues they report with the path of a clue to the
discipline commission: 信息互通 (the shared register), 联合督查 (dated joint checks), 问题移送 (transfer with a receipt
and the commission's feedback), or closed with a reason.

Confidential: nothing here has a `visible_to` for the general scope (view_registry). Every read goes through
lianxin.integrity.selectors, which asks for manage_integrity in the clue's region and audits the read. A clue's
`__str__` is its number only, because it is copied into audit rows that other staff may read.
"""

import os
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q

from lianxin.deputies.models import Deputy
from lianxin.regions.models import Region
from lianxin.venues.models import Place


class PrivateStorage(FileSystemStorage):
    """PRIVATE_FILES_ROOT, read at each use so that tests can move it; no URL (nginx publishes only /media/)."""

    @property  # type: ignore[override]
    def base_location(self) -> Any:
        return settings.PRIVATE_FILES_ROOT

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("廉情线索附件不公开")


def private_storage() -> PrivateStorage:
    return PrivateStorage()


class MonitoringPoint(models.Model):
    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    place = models.ForeignKey(
        Place, verbose_name="所在家站室", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="监测员", blank=True, related_name="integrity_points"
    )
    deputies = models.ManyToManyField(Deputy, verbose_name="监测代表", blank=True, related_name="integrity_points")
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "廉情监测点"
        verbose_name_plural = "廉情监测点"
        ordering = ["region__path", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="integrity_point_name_unique")]

    def __str__(self) -> str:
        return self.name


class ClueStatus(models.TextChoices):
    REGISTERED = "registered", "已登记"
    VERIFYING = "verifying", "信息互通"
    JOINT_CHECK = "joint_check", "联合督查"
    TRANSFERRED = "transferred", "已移送纪委"
    CLOSED = "closed", "已了结"


# The labels of the workflow's actions (lianxin.integrity.workflow.ClueAction) and of reporting, for the events.
EVENT_LABELS = {
    "report": "报告线索",
    "share": "信息互通",
    "check": "联合督查",
    "transfer": "问题移送",
    "feedback": "登记纪委反馈",
    "close": "了结",
}


class Clue(models.Model):
    number = models.CharField("编号", max_length=20, unique=True)
    point = models.ForeignKey(MonitoringPoint, verbose_name="监测点", on_delete=models.PROTECT, related_name="clues")
    # The point's region when reported: the scope of every read.
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报告人账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reporter_deputy = models.ForeignKey(
        Deputy, verbose_name="报告代表", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField("反映对象（单位、职务）", max_length=200)
    text = models.TextField("线索内容")
    status = models.CharField("状态", max_length=16, choices=ClueStatus.choices, default=ClueStatus.REGISTERED)
    version = models.PositiveIntegerField(default=0)
    register_ref = models.CharField("互通登记号", max_length=50, blank=True)
    receipt_number = models.CharField("移送回执号", max_length=50, blank=True)
    transferred_on = models.DateField("移送日期", null=True, blank=True)
    feedback = models.TextField("纪委反馈", blank=True)
    feedback_on = models.DateField("反馈日期", null=True, blank=True)
    closed_reason = models.CharField("了结原因", max_length=500, blank=True)
    created_at = models.DateTimeField("报告时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "廉情线索"
        verbose_name_plural = "廉情线索"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ClueStatus.values), name="integrity_clue_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=ClueStatus.TRANSFERRED) | ~Q(receipt_number=""),
                name="integrity_clue_transfer_has_receipt",
            ),
        ]

    def __str__(self) -> str:
        # Audit rows copy this; the subject and text stay out of them.
        return f"廉情线索 {self.number}"


class ClueEvent(models.Model):
    """Append-only: one row per action on a clue (old and new status, who, when, note)."""

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=20)
    old_status = models.CharField("原状态", max_length=16, blank=True)
    new_status = models.CharField("新状态", max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "线索处理记录"
        verbose_name_plural = "线索处理记录"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.clue} {self.action}"

    @property
    def action_label(self) -> str:
        return EVENT_LABELS.get(self.action, self.action)

    @property
    def status_change(self) -> str:
        """ "已登记 → 信息互通", or "" when the status stayed."""
        if self.old_status == self.new_status:
            return ""
        old = ClueStatus(self.old_status).label if self.old_status else "—"
        return f"{old} → {ClueStatus(self.new_status).label}"


class JointCheck(models.Model):
    """联合督查: a dated check of a clue with the commission, and what it found."""

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="checks")
    check_date = models.DateField("督查日期")
    participants = models.CharField("参加人员", max_length=300, blank=True)
    result = models.TextField("督查结果")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "联合督查"
        verbose_name_plural = "联合督查"
        ordering = ["check_date", "id"]

    def __str__(self) -> str:
        return f"{self.clue} 督查 {self.check_date}"


class ClueAttachment(models.Model):
    """Kept outside MEDIA_ROOT (no URL): the office hands it out to integrity staff, audited."""

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("文件", upload_to="integrity/%Y/", storage=private_storage, max_length=255)
    name = models.CharField("文件名", max_length=200)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "线索附件"
        verbose_name_plural = "线索附件"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.clue} 附件 {self.pk}"
