from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.core.models import AuditEvent
from lianxin.core.scoping import region_scope_q


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: audit rows are append-only. Staff see the events of their region."""

    list_display = ["created_at", "actor", "action", "object_repr", "note"]
    list_filter = ["action"]
    search_fields = ["object_repr", "action", "actor__username"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        return super().get_queryset(request).filter(region_scope_q(request.user, "region_path", Perm.MANAGE_REGISTRY))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may(request.user, Perm.MANAGE_REGISTRY)

    def has_view_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return may(request.user, Perm.MANAGE_REGISTRY)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> AuditEvent:
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            from django.http import Http404

            raise Http404("未找到该对象，或不在您的管辖范围内")
        return obj
