from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "lianxin.cases"
    label = "cases"
    verbose_name = "意见建议"

    def ready(self) -> None:
        from lianxin.cases.deadline_jobs import deadlines_follow_calendar
        from lianxin.workdays.calendar import calendar_listen

        # A change to a year's official calendar (importing it, a day entered by hand) moves the open deadlines
        # that fall in that year.
        calendar_listen(deadlines_follow_calendar)
