# ruff: noqa: F811  (pytest injects the fixtures imported from cases_fixtures under the same names)
"""Persona × inside/outside × endpoint → status, for every endpoint of the cases API.

Inside is a case the persona sees (cases_fixtures.CASE_SCOPES); outside one it does not, which answers
exactly like an id that does not exist.
"""

import pytest

from lianxin.api.tests.cases_fixtures import CASE_SCOPES, desk, post  # noqa: F401  (fixtures: see cases_fixtures)
from lianxin.cases.intake.queue import submissions_register_queued
from lianxin.cases.models import Case, ReceptionSession

PERSONAS = [*CASE_SCOPES, "no_role"]

# Who may accept the registered case they see: staff handling cases in its region, or its own deputy.
ACCEPTS = {
    "admin": 200,
    "city_staff": 200,
    "county_staff": 200,
    "township_staff": 200,
    "place_staff": 200,
    "deputy": 200,
    "grid_worker": 403,
    "unit_handler": 403,
    "outsider": 200,
}


def _case(desk, persona, where):
    if persona == "no_role":
        return desk.a
    inside, outside = CASE_SCOPES[persona]
    return getattr(desk, inside if where == "inside" else outside)


def _wheres(persona):
    return ["outside"] if persona == "no_role" else ["inside", "outside"]


READ_TABLE = [
    (persona, endpoint, where, 200 if where == "inside" else 404)
    for persona in PERSONAS
    for endpoint in ("detail", "events")
    for where in _wheres(persona)
]


@pytest.mark.parametrize(("persona", "endpoint", "where", "status"), READ_TABLE)
def test_case_detail_and_events_answer_inside_and_hide_outside(desk, personas, get, persona, endpoint, where, status):
    user = getattr(personas, persona)
    case = _case(desk, persona, where)
    suffix = "/events" if endpoint == "events" else ""

    response = get(user, f"/cases/{case.id}{suffix}")

    assert response.status_code == status, response.content
    if status == 404:
        assert response.json() == get(user, f"/cases/999999{suffix}").json()
        assert response.json()["code"] == "not_found"


LIST_TABLE = [(persona, where, where == "inside") for persona in PERSONAS for where in _wheres(persona)]


@pytest.mark.parametrize(("persona", "where", "listed"), LIST_TABLE)
def test_case_list_lists_inside_and_omits_outside(desk, personas, get, persona, where, listed):
    response = get(getattr(personas, persona), "/cases", limit=100)
    assert response.status_code == 200
    ids = [item["id"] for item in response.json()["items"]]
    assert (_case(desk, persona, where).id in ids) is listed
    assert len(ids) == len(set(ids)) == response.json()["count"]


ACT_TABLE = [
    (persona, where, ACCEPTS[persona] if where == "inside" else 404)
    for persona in PERSONAS
    for where in _wheres(persona)
]


@pytest.mark.parametrize(("persona", "where", "status"), ACT_TABLE)
def test_acting_is_allowed_inside_forbidden_without_the_right_and_404_outside(
    desk, personas, post, persona, where, status
):
    case = _case(desk, persona, where)
    response = post(
        getattr(personas, persona), f"/cases/{case.id}/actions/accept", {"params": {"category": "transport"}}
    )

    assert response.status_code == status, response.content
    case.refresh_from_db()
    assert case.status == ("accepted" if status == 200 else "registered")
    assert case.events.count() == (2 if status == 200 else 1)
    if status == 404:
        assert response.json() == post(getattr(personas, persona), "/cases/999999/actions/accept").json()


# Registering: staff in their region; deputies and grid workers as themselves anywhere (the service's rule).
CREATE_TABLE = {
    "admin": (202, 403),
    "city_staff": (202, 403),
    "county_staff": (202, 403),
    "township_staff": (202, 403),
    "place_staff": (202, 403),
    "deputy": (202, 202),
    "grid_worker": (202, 202),
    "unit_handler": (403, 403),
    "outsider": (202, 403),
    "no_role": (403, 403),
}


@pytest.mark.parametrize(
    ("persona", "where", "status"),
    [
        (persona, where, CREATE_TABLE[persona][i])
        for persona in PERSONAS
        for i, where in enumerate(("inside", "outside"))
    ],
)
def test_who_may_register_a_case_where(desk, personas, post, persona, where, status):
    case = _case(desk, persona, where) if persona != "no_role" else desk.a
    before = Case.objects.count()
    body = {"channel": "visit", "title": "新的意见", "body": "内容", "region": case.region.code}

    response = post(getattr(personas, persona), "/cases", body)

    assert response.status_code == status, response.content
    # Refused at once, or accepted and then registered by the worker: never accepted and lost.
    assert submissions_register_queued() == (1 if status == 202 else 0)
    assert Case.objects.count() == before + (1 if status == 202 else 0)
    if status == 403:
        assert response.json()["code"] == "permission_denied"


# Units: the deqing bureau is relevant to everyone in 德清 (and to the city); the 西湖 bureau to nobody here.
@pytest.mark.parametrize("persona", PERSONAS)
def test_units_lists_the_units_relevant_to_the_caller(desk, personas, get, persona):
    response = get(getattr(personas, persona), "/units", limit=100)
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["items"]}
    assert (desk.unit.id in ids) is (persona != "no_role")
    assert desk.xihu_unit.id not in ids
    assert (desk.anji_unit.id in ids) is (persona == "city_staff")


@pytest.mark.parametrize("persona", PERSONAS)
def test_categories_are_listed_for_every_signed_in_user(desk, personas, get, persona):
    response = get(getattr(personas, persona), "/categories")
    assert response.status_code == 200
    assert "transport" in [item["code"] for item in response.json()]


# Receptions: one in 居仁社区 with the persona deputy, one in 城东村 with another deputy.
RECEPTION_SEES = {
    "admin": (True, True),
    "city_staff": (True, True),
    "county_staff": (True, True),
    "township_staff": (True, False),
    "place_staff": (True, False),
    "deputy": (True, False),
    "grid_worker": (False, False),
    "unit_handler": (False, False),
    "outsider": (False, True),
    "no_role": (False, False),
}


@pytest.fixture
def sessions(desk, regions, personas):
    from django.utils import timezone

    jueren = ReceptionSession.objects.create(
        kind="station", deputy=desk.deputy, place=desk.place, region=regions.jueren, started_at=timezone.now()
    )
    chengdong = ReceptionSession.objects.create(
        kind="mobile", deputy=desk.chengdong_deputy, region=regions.chengdong, started_at=timezone.now()
    )
    return jueren, chengdong


@pytest.mark.parametrize(("persona", "sees"), RECEPTION_SEES.items())
def test_receptions_are_listed_and_closed_only_within_scope(desk, personas, get, post, sessions, persona, sees):
    user = getattr(personas, persona)
    listed = {item["id"] for item in get(user, "/receptions").json()["items"]}
    for session, visible in zip(sessions, sees, strict=True):
        assert (session.id in listed) is visible
        response = post(user, f"/receptions/{session.id}/close", {"people_received": 3})
        assert response.status_code == (200 if visible else 404), response.content
        session.refresh_from_db()
        assert (session.ended_at is not None) is visible


@pytest.mark.parametrize(
    ("persona", "status"),
    [("township_staff", 201), ("place_staff", 201), ("deputy", 201), ("outsider", 400), ("unit_handler", 403)],
)
def test_who_may_start_a_reception_for_the_deputy_of_juren(desk, personas, post, persona, status):
    response = post(
        getattr(personas, persona), "/receptions", {"kind": "station", "deputy": desk.deputy.id, "place": desk.place.id}
    )
    assert response.status_code == status, response.content
    assert ReceptionSession.objects.count() == (1 if status == 201 else 0)


ENDPOINTS = [
    ("get", "/categories"),
    ("get", "/units"),
    ("get", "/units/propose?category=transport&region=330521001001"),
    ("get", "/cases"),
    ("get", "/cases/1"),
    ("get", "/cases/1/events"),
    ("post", "/cases"),
    ("post", "/cases/1/actions/accept"),
    ("get", "/receptions"),
    ("post", "/receptions"),
    ("post", "/receptions/1/close"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_anonymous_requests_get_401(desk, client, method, path):
    response = getattr(client, method)(f"/api/v1{path}", content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("persona", "contact"),
    [
        ("admin", True),
        ("city_staff", True),
        ("county_staff", True),
        ("township_staff", True),
        ("place_staff", True),
        ("deputy", True),  # the case came to them
        ("unit_handler", True),  # their unit must call back
        ("grid_worker", False),
        ("outsider", True),
    ],
)
def test_contact_details_go_to_staff_the_cases_deputy_and_its_units_handlers(desk, personas, get, persona, contact):
    user = getattr(personas, persona)
    case = _case(desk, persona, "inside")
    detail = get(user, f"/cases/{case.id}").json()
    listed = next(item for item in get(user, "/cases", limit=100).json()["items"] if item["id"] == case.id)
    expected = {"name": case.person_name, "phone": case.person_phone} if contact else None
    assert detail["contact"] == listed["contact"] == expected
    assert detail["title"] == case.title  # the case itself is there either way
