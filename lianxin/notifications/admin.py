"""The outbox in the back office: read-only, scoped to supervising staff of the region it concerns; failed
notifications can be sent again ("重新发送")."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from lianxin.accounts.actors import account_of
from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.backoffice.scoped_admin import ScopedModelAdmin
from lianxin.core.errors import DomainError
from lianxin.notifications.models import Notification, SummaryRun
from lianxin.notifications.services import can_retry_notification, notification_retry


class ReadOnlyScopedAdmin(ScopedModelAdmin):
    manage_perm = Perm.SUPERVISE_CASES

    def region_paths(self, obj: Any) -> list[str]:
        return [obj.region_path] if obj.region_path else []

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may(request.user, Perm.SUPERVISE_CASES)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return may(request.user, Perm.SUPERVISE_CASES)
        return bool(request.user.is_superuser) or any(
            may(request.user, Perm.SUPERVISE_CASES, path) for path in self.region_paths(obj)
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.action(description="重新发送所选通知")
def resend(modeladmin: "NotificationAdmin", request: HttpRequest, queryset: QuerySet[Notification]) -> None:
    done = skipped = 0
    for notification in queryset:
        if not can_retry_notification(request.user, notification):
            skipped += 1
            continue
        try:
            notification_retry(actor=account_of(request), notification=notification)
            done += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"{notification}: {exc.message}", level="error")
    message = f"已重新排队发送 {done} 条通知"
    if skipped:
        message += f"；{skipped} 条已发送或无权操作，未处理"
    modeladmin.message_user(request, message)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyScopedAdmin):
    actions = [resend]
    list_display = ["created_at", "kind", "channel", "recipient", "subject", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["subject", "recipient", "case__receipt_code"]
    list_select_related = ["case"]
    date_hierarchy = "created_at"
    readonly_fields = ["case", "user"]


@admin.register(SummaryRun)
class SummaryRunAdmin(ReadOnlyScopedAdmin):
    list_display = ["period_start", "kind", "scope_key", "recipients", "body", "created_at"]
    list_filter = ["kind"]
    search_fields = ["body"]
