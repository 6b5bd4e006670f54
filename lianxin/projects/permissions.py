"""Who may do what with livelihood projects. Pages use these to hide buttons; services call them again."""

from typing import Any

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.projects.models import Site


def can_manage_projects(user: Any, region_path: str) -> bool:
    """Proposals, the shortlist, votes, sites and closing (销号): congress staff over the region."""
    return may(user, Perm.MANAGE_PROJECTS, region_path)


def can_report_site(user: Any, site: Site) -> bool:
    """Only the site's lead deputy (领办代表) files its monthly reports."""
    deputy = site.lead_deputy
    return bool(user is not None and user.is_authenticated and deputy is not None and deputy.user_id == user.pk)
