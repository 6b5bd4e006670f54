"""Who may do what with elections: staff holding manage_elections over the district's (or election's) region.
`actor=None` is the system (management commands run by an operator)."""

from typing import Any

from lianxin.accounts.roles import Perm
from lianxin.core.errors import NotFound
from lianxin.elections.models import District, Election


def can_manage_region(user: Any, region_path: str) -> bool:
    return user is None or bool(user.is_authenticated and user.has_perm_in(Perm.MANAGE_ELECTIONS, region_path))


def can_manage_election(user: Any, election: Election) -> bool:
    return can_manage_region(user, election.region.path)


def can_manage_district(user: Any, district: District) -> bool:
    return can_manage_region(user, district.region.path)


def require_district(user: Any, district: District) -> None:
    # Outside the scope answers like "does not exist", so that nothing leaks.
    if not can_manage_district(user, district):
        raise NotFound()


def require_election(user: Any, election: Election) -> None:
    if not can_manage_election(user, election):
        raise NotFound()
