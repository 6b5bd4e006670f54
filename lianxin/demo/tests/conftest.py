from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction

from lianxin.regions.models import Region

COUNTY = "330521000000"


@pytest.fixture(scope="package")
def seeded(django_db_setup, django_db_blocker):
    """The demo, seeded once for every test module of this package and rolled back at the end."""
    from lianxin.demo.tests.test_seed_demo import fingerprint

    with django_db_blocker.unblock():
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
