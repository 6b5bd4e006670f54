"""`may(user, perm, region_path)`: the one question pages ask. Safe for anonymous users, who may nothing."""

from typing import Any

from lianxin.accounts.roles import Perm


def may(user: Any, perm: Perm, region_path: str | None = None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if region_path is None:
        return user.has_perm_anywhere(perm)
    return user.has_perm_in(perm, region_path)
