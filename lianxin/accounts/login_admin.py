"""The login audit in the back office: read-only, for account administrators (imported by AccountsConfig.ready,
so that lianxin/accounts/admin.py stays about accounts and roles)."""

from django.contrib import admin

from lianxin.accounts.models import LoginEvent, RoleAssignment
from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.core.scoping import region_scope_q


@admin.register(LoginEvent)
class LoginEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "username", "user", "ip_address", "path", "user_agent"]
    list_filter = ["kind", "created_at"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]

    def get_queryset(self, request):
        # A login has no region of its own: an administrator sees the attempts on accounts with a role in their
        # region; attempts that name no account (a made-up username) only the superuser sees.
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        in_scope = RoleAssignment.objects.filter(region_scope_q(request.user, "region__path", Perm.MANAGE_ACCOUNTS))
        return queryset.filter(user__in=in_scope.values("user_id"))

    def has_module_permission(self, request) -> bool:
        return may(request.user, Perm.MANAGE_ACCOUNTS)

    def has_view_permission(self, request, obj=None) -> bool:
        return may(request.user, Perm.MANAGE_ACCOUNTS)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
