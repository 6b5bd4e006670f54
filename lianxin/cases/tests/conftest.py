from types import SimpleNamespace

import pytest

from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import Category, ResponsibleUnit
from lianxin.cases.services import case_register
from lianxin.deputies.models import Deputy, Mandate, MandateLevel


@pytest.fixture
def loop(personas, regions):
    """A county with one category, a unit that handles it, and a deputy whose account is `personas.deputy`."""
    roads = Category.objects.get(code="transport")
    unit = ResponsibleUnit.objects.create(name="县交通运输局", region=regions.deqing)
    unit.categories.add(roads)
    unit.serves.add(regions.deqing)
    unit.handlers.add(personas.unit_handler)
    other_unit = ResponsibleUnit.objects.create(name="县住建局", region=regions.deqing)
    deputy = Deputy.objects.create(name="沈建国", gender="male", user=personas.deputy)
    Mandate.objects.create(
        deputy=deputy,
        level=MandateLevel.COUNTY,
        congress_region=regions.deqing,
        term=17,
        district_region=regions.jueren,
    )

    def register(**fields):
        values = {
            "actor": None,
            "channel": "online",
            "title": "居仁路路灯不亮",
            "body": "居仁路东段三盏路灯一个月没亮了，晚上走路不安全。我的电话13957211234。",
            "region": regions.jueren,
            "deputy": deputy,
            "person_name": "王秀英",
            "person_phone": "13957211234",
            "reply_via": "sms",
        }
        values.update(fields)
        actor = values.pop("actor")
        return case_register(actor=actor, draft=CaseDraft(**values)).case

    return SimpleNamespace(category=roads, unit=unit, other_unit=other_unit, deputy=deputy, register=register)
