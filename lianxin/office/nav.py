"""The office menu: one entry per page group, shown to those who hold its permission somewhere. An app's staff pages
add their entry here (in the order a clerk's day runs), nowhere else."""

from dataclasses import dataclass

from django.urls import reverse

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    perm: Perm
    # Another permission that opens the page too (a unit's handler reads the suggestions assigned to the unit).
    or_perm: Perm | None = None


MENU: tuple[MenuEntry, ...] = (
    MenuEntry("首页", "office:home", Perm.USE_BACKOFFICE),
    MenuEntry("意见建议", "office:cases", Perm.USE_BACKOFFICE),
    MenuEntry("接待登记台", "office:desk", Perm.HANDLE_CASES),
    MenuEntry("普遍问题线索", "office:hotspots", Perm.HANDLE_CASES),
    MenuEntry("打印材料", "office:print", Perm.HANDLE_CASES),
    MenuEntry("导入与任务", "office:jobs", Perm.HANDLE_CASES),
    MenuEntry("代表建议", "office:suggestions", Perm.MANAGE_SUGGESTIONS, Perm.REPLY_AS_UNIT),
    MenuEntry("代表履职", "office:duties", Perm.MANAGE_DUTIES),
    MenuEntry("监督与约见", "office:supervision", Perm.MANAGE_SUPERVISION),
    MenuEntry("立法联系点", "office:legislation", Perm.MANAGE_LEGISLATION),
    MenuEntry("数据看板", "office:insight", Perm.SUPERVISE_CASES),
    MenuEntry("统计报表", "office:reports", Perm.SUPERVISE_CASES),
    MenuEntry("代表服务圈", "office:circle", Perm.MANAGE_REGISTRY),
    MenuEntry("廉情监测", "office:integrity", Perm.MANAGE_INTEGRITY),
)


def menu_for(user, current_path: str) -> list[dict]:
    """The entries this user may open, with the current one marked."""
    entries = []
    for entry in MENU:
        if not may(user, entry.perm) and not (entry.or_perm and may(user, entry.or_perm)):
            continue
        url = reverse(entry.url_name)
        current = current_path == url if url == reverse("office:home") else current_path.startswith(url)
        entries.append({"label": entry.label, "url": url, "current": current})
    return entries
