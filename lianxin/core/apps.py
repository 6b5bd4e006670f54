from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lianxin.core"
    label = "core"
    verbose_name = "系统"
