from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "lianxin.api"
    label = "api"
    verbose_name = "接口"
