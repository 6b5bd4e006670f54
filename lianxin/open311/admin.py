"""Open311 keys in the back office: seen and revoked by account administrators of the key's region. Keys are
created with `lianxin create_open311_key NAME --region CODE`, which prints the key once."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from lianxin.accounts.actors import account_of
from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.core.scoping import region_scope_q
from lianxin.open311.models import Open311Key
from lianxin.open311.services import open311_key_revoke


@admin.action(description="吊销所选密钥（立即失效，不可恢复）")
def revoke_keys(modeladmin: "Open311KeyAdmin", request: HttpRequest, queryset: QuerySet[Open311Key]) -> None:
    revoked = sum(open311_key_revoke(actor=account_of(request), key=key) for key in queryset if key.revoked_at is None)
    modeladmin.message_user(request, f"已吊销 {revoked} 个密钥。")


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "region", "created_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["name", "prefix", "region", "created_at", "revoked_at"]
    actions = [revoke_keys]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Open311Key]:
        scope = region_scope_q(request.user, "region__path", Perm.MANAGE_ACCOUNTS)
        return super().get_queryset(request).select_related("region").filter(scope)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Open311Key:
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("未找到该对象，或不在您的管辖范围内")
        return obj

    def _may(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request.user, Perm.MANAGE_ACCOUNTS, obj.region.path if obj is not None else None)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Needed for the revoke action; every field is read-only, so the form itself changes nothing.
        return self._may(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
