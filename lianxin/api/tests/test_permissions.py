"""Role × inside/outside region × endpoint → status.

Every persona has a location inside its scope and one outside. Detail endpoints answer 200 inside and
404 outside, with the same body as an id that does not exist; list endpoints list the inside object and
not the outside one; a region filter outside scope is refused like an unknown region.
"""

import pytest

# persona → (a location inside its scope, a location outside it); see conftest.world.
SCOPES = {
    "admin": ("chengdong", "anji"),  # admin of 德清
    "city_staff": ("anji", "xihu"),  # 湖州
    "county_staff": ("chengdong", "anji"),  # 德清
    "township_staff": ("jueren", "chengdong"),  # 武康
    "place_staff": ("jueren", "chengdong"),  # 居仁社区
    "deputy": ("jueren", "chengdong"),  # 武康
    "grid_worker": ("jueren", "chengdong"),  # 居仁社区
    "unit_handler": ("chengdong", "anji"),  # 德清
    "outsider": ("chengdong", "jueren"),  # 乾元
}

# endpoint → (path for a location, path for something that does not exist)
DETAIL = {
    "region": (lambda loc: f"/regions/{loc.region.code}", "/regions/110000000000"),
    "grid": (lambda loc: f"/grids/{loc.grid.code}", "/grids/NO-SUCH-GRID"),
    "grid_locate": (
        lambda loc: f"/grids/locate?lat={loc.point[0]}&lng={loc.point[1]}",
        "/grids/locate?lat=0.5&lng=0.5",
    ),
    "deputy": (lambda loc: f"/deputies/{loc.deputy.id}", "/deputies/999999"),
    "group": (lambda loc: f"/groups/{loc.group.id}", "/groups/999999"),
    "place": (lambda loc: f"/places/{loc.place.id}", "/places/999999"),
}

# endpoint → (list path, the key of an item, the location's value for that key)
LIST = {
    "regions": ("/regions", "code", lambda loc: loc.region.code),
    "grids": ("/grids", "code", lambda loc: loc.grid.code),
    "deputies": ("/deputies", "id", lambda loc: loc.deputy.id),
    "groups": ("/groups", "id", lambda loc: loc.group.id),
    "places": ("/places", "id", lambda loc: loc.place.id),
}

DETAIL_TABLE = [
    (persona, endpoint, where, 200 if where == "inside" else 404)
    for persona in SCOPES
    for endpoint in DETAIL
    for where in ("inside", "outside")
]
LIST_TABLE = [
    (persona, endpoint, where, where == "inside")
    for persona in SCOPES
    for endpoint in LIST
    for where in ("inside", "outside")
]


def _location(world, persona: str, where: str):
    inside, outside = SCOPES[persona]
    return getattr(world, inside if where == "inside" else outside)


@pytest.mark.parametrize(("persona", "endpoint", "where", "status"), DETAIL_TABLE)
def test_detail_endpoints_answer_inside_and_hide_outside(world, personas, get, persona, endpoint, where, status):
    user = getattr(personas, persona)
    path_for, missing_path = DETAIL[endpoint]
    path = path_for(_location(world, persona, where))
    if "?" in path:
        path, query = path.split("?")
        response = get(user, path, **dict(pair.split("=") for pair in query.split("&")))
    else:
        response = get(user, path)
    assert response.status_code == status, response.content
    if status == 404:
        # Outside the scope answers exactly like an id that does not exist: nothing leaks.
        missing = missing_path.split("?")
        params = dict(pair.split("=") for pair in missing[1].split("&")) if len(missing) > 1 else {}
        assert response.json() == get(user, missing[0], **params).json()
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(("persona", "endpoint", "where", "listed"), LIST_TABLE)
def test_list_endpoints_list_inside_and_omit_outside(world, personas, get, persona, endpoint, where, listed):
    user = getattr(personas, persona)
    path, key, value_of = LIST[endpoint]
    response = get(user, path, limit=100)
    assert response.status_code == 200
    values = [item[key] for item in response.json()["items"]]
    assert (value_of(_location(world, persona, where)) in values) is listed


@pytest.mark.parametrize(("persona", "endpoint", "where"), [row[:3] for row in LIST_TABLE])
def test_region_filter_outside_scope_is_refused_like_an_unknown_region(world, personas, get, persona, endpoint, where):
    user = getattr(personas, persona)
    path, key, value_of = LIST[endpoint]
    location = _location(world, persona, where)
    response = get(user, path, region=location.region.code)
    if where == "inside":
        assert response.status_code == 200
        assert [item[key] for item in response.json()["items"]] == [value_of(location)]
    else:
        assert response.status_code == 404
        assert response.json() == {
            "code": "region_not_found",
            "message": f"区划 {location.region.code} 不存在或不在您的管辖范围内",
            "field": "region",
        }


ALL_PATHS = ["/regions", "/grids", "/deputies", "/groups", "/places"]


@pytest.mark.parametrize("path", ALL_PATHS)
def test_a_user_without_roles_sees_empty_lists(world, personas, get, path):
    response = get(personas.no_role, path)
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}


@pytest.mark.parametrize("endpoint", list(DETAIL))
def test_a_user_without_roles_gets_404_for_every_object(world, personas, get, endpoint):
    path = DETAIL[endpoint][0](world.jueren)
    if "?" in path:
        path, query = path.split("?")
        response = get(personas.no_role, path, **dict(pair.split("=") for pair in query.split("&")))
    else:
        response = get(personas.no_role, path)
    assert response.status_code == 404


@pytest.mark.parametrize("path", [*ALL_PATHS, "/regions/330521001001", "/deputies/1", "/grids/locate"])
def test_anonymous_requests_get_401_with_a_chinese_message(world, get, path):
    response = get(None, path)
    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": "请先登录，或在 Authorization 头中提供有效的访问令牌",
        "field": None,
    }


CONTACTS = {
    # persona → sees contact details of the deputies inside its scope
    "admin": True,
    "city_staff": True,
    "county_staff": True,
    "township_staff": True,
    "place_staff": True,
    "outsider": True,
    "deputy": False,
    "grid_worker": False,
    "unit_handler": False,
}


@pytest.mark.parametrize(("persona", "sees_contacts"), CONTACTS.items())
def test_contact_details_are_shown_only_to_staff(world, personas, get, persona, sees_contacts):
    user = getattr(personas, persona)
    location = _location(world, persona, "inside")
    deputy = location.deputy

    detail = get(user, f"/deputies/{deputy.id}").json()
    listed = next(item for item in get(user, "/deputies", limit=100).json()["items"] if item["id"] == deputy.id)
    group = get(user, f"/groups/{location.group.id}").json()

    if sees_contacts:
        expected = {"phone": deputy.phone, "id_number": deputy.id_number, "address": deputy.address}
        assert detail["contact"] == expected
        assert listed["contact"] == expected
        assert detail["grid_workers"][0]["phone"] == location.worker.phone
    else:
        assert detail["contact"] is None
        assert listed["contact"] is None
        assert detail["grid_workers"][0]["phone"] is None
        assert group["liaison_phone"] is None
    # Public parts are there for everyone in scope.
    assert detail["public_url"].endswith(f"/d/{deputy.public_code}")
    assert detail["grid_workers"][0]["name"] == location.worker.name
