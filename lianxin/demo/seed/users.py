"""One demo account per role. They share a password that is printed: fine for a demo, never for production.

Demo accounts are recognised by their e-mail domain, so that `--force` removes only them and never a real
account that happens to be called "admin".
"""

import contextlib
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db.models import ProtectedError

from lianxin.accounts.models import RoleAssignment, User
from lianxin.accounts.roles import Role
from lianxin.accounts.services import role_grant
from lianxin.core.errors import DomainError
from lianxin.deputies.models import SERVING_STATUSES, Deputy, GridWorker, MandateLevel
from lianxin.regions.models import Region

DEMO_PASSWORD = "lianxin-demo"
DEMO_EMAIL_DOMAIN = "demo.lianxin.invalid"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    display_name: str


DEMO_USERS = (
    DemoUser("admin", Role.ADMIN, "系统管理员（演示）"),
    DemoUser("city", Role.CITY_STAFF, "湖州市人大工作人员（演示）"),
    DemoUser("county", Role.COUNTY_STAFF, "德清县人大工作人员（演示）"),
    DemoUser("township", Role.TOWNSHIP_STAFF, "武康街道人大工作人员（演示）"),
    DemoUser("station", Role.PLACE_STAFF, "居仁社区代表工作站联络员（演示）"),
    DemoUser("deputy", Role.DEPUTY, ""),
    DemoUser("gridworker", Role.GRID_WORKER, ""),
    DemoUser("unit", Role.UNIT_HANDLER, "德清县住建局经办人（演示）"),
)


def demo_users_queryset():
    return User.objects.filter(username__in=[u.username for u in DEMO_USERS], email__endswith=f"@{DEMO_EMAIL_DOMAIN}")


def delete_demo_users() -> None:
    """Remove the demo accounts; one that has acted since (its audit rows protect it) is kept, role-less."""
    for user in demo_users_queryset():
        RoleAssignment.objects.filter(user=user).delete()
        with contextlib.suppress(ProtectedError):  # raised before anything is deleted
            user.delete()


def write_demo_users() -> None:
    county = Region.objects.get(code="330521000000")
    wukang = Region.objects.get(code="330521001000")
    jueren = Region.objects.get(code="330521001001")
    regions = {
        "admin": county,
        "city": Region.objects.get(code="330500000000"),
        "county": county,
        "township": wukang,
        "station": jueren,
        "deputy": wukang,
        "unit": county,
    }
    deputy = (
        Deputy.objects.filter(
            mandates__level=MandateLevel.COUNTY,
            mandates__status__in=SERVING_STATUSES,
            mandates__district_region__parent=wukang,
            user__isnull=True,
        )
        .order_by("id")
        .first()
    )
    worker = GridWorker.objects.filter(grid__region=jueren, user__isnull=True).order_by("id").first()
    if deputy is None or worker is None:
        raise DomainError("demo_incomplete", "演示数据不完整：武康街道没有县人大代表或居仁社区没有网格员")
    regions["gridworker"] = worker.grid.region
    # One hash for all: PBKDF2 is deliberately slow, and these accounts share a printed password anyway.
    password = make_password(DEMO_PASSWORD)
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is not None and not user.email.endswith(f"@{DEMO_EMAIL_DOMAIN}"):
            raise DomainError("demo_username_taken", f"用户名“{spec.username}”已被非演示账号占用，未生成演示账号")
        if user is None:
            user = User(username=spec.username, email=f"{spec.username}@{DEMO_EMAIL_DOMAIN}")
        user.display_name = spec.display_name or (deputy.name if spec.role == Role.DEPUTY else worker.name)
        user.is_superuser = False
        user.is_active = True
        user.password = password
        user.save()
        role_grant(actor=None, user=user, role=spec.role, region=regions[spec.username])
        if spec.role == Role.DEPUTY:
            deputy.user = user
            deputy.save(update_fields=["user"])
        elif spec.role == Role.GRID_WORKER:
            worker.user = user
            worker.save(update_fields=["user"])


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(username, password, role, region) of the demo accounts, in the order of DEMO_USERS."""
    users = {u.username: u for u in demo_users_queryset().prefetch_related("role_assignments__region")}
    rows = []
    for spec in DEMO_USERS:
        user = users.get(spec.username)
        if user is None:
            continue
        for assignment in user.role_assignments.all():
            who = f"{Role(assignment.role).label}"
            if user.display_name and spec.role in (Role.DEPUTY, Role.GRID_WORKER):
                who += f"（{user.display_name}）"
            rows.append((spec.username, DEMO_PASSWORD, who, assignment.region.name))
    return rows
