"""Routing state kept beside the closed loop (which lives in lianxin.cases and is not changed here):
the router's versions, each case's proposal (which version proposed what, how sure), the manual triage queue
and the clerk's decision, which is what the next training learns from."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from lianxin.cases.models import Case, Category, ResponsibleUnit
from lianxin.core.scoping import region_scope_q


class RouterVersion(models.Model):
    """One trained router. Exactly one is active; proposals keep pointing at the version that made them."""

    number = models.PositiveIntegerField("版本号", unique=True)
    trained_at = models.DateTimeField("训练时间")
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="训练人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField("训练数据", max_length=100, help_text="如 平台意见建议、CSV 文件名")
    samples = models.PositiveIntegerField("样本数")
    classes = models.JSONField("类别", default=list)
    threshold = models.FloatField("转人工阈值")
    metrics = models.JSONField("评估指标", default=dict, blank=True)
    training_seconds = models.FloatField("训练用时(秒)", default=0)
    size = models.PositiveIntegerField("模型大小(字节)", default=0)
    is_active = models.BooleanField("启用", default=False)
    # The libraries that wrote the blob: a pickle of scikit-learn's estimators is only promised to load in the
    # version that wrote it. A version that cannot be read is retrained by the worker (services.router_repair).
    libraries = models.JSONField("依赖库版本", default=dict, blank=True, help_text="python、scikit-learn、numpy…")
    load_error = models.TextField("无法读取的原因", blank=True, default="")
    # The fitted model (joblib, compressed): stored in the database so every web and worker process sees the
    # same versions without a shared file system. About 25 MB per version for 6,500 letters.
    blob = models.BinaryField("模型", editable=False)

    class Meta:
        verbose_name = "分办模型版本"
        verbose_name_plural = "分办模型版本"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="router_one_active")
        ]

    def __str__(self) -> str:
        return f"v{self.number}"

    def summary(self) -> dict[str, object]:
        return {
            "version": self.number,
            "samples": self.samples,
            "classes": self.classes,
            "threshold": self.threshold,
            "metrics": self.metrics,
            "training_seconds": self.training_seconds,
            "model_bytes": self.size,
            "active": self.is_active,
        }


class ProposalStatus(models.TextChoices):
    AUTO = "auto", "自动分办"
    TRIAGE = "triage", "待人工分办"
    ACCEPTED = "accepted", "已确认"
    CORRECTED = "corrected", "已更正"


class ProposalQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ProposalQuerySet":
        """Those who handle the case's region (the case list's own rule for staff)."""
        return self.filter(region_scope_q(user, "case__region__path", "handle_cases"))


class Proposal(models.Model):
    """The router's proposal for one case, and the clerk's decision on it."""

    case = models.OneToOneField(
        Case, verbose_name="意见建议", on_delete=models.CASCADE, related_name="routing_proposal"
    )
    router = models.ForeignKey(
        RouterVersion,
        verbose_name="模型版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    category = models.ForeignKey(
        Category, verbose_name="建议类别", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confidence = models.FloatField("置信度", default=0)
    ranking = models.JSONField("候选类别", default=list, blank=True, help_text="[[类别编码, 概率], …]")
    unit = models.ForeignKey(
        ResponsibleUnit, verbose_name="建议承办单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit_candidates = models.PositiveSmallIntegerField("可选单位数", default=0)
    status = models.CharField("状态", max_length=16, choices=ProposalStatus.choices)
    final_category = models.ForeignKey(
        Category, verbose_name="确定类别", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    final_unit = models.ForeignKey(
        ResponsibleUnit, verbose_name="确定承办单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="分办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("分办时间", null=True, blank=True)
    created_at = models.DateTimeField("建议时间", auto_now_add=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = "分办建议"
        verbose_name_plural = "分办建议"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ProposalStatus.values), name="routing_proposal_status_valid")
        ]

    def __str__(self) -> str:
        return f"{self.case.receipt_code} → {self.category or '未定'}"
