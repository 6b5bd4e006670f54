from django.apps import AppConfig


class VenuesConfig(AppConfig):
    name = "lianxin.venues"
    label = "venues"
    verbose_name = "家站室"
