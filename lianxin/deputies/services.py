"""Writes for deputies that carry rules of their own (plain registry edits go through core.services.object_save).

`deputy_account_link`: the login account that acts as a deputy (their workbench, their secret ballot). A county
user once linked a deputy to their own account in the back office and voted as him (issue 12, item 6), so:
- linking needs `link_deputy_account` where the deputy sits, a permission apart from editing deputies;
- the account must be one the actor may manage (accounts.selectors), and never the actor's own;
- an account acts for at most one deputy (Deputy.user is one-to-one: a unique constraint in the database);
- every link and unlink writes an audit row with the old and new account.
"""

from typing import Any

from django.db import IntegrityError, transaction

from lianxin.accounts.models import User
from lianxin.accounts.roles import Perm
from lianxin.accounts.selectors import account_manageable
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.deputies.models import Deputy
from lianxin.deputies.selectors import deputy_region_paths


def can_link_deputy_account(user: Any, deputy: Deputy) -> bool:
    return any(user.has_perm_in(Perm.LINK_DEPUTY_ACCOUNT, path) for path in deputy_region_paths(deputy))


def deputy_account_link(*, actor: User, deputy: Deputy, account: User | None) -> Deputy:
    """Link `account` to `deputy` (None unlinks). Refused: without the permission, an account the actor may not
    manage, the actor's own account, an account already acting for another deputy."""
    if actor is not None and not can_link_deputy_account(actor, deputy):
        raise PermissionDenied("您没有关联代表登录账号的权限")
    if account is not None and actor is not None:
        if account.pk == actor.pk:
            raise DomainError("deputy_account_self", "登录账号: 不能把自己的账号关联为代表", field="user")
        if not account_manageable(actor=actor, account=account):
            raise PermissionDenied("登录账号: 该账号不在您的管辖范围内")
    with transaction.atomic():
        current = Deputy.objects.select_for_update().get(pk=deputy.pk)
        old = current.user_id
        new = account.pk if account is not None else None
        if old == new:
            return current
        if new is not None and Deputy.objects.filter(user_id=new).exclude(pk=current.pk).exists():
            raise DomainError("deputy_account_taken", "登录账号: 该账号已关联其他代表", field="user")
        try:
            with transaction.atomic():  # a savepoint: a concurrent link of the same account loses cleanly
                Deputy.objects.filter(pk=current.pk).update(user_id=new)
        except IntegrityError as exc:
            raise DomainError("deputy_account_taken", "登录账号: 该账号已关联其他代表", field="user") from exc
        current.user_id = new
        audit_record(
            actor=actor,
            action="deputy.account_link" if new is not None else "deputy.account_unlink",
            obj=current,
            changes={"user": [old, new]},
            region_path=(deputy_region_paths(current) or [""])[0],
        )
    deputy.user_id = new
    return current
