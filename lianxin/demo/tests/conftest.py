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
            out = StringIO()
            call_command("seed_demo", stdout=out)
            yield SimpleNamespace(
                output=out.getvalue(), fingerprint=fingerprint(), registry_fingerprint=fingerprint(with_cases=False)
            )
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def county(seeded, db) -> Region:
    return Region.objects.get(code=COUNTY)
