from django.contrib import admin

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm


class BackofficeSite(admin.AdminSite):
    site_header = "连心 · 人大代表联系群众平台"
    site_title = "连心管理后台"
    index_title = "管理后台"

    def has_permission(self, request) -> bool:
        return may(request.user, Perm.USE_BACKOFFICE)
