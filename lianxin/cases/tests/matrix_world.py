"""The world of the permission-matrix tests (lianxin/accounts/permission_matrix.py), built once per test module.

One account per role, each granted where the personas of lianxin/conftest.py are (德清/武康/居仁), and two places:
inside, 居仁社区, where every actor is in scope (the case came to the deputy, was transferred to the handler's unit,
was reported by the grid worker; the site is led by the deputy); region, 居仁社区 again but another deputy's,
another unit's, another grid worker's; outside, 宝石社区 in 杭州 (not 湖州), where nobody is.

The personas fixture is per test; several thousand cells need the accounts, regions and cases once, so this builds
the same tree with the same services (role_grant, case_register) under a module-scoped transaction instead.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

from django.db import transaction

from lianxin.accounts.models import User
from lianxin.accounts.permission_matrix import ACTORS, CASE_STATES, CASES, STAND_INS, Matrix
from lianxin.accounts.roles import Role
from lianxin.accounts.services import api_token_create, role_grant
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import Case, Category, ResponsibleUnit
from lianxin.cases.services import case_register
from lianxin.deputies.models import Deputy, GridWorker
from lianxin.regions.models import Grid, Region, RegionLevel

ROLE_OF = {
    "admin": Role.ADMIN,
    "city_staff": Role.CITY_STAFF,
    "county_staff": Role.COUNTY_STAFF,
    "township_staff": Role.TOWNSHIP_STAFF,
    "place_staff": Role.PLACE_STAFF,
    "deputy": Role.DEPUTY,
    "grid_worker": Role.GRID_WORKER,
    "unit_handler": Role.UNIT_HANDLER,
    # Integrity staff read the monitoring points' clues (issue 19) and take no step in cases, sites or suggestions.
    "integrity_staff": Role.INTEGRITY_STAFF,
}
assert set(ROLE_OF) == set(ACTORS) - set(STAND_INS) and set(ROLE_OF.values()) == set(Role), "a role is missing"


def _region(code: str, name: str, level: str, parent: Region | None) -> Region:
    path = f"{parent.path if parent else ''}{code}/"
    return Region.objects.create(code=code, name=name, level=level, parent=parent, path=path)


def _regions() -> SimpleNamespace:
    zhejiang = _region("330000000000", "浙江省", RegionLevel.PROVINCE, None)
    huzhou = _region("330500000000", "湖州市", RegionLevel.PREFECTURE, zhejiang)
    deqing = _region("330521000000", "德清县", RegionLevel.COUNTY, huzhou)
    wukang = _region("330521001000", "武康街道", RegionLevel.TOWNSHIP, deqing)
    jueren = _region("330521001001", "居仁社区居委会", RegionLevel.VILLAGE, wukang)
    hangzhou = _region("330100000000", "杭州市", RegionLevel.PREFECTURE, zhejiang)
    xihu = _region("330106000000", "西湖区", RegionLevel.COUNTY, hangzhou)
    beishan = _region("330106001000", "北山街道", RegionLevel.TOWNSHIP, xihu)
    baoshi = _region("330106001001", "宝石社区", RegionLevel.VILLAGE, beishan)
    return SimpleNamespace(huzhou=huzhou, deqing=deqing, wukang=wukang, jueren=jueren, xihu=xihu, baoshi=baoshi)


def _users(regions: SimpleNamespace) -> dict[str, User]:
    granted_over = {
        "admin": regions.deqing,
        "city_staff": regions.huzhou,
        "county_staff": regions.deqing,
        "township_staff": regions.wukang,
        "place_staff": regions.jueren,
        "deputy": regions.wukang,
        "grid_worker": regions.jueren,
        "unit_handler": regions.deqing,
        "integrity_staff": regions.deqing,
    }
    users = {}
    for actor, role in ROLE_OF.items():
        user = User.objects.create_user(username=actor, password=None)
        role_grant(actor=None, user=user, role=role, region=granted_over[actor])
        users[actor] = User.objects.get(pk=user.pk)  # a fresh object: no cached grants
        # The API as programs call it: a bearer token (one statement per request, not a session's three).
        users[actor].api_token = api_token_create(actor=None, user=user, name="permission matrix")
    return users


def _side(key: str, village: Region, county: Region, users: dict[str, User] | None) -> SimpleNamespace:
    """A deputy, a unit with its handler, a grid worker and a category in `village`; `users` (inside) are theirs."""
    handler = users["unit_handler"] if users else User.objects.create_user(username=f"{key}_handler", password=None)
    deputy_user = users["deputy"] if users else User.objects.create_user(username=f"{key}_deputy", password=None)
    worker_user = users["grid_worker"] if users else None
    unit = ResponsibleUnit.objects.create(name=f"{county.name}交通运输局（{key}）", region=county)
    unit.handlers.add(handler)
    grid = Grid.objects.create(region=village, code=f"{key.upper()}-01", name=f"{village.name}{key}网格")
    worker = GridWorker.objects.create(name=f"{key}网格员", grid=grid, phone="13900000000", user=worker_user)
    deputy = Deputy.objects.create(name=f"{key}代表", gender="male", user=deputy_user)
    return SimpleNamespace(village=village, unit=unit, grid=grid, worker=worker, deputy=deputy)


def _case(side: SimpleNamespace, title: str, category: Category) -> Case:
    case = case_register(
        actor=None,
        draft=CaseDraft(
            channel="online",
            title=title,
            body="居仁路东段三盏路灯一个月没亮了，晚上走路不安全。",
            region=side.village,
            deputy=side.deputy,
            person_name="王秀英",
            person_phone="13957211234",
            reply_via="sms",
        ),
    ).case
    # The case stands in each state with what a case in that state has: a category, a unit, its reporter.
    Case.objects.filter(pk=case.pk).update(unit=side.unit, category=category, grid_worker=side.worker)
    return case


def scopes(actor: str, matrix: Matrix = CASES) -> list[str]:
    """The scopes an actor is tried in (Matrix.scopes): stand-ins have no region; `region` differs from inside for
    those who act on what is theirs only."""
    return list(matrix.scopes(actor))


def account(username: str, role: str, region: Region) -> User:
    """One more account with one role, for a matrix with columns of its own (a co-signing deputy, a co-unit's
    handler)."""
    user = User.objects.create_user(username=username, password=None)
    role_grant(actor=None, user=user, role=role, region=region)
    return User.objects.get(pk=user.pk)  # a fresh object: no cached grants


def build() -> SimpleNamespace:
    regions = _regions()
    users = _users(regions)
    category = Category.objects.get(code="transport")
    sides = {
        "inside": _side("jr", regions.jueren, regions.deqing, users),
        "region": _side("jr2", regions.jueren, regions.deqing, None),
        "outside": _side("bs", regions.baoshi, regions.xihu, None),
    }
    for side in sides.values():
        side.unit.categories.add(category)
        # The master a case in `accepted` may be merged into (the child in `merged` follows it).
        side.master = _case(side, "居仁路路灯不亮（多人反映）", category)
        Case.objects.filter(pk=side.master.pk).update(status="accepted")
        side.cases = {}
        for state in CASE_STATES:
            case = _case(side, f"居仁路路灯不亮（{state}）", category)
            Case.objects.filter(pk=case.pk).update(status=state, master=side.master if state == "merged" else None)
            side.cases[state] = case.pk
    return SimpleNamespace(regions=regions, users=users, category=category, sides=sides)


@contextmanager
def rolled_back() -> Iterator[None]:
    """Whatever happens inside is undone (a savepoint within the module's transaction)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
