"""Writes for accounts: role grants and API tokens."""

import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from lianxin.accounts.models import ApiToken, RoleAssignment, User
from lianxin.accounts.roles import ROLE_PERMISSIONS, ROLE_REGION_LEVELS, Perm, Role
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.regions.models import Region, RegionLevel


def role_grant(*, actor: Any, user: User, role: str, region: Region) -> RoleAssignment:
    """Grant `role` over `region`. The actor must manage accounts there (or be a system operator)."""
    if role not in Role.values:
        raise DomainError("role_invalid", f"角色: “{role}”不是有效的角色", field="role")
    if actor is not None and not actor.has_perm_in(Perm.MANAGE_ACCOUNTS, region.path):
        raise PermissionDenied("您不能在该区划授予角色")
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


def api_token_authenticate(key: str) -> User | None:
    """The active user a bearer token belongs to, or None. Marks the token used at most once a minute."""
    try:
        token = ApiToken.objects.select_related("user").get(
            key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, user__is_active=True
        )
    except ApiToken.DoesNotExist:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
