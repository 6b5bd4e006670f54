"""The demo county's 代表服务圈的覆盖与选址方案 (issue 20): the county's coverage by its places within 15 minutes'
walk (straight line × 1.3, no road network in the demo) and a saved plan proposing five new places, computed by the
app's own analysis on the demo's places and grids and saved through its services."""

import datetime
import random

from lianxin.circle.analysis import circle_analyse
from lianxin.circle.models import CirclePlan, HouseholdPoint
from lianxin.circle.services import plan_save
from lianxin.regions.models import Region

COUNTY_CODE = "330521000000"
PROPOSE = 5
# The seed must stay quick: a coarser candidate lattice (the walking radius) and a short limit for the programme.
TIME_LIMIT = 5.0


def write_circle(rng: random.Random, *, today: datetime.date) -> None:
    county = Region.objects.get(code=COUNTY_CODE)
    analysis = circle_analyse(
        region=county, minutes=15, propose=PROPOSE, time_limit=TIME_LIMIT, candidate_spacing=1000.0
    )
    plan_save(actor=None, analysis=analysis)


def clear_circle() -> None:
    """Delete what write_circle wrote (and household points, which hang on the demo's grids)."""
    CirclePlan.objects.all().delete()
    HouseholdPoint.objects.all().delete()
