import copy

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404

from lianxin.accounts.models import ApiToken, RoleAssignment, User
from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.accounts.selectors import account_list_manageable_by, account_manageable
from lianxin.accounts.services import (
    account_password_set,
    account_save,
    api_token_revoke,
    api_token_rotate,
    role_grant,
    role_revoke,
)
from lianxin.core.errors import DomainError
from lianxin.core.scoping import region_scope_q
from lianxin.regions.models import Region


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    fields = ["role", "region", "granted_by", "created_at"]
    readonly_fields = ["granted_by", "created_at"]
    extra = 0
    autocomplete_fields = ["region"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(region_scope_q(request.user, "region__path", Perm.MANAGE_ACCOUNTS))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            kwargs["queryset"] = Region.objects.filter(region_scope_q(request.user, "path", Perm.MANAGE_ACCOUNTS))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_view_permission(self, request, obj=None) -> bool:
        return may(request.user, Perm.MANAGE_ACCOUNTS)

    has_add_permission = has_change_permission = has_delete_permission = lambda self, request, obj=None: may(
        request.user, Perm.MANAGE_ACCOUNTS
    )


class AuditedPasswordForm(AdminPasswordChangeForm):
    """Sets the password through accounts.services (scope check, audit row). `actor` is bound per request."""

    actor: User | None = None

    def save(self, commit: bool = True) -> User:
        password = self.cleaned_data["password1"] if self.cleaned_data.get("set_usable_password", True) else None
        account_password_set(actor=self.actor, account=self.user, password=password)
        return self.user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts are managed by administrators within their region: an account is in scope only when ALL of
    its roles lie in the administrator's region (accounts.selectors has the whole rule, which the services
    enforce again). Out of scope is a 404 on every page, the password page included."""

    list_display = ["username", "display_name", "phone", "is_active", "last_login"]
    ordering = ["display_name_stroke_key", "username"]  # 姓氏笔画 of the full name (lianxin.core.collation)
    search_fields = ["username", "display_name", "phone"]
    list_filter = ["is_active", "role_assignments__role"]
    inlines = [RoleAssignmentInline]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("个人信息", {"fields": ["display_name", "phone", "email"]}),
        ("状态", {"fields": ["is_active", "last_login", "date_joined"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    change_password_form = AuditedPasswordForm

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=account_list_manageable_by(actor=request.user).values("pk"))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None or not account_manageable(actor=request.user, account=obj):
            raise Http404("未找到该对象，或不在您的管辖范围内")
        return obj

    def has_module_permission(self, request) -> bool:
        return may(request.user, Perm.MANAGE_ACCOUNTS)

    def has_add_permission(self, request) -> bool:
        return may(request.user, Perm.MANAGE_ACCOUNTS)

    def has_view_permission(self, request, obj=None) -> bool:
        if obj is not None:
            return account_manageable(actor=request.user, account=obj)
        return may(request.user, Perm.MANAGE_ACCOUNTS)

    has_change_permission = has_view_permission

    def user_change_password(self, request, id, form_url=""):
        account = self.get_object(request, unquote(id))  # 404 outside the scope
        if not account_manageable(actor=request.user, account=account):
            raise DjangoPermissionDenied
        # A copy of this admin with the form bound to the acting user: the admin instance is shared by threads.
        bound = copy.copy(self)
        actor = request.user

        class BoundPasswordForm(AuditedPasswordForm):
            pass

        BoundPasswordForm.actor = actor
        bound.change_password_form = BoundPasswordForm
        return DjangoUserAdmin.user_change_password(bound, request, id, form_url)

    def save_model(self, request, obj, form, change):
        before = dict(form.initial) if change else {}
        fields = [f.name for f in obj._meta.concrete_fields if f.name in form.changed_data or not change]
        try:
            account_save(actor=request.user, account=obj, before=before, fields=fields)
        except DomainError as exc:
            raise DjangoPermissionDenied(exc.message) from exc

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deactivate instead: audit rows keep pointing at the account

    def save_formset(self, request, form, formset, change):
        """Grants and revocations go through the services (level rules, audit rows)."""
        formset.save(commit=False)
        for assignment in formset.deleted_objects:
            role_revoke(actor=request.user, assignment=assignment)
        for assignment in formset.new_objects:
            try:
                role_grant(actor=request.user, user=form.instance, role=assignment.role, region=assignment.region)
            except DomainError as exc:
                messages.error(request, exc.message)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created with `lianxin create_api_token USERNAME`; here they are seen, revoked and rotated, through
    the services (scope check, audit row, at once in every process). Nothing is edited by hand."""

    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "expires_at", "revoked_at"]
    readonly_fields = ["user", "prefix", "name", "created_at", "last_used_at", "expires_at", "revoked_at"]
    actions = ["revoke_tokens", "rotate_tokens"]

    def get_queryset(self, request):
        users = UserAdmin(User, self.admin_site).get_queryset(request)
        return super().get_queryset(request).filter(user__in=users)

    def has_module_permission(self, request) -> bool:
        return may(request.user, Perm.MANAGE_ACCOUNTS)

    def has_view_permission(self, request, obj=None) -> bool:
        return may(request.user, Perm.MANAGE_ACCOUNTS)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="吊销所选令牌（立即失效）")
    def revoke_tokens(self, request, queryset):
        for token in queryset.select_related("user"):
            try:
                api_token_revoke(actor=request.user, token=token)
            except DomainError as exc:
                messages.error(request, f"{token.prefix}…: {exc.message}")
        messages.success(request, "所选令牌已吊销")

    @admin.action(description="轮换所选令牌（生成新令牌，旧令牌在宽限期后失效）")
    def rotate_tokens(self, request, queryset):
        for token in queryset.select_related("user"):
            try:
                key = api_token_rotate(actor=request.user, token=token)
            except DomainError as exc:
                messages.error(request, f"{token.prefix}…: {exc.message}")
                continue
            grace = settings.API_TOKEN_ROTATION_GRACE_MINUTES
            until = f"旧令牌 {grace} 分钟后失效" if grace > 0 else "旧令牌已立即失效"
            messages.warning(request, f"{token.user} 的新令牌（只显示这一次，请立即复制）：{key}；{until}")
