from django.apps import AppConfig


class LegislationConfig(AppConfig):
    name = "lianxin.legislation"
    label = "legislation"
    verbose_name = "基层立法联系点"
