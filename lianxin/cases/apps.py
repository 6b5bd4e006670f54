from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "lianxin.cases"
    label = "cases"
    verbose_name = "意见建议"
