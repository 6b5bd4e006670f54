"""The demo's dashboards have figures from the start: the seed rebuilds the rollups from its cases."""

import datetime

from django.utils import timezone

from lianxin.cases.permissions import SYSTEM
from lianxin.cases.reports import case_statistics
from lianxin.insight.figures import figures


def test_the_demo_countys_figures_from_the_rollups_equal_its_statistics(county, db):
    first_of_month = timezone.localdate().replace(day=1)
    end = first_of_month - datetime.timedelta(days=1)
    start = (end - datetime.timedelta(days=80)).replace(day=1)  # the last three full months
    rolled = figures(user=SYSTEM, region=county, start=start, end=end)
    counted = case_statistics(user=SYSTEM, region=county, start=start, end=end)
    assert rolled.totals.received == counted.totals.received > 100
    assert (rolled.totals.resolved, rolled.totals.rated, rolled.totals.satisfied) == (
        counted.totals.resolved,
        counted.totals.rated,
        counted.totals.satisfied,
    )
    assert {b.key: b.received for b in rolled.by_category} == {b.key: b.received for b in counted.by_category}
    assert sum(b.received for b in rolled.by_child) == rolled.totals.received
