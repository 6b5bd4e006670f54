"""Back office: the stored reports, read-only, for staff who supervise cases in their region (the same scope as the
office's 统计报表 page, which makes them and hands out their files)."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from lianxin.accounts.permissions import may
from lianxin.insight.models import Report
from lianxin.insight.reports import REPORT_PERM, can_view_reports, reports_visible_to


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["region", "label", "period_start", "period_end", "created_at", "maker", "downloads"]
    list_filter = ["kind"]
    search_fields = ["region__name", "region__code"]
    fields = ["region", "kind", "period_start", "period_end", "created_at", "maker", "downloads"]
    readonly_fields = ["region", "kind", "period_start", "period_end", "created_at", "maker", "downloads"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Report]:
        return reports_visible_to(request.user)

    @admin.display(description="报表")
    def label(self, obj: Report) -> str:
        return obj.label

    @admin.display(description="生成人")
    def maker(self, obj: Report) -> str:
        return str(obj.created_by) if obj.created_by else "系统自动"

    @admin.display(description="下载")
    def downloads(self, obj: Report) -> str:
        return format_html(
            '<a href="{}">PDF</a> · <a href="{}">Excel</a>',
            reverse("office:report_pdf", args=[obj.pk]),
            reverse("office:report_xlsx", args=[obj.pk]),
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may(request.user, REPORT_PERM)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request.user, REPORT_PERM) if obj is None else can_view_reports(request.user, obj.region)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made by the worker or from the office page, which audit it

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
