from django.apps import AppConfig


class OfficeConfig(AppConfig):
    name = "lianxin.office"
    label = "office"
    verbose_name = "工作台（机关）"
