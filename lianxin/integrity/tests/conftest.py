"""A small integrity world on the shared regions (lianxin/conftest.py): a monitoring point in 武康街道 with a staff
member and a deputy, integrity staff over 德清县 and over 安吉县 (the other county), and a clue carrying a marker
string that no other row contains, so that any page or file that leaked it would show it."""

from types import SimpleNamespace

import pytest

from lianxin.accounts.roles import Role
from lianxin.deputies.models import Deputy, Gender
from lianxin.integrity import services

MARKER = "廉情机密标记ZX9Q7"


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(regions, personas, make_user) -> SimpleNamespace:
    integrity = make_user("integrity", Role.INTEGRITY_STAFF, regions.deqing, display_name="廉情监测员")
    anji_integrity = make_user("anji_integrity", Role.INTEGRITY_STAFF, regions.anji)
    monitor = make_user("monitor", display_name="监测点监测员")
    deputy = Deputy.objects.create(name="沈代表", gender=Gender.FEMALE, user=personas.deputy)
    point = services.point_create(actor=integrity, name="武康街道廉情监测点", region=regions.wukang)
    services.point_set_members(actor=integrity, point=point, staff=[monitor], deputies=[deputy])
    clue = services.clue_report(
        actor=personas.deputy,
        point=point,
        subject=f"某局科长 {MARKER}",
        text=f"反映其在项目验收中收受礼品。{MARKER}",
    )
    return SimpleNamespace(
        integrity=integrity,
        anji_integrity=anji_integrity,
        monitor=monitor,
        deputy=deputy,
        deputy_user=personas.deputy,
        point=point,
        clue=clue,
        personas=personas,
        regions=regions,
    )
