"""Stored reports (月报、季报、年报): one PDF and one .xlsx per region, kind and period, made by the worker on the first
working day after the period or by staff on demand (lianxin.insight.reports)."""

import os
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q

from lianxin.core.scoping import scoped_manager
from lianxin.regions.models import Region


class PrivateStorage(FileSystemStorage):
    """PRIVATE_FILES_ROOT (as the long jobs' files), read at each use so that tests can move it; no URL: the
    office hands the files out to those whose scope covers the report's region."""

    @property  # type: ignore[override]
    def base_location(self) -> Any:
        return settings.PRIVATE_FILES_ROOT

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("报表文件不公开：请从工作台下载")


def private_storage() -> PrivateStorage:
    return PrivateStorage()


class PeriodKind(models.TextChoices):
    MONTH = "month", "月报"
    QUARTER = "quarter", "季报"
    YEAR = "year", "年报"


class Report(models.Model):
    """A region's figures of one month, quarter or year as filed: replaced (files and time) when made again."""

    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField("起始日期")
    period_end = models.DateField("截止日期")
    pdf = models.FileField("PDF", upload_to="reports/%Y/", storage=private_storage, max_length=255)
    xlsx = models.FileField("Excel", upload_to="reports/%Y/", storage=private_storage, max_length=255)
    created_at = models.DateTimeField("生成时间")
    # None: made by the worker.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="生成人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = scoped_manager("region__path")

    class Meta:
        verbose_name = "统计报表"
        verbose_name_plural = "统计报表"
        ordering = ["-period_start", "kind", "region__path"]
        constraints = [
            models.UniqueConstraint(fields=["region", "kind", "period_start"], name="insight_report_unique"),
            models.CheckConstraint(condition=Q(kind__in=PeriodKind.values), name="insight_report_kind_valid"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="insight_report_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.region.name}{self.label}"

    @property
    def label(self) -> str:
        """2026年11月月报, 2026年第4季度季报, 2026年年报"""
        start = self.period_start
        if self.kind == PeriodKind.MONTH:
            return f"{start.year}年{start.month}月月报"
        if self.kind == PeriodKind.QUARTER:
            return f"{start.year}年第{(start.month - 1) // 3 + 1}季度季报"
        return f"{start.year}年年报"


from lianxin.insight.rollup_models import *  # noqa: E402, F403
