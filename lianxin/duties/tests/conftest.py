import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from lianxin.accounts.roles import Role
from lianxin.deputies.models import Deputy, Mandate, MandateLevel
from lianxin.duties.services import activity_create


@pytest.fixture
def duty(personas, regions, make_user):
    """Two county deputies of 德清 (the first is personas.deputy, the second has the account `deputy2`), a township
    deputy of 武康 without an account, and a helper that creates an activity organised by county staff."""

    def deputy(name, user=None, level=MandateLevel.COUNTY, region=None, district=None):
        d = Deputy.objects.create(name=name, gender="male", user=user)
        Mandate.objects.create(
            deputy=d,
            level=level,
            congress_region=region or regions.deqing,
            term=17,
            district_region=district or regions.jueren,
            started_on=datetime.date(2022, 1, 1),
        )
        return d

    first = deputy("沈建国", personas.deputy)
    second_user = make_user("deputy2", Role.DEPUTY, regions.deqing)
    second = deputy("钱立新", second_user, district=regions.chengdong)
    township = deputy("杨乡镇", level=MandateLevel.TOWNSHIP, region=regions.wukang)

    def activity(kind="visit", starts_in=datetime.timedelta(minutes=30), hours=2, invited=None, **fields):
        starts = timezone.now() + starts_in
        values = {
            "actor": personas.county_staff,
            "kind": kind,
            "title": "走访居仁社区困难家庭",
            "region": regions.jueren,
            "starts_at": starts,
            "ends_at": starts + datetime.timedelta(hours=hours),
            "invited": [first, second] if invited is None else invited,
        }
        values.update(fields)
        return activity_create(**values)

    return SimpleNamespace(first=first, second=second, second_user=second_user, township=township, activity=activity)
