from django.apps import AppConfig


class CircleConfig(AppConfig):
    name = "lianxin.circle"
    label = "circle"
    verbose_name = "代表服务圈"
