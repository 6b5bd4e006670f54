# The case fixtures: retention is about cases' contacts.
from lianxin.cases.tests.conftest import loop  # noqa: F401

# The public world: a deputy with a public page, a station (the forms that take a citizen's details).
from lianxin.portal.tests.conftest import _portal_isolation, world  # noqa: F401
