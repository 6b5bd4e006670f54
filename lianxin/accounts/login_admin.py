"""The login audit in the back office: read-only, for account administrators (imported by AccountsConfig.ready,
so that lianxin/accounts/admin.py stays about accounts and roles)."""

from django.contrib import admin, messages

from lianxin.accounts.logins import login_unlock
from lianxin.accounts.models import LoginEvent
from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.accounts.selectors import account_list_manageable_by
from lianxin.core.errors import DomainError


@admin.register(LoginEvent)
class LoginEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "username", "user", "ip_address", "path", "user_agent"]
    list_filter = ["kind", "created_at"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    actions = ["unlock_accounts"]

    def get_queryset(self, request):
        # A login has no region of its own: an administrator sees the attempts on the accounts they manage (the
        # rule of accounts.selectors); attempts that name no account (a made-up username) only the superuser sees.
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(user__in=account_list_manageable_by(actor=request.user).values("pk"))

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

    @admin.action(description="解除所选记录中账号的登录锁定")
    def unlock_accounts(self, request, queryset):
        users = {event.user for event in queryset.select_related("user") if event.user is not None}
        for user in users:
            try:
                login_unlock(actor=request.user, user=user)
            except DomainError as exc:
                messages.error(request, f"{user}: {exc.message}")
            else:
                messages.success(request, f"已解除 {user} 的登录锁定")
