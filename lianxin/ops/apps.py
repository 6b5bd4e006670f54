from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "lianxin.ops"
    label = "ops"
    verbose_name = "运维"
