from django.apps import AppConfig


class DeputiesConfig(AppConfig):
    name = "lianxin.deputies"
    label = "deputies"
    verbose_name = "代表与网格员"
