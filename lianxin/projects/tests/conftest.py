"""A small county for project tests: 德清 county congress with 9 serving deputies (one resigned before the
vote), a unit, and a project with two sites led by `personas.deputy`'s deputy."""

import datetime
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from PIL import Image

from lianxin.accounts.roles import Role
from lianxin.cases.models import ResponsibleUnit
from lianxin.deputies.models import Deputy, Mandate, MandateLevel, MandateStatus
from lianxin.projects.models import ProposalSource
from lianxin.projects.services import project_create, proposal_match, proposal_submit, site_create

VOTE_DAY = datetime.date(2026, 1, 15)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(personas, regions, make_user):
    deputies = []
    users = [personas.deputy] + [make_user(f"dep{i}", Role.DEPUTY, regions.wukang) for i in range(1, 9)]
    for i, user in enumerate(users):
        deputy = Deputy.objects.create(name=f"代表{i}", gender="male", user=user)
        Mandate.objects.create(
            deputy=deputy, level=MandateLevel.COUNTY, congress_region=regions.deqing, term=17,
            started_on=datetime.date(2022, 1, 1),
        )  # fmt: skip
        deputies.append(deputy)
    gone = Deputy.objects.create(name="已辞职代表", gender="female")
    Mandate.objects.create(
        deputy=gone, level=MandateLevel.COUNTY, congress_region=regions.deqing, term=17,
        status=MandateStatus.RESIGNED, ended_on=datetime.date(2025, 6, 1),
    )  # fmt: skip
    unit = ResponsibleUnit.objects.create(name="县交通运输局", region=regions.deqing)
    staff = personas.county_staff
    proposals = []
    for i in range(4):
        p = proposal_submit(
            actor=None, region=regions.jueren, title=f"建议{i}", description="内容", source=ProposalSource.RESIDENT,
            proposer_name="张三", proposer_phone="13800000000",
        )  # fmt: skip
        proposal_match(actor=staff, proposal=p, cost_estimate=Decimal(100 + i), unit=unit)
        proposals.append(p)
    project = project_create(actor=staff, region=regions.deqing, year=2026, title="农村道路提升", unit=unit)
    site_a = site_create(
        actor=staff, project=project, region=regions.jueren, name="居仁路", lat=30.54, lng=119.96,
        planned_start=datetime.date(2026, 3, 1), planned_end=datetime.date(2026, 9, 30),
        planned_cost=Decimal(300), lead_deputy=deputies[0],
    )  # fmt: skip
    site_b = site_create(
        actor=staff, project=project, region=regions.chengdong, name="城东桥", lat=30.50, lng=120.05,
        planned_start=datetime.date(2026, 4, 1), planned_end=datetime.date(2026, 10, 31),
        planned_cost=Decimal(100), lead_deputy=deputies[1],
    )  # fmt: skip
    return SimpleNamespace(
        deputies=deputies, users=users, unit=unit, proposals=proposals, project=project, site_a=site_a,
        site_b=site_b, staff=staff,
    )  # fmt: skip
