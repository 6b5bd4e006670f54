"""Migrations 0004 to 0006 on a database that has rollups already. 0004 adds the quarters' and years' slices to the months' already there: a dashboard reading a year
after the upgrade sees the same cases as the months, without waiting for a rebuild."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from lianxin.cases.models import Case
from lianxin.cases.tests.conftest import loop  # noqa: F401  (a fixture)
from lianxin.insight.rollup_models import CaseFact, CountyCube, DailyTotal, PeriodSlice, Span
from lianxin.portal.tests.test_browser import _migration_data  # noqa: F401  (categories after a flush)

BEFORE = [("insight", "0003_coarse_cubes_on_time")]
AFTER = [("insight", "0006_coarse_periods")]


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


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_gives_the_facts_their_deputy_and_place_and_the_slices_their_breakdowns(loop, regions):  # noqa: F811
    """Migration 0005 on a database whose facts predate it: each fact takes its case's deputy and place; the
    county, city and province get their slices by deputy and by place, the township its own slices and daily
    totals, for the month, quarter and year."""
    case = loop.register(place=None)
    Case.objects.filter(pk=case.pk).update(registered_at=datetime.datetime(2025, 5, 6, 10, tzinfo=datetime.UTC))
    migrate([("insight", "0004_period_slices")])
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO insight_casefact (case_id, day, month, region_id, province_id, city_id, county_id, "
                "township_id, category_id, unit_id, channel, received, pending, declined, accepted, resolved, timed, "
                "handling_days, flagged, online, rated, satisfied, on_time) VALUES (%s, '2025-05-06', '2025-05-01', "
                "%s, %s, %s, %s, %s, 0, 0, 'online', 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0)",
                [case.pk, regions.jueren.pk, regions.zhejiang.pk, regions.huzhou.pk, regions.deqing.pk,
                 regions.wukang.pk],
            )  # fmt: skip
    finally:
        migrate(AFTER)
    fact = CaseFact.objects.get(case_id=case.pk)
    assert (fact.deputy_id, fact.place_id) == (loop.deputy.pk, 0)
    by_deputy = PeriodSlice.objects.filter(dim="deputy")
    assert sorted(by_deputy.values_list("node_id", "span", "key", "received")) == sorted(
        (node.pk, span, str(loop.deputy.pk), 1)
        for node in (regions.zhejiang, regions.huzhou, regions.deqing, regions.wukang)
        for span in (Span.MONTH, Span.QUARTER, Span.YEAR)
    )
    assert set(PeriodSlice.objects.filter(dim="place").values_list("key", flat=True)) == {""}
    # The township's own slices (its villages) and daily total.
    village = PeriodSlice.objects.get(node_id=regions.wukang.pk, dim="child", span=Span.YEAR)
    assert (village.key, village.received) == (str(regions.jueren.pk), 1)
    assert DailyTotal.objects.get(node_id=regions.wukang.pk).day == datetime.date(2025, 5, 6)


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_sums_the_coarse_cubes_months_into_their_quarters_and_years():
    migrate([("insight", "0005_deputy_place")])
    try:
        with connection.cursor() as cursor:
            for month, received in ((datetime.date(2025, 7, 1), 2), (datetime.date(2025, 8, 1), 3)):
                cursor.execute(
                    "INSERT INTO insight_countycube (month, province_id, city_id, county_id, township_id, "
                    "category_id, channel, received, pending, declined, accepted, resolved, timed, handling_days, "
                    "flagged, online, rated, satisfied, on_time) "
                    "VALUES (%s, 1, 2, 3, 0, 4, 'online', %s, 0, 0, 0, 0, 0, 0, 0, %s, 0, 0, 0)",
                    [month, received, received],
                )
    finally:
        migrate(AFTER)
    rows = {(row.month, row.span): (row.received, row.online) for row in CountyCube.objects.filter(county_id=3)}
    d = datetime.date
    assert rows == {
        (d(2025, 7, 1), Span.MONTH): (2, 2),
        (d(2025, 8, 1), Span.MONTH): (3, 3),
        (d(2025, 7, 1), Span.QUARTER): (5, 5),
        (d(2025, 1, 1), Span.YEAR): (5, 5),
    }
