"""Region scope: the one place where "what may this user see" becomes a query filter.

Every scoped model's `visible_to(user)` calls `region_scope_q` with the lookup that leads from the model to
a region path. A user sees the regions they hold a role over and everything below; nothing else exists
for them.
"""

import functools
from typing import Any, Protocol, Self, TypeVar, runtime_checkable

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Manager, Model, Q, QuerySet

NOTHING = Q(pk__in=[])

_M = TypeVar("_M", bound=Model, covariant=True)


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


@runtime_checkable
class VisibleTo(Protocol):
    """What the querysets and managers of every scoped model offer (RegionScopedQuerySet, RegionQuerySet,
    DeputyQuerySet, …), for code that handles any of them (the back-office base admin)."""

    def visible_to(self, user: Any) -> QuerySet[Any]: ...


class RegionScopedQuerySet(QuerySet[_M]):
    """A queryset whose rows reach a region through `region_path_lookup` (e.g. "grid__region__path")."""

    region_path_lookup = "region__path"

    def visible_to(self, user: Any) -> Self:
        return self.filter(region_scope_q(user, self.region_path_lookup))


@functools.cache
def _queryset_class(path_lookup: str) -> type[RegionScopedQuerySet[Any]]:
    # A class per lookup: a class attribute survives every clone (filter, order_by, …).
    return type(f"ScopedBy_{path_lookup}_QuerySet", (RegionScopedQuerySet,), {"region_path_lookup": path_lookup})


_RegionScopedManagerBase = Manager.from_queryset(RegionScopedQuerySet)


class RegionScopedManager(_RegionScopedManagerBase[_M]):
    """`objects.visible_to(user)` and every queryset method, each returning a RegionScopedQuerySet.

    A named class rather than `as_manager()` of a generated queryset class, so that mypy (django-stubs) can
    resolve the managers and related managers of the models that use it.
    """

    def __init__(self, path_lookup: str | None = None) -> None:
        super().__init__()
        self.path_lookup = path_lookup

    def get_queryset(self) -> RegionScopedQuerySet[_M]:
        queryset_class = _queryset_class(self._region_path_lookup())
        return queryset_class(model=self.model, using=self._db, hints=self._hints)  # type: ignore[attr-defined]  # django-stubs omit BaseManager._hints

    def _region_path_lookup(self) -> str:
        if self.path_lookup is not None:
            return self.path_lookup
        # Django builds related managers (`region.grids`) as subclasses of the model's default manager and
        # constructs them without arguments: they scope like the model's own manager.
        default_manager = self.model._default_manager
        if isinstance(default_manager, RegionScopedManager) and default_manager.path_lookup is not None:
            return default_manager.path_lookup
        raise ImproperlyConfigured(f"{self.model.__name__}: a RegionScopedManager needs a region path lookup")


def scoped_manager(path_lookup: str) -> RegionScopedManager[Any]:
    """`objects = scoped_manager("grid__region__path")` gives the model `objects.visible_to(user)`."""
    return RegionScopedManager(path_lookup)
