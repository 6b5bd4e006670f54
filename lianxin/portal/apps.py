from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "lianxin.portal"
    label = "portal"
    verbose_name = "公众门户"

    def ready(self) -> None:
        from lianxin.portal import jobs  # noqa: F401  (a township's posters as a long job)
