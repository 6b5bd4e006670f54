from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "lianxin.duties"
    label = "duties"
    verbose_name = "代表履职"
