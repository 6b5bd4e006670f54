import datetime
import hashlib
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from lianxin.accounts.roles import ROLE_PERMISSIONS, Perm, Role
from lianxin.core.collation import StrokeKeyed, stroke_key_field
from lianxin.regions.models import Region


class User(StrokeKeyed, AbstractUser):
    """An account. What it may see and do comes from its role assignments, each over a region."""

    display_name = models.CharField("姓名", max_length=50, blank=True)
    # 姓氏笔画 of the full name (lianxin.core.collation), kept up to date on save: the accounts list's order.
    display_name_stroke_key = stroke_key_field()
    stroke_fields = ("display_name",)
    phone = models.CharField("手机号", max_length=20, blank=True)

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"

    def __str__(self) -> str:
        return self.display_name or self.username

    @cached_property
    def grants(self) -> list[tuple[str, str]]:
        """(role, region path) of every assignment, read once per request."""
        return list(self.role_assignments.values_list("role", "region__path"))

    def scope_paths(self, perm: Perm = Perm.VIEW_REGISTRY) -> list[str]:
        """The region paths where this user holds `perm`, without paths already covered by another."""
        paths = sorted({path for role, path in self.grants if perm in ROLE_PERMISSIONS[role]})
        minimal: list[str] = []
        for path in paths:  # sorted, so an ancestor comes before its descendants
            if not any(path.startswith(kept) for kept in minimal):
                minimal.append(path)
        return minimal

    def has_perm_in(self, perm: Perm, region_path: str) -> bool:
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return any(region_path.startswith(path) for path in self.scope_paths(perm))

    def has_perm_anywhere(self, perm: Perm) -> bool:
        return self.is_active and (self.is_superuser or bool(self.scope_paths(perm)))


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    region = models.ForeignKey(Region, verbose_name="管辖区划", on_delete=models.PROTECT)
    granted_by = models.ForeignKey(
        User, verbose_name="授权人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("授权时间", auto_now_add=True)

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "region"], name="role_assignment_unique"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="role_assignment_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.region}"


def api_token_expiry() -> datetime.datetime:
    """When a token created now expires. Also the value given to tokens that existed before expiry did."""
    return timezone.now() + datetime.timedelta(days=settings.API_TOKEN_DAYS)


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(User, verbose_name="账号", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100, blank=True)
    prefix = models.CharField("前缀", max_length=8)
    key_hash = models.CharField("令牌摘要", max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    # Every token expires (API_TOKEN_DAYS); a rotation shortens the old token's life to the grace period.
    expires_at = models.DateTimeField("到期时间", default=api_token_expiry)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class LoginKind(models.TextChoices):
    SUCCESS = "success", "登录成功"
    FAILURE = "failure", "密码错误"
    LOCKED_OUT = "locked_out", "失败过多被锁定"
    OTP_SUCCESS = "otp_success", "动态码验证通过"
    OTP_FAILURE = "otp_failure", "动态码错误"
    OTP_ENROLLED = "otp_enrolled", "绑定动态码"
    LOGOUT = "logout", "退出登录"
    IDLE_TIMEOUT = "idle_timeout", "闲置超时退出"


class LoginEvent(models.Model):
    """One login attempt on a staff or workbench page, successful or not (MLPS 2.0: 登录审计). Written by
    lianxin.accounts.logins from Django's and axes' login signals; read-only in the back office."""

    kind = models.CharField("结果", max_length=16, choices=LoginKind.choices)
    username = models.CharField("登录名", max_length=150, blank=True, db_index=True)
    user = models.ForeignKey(
        User, verbose_name="账号", null=True, blank=True, on_delete=models.SET_NULL, related_name="login_events"
    )
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    user_agent = models.CharField("浏览器", max_length=300, blank=True)
    path = models.CharField("页面", max_length=200, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "登录日志"
        verbose_name_plural = "登录日志"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=LoginKind.values), name="login_event_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.username} · {self.get_kind_display()} · {self.ip_address or '-'}"


class SavedView(models.Model):
    """A list's filters saved by a person under a name (保存的视图), so the daily lists are one click away.
    `page` names the list ("cases"); `query` is the filter part of its URL, checked again by the list each time it
    is opened (a saved view never widens what the person may see)."""

    owner = models.ForeignKey(User, verbose_name="所有人", on_delete=models.CASCADE, related_name="saved_views")
    page = models.CharField("页面", max_length=40)
    name = models.CharField("名称", max_length=40)
    query = models.CharField("筛选条件", max_length=1000, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "保存的视图"
        verbose_name_plural = "保存的视图"
        ordering = ["page", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "page", "name"], name="saved_view_unique_name")]

    def __str__(self) -> str:
        return f"{self.owner} · {self.name}"
