"""The workbench's own records: the deputy's 民情日记 (a diary of what they saw and heard among the people) and the
grid worker's follow-up notes on the cases of their grid."""

from django.db import models

from lianxin.cases.models import Case
from lianxin.deputies.models import Deputy, GridWorker
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


class GridFollowUp(models.Model):
    """A grid worker's follow-up note on a case of their grid (跟进/走访记录).

    Not a CaseEvent: the workflow has no "note" action and gives a grid worker no step of its own (lianxin/cases/
    workflow.py), and a case event is a change of state. A note changes nothing on the case, so it is kept here,
    beside the case, audited; no page edits or deletes one."""

    case = models.ForeignKey(Case, verbose_name="意见建议", on_delete=models.PROTECT, related_name="grid_follow_ups")
    grid_worker = models.ForeignKey(
        GridWorker, verbose_name="网格员", on_delete=models.PROTECT, related_name="follow_ups"
    )
    text = models.TextField("走访记录", max_length=2000)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "网格员走访记录"
        verbose_name_plural = "网格员走访记录"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.grid_worker} {self.created_at:%Y-%m-%d}"
