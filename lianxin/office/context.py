from django.http import HttpRequest

from lianxin.office.nav import menu_for


def office_context(request: HttpRequest) -> dict:
    """The menu for office pages only (other pages do not pay for it)."""
    if not request.path.startswith("/office/") or not request.user.is_authenticated:
        return {}
    return {"office_menu": menu_for(request.user, request.path)}
