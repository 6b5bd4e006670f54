from django.contrib import admin

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.workdays.calendar import unknown_year_message, unknown_years_to_warn


class BackofficeSite(admin.AdminSite):
    site_header = "连心 · 人大代表联系群众平台"
    site_title = "连心管理后台"
    index_title = "管理后台"

    def has_permission(self, request) -> bool:
        return may(request.user, Perm.USE_BACKOFFICE)

    def each_context(self, request):
        context = super().each_context(request)
        if request.user.is_authenticated:
            context["system_warnings"] = system_warnings()
        return context


def system_warnings() -> list[str]:
    """What every member of staff should see on every back-office page until someone acts: a year of the official
    calendar not imported (deadlines into it count weekends and the fixed-date holidays only)."""
    return [
        f"{unknown_year_message(year)}。国务院办公厅发布放假通知后，请系统管理员在“工作日历 › 年度安排”导入。"
        for year in unknown_years_to_warn()
    ]
