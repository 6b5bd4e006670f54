from django.core.management.base import BaseCommand

from lianxin.accounts.roles import PERM_LABELS, ROLE_PERMISSIONS, ROLE_REGION_LEVELS, Perm, Role
from lianxin.regions.models import RegionLevel


def permissions_markdown() -> str:
    perms = list(Perm)
    lines = [
        "# Roles and permissions",
        "",
        "Generated from `lianxin/accounts/roles.py` by `make docs` (`lianxin permissions_table`); do not edit by hand.",
        "A role is granted over a region and covers that region and everything below it. Outside the region an",
        "object does not exist for the user: pages and API answer 404, exactly as for a missing id.",
        "",
        "| role | granted at | " + " | ".join(f"{PERM_LABELS[p]} `{p}`" for p in perms) + " |",
        "| --- | --- | " + " | ".join("---" for _ in perms) + " |",
    ]
    for role in Role:
        levels = "、".join(
            RegionLevel(level).label for level in RegionLevel.values if level in ROLE_REGION_LEVELS[role]
        )
        marks = " | ".join("✓" if p in ROLE_PERMISSIONS[role] else "" for p in perms)
        lines.append(f"| {role.label} `{role.value}` | {levels} | {marks} |")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "打印角色权限表（Markdown），即 docs/permissions.md 的内容。"

    def handle(self, *args, **options):
        self.stdout.write(permissions_markdown(), ending="")
