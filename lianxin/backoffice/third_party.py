"""Third-party pages of the back office, in Chinese.

django-otp names its TOTP device model and fields in English without translations, so its admin is registered
again here with Chinese column, filter and section titles (its secrets stay hidden:
OTP_ADMIN_HIDE_SENSITIVE_DATA). django-axes' own pages are not registered (AXES_ENABLE_ADMIN = False): a
clerk unlocks an account from the login log (登录日志 › 解除锁定), which is audited.
"""

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.views.main import ChangeList
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

SECTIONS = {
    "Identity": "设备",
    "Timestamps": "时间",
    "Configuration": "配置",
    "State": "状态",
    "Throttling": "错误次数限制",
}
LABELS = {
    "user": "账号",
    "name": "设备名称",
    "confirmed": "已确认",
    "created_at": "添加时间",
    "last_used_at": "最近使用时间",
    "key": "密钥",
    "step": "时间步长（秒）",
    "t0": "起始时间",
    "digits": "口令位数",
    "tolerance": "允许偏差",
    "drift": "时钟偏差",
    "throttling_failure_timestamp": "最近失败时间",
    "throttling_failure_count": "连续失败次数",
}


NAME, PLURAL = "动态口令设备", "动态口令设备"


class ChineseOptions:
    """A model's _meta with Chinese names, for the admin pages of a third-party model whose names are untranslated
    (changing the model's own Meta would make a migration in the third-party app)."""

    def __init__(self, opts: Any, verbose_name: str, verbose_name_plural: str) -> None:
        self._opts = opts
        self.verbose_name = verbose_name
        self.verbose_name_plural = verbose_name_plural

    def __getattr__(self, name: str) -> Any:
        return getattr(self._opts, name)


class ChineseChangeList(ChangeList):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = self.title.replace(str(self.opts.verbose_name), NAME)
        self.opts = ChineseOptions(self.opts, NAME, PLURAL)  # type: ignore[assignment]


class ConfirmedFilter(admin.SimpleListFilter):
    title = "是否已确认"
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [("1", "已确认"), ("0", "未确认")]

    def queryset(self, request, queryset):
        if self.value() in ("0", "1"):
            return queryset.filter(confirmed=self.value() == "1")
        return queryset


class ChineseTOTPDeviceAdmin(TOTPDeviceAdmin):
    list_display = ["device_user", "device_name", "device_created_at", "device_last_used_at", "device_confirmed"]
    list_filter = [ConfirmedFilter]
    search_help_text = "按登录名搜索"

    def __init__(self, model: Any, admin_site: Any) -> None:
        super().__init__(model, admin_site)
        self.opts = ChineseOptions(model._meta, NAME, PLURAL)  # type: ignore[assignment]

    def get_changelist(self, request, **kwargs):
        return ChineseChangeList

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            func, name, _description = actions["delete_selected"]
            actions["delete_selected"] = (func, name, f"删除所选{PLURAL}")
        return actions

    @admin.display(description="账号", ordering="user")
    def device_user(self, device: TOTPDevice) -> str:
        return str(device.user)

    @admin.display(description="设备名称", ordering="name")
    def device_name(self, device: TOTPDevice) -> str:
        return device.name

    @admin.display(description="添加时间", ordering="created_at")
    def device_created_at(self, device: TOTPDevice):
        return device.created_at

    @admin.display(description="最近使用时间", ordering="last_used_at")
    def device_last_used_at(self, device: TOTPDevice):
        return device.last_used_at

    @admin.display(description="已确认", boolean=True, ordering="confirmed")
    def device_confirmed(self, device: TOTPDevice) -> bool:
        return device.confirmed

    def get_fieldsets(self, request, obj=None):
        return [
            (SECTIONS.get(name, name) if name else None, options)
            for name, options in super().get_fieldsets(request, obj)
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        for name, field in form.base_fields.items():
            field.label = LABELS.get(name, field.label)
        return form


def register_chinese_admins(site: admin.AdminSite) -> None:
    try:
        site.unregister(TOTPDevice)
    except NotRegistered:
        return  # django-otp's TOTP plugin is not installed here
    site.register(TOTPDevice, ChineseTOTPDeviceAdmin)
    # The app's name on the index and in breadcrumbs (not part of any migration, unlike a model's Meta).
    apps.get_app_config("otp_totp").verbose_name = "双因素认证"
