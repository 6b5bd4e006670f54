"""The official working-day calendar as data: only the exceptions to the Monday–Friday rule are stored.

A weekday that is a public holiday is a `CalendarDay(is_workday=False)`; a weekend that is a make-up working
day (调休上班) is a `CalendarDay(is_workday=True)`. Every other day follows the weekday rule. A year is "known"
when its `CalendarYear` says the arrangement is complete; outside the known years deadlines count weekends only.
"""

from django.db import models

from lianxin.workdays.calendar import WEEKDAY_NAMES


class CalendarSource(models.TextChoices):
    PACKAGE = "chinese-calendar", "chinese-calendar 数据包"
    IMPORT = "import", "导入"
    MANUAL = "manual", "手工"


class CalendarDay(models.Model):
    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField(
        "上班", help_text="勾选：周末调休上班；不勾选：工作日放假。与周一至周五常规相同的日子无需登记。"
    )
    name = models.CharField("名称", max_length=50, blank=True, help_text="如“国庆节”“国庆节调休上班”")
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self) -> str:
        kind = "调休上班" if self.is_workday else "放假"
        return f"{self.date:%Y-%m-%d} {WEEKDAY_NAMES[self.date.weekday()]} {self.name or kind}（{kind}）"


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("来源", max_length=20, choices=CalendarSource.choices)
    is_complete = models.BooleanField(
        "已完整", default=False, help_text="该年全部放假与调休安排已登记；未完整的年份按周末计算并提示管理员。"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "年度安排"
        verbose_name_plural = "年度安排"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} 年（{self.get_source_display()}{'' if self.is_complete else '，未完整'}）"
