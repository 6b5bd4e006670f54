"""Which accounts an administrator may manage (view, change, set the password of, grant or revoke roles to,
deactivate). One rule for the back office and every service:

- an account with roles: only by someone holding `manage_accounts` over the region of EVERY one of its roles.
  "Any one role in my region" let a township administrator take over a county account that also held a role in
  the township (issue 12, item 2);
- an account with no role yet: by the administrator who created it (so a township administrator can create an
  account and then grant it a role), or by one holding `manage_accounts` at county level or above;
- a superuser account: only by a superuser.
"""

from django.db.models import Q, QuerySet

from lianxin.accounts.models import RoleAssignment, User
from lianxin.accounts.roles import Perm
from lianxin.core.models import AuditEvent
from lianxin.core.scoping import region_scope_q
from lianxin.regions.models import Region, RegionLevel

# An account without any role, and a setting without a region, are managed from the county up.
COUNTY_AND_UP = (RegionLevel.PROVINCE, RegionLevel.PREFECTURE, RegionLevel.COUNTY)
ACCOUNT_CREATE_ACTION = "user.create"


def _manages_from_county_up(actor: User) -> bool:
    paths = actor.scope_paths(Perm.MANAGE_ACCOUNTS)
    return bool(paths) and Region.objects.filter(path__in=paths, level__in=COUNTY_AND_UP).exists()


def _created_by(actor: User) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        action=ACCOUNT_CREATE_ACTION, object_type=User._meta.label_lower, actor_id=actor.pk
    )


def account_list_manageable_by(*, actor: User) -> QuerySet[User]:
    """The accounts `actor` may manage (see the module's rule)."""
    users = User.objects.all()
    if not actor.is_authenticated or not actor.is_active:
        return users.none()
    if actor.is_superuser:
        return users
    in_scope = region_scope_q(actor, "region__path", Perm.MANAGE_ACCOUNTS)
    outside = RoleAssignment.objects.exclude(in_scope).values("user_id")
    with_roles = Q(pk__in=RoleAssignment.objects.filter(in_scope).values("user_id")) & ~Q(pk__in=outside)
    roleless = ~Q(pk__in=RoleAssignment.objects.values("user_id"))
    if _manages_from_county_up(actor):
        own_roleless = roleless
    else:
        created = _created_by(actor).values_list("object_id", flat=True)
        own_roleless = roleless & Q(pk__in=[int(pk) for pk in created])
    return users.filter(with_roles | own_roleless).exclude(is_superuser=True)


def account_manageable(*, actor: User, account: User) -> bool:
    """Whether `actor` may manage `account` (see the module's rule)."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    if account.is_superuser:
        return False
    paths = list(account.role_assignments.values_list("region__path", flat=True))
    if paths:
        return all(actor.has_perm_in(Perm.MANAGE_ACCOUNTS, path) for path in paths)
    return _manages_from_county_up(actor) or _created_by(actor).filter(object_id=str(account.pk)).exists()


def platform_settings_editable(*, actor: User) -> bool:
    """Whether `actor` may change a setting with no region of its own (deadline policies, case categories, the
    working-day calendar). Such a setting applies to every case of the deployment, a county: so only an
    administrator holding `manage_accounts` at county level or above. A township administrator once raised the
    county-wide urgent reply limit from 5 to 90 working days (issue 12, item 7). A deployment serving several
    counties would need the settings per region; until then any of its county administrators may change them."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    return bool(actor.is_superuser or _manages_from_county_up(actor))
