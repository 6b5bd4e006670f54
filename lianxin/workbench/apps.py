from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "lianxin.workbench"
    label = "workbench"
    verbose_name = "代表工作台"
