from django.contrib.admin.apps import AdminConfig


class BackofficeAdminConfig(AdminConfig):
    """The staff back office is Django's admin, in Chinese and scoped to the user's region."""

    default_site = "lianxin.backoffice.site.BackofficeSite"
