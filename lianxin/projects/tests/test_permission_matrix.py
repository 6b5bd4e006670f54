"""Every actor × every (state, action) of a project site × inside/outside → the cell of
lianxin/accounts/permission_matrix.py (SITES), through the sites' entry point `site_transition`.

Inside: a site in 居仁社区 led by the deputy's deputy; region: one there led by another deputy; outside: a site in
杭州 led by another deputy. One test per
(actor, scope, action) walks the four states, each in a savepoint that is rolled back.
"""

import datetime

import pytest

from lianxin.accounts.permission_matrix import ACTORS, DONE, SITES
from lianxin.cases import permissions as p
from lianxin.cases.tests import matrix_world
from lianxin.core.errors import DomainError
from lianxin.core.models import AuditEvent
from lianxin.projects.models import Project, Site
from lianxin.projects.workflow import TRANSITIONS, site_transition

STAND_IN = {"citizen": p.CITIZEN, "system": p.SYSTEM}
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), matrix_world.rolled_back():
        world = matrix_world.build()
        start = datetime.date(2026, 3, 1)
        for number, (key, side) in enumerate(world.sides.items(), 1):
            project = Project.objects.create(
                region=side.village.parent, year=2026, number=number, title=f"{key}道路提升"
            )
            side.sites = {
                state: Site.objects.create(
                    project=project,
                    region=side.village,
                    name=f"{side.village.name}{state}",
                    planned_start=start,
                    planned_end=start + datetime.timedelta(days=200),
                    lead_deputy=side.deputy,
                    status=state,
                    progress=100 if state in ("finished", "closed") else 0,
                ).pk
                for state in SITES.states
            }
        yield world


def _outcome(actor, side, state: str, action: str) -> str:
    base, _, mode = action.partition(":")
    with matrix_world.rolled_back():
        site = Site.objects.select_related("region", "lead_deputy").get(pk=side.sites[state])
        audits = AuditEvent.objects.filter(action=f"projects.site.{base}").count()
        try:
            site_transition(site=site, action=base, actor=actor, note="现场核实", on_behalf=mode == "on_behalf")
        except DomainError as refusal:
            site.refresh_from_db()
            assert (site.status, site.version) == (state, 0), "refused but wrote"
            assert AuditEvent.objects.filter(action=f"projects.site.{base}").count() == audits
            return refusal.code
        site.refresh_from_db()
        assert site.status == (TRANSITIONS[base].target or state) and site.version == 1
        audit = AuditEvent.objects.filter(action=f"projects.site.{base}").latest("pk")
        assert audit.object_id == str(site.pk) and audit.changes["status"] == [state, site.status]
        return DONE


CELLS = [(actor, scope, action) for actor in ACTORS for scope in matrix_world.scopes(actor) for action in SITES.actions]


@pytest.mark.parametrize(("actor", "scope", "action"), CELLS)
def test_a_site_allows_and_refuses_exactly_what_the_matrix_says(world, actor, scope, action):
    who = STAND_IN.get(actor) or world.users[actor]
    side = world.sides[scope]

    found = {state: _outcome(who, side, state, action) for state in SITES.states}

    assert found == {state: SITES.expected(actor, state, action, scope=scope) for state in SITES.states}


def test_the_site_matrix_covers_every_state_and_action_and_agrees_on_the_sources():
    from lianxin.projects.models import SiteStatus

    assert set(SITES.states) == set(SiteStatus.values)
    assert {action.partition(":")[0] for action in SITES.actions} == set(TRANSITIONS)
    for action in SITES.actions:
        assert SITES.sources(action) == TRANSITIONS[action.partition(":")[0]].sources, action
