"""Every actor × every (state, action) of a project site × inside/outside → the cell of
lianxin/accounts/permission_matrix.py (SITES), through the sites' entry point `site_transition`, and the `report` rows
through the API's monthly report (POST /api/v1/sites/{id}/reports).

Inside: a site in 居仁社区 led by the deputy's deputy; region: one there led by another deputy; outside: a site in
杭州 led by another deputy. One test per
(actor, scope, action) walks the four states, each in a savepoint that is rolled back.
"""

import datetime
import json
import logging

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


# The API's one write on a site is the monthly report (POST /api/v1/sites/{id}/reports): the `report` rows. Sites are
# on the public map, so everyone with a role sees those of their region: not theirs is 403 there, outside is 404.
API_STATUS = {DONE: 201, "permission_denied": 403, "site_bad_state": 400}
API_CELLS = [
    (actor, scope, action)
    for actor in ACTORS
    if actor not in ("citizen", "system")
    for scope in matrix_world.scopes(actor)
    for action in ("report", "report:on_behalf")
]


@pytest.fixture
def api_settings(settings):
    settings.API_RATE_CALLER = settings.API_RATE_IP = ""
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    yield
    request_log.setLevel(level)


def _api_outcome(client, side, state: str, action: str) -> int:
    with matrix_world.rolled_back():
        site_id = side.sites[state]
        audits = AuditEvent.objects.filter(action="projects.site.report").count()
        body = {"month": "2026-05-01", "progress": 0, "done": "完成路面硬化", "on_behalf": action.endswith("on_behalf")}
        response = client.post(f"/api/v1/sites/{site_id}/reports", json.dumps(body), content_type="application/json")
        written = AuditEvent.objects.filter(action="projects.site.report").count() - audits
        assert written == (1 if response.status_code == 201 else 0), response.content
        return response.status_code


@pytest.mark.parametrize(("actor", "scope", "action"), API_CELLS)
def test_the_site_report_api_answers_each_cell_with_its_status(world, client, api_settings, actor, scope, action):
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.users[actor].api_token}"
    side = world.sides[scope]

    found = {state: _api_outcome(client, side, state, action) for state in SITES.states}

    def expected(state: str) -> int:
        if scope == "outside":
            return 404
        return API_STATUS[SITES.expected(actor, state, action, scope=scope)]

    assert found == {state: expected(state) for state in SITES.states}
