from lianxin.portal.tests.conftest import _portal_isolation, world  # noqa: F401  the same small public world
