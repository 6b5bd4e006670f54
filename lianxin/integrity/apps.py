from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "lianxin.integrity"
    label = "integrity"
    verbose_name = "廉情监测"
