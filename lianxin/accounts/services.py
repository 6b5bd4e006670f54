"""Writes for accounts: role grants and API tokens."""

import datetime
import functools
import secrets
import time
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
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


def account_save(*, actor: User, account: User, before: dict[str, Any], fields: list[str]) -> User:
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


def account_password_set(*, actor: User | None, account: User, password: str | None) -> None:
    """Set an account's password (None disables password login). Audited without the password, of course."""
    if actor is not None and not account_manageable(actor=actor, account=account):
        raise PermissionDenied(ACCOUNT_OUT_OF_SCOPE)
    with transaction.atomic():
        account.set_password(password)
        account.save(update_fields=["password"])
        audit_record(actor=actor, action="user.password_set", obj=account, note="" if password else "停用密码登录")


def role_grant(*, actor: User | None, user: User, role: str, region: Region) -> RoleAssignment:
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


def role_revoke(*, actor: User, assignment: RoleAssignment) -> None:
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


def api_token_create(*, actor: User | None, user: User, name: str = "", days: int | None = None) -> str:
    """Create a bearer token for `user` and return it. Only its hash is kept: it cannot be shown again.
    It expires after `days` (API_TOKEN_DAYS by default)."""
    key, _ = _token_new(actor=actor, user=user, name=name, days=days)
    return key


def _token_new(*, actor: User | None, user: User, name: str, days: int | None) -> tuple[str, ApiToken]:
    key = "lx_" + secrets.token_urlsafe(32)
    expires_at = timezone.now() + datetime.timedelta(days=settings.API_TOKEN_DAYS if days is None else days)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=key[3:9], key_hash=ApiToken.hash_key(key), expires_at=expires_at
        )
        audit_record(actor=actor, action="api_token.create", obj=token, changes={"expires_at": [None, str(expires_at)]})
    return key, token


def _token_locked(*, actor: User, token: ApiToken) -> ApiToken:
    """The token's row, locked, if `actor` may manage its account (None: a system operator at the console)."""
    if actor is not None and not account_manageable(actor=actor, account=token.user):
        raise PermissionDenied(ACCOUNT_OUT_OF_SCOPE)
    return ApiToken.objects.select_for_update().get(pk=token.pk)


def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    """Revoke at once, in every process (api_token_cache_invalidate). Revoking a revoked token changes nothing."""
    with transaction.atomic():
        locked = _token_locked(actor=actor, token=token)
        if locked.revoked_at is not None:
            return
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor, action="api_token.revoke", obj=locked, changes={"revoked_at": [None, str(locked.revoked_at)]}
        )
    token.revoked_at = locked.revoked_at


def api_token_rotate(*, actor: User, token: ApiToken, grace_minutes: int | None = None) -> str:
    """A new token for the same account and purpose, returned (shown once). The old one keeps working for
    `grace_minutes` (API_TOKEN_ROTATION_GRACE_MINUTES by default) so that a program can switch without an outage,
    or is revoked at once when that is 0. A revoked or expired token cannot be rotated: create a new one."""
    grace = settings.API_TOKEN_ROTATION_GRACE_MINUTES if grace_minutes is None else grace_minutes
    with transaction.atomic():
        old = _token_locked(actor=actor, token=token)
        now = timezone.now()
        if old.revoked_at is not None or old.expires_at <= now:
            raise DomainError("api_token_inactive", "该令牌已吊销或已到期，不能轮换，请新建令牌")
        key, new = _token_new(actor=actor, user=old.user, name=old.name, days=None)
        if grace <= 0:
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
            changes = {"revoked_at": [None, str(now)]}
        else:
            before = old.expires_at
            old.expires_at = min(before, now + datetime.timedelta(minutes=grace))
            old.save(update_fields=["expires_at"])
            changes = {"expires_at": [str(before), str(old.expires_at)]}
        audit_record(actor=actor, action="api_token.rotate", obj=old, changes=changes, note=f"新令牌 {new.prefix}…")
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
        f"SELECT t.id, t.last_used_at, t.expires_at, g.role, r.path, {selected} "
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


# key hash → (when read, the generation then, the rows of _token_query), per process, when API_TOKEN_CACHE_SECONDS
# is above 0 (by default only with Redis). An entry is used only while the generation in the default cache (Redis,
# shared by every process) is unchanged; it is bumped after every commit that saves or deletes a token, an account
# or a role (api_token_cache_invalidate, connected in AccountsConfig.ready), so a revocation, a deactivation or a
# role taken away holds at once in every process. API_TOKEN_CACHE_SECONDS still bounds an entry's life, for writes
# that send no signal (a queryset update(), raw SQL). Without Redis the default cache is per process: nothing is
# kept unless API_TOKEN_CACHE_SECONDS is set (then, with several processes, a revocation waits for it).
# Expiry is checked on every request, cached or not.
_token_cache: dict[str, tuple[float, str | None, list[tuple[Any, ...]]]] = {}
TOKEN_CACHE_LIMIT = 10_000
GENERATION_KEY = "accounts:api_token_generation"


def _shared_cache() -> BaseCache:
    # Not the database cache: reading the generation there would cost the statement the cache saves.
    return caches["default"]


def api_token_cache_clear() -> None:
    _token_cache.clear()


def api_token_cache_invalidate(**signal_kwargs: Any) -> None:
    """Make every process's cached token rows stale, once the current transaction commits (before that, another
    process could read the old rows again and cache them under the new generation). A random value, not a
    counter: a counter lost from the cache would start again at numbers already seen."""
    transaction.on_commit(lambda: _shared_cache().set(GENERATION_KEY, secrets.token_hex(8), None))


def _token_rows(key_hash: str) -> list[tuple[Any, ...]]:
    """(token id, last used, expires, role, region path, *the user's columns converted), a row per grant."""
    ttl = settings.API_TOKEN_CACHE_SECONDS
    now = time.monotonic()
    generation = _shared_cache().get(GENERATION_KEY) if ttl > 0 else None  # read before the rows, never after
    hit = _token_cache.get(key_hash)
    if hit is not None and now - hit[0] < ttl and hit[1] == generation:
        return hit[2]
    sql, _ = _token_query()
    with connection.cursor() as cursor:
        cursor.execute(sql, [key_hash])
        rows = [(*row[:5], *_converted(User, row[5:])) for row in cursor.fetchall()]
    if ttl > 0:
        if len(_token_cache) >= TOKEN_CACHE_LIMIT:  # a flood of made-up tokens must not grow it without end
            _token_cache.clear()
        _token_cache[key_hash] = (now, generation, rows)
    return rows


def _aware(value: datetime.datetime | None) -> datetime.datetime | None:
    if value is not None and timezone.is_naive(value):  # SQLite hands back naive UTC
        return value.replace(tzinfo=datetime.UTC)
    return value


def api_token_authenticate(key: str) -> User | None:
    """The active user a bearer token belongs to (with its grants read in the same statement), or None.
    Marks the token used at most once a minute. A fresh User each call: requests never share one."""
    key_hash = ApiToken.hash_key(key)
    rows = _token_rows(key_hash)
    if not rows:
        return None
    _, user_columns = _token_query()
    token_id, last_used_at, expires_at = rows[0][0], _aware(rows[0][1]), _aware(rows[0][2])
    now = timezone.now()
    if expires_at is None or expires_at <= now:
        return None
    user = User.from_db(connection.alias, user_columns, rows[0][5:])
    # The grants cached_property, filled from the same rows instead of a second query.
    user.__dict__["grants"] = [(role, path) for _, _, _, role, path, *_ in rows if role is not None]
    if last_used_at is None or (now - last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
        # Remember the mark, so the cached rows do not send this UPDATE on every request for a minute.
        _token_cache.pop(key_hash, None)
    return user
