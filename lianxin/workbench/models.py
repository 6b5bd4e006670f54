"""The workbench's own records: the deputy's 民情日记 (a diary of what they saw and heard among the people). The grid
worker's follow-up notes on the cases of their grid live in the cases app (cases.models.GridFollowUp)."""

from django.db import models

from lianxin.deputies.models import Deputy
from lianxin.regions.models import Region


class DiaryEntry(models.Model):
    deputy = models.ForeignKey(Deputy, verbose_name="代表", on_delete=models.CASCADE, related_name="diary_entries")
    date = models.DateField("日期")
    region = models.ForeignKey(
        Region, verbose_name="走访地点", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField("民情日记", max_length=5000)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "民情日记"
        verbose_name_plural = "民情日记"
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} {self.deputy}"
