"""Shared fixtures: a small real region tree and the named personas of STYLE.md.

德清县 (county) ├ 武康街道 (township) ─ 居仁社区 (village)
               └ 乾元镇 (township)  ─ 城东村 (village)
The personas' regions are chosen so that 乾元镇 is "outside" for township staff of 武康街道.
"""

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from lianxin.accounts.models import User
from lianxin.accounts.roles import Role
from lianxin.accounts.services import role_grant
from lianxin.regions.models import Region, RegionLevel


def _region(code: str, name: str, level: str, parent: Region | None) -> Region:
    path = f"{parent.path if parent else ''}{code}/"
    return Region.objects.create(code=code, name=name, level=level, parent=parent, path=path)


@pytest.fixture
def regions(db) -> SimpleNamespace:
    zhejiang = _region("330000000000", "浙江省", RegionLevel.PROVINCE, None)
    huzhou = _region("330500000000", "湖州市", RegionLevel.PREFECTURE, zhejiang)
    deqing = _region("330521000000", "德清县", RegionLevel.COUNTY, huzhou)
    wukang = _region("330521001000", "武康街道", RegionLevel.TOWNSHIP, deqing)
    jueren = _region("330521001001", "居仁社区居委会", RegionLevel.VILLAGE, wukang)
    qianyuan = _region("330521101000", "乾元镇", RegionLevel.TOWNSHIP, deqing)
    chengdong = _region("330521101001", "城东村委会", RegionLevel.VILLAGE, qianyuan)
    anji = _region("330523000000", "安吉县", RegionLevel.COUNTY, huzhou)
    return SimpleNamespace(
        zhejiang=zhejiang,
        huzhou=huzhou,
        deqing=deqing,
        wukang=wukang,
        jueren=jueren,
        qianyuan=qianyuan,
        chengdong=chengdong,
        anji=anji,
    )


@pytest.fixture
def make_user(db):
    def make(username: str, role: str | None = None, region: Region | None = None, **fields) -> User:
        user = User.objects.create_user(username=username, password="pw-for-tests-only", **fields)
        if role is not None:
            assert region is not None, "a role is granted over a region"
            role_grant(actor=None, user=user, role=role, region=region)
        return user

    return make


@pytest.fixture
def personas(regions, make_user) -> SimpleNamespace:
    """One user per role, inside 德清/武康; `outsider` is township staff of 乾元镇."""
    return SimpleNamespace(
        admin=make_user("admin", Role.ADMIN, regions.deqing),
        city_staff=make_user("city_staff", Role.CITY_STAFF, regions.huzhou),
        county_staff=make_user("county_staff", Role.COUNTY_STAFF, regions.deqing),
        township_staff=make_user("township_staff", Role.TOWNSHIP_STAFF, regions.wukang),
        place_staff=make_user("place_staff", Role.PLACE_STAFF, regions.jueren),
        deputy=make_user("deputy", Role.DEPUTY, regions.wukang),
        grid_worker=make_user("grid_worker", Role.GRID_WORKER, regions.jueren),
        unit_handler=make_user("unit_handler", Role.UNIT_HANDLER, regions.deqing),
        outsider=make_user("outsider", Role.TOWNSHIP_STAFF, regions.qianyuan),
        no_role=make_user("no_role"),
    )


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the project (real data that tests read and never copy), or $LIANXIN_SHARED_DATA."""
    path = Path(os.getenv("LIANXIN_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
    assert path.is_dir(), (
        f"shared data not found at {path}: clone the project beside ../shared or set LIANXIN_SHARED_DATA"
    )
    return path


@pytest.fixture(autouse=True, scope="session")
def _own_files(tmp_path_factory):
    """What the code writes (uploads under MEDIA_ROOT, long jobs' files under PRIVATE_FILES_ROOT) goes to this run's
    temporary folder, one per worker under `pytest -n`, never to the checkout's var/ that other runs share. A test
    may still move them with the `settings` fixture."""
    from django.test import override_settings

    var = tmp_path_factory.mktemp("var")
    with override_settings(MEDIA_ROOT=var / "media", PRIVATE_FILES_ROOT=var / "private"):
        yield


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`pytest -n N` (pytest-xdist, `make tests`) hands out whole test files in the collection's order, see
    lianxin.testing.InOrderByFile; another `--dist` than the default is xdist's own."""
    if config.getvalue("dist") != "load":
        return None
    from lianxin.testing import InOrderByFile

    return InOrderByFile(config, log)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness costs ~0.3 s per persona; tests don't need it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests change data and read the page again at once: the public page cache (lianxin/core/pagecache.py) is off
    # unless a test asks for it with the `page_cache` fixture.
    settings.PUBLIC_PAGE_SECONDS = 0


@pytest.fixture
def page_cache(settings):
    from django.core.cache import caches

    settings.PUBLIC_PAGE_SECONDS = 25
    caches["pages"].clear()
    yield caches["pages"]
    caches["pages"].clear()


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """The working-day calendar is cached in process memory while each test's rows roll back: start clean."""
    from lianxin.workdays import calendar

    calendar.reset()
    yield
    calendar.reset()


@pytest.fixture(autouse=True)
def _fresh_deadline_policies():
    """Deadline policies, the regions and categories API intake checks against, bearer tokens and the duplicate
    index and the router's models are kept per process; each test's rows roll back (and ids may come again)."""
    from lianxin.accounts.services import api_token_cache_clear
    from lianxin.cases.deadlines import limits_cache_clear
    from lianxin.cases.intake.draft import reference_cache_clear
    from lianxin.routing.selectors import duplicates_forget
    from lianxin.routing.services import router_models_forget

    caches = (limits_cache_clear, reference_cache_clear, api_token_cache_clear, duplicates_forget, router_models_forget)
    for clear in caches:
        clear()
    yield
    for clear in caches:
        clear()
