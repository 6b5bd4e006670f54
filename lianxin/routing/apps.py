from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "lianxin.routing"
    verbose_name = "智能分办"
    default_auto_field = "django.db.models.BigAutoField"
