from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "lianxin.workdays"
    label = "workdays"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from lianxin.workdays import checks  # noqa: F401  (registers the system check)
