import datetime
from io import StringIO
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from lianxin.regions.models import Region
from lianxin.workdays.calendar import CHINA

COUNTY = "330521000000"


# The demo counts its roster, its year of cases and its projects from "today" in Beijing. The package's tests
# compare what was seeded with what they compute later; a run that crossed midnight in Beijing (16:00 UTC) compared
# two different days. The clock starts at a fixed mid-morning and keeps ticking, so nothing crosses a day.
PINNED_NOW = datetime.datetime(2026, 11, 16, 10, 0, tzinfo=CHINA)


@pytest.fixture(scope="package")
def seeded(django_db_setup, django_db_blocker):
    """The demo, seeded once for every test module of this package and rolled back at the end."""
    from lianxin.demo.tests.test_seed_demo import fingerprint

    with django_db_blocker.unblock(), time_machine.travel(PINNED_NOW, tick=True):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            _restore_migration_data()
            out = StringIO()
            call_command("seed_demo", stdout=out)
            yield SimpleNamespace(
                output=out.getvalue(), fingerprint=fingerprint(), registry_fingerprint=fingerprint(with_cases=False)
            )
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _restore_migration_data() -> None:
    """A transactional test elsewhere in the run ends by emptying every table, the data migrations' rows too
    (categories, deadline policies, the holiday calendar), and the demo needs them: put them back (get_or_create,
    inside the package's transaction, so the rollback leaves the database as it found it)."""
    import importlib

    from django.apps import apps
    from django.db import connection

    schema_editor = SimpleNamespace(connection=connection)  # the seeds read only the connection's alias
    for module in (
        "lianxin.cases.migrations.0002_defaults",
        "lianxin.workdays.migrations.0002_seed_from_chinese_calendar",
    ):
        importlib.import_module(module).seed(apps, schema_editor)


@pytest.fixture
def county(seeded, db) -> Region:
    return Region.objects.get(code=COUNTY)
