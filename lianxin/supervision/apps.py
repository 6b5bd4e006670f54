from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "lianxin.supervision"
    label = "supervision"
    verbose_name = "监督与约见"
