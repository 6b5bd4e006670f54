"""The demo's service-circle step on its own: the county's 15-minute coverage and a saved plan with its proposals,
computed by the app's analysis on the county's places and grids; then cleared."""

import random

import pytest
from django.utils import timezone

from lianxin.circle.models import CirclePlan
from lianxin.demo.seed.circle import clear_circle, write_circle

pytestmark = pytest.mark.django_db


def test_the_demo_saves_the_county_s_plan_with_its_coverage_and_proposals(regions, town):
    write_circle(random.Random("1:circle"), today=timezone.localdate())
    plan = CirclePlan.objects.get()
    assert plan.region == regions.deqing and plan.minutes == 15
    assert (plan.population, plan.covered) == (1500, 1000)
    assert plan.ilp_gain == 500 and plan.ilp_status == "最优"
    assert plan.sites.count() == 1  # five asked for: one covers everyone left, the others would add nobody
    assert plan.figures["grids"][str(town.far.pk)][0] == 500
    clear_circle()
    assert not CirclePlan.objects.exists()
