"""Migration 0004 adds the quarters' and years' slices to the months' already there: a dashboard reading a year
after the upgrade sees the same cases as the months, without waiting for a rebuild."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lianxin.insight.rollup_models import PeriodSlice, Span

BEFORE = [("insight", "0003_coarse_cubes_on_time")]
AFTER = [("insight", "0004_period_slices")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_sums_the_months_into_their_quarters_and_years():
    migrate(BEFORE)
    try:
        months = [(datetime.date(2025, month, 1), received) for month, received in ((2, 3), (3, 4), (4, 5), (12, 1))]
        with connection.cursor() as cursor:
            for month, received in months:
                cursor.execute(
                    "INSERT INTO insight_monthlyslice (month, node_id, dim, key, received, pending, declined, "
                    "accepted, resolved, timed, handling_days, flagged, online, rated, satisfied, on_time) "
                    "VALUES (%s, 7, 'all', '', %s, 0, 0, %s, 1, 1, 2, 0, 0, 0, 0, 1)",
                    [month, received, received],
                )
    finally:
        migrate(AFTER)
    rows = {
        (row.month, row.span): (row.received, row.accepted, row.handling_days)
        for row in PeriodSlice.objects.filter(node_id=7)
    }
    d = datetime.date
    assert rows == {
        (d(2025, 2, 1), Span.MONTH): (3, 3, 2),
        (d(2025, 3, 1), Span.MONTH): (4, 4, 2),
        (d(2025, 4, 1), Span.MONTH): (5, 5, 2),
        (d(2025, 12, 1), Span.MONTH): (1, 1, 2),
        (d(2025, 1, 1), Span.QUARTER): (7, 7, 4),
        (d(2025, 4, 1), Span.QUARTER): (5, 5, 2),
        (d(2025, 10, 1), Span.QUARTER): (1, 1, 2),
        (d(2025, 1, 1), Span.YEAR): (13, 13, 8),
    }
