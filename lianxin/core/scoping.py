"""Region scope: the one place where "what may this user see" becomes a query filter.

Every scoped model's `visible_to(user)` calls `region_scope_q` with the lookup that leads from the model to
a region path. A user sees the regions they hold a role over and everything below; nothing else exists
for them.
"""

from typing import Any

from django.db.models import Manager, Q, QuerySet

NOTHING = Q(pk__in=[])


def region_scope_q(user: Any, path_lookup: str, perm: str = "view_registry") -> Q:
    """`perm` is an accounts.roles.Perm (a str); core stays below accounts in the layering."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return Q()
    paths = user.scope_paths(perm)
    if not paths:
        return NOTHING
    q = Q()
    for path in paths:
        q |= Q(**{f"{path_lookup}__startswith": path})
    return q


class RegionScopedQuerySet(QuerySet):
    """A queryset whose rows reach a region through `region_path_lookup` (e.g. "grid__region__path")."""

    region_path_lookup = "region__path"

    def visible_to(self, user: Any) -> "RegionScopedQuerySet":
        return self.filter(region_scope_q(user, self.region_path_lookup))


def scoped_manager(path_lookup: str) -> Manager:
    """`objects = scoped_manager("grid__region__path")` gives the model `objects.visible_to(user)`."""
    queryset_class = type(
        f"ScopedBy_{path_lookup}_QuerySet", (RegionScopedQuerySet,), {"region_path_lookup": path_lookup}
    )
    return queryset_class.as_manager()
