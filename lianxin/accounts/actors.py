"""Who does something: a `User` (staff, a deputy, a grid worker), or one of two stand-ins for those who act without
an account — CITIZEN (the person who submitted, proven by the receipt code or the public form) and SYSTEM (the
worker: deadlines, escalation, merged cases following their master). Every service takes an `Actor`.

A stand-in answers the permission questions a user answers, always with no, so a check written for users
(`actor.has_perm_in(…)`) refuses a stand-in without a special case; what a stand-in may do is said where it is
allowed (lianxin.cases.permissions). Where a service also takes None, None is the operator at the command line
(a management command, the demo seeder), trusted as the one who installed the platform."""

from typing import TypeGuard

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from lianxin.accounts.models import User
from lianxin.accounts.roles import Perm


class StandIn:
    pk = None
    is_authenticated = False
    is_active = False
    is_superuser = False

    def __init__(self, label: str) -> None:
        self.label = label

    def __repr__(self) -> str:
        return self.label

    def __str__(self) -> str:
        return self.label

    def has_perm_in(self, perm: Perm, region_path: str) -> bool:
        return False

    def has_perm_anywhere(self, perm: Perm) -> bool:
        return False

    def scope_paths(self, perm: Perm = Perm.VIEW_REGISTRY) -> list[str]:
        return []


CITIZEN = StandIn("群众")
SYSTEM = StandIn("系统")

Actor = User | StandIn


def is_user(actor: "Actor | None") -> TypeGuard[User]:
    """A logged-in account (not a stand-in, not the command line's None)."""
    return isinstance(actor, User) and actor.is_authenticated


def account_of(request: HttpRequest) -> User:
    """The account behind a request to a page that requires a login (PermissionDenied, a 403, if there is none:
    the login decorators send anonymous visitors away before a view runs)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied("请先登录")
    return user
