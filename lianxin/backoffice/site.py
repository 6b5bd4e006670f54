from django.contrib import admin
from django.utils.text import capfirst

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.workdays.calendar import unknown_year_message, unknown_years_to_warn

# The order a clerk looks for things: the daily work (cases, people, places, projects, elections) first, the
# reference data and settings after, accounts and the system last. Apps not named here go where "*" is, models
# not named after the named ones, each in the order of their Chinese names.
APP_ORDER = [
    "cases",
    "routing",
    "deputies",
    "venues",
    "projects",
    "elections",
    "notifications",
    "*",
    "regions",
    "workdays",
    "open311",
    "accounts",
    "auth",
    "otp_totp",
    "core",
]
MODEL_ORDER = {
    "cases": ["Case", "Submission", "ReceptionSession", "ResponsibleUnit", "Category", "DeadlinePolicy"],
    "routing": ["Proposal", "RouterVersion"],
    "deputies": [
        "Deputy",
        "GridWorker",
        "DeputyGroup",
        "DutyShift",
        "Household",
        "GridWorkerPairing",
        "MentorPairing",
        "GroupGridPairing",
        "StandingMemberLink",
    ],
    "projects": ["Project", "Proposal", "Vote", "Voter", "TellerEntry", "Site"],
    "elections": ["Election", "District", "Voter", "Finding", "Candidate"],
    "suggestions": ["Suggestion", "Session", "SuggestionRules", "UnitEvaluation", "Award", "SuggestionRouter"],
    "notifications": ["Notification", "SummaryRun"],
    "regions": ["Region", "Grid"],
    "workdays": ["CalendarYear", "CalendarDay"],
    "accounts": ["User", "LoginEvent", "ApiToken"],
}


def _rank(order: list[str], key: str) -> int:
    if key in order:
        return order.index(key)
    return order.index("*") if "*" in order else len(order)


class BackofficeSite(admin.AdminSite):
    site_header = "连心 · 人大代表联系群众平台"
    site_title = "连心管理后台"
    index_title = "管理后台"
    office_url = "/office/"

    def get_app_list(self, request, app_label=None):
        """Apps and their models in a clerk's order (APP_ORDER, MODEL_ORDER), not alphabetically by label."""
        apps = list(self._build_app_dict(request, app_label).values())
        for app in apps:
            for model in app["models"]:
                # A third-party model's Chinese name lives on its admin (lianxin.backoffice.third_party).
                model["name"] = capfirst(self._registry[model["model"]].opts.verbose_name_plural)
            order = MODEL_ORDER.get(app["app_label"], [])
            app["models"].sort(key=lambda m: (_rank(order, m["object_name"]), str(m["name"])))
        apps.sort(key=lambda a: (_rank(APP_ORDER, a["app_label"]), str(a["name"])))
        return apps

    def has_permission(self, request) -> bool:
        return may(request.user, Perm.USE_BACKOFFICE)

    def each_context(self, request):
        context = super().each_context(request)
        context["office_url"] = self.office_url
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
