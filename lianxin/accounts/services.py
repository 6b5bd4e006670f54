"""Writes for accounts: role grants and API tokens."""

import datetime
import functools
import secrets
import time
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from lianxin.accounts.models import ApiToken, RoleAssignment, User
from lianxin.accounts.roles import ROLE_PERMISSIONS, ROLE_REGION_LEVELS, Perm, Role
from lianxin.accounts.selectors import ACCOUNT_CREATE_ACTION, account_manageable
from lianxin.core.audit import audit_record, model_changes
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.regions.models import Region, RegionLevel

ACCOUNT_OUT_OF_SCOPE = "该账号的角色不全在您的管辖范围内，您不能管理它"
# What an administrator may change on an account's own row; roles go through role_grant / role_revoke.
ACCOUNT_FIELDS = frozenset({"username", "display_name", "phone", "email", "is_active"})


def account_save(*, actor: Any, account: User, before: dict[str, Any], fields: list[str]) -> User:
    """Create an account (no role yet) or change one the actor may manage; one audit row with old → new.
    The creator is recorded, so they may grant the new account its first role (accounts.selectors)."""
    creating = account.pk is None
    if not creating and actor is not None and not account_manageable(actor=actor, account=account):
        raise PermissionDenied(ACCOUNT_OUT_OF_SCOPE)
    if creating and actor is not None and not actor.has_perm_anywhere(Perm.MANAGE_ACCOUNTS):
        raise PermissionDenied("您不能创建账号")
    fields = [name for name in fields if name in ACCOUNT_FIELDS]
    with transaction.atomic():
        account.save()
        changes = model_changes(account, {} if creating else before, fields)
        if creating or changes:
            action = ACCOUNT_CREATE_ACTION if creating else "user.update"
            audit_record(actor=actor, action=action, obj=account, changes=changes)
    return account


def account_password_set(*, actor: Any, account: User, password: str | None) -> None:
    """Set an account's password (None disables password login). Audited without the password, of course."""
    if actor is not None and not account_manageable(actor=actor, account=account):
        raise PermissionDenied(ACCOUNT_OUT_OF_SCOPE)
    with transaction.atomic():
        account.set_password(password)
        account.save(update_fields=["password"])
        audit_record(actor=actor, action="user.password_set", obj=account, note="" if password else "停用密码登录")


def role_grant(*, actor: Any, user: User, role: str, region: Region) -> RoleAssignment:
    """Grant `role` over `region`. The actor must manage accounts there (or be a system operator)."""
    if role not in Role.values:
        raise DomainError("role_invalid", f"角色: “{role}”不是有效的角色", field="role")
    if actor is not None and not actor.has_perm_in(Perm.MANAGE_ACCOUNTS, region.path):
        raise PermissionDenied("您不能在该区划授予角色")
    if actor is not None and not account_manageable(actor=actor, account=user):
        raise PermissionDenied(ACCOUNT_OUT_OF_SCOPE)
    if region.level not in ROLE_REGION_LEVELS[role]:
        allowed = "、".join(
            RegionLevel(level).label for level in RegionLevel.values if level in ROLE_REGION_LEVELS[role]
        )
        raise DomainError(
            "role_region_level",
            f"管辖区划: {Role(role).label}只能授予在{allowed}一级，不能授予在{region}",
            field="region",
        )
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user, role=role, region=region, defaults={"granted_by": actor if getattr(actor, "pk", None) else None}
        )
        if created:
            if Perm.USE_BACKOFFICE in ROLE_PERMISSIONS[role] and not user.is_staff:
                # Django's admin login requires is_staff; what the user may do there still comes from roles.
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            audit_record(
                actor=actor, action="role.grant", obj=user, region_path=region.path, changes={"role": [None, role]}
            )
    user.__dict__.pop("grants", None)
    return assignment


def role_revoke(*, actor: Any, assignment: RoleAssignment) -> None:
    if actor is not None and not actor.has_perm_in(Perm.MANAGE_ACCOUNTS, assignment.region.path):
        raise PermissionDenied("您不能在该区划撤销角色")
    if actor is not None and not account_manageable(actor=actor, account=assignment.user):
        raise PermissionDenied(ACCOUNT_OUT_OF_SCOPE)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="role.revoke",
            obj=assignment.user,
            region_path=assignment.region.path,
            changes={"role": [assignment.role, None]},
        )
        assignment.delete()


def api_token_create(*, actor: Any, user: User, name: str = "") -> str:
    """Create a bearer token for `user` and return it. Only its hash is kept: it cannot be shown again."""
    key = "lx_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, prefix=key[3:9], key_hash=ApiToken.hash_key(key))
        audit_record(actor=actor, action="api_token.create", obj=token)
    return key


@functools.cache
def _token_query() -> tuple[str, list[str]]:
    """One statement for the token, its user and the user's grants (a row per grant), written out because the ORM
    spends ~1 ms compiling the equivalent two queries, as much as the rest of an API submission (bench/README.md).
    """
    qn = connection.ops.quote_name
    user_columns = [str(field.column) for field in User._meta.concrete_fields]
    token, user, grant, region = (qn(model._meta.db_table) for model in (ApiToken, User, RoleAssignment, Region))
    selected = ", ".join(f"u.{qn(column)}" for column in user_columns)
    sql = (
        f"SELECT t.id, t.last_used_at, g.role, r.path, {selected} "
        f"FROM {token} t JOIN {user} u ON u.id = t.user_id "
        f"LEFT JOIN {grant} g ON g.user_id = u.id LEFT JOIN {region} r ON r.id = g.region_id "
        "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active"
    )
    return sql, user_columns


def _converted(model: Any, values: tuple[Any, ...]) -> list[Any]:
    """Apply the conversions the ORM would (SQLite's naive datetimes made aware, its integers made booleans)."""
    converted = []
    for field, value in zip(model._meta.concrete_fields, values, strict=True):
        column = field.get_col(model._meta.db_table)
        for convert in connection.ops.get_db_converters(column) + field.get_db_converters(connection):
            value = convert(value, column, connection)
        converted.append(value)
    return converted


# key hash → (when read, the rows of _token_query). Per process: a token that is revoked, or whose user is
# deactivated or loses a role, keeps working for at most API_TOKEN_CACHE_SECONDS in the other processes
# (at once in the process that revoked it). Writes made meanwhile are checked again where it matters: API
# submissions are registered by the worker with the user read afresh.
_token_cache: dict[str, tuple[float, list[tuple[Any, ...]]]] = {}
TOKEN_CACHE_LIMIT = 10_000


def api_token_cache_clear() -> None:
    _token_cache.clear()


def _token_rows(key_hash: str) -> list[tuple[Any, ...]]:
    """(token id, last used, role, region path, *the user's columns converted), a row per grant."""
    ttl = settings.API_TOKEN_CACHE_SECONDS
    now = time.monotonic()
    hit = _token_cache.get(key_hash)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]
    sql, _ = _token_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [key_hash])
        rows = [(*row[:4], *_converted(User, row[4:])) for row in cursor.fetchall()]
    if ttl > 0:
        if len(_token_cache) >= TOKEN_CACHE_LIMIT:  # a flood of made-up tokens must not grow it without end
            _token_cache.clear()
        _token_cache[key_hash] = (now, rows)
    return rows


def api_token_authenticate(key: str) -> User | None:
    """The active user a bearer token belongs to (with its grants read in the same statement), or None.
    Marks the token used at most once a minute. A fresh User each call: requests never share one."""
    key_hash = ApiToken.hash_key(key)
    rows = _token_rows(key_hash)
    if not rows:
        return None
    _, user_columns = _token_query()
    token_id, last_used_at = rows[0][0], rows[0][1]
    user = User.from_db(connection.alias, user_columns, rows[0][4:])
    # The grants cached_property, filled from the same rows instead of a second query.
    user.__dict__["grants"] = [(role, path) for _, _, role, path, *_ in rows if role is not None]
    now = timezone.now()
    if last_used_at is not None and timezone.is_naive(last_used_at):  # SQLite hands back naive UTC
        last_used_at = last_used_at.replace(tzinfo=datetime.UTC)
    if last_used_at is None or (now - last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
        # Remember the mark, so the cached rows do not send this UPDATE on every request for a minute.
        _token_cache.pop(key_hash, None)
    return user
