from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "lianxin.insight"
    label = "insight"
    verbose_name = "数据分析"
