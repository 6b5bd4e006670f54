import pytest

from lianxin.workdays import calendar


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """The calendar snapshot lives in process memory, but each test's rows are rolled back: start clean."""
    calendar.reset()
    yield
    calendar.reset()
