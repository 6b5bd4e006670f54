from django.apps import AppConfig


class ElectionsConfig(AppConfig):
    name = "lianxin.elections"
    label = "elections"
    verbose_name = "选举与选民登记"
