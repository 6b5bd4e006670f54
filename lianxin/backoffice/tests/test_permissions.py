"""Role × inside/outside region × back-office page → status.

"Inside" objects live in 居仁社区 (武康街道), "outside" ones in 城东村 (乾元镇). Township staff of 武康 and
place staff of 居仁 see the first and get a 404 for the second, the same answer as for an id that does not
exist; `outsider` (township staff of 乾元) is the mirror image. Roles without back-office access are sent
to the login page.
"""

import datetime

import pytest
from django.urls import reverse

from lianxin.core.models import AuditEvent
from lianxin.deputies.models import (
    Deputy,
    DeputyGroup,
    DutyShift,
    GridWorker,
    GroupKind,
    Mandate,
    MandateLevel,
)
from lianxin.regions.services import grid_save
from lianxin.testing import square
from lianxin.venues.models import Place, PlaceKind

LOGIN = 302
BACKOFFICE = ["admin", "city_staff", "county_staff", "township_staff", "place_staff", "unit_handler", "outsider"]
NO_BACKOFFICE = ["deputy", "grid_worker", "no_role"]


def build_side(regions, village, suffix: str, lng: float):
    grid = grid_save(actor=None, region=village, code=f"G-{suffix}", name=f"{suffix}网格", polygon=square(lng, 30.5))
    deputy = Deputy.objects.create(name=f"{suffix}代表", gender="female", phone="13900000000")
    Mandate.objects.create(
        deputy=deputy, level=MandateLevel.COUNTY, congress_region=regions.deqing, term=17, district_region=village
    )
    place = Place.objects.create(kind=PlaceKind.STATION, name=f"{suffix}代表工作站", region=village, grid=grid)
    group = DeputyGroup.objects.create(
        kind=GroupKind.SUPERVISION, name=f"{suffix}监督小组", region=village, place=place
    )
    worker = GridWorker.objects.create(name=f"{suffix}网格员", grid=grid, phone="13700000000")
    shift = DutyShift.objects.create(
        place=place,
        deputy=deputy,
        date=datetime.date(2026, 12, 1),
        start_time=datetime.time(9),
        end_time=datetime.time(11, 30),
    )
    return {
        "regions_grid": grid,
        "deputies_deputy": deputy,
        "venues_place": place,
        "deputies_deputygroup": group,
        "deputies_gridworker": worker,
        "deputies_dutyshift": shift,
        "regions_region": village,
    }


@pytest.fixture
def world(personas, regions):
    return {
        "inside": build_side(regions, regions.jueren, "居仁", 119.95),
        "outside": build_side(regions, regions.chengdong, "城东", 120.10),
    }


MODELS = [
    "regions_region",
    "regions_grid",
    "deputies_deputy",
    "venues_place",
    "deputies_deputygroup",
    "deputies_gridworker",
    "deputies_dutyshift",
]

# persona → (sees inside, sees outside)
SCOPE = {
    "admin": (True, True),
    "city_staff": (True, True),
    "county_staff": (True, True),
    "township_staff": (True, False),
    "place_staff": (True, False),
    "unit_handler": (True, True),  # reads the registry of 德清县 to know whom a case concerns
    "outsider": (False, True),
}


def login(client, personas, persona):
    client.force_login(getattr(personas, persona))


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("persona", BACKOFFICE)
def test_the_list_shows_exactly_the_objects_in_scope(client, personas, world, persona, model):
    login(client, personas, persona)

    response = client.get(reverse(f"admin:{model}_changelist"))

    assert response.status_code == 200
    body = response.content.decode()
    sees_inside, sees_outside = SCOPE[persona]
    assert (str(world["inside"][model]) in body) is sees_inside
    assert (str(world["outside"][model]) in body) is sees_outside


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("side", ["inside", "outside"])
@pytest.mark.parametrize("persona", BACKOFFICE)
def test_a_detail_page_outside_the_scope_is_a_404_like_a_missing_id(client, personas, world, persona, side, model):
    login(client, personas, persona)
    obj = world[side][model]

    response = client.get(reverse(f"admin:{model}_change", args=[obj.pk]))
    missing = client.get(reverse(f"admin:{model}_change", args=[999999]))

    visible = SCOPE[persona][0 if side == "inside" else 1]
    assert response.status_code == (200 if visible else 404)
    assert missing.status_code == 404


@pytest.mark.parametrize("model", [*MODELS, "accounts_user", "core_auditevent"])
@pytest.mark.parametrize("persona", NO_BACKOFFICE)
def test_roles_without_back_office_access_are_sent_to_the_login_page(client, personas, world, persona, model):
    login(client, personas, persona)

    response = client.get(reverse(f"admin:{model}_changelist"))

    assert response.status_code == LOGIN
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    ("persona", "status"),
    [("admin", 200), ("county_staff", 403), ("township_staff", 403), ("place_staff", 403)],
)
def test_only_administrators_manage_accounts(client, personas, world, persona, status):
    login(client, personas, persona)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == status


def test_place_staff_may_read_a_deputy_but_not_change_them(client, personas, world):
    login(client, personas, "place_staff")
    deputy = world["inside"]["deputies_deputy"]
    url = reverse("admin:deputies_deputy_change", args=[deputy.pk])

    response = client.post(url, {"name": "改名", "gender": "male"})

    assert response.status_code == 403
    deputy.refresh_from_db()
    assert deputy.name == "居仁代表"


def test_township_staff_edit_a_grid_through_the_service_and_leave_an_audit_row(client, personas, world):
    login(client, personas, "township_staff")
    grid = world["inside"]["regions_grid"]
    url = reverse("admin:regions_grid_change", args=[grid.pk])
    form = {
        "region": grid.region_id,
        "code": grid.code,
        "name": "居仁一网格",
        "kind": grid.kind,
        "polygon": '{"type": "Polygon", "coordinates": [[[119.95, 30.5], [119.96, 30.5], [119.96, 30.51], [119.95, 30.5]]]}',
        "households": 320,
        "population": 900,
    }

    response = client.post(url, form)

    assert response.status_code == 302
    grid.refresh_from_db()
    assert (grid.name, grid.households) == ("居仁一网格", 320)
    event = AuditEvent.objects.filter(action="grid.update", object_id=str(grid.pk)).get()
    assert event.actor == personas.township_staff
    assert event.changes["name"] == ["居仁网格", "居仁一网格"]


def test_a_grid_overlapping_its_neighbour_is_refused_with_the_reason(client, personas, world):
    login(client, personas, "county_staff")
    outside = world["outside"]["regions_grid"]
    form = {
        "region": world["inside"]["regions_region"].pk,
        "code": "G-NEW",
        "name": "新网格",
        "kind": "rural",
        "polygon": '{"type": "Polygon", "coordinates": [[[120.105, 30.5], [120.2, 30.5], [120.2, 30.6], [120.105, 30.5]]]}',
        "households": 0,
        "population": 0,
    }

    response = client.post(reverse("admin:regions_grid_add"), form)

    assert response.status_code == 200
    assert f"网格边界: 与网格“{outside.name}”({outside.code})重叠" in response.content.decode()


def test_township_staff_cannot_move_a_place_to_another_township(client, personas, world, regions):
    login(client, personas, "township_staff")
    place = world["inside"]["venues_place"]
    url = reverse("admin:venues_place_change", args=[place.pk])
    response = client.get(url)
    assert str(regions.chengdong.pk) not in [
        option.split('"')[0] for option in response.content.decode().split('<option value="')[1:]
    ]

    response = client.post(
        url,
        {
            "kind": "station",
            "name": place.name,
            "region": regions.chengdong.pk,
            "is_active": "on",
            "duty_shifts-TOTAL_FORMS": "0",
            "duty_shifts-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200  # the form refuses the choice
    assert "选择一个有效的选项" in response.content.decode()
    place.refresh_from_db()
    assert place.region == world["inside"]["regions_region"]


def test_place_staff_edit_the_duty_roster_and_each_row_is_audited(client, personas, world):
    login(client, personas, "place_staff")
    place = world["inside"]["venues_place"]
    shift = world["inside"]["deputies_dutyshift"]
    deputy = world["inside"]["deputies_deputy"]
    url = reverse("admin:venues_place_change", args=[place.pk])

    response = client.post(
        url,
        {
            "duty_shifts-TOTAL_FORMS": "2",
            "duty_shifts-INITIAL_FORMS": "1",
            "duty_shifts-0-id": shift.pk,
            "duty_shifts-0-place": place.pk,
            "duty_shifts-0-date": "2026-12-01",
            "duty_shifts-0-start_time": "09:00",
            "duty_shifts-0-end_time": "11:00",
            "duty_shifts-0-deputy": deputy.pk,
            "duty_shifts-1-place": place.pk,
            "duty_shifts-1-date": "2026-12-04",
            "duty_shifts-1-start_time": "14:00",
            "duty_shifts-1-end_time": "16:30",
            "duty_shifts-1-deputy": deputy.pk,
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(place.duty_shifts.order_by("date").values_list("date", "end_time")) == [
        (datetime.date(2026, 12, 1), datetime.time(11)),
        (datetime.date(2026, 12, 4), datetime.time(16, 30)),
    ]
    actions = sorted(AuditEvent.objects.filter(actor=personas.place_staff).values_list("action", flat=True))
    assert actions == ["dutyshift.create", "dutyshift.update"]
    place.refresh_from_db()
    assert place.name == "居仁代表工作站"


def test_rotating_a_place_code_changes_only_the_code_and_is_audited(client, personas, world):
    login(client, personas, "township_staff")
    inside, outside = world["inside"]["venues_place"], world["outside"]["venues_place"]
    old_inside, old_outside = inside.public_code, outside.public_code

    response = client.post(
        reverse("admin:venues_place_changelist"),
        {"action": "rotate_public_codes", "_selected_action": [inside.pk, outside.pk]},
    )

    assert response.status_code == 302
    inside.refresh_from_db()
    outside.refresh_from_db()
    assert inside.public_code != old_inside and inside.public_url.endswith(f"/p/{inside.public_code}")
    assert outside.public_code == old_outside  # outside the scope: not even selectable
    event = AuditEvent.objects.get(action="place.rotate_code")
    assert event.changes == {"public_code": [old_inside, inside.public_code]}


def test_a_concurrent_rotation_loses_with_a_clear_conflict(world):
    from lianxin.core.errors import DomainError
    from lianxin.core.services import public_code_rotate

    deputy = world["inside"]["deputies_deputy"]
    stale = Deputy.objects.get(pk=deputy.pk)
    public_code_rotate(actor=None, obj=deputy)

    with pytest.raises(DomainError, match="公开码刚刚已被他人更换"):
        public_code_rotate(actor=None, obj=stale)
