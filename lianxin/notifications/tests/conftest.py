# The case fixtures: notifications about cases need a case to be about.
from lianxin.cases.tests.conftest import loop  # noqa: F401
