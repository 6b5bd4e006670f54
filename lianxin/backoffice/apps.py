from django.contrib.admin.apps import AdminConfig


class BackofficeAdminConfig(AdminConfig):
    """The staff back office is Django's admin, in Chinese and scoped to the user's region."""

    default_site = "lianxin.backoffice.site.BackofficeSite"

    def ready(self) -> None:
        super().ready()  # autodiscover: every app's admin.py
        from django.contrib import admin

        from lianxin.backoffice.third_party import register_chinese_admins

        register_chinese_admins(admin.site)
