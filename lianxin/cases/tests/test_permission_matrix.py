"""Every actor × every (state, action) of a case × inside/outside → the cell of lianxin/accounts/permission_matrix.py,
through the workflow's entry point (case_transition) and through the API (POST /api/v1/cases/{id}/actions/{action}).

One test per (actor, scope, action) walks the thirteen states, each in a savepoint that is rolled back, and compares
what happened with the hand-written table; a failure shows the cells that differ.
"""

import json
import logging

import pytest

from lianxin.accounts.permission_matrix import (
    ACTORS,
    CASES,
    DONE,
    INVALID_TRANSITION,
    PERMISSION_DENIED,
    STAND_INS,
)
from lianxin.cases import permissions as p
from lianxin.cases.models import Case, CaseEvent, Rating
from lianxin.cases.tests import matrix_world
from lianxin.cases.workflow import TRANSITIONS, case_transition
from lianxin.core.errors import DomainError

STAND_IN = {"citizen": p.CITIZEN, "system": p.SYSTEM}
ROLES = [actor for actor in ACTORS if actor not in STAND_INS]
NOTE = "电话联系，已说明"
# Each test also runs in its own savepoint inside the module's transaction (and this makes pytest-django set up the
# test database before the module's world is built).
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), matrix_world.rolled_back():
        yield matrix_world.build()


def params(action: str, world, side) -> dict:
    return {
        "accept": {"category": "transport"},
        "answer": {"reply": "已联系供电所，今晚修复"},
        "transfer": {"unit": side.unit.pk},
        "merge": {"master": side.master.pk},
        "decline": {"reason": "不属于人大代表联系群众事项"},
        "reply": {"reply": "已完成维修"},
        "rate": {"rating": Rating.SATISFIED},
        "reopen": {"comment": "没修好"},
        "escalate": {"comment": "没修好"},
    }.get(action, {})


def _case(pk: int) -> Case:
    return Case.objects.select_related("region", "deputy", "unit", "master").get(pk=pk)


def _outcome_of_service(world, actor, side, state: str, action: str) -> str:
    with matrix_world.rolled_back():
        case = _case(side.cases[state])
        events = CaseEvent.objects.filter(case=case).count()
        try:
            case_transition(case=case, action=action, actor=actor, note=NOTE, params=params(action, world, side))
        except DomainError as refusal:
            case.refresh_from_db()
            assert (case.status, CaseEvent.objects.filter(case=case).count()) == (state, events), "refused but wrote"
            return refusal.code
        case.refresh_from_db()
        event = CaseEvent.objects.filter(case=case).latest("pk")
        assert case.status == TRANSITIONS[action].target
        assert CaseEvent.objects.filter(case=case).count() == events + 1
        assert (event.action, event.from_status, event.to_status) == (action, state, case.status)
        return DONE


SERVICE_CELLS = [
    (actor, scope, action) for actor in ACTORS for scope in matrix_world.scopes(actor) for action in CASES.actions
]


@pytest.mark.parametrize(("actor", "scope", "action"), SERVICE_CELLS)
def test_the_workflow_allows_and_refuses_exactly_what_the_matrix_says(world, actor, scope, action):
    who = STAND_IN.get(actor) or world.users[actor]
    side = world.sides[scope]

    found = {state: _outcome_of_service(world, who, side, state, action) for state in CASES.states}

    expected = {state: CASES.expected(actor, state, action, scope=scope) for state in CASES.states}
    assert found == expected


API_STATUS = {DONE: 200, PERMISSION_DENIED: 403, INVALID_TRANSITION: 400}
API_CELLS = [
    (actor, scope, action) for actor in ROLES for scope in matrix_world.scopes(actor) for action in CASES.actions
]


@pytest.fixture
def api_settings(settings):
    # A few hundred requests a second from one caller: the API's rate limits are not what this test is about.
    settings.API_RATE_CALLER = settings.API_RATE_IP = ""
    # Nor are the thousands of "Forbidden"/"Not Found" warnings Django logs for the refusals.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    yield
    request_log.setLevel(level)


def _outcome_of_api(client, world, side, state: str, action: str) -> tuple[int, str]:
    with matrix_world.rolled_back():
        case_id = side.cases[state]
        events = CaseEvent.objects.filter(case_id=case_id).count()
        body = {"note": NOTE, "params": params(action, world, side)}
        response = client.post(
            f"/api/v1/cases/{case_id}/actions/{action}", json.dumps(body), content_type="application/json"
        )
        written = CaseEvent.objects.filter(case_id=case_id).count() - events
        assert written == (1 if response.status_code == 200 else 0), response.content
        return response.status_code, response.json().get("code", "")


@pytest.mark.parametrize(("actor", "scope", "action"), API_CELLS)
def test_the_api_answers_each_cell_with_its_status(world, client, api_settings, actor, scope, action):
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.users[actor].api_token}"
    side = world.sides[scope]

    found = {state: _outcome_of_api(client, world, side, state, action) for state in CASES.states}

    def expected(state: str) -> tuple[int, str]:
        if scope != "inside" or action == "follow_master":  # not theirs to see; follow_master is the worker's
            return 404, "not_found"
        if actor == "integrity_staff":  # no case is theirs to see, in their region or not
            return 404, "not_found"
        outcome = CASES.expected(actor, state, action, scope=scope)
        return API_STATUS[outcome], "" if outcome == DONE else outcome

    assert found == {state: expected(state) for state in CASES.states}


def test_the_matrix_covers_every_state_and_action_of_the_workflow_and_agrees_on_the_sources():
    from lianxin.cases.models import Status

    assert set(CASES.states) == set(Status.values)
    assert set(CASES.actions) == set(TRANSITIONS)
    for action, transition in TRANSITIONS.items():
        assert CASES.sources(action) == transition.sources, action
