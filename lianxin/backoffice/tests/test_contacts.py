"""Issue 12, item 3: the back office applies the API's contact rule (view_contacts where the object lives).

The unit handler (承办单位经办人) of 德清县 may open the registry but not see phones, ID numbers or addresses;
township staff of 武康街道 see them for 武康 and nothing of 乾元镇.
"""

import io

import openpyxl
import pytest
from django.urls import reverse

from lianxin.deputies.models import Deputy, DeputyGroup, GridWorker, GroupKind, Household, Mandate, MandateLevel
from lianxin.regions.services import grid_save
from lianxin.testing import square

DEPUTY_ID = "330521198001011234"
WORKER_ID = "33052119900202123X"


@pytest.fixture
def registry(regions):
    grid = grid_save(actor=None, region=regions.jueren, code="G-1", name="居仁一网格", polygon=square(119.95, 30.5))
    deputy = Deputy.objects.create(
        name="王代表", gender="female", phone="13900000001", id_number=DEPUTY_ID, address="永安街160号3单元501室"
    )
    Mandate.objects.create(
        deputy=deputy,
        level=MandateLevel.COUNTY,
        congress_region=regions.deqing,
        term=17,
        district_region=regions.jueren,
    )
    worker = GridWorker.objects.create(name="李网格员", grid=grid, phone="13700000002", id_number=WORKER_ID)
    group = DeputyGroup.objects.create(
        kind=GroupKind.SUPERVISION, name="居仁监督小组", region=regions.jueren, liaison_phone="13600000003"
    )
    return {"deputy": deputy, "worker": worker, "group": group}


def export(client, model: str, pks: list[int]):
    url = reverse(f"admin:deputies_{model}_changelist")
    return client.post(url, {"action": "export_xlsx", "_selected_action": pks})


def cells(response) -> str:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return " ".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None)


def test_a_unit_handler_sees_no_phone_column_on_the_deputy_and_grid_worker_lists(client, personas, registry):
    client.force_login(personas.unit_handler)

    deputies = client.get(reverse("admin:deputies_deputy_changelist"))
    workers = client.get(reverse("admin:deputies_gridworker_changelist"))

    assert deputies.status_code == workers.status_code == 200
    assert "王代表" in deputies.content.decode() and "李网格员" in workers.content.decode()
    for body in (deputies.content.decode(), workers.content.decode()):
        assert "1390000000" not in body and "1370000000" not in body
        assert "手机号" not in body


def test_a_unit_handler_cannot_find_a_deputy_by_id_number_or_phone(client, personas, registry):
    client.force_login(personas.unit_handler)

    by_id = client.get(reverse("admin:deputies_deputy_changelist"), {"q": DEPUTY_ID})
    by_phone = client.get(reverse("admin:deputies_gridworker_changelist"), {"q": "13700000002"})

    assert by_id.context["cl"].result_count == 0
    assert by_phone.context["cl"].result_count == 0


def test_a_unit_handler_opens_change_forms_without_id_number_phone_or_address(client, personas, registry):
    client.force_login(personas.unit_handler)

    deputy = client.get(reverse("admin:deputies_deputy_change", args=[registry["deputy"].pk]))
    worker = client.get(reverse("admin:deputies_gridworker_change", args=[registry["worker"].pk]))
    group = client.get(reverse("admin:deputies_deputygroup_change", args=[registry["group"].pk]))

    assert deputy.status_code == worker.status_code == group.status_code == 200
    for response in (deputy, worker, group):
        body = response.content.decode()
        for secret in (DEPUTY_ID, WORKER_ID, "13900000001", "13700000002", "13600000003", "永安街160号"):
            assert secret not in body
    assert not {"id_number", "phone", "address"} & set(deputy.context["adminform"].form.fields)


def test_township_staff_still_see_and_edit_contacts_in_their_township(client, personas, registry):
    client.force_login(personas.township_staff)

    response = client.get(reverse("admin:deputies_deputy_change", args=[registry["deputy"].pk]))

    assert {"id_number", "phone", "address"} <= set(response.context["adminform"].form.fields)
    assert "13900000001" in client.get(reverse("admin:deputies_deputy_changelist")).content.decode()


def test_the_deputy_excel_export_works_for_staff_with_contacts(client, personas, registry):
    client.force_login(personas.county_staff)

    response = export(client, "deputy", [registry["deputy"].pk])

    assert response.status_code == 200
    assert DEPUTY_ID in cells(response) and "13900000001" in cells(response)


@pytest.mark.parametrize("model", ["deputy", "gridworker", "deputygroup"])
def test_a_unit_handler_exports_no_contact_columns(client, personas, registry, model):
    client.force_login(personas.unit_handler)
    obj = {"deputy": registry["deputy"], "gridworker": registry["worker"], "deputygroup": registry["group"]}[model]

    response = export(client, model, [obj.pk])

    assert response.status_code == 200
    exported = cells(response)
    assert obj.name in exported
    for secret in (DEPUTY_ID, WORKER_ID, "13900000001", "13700000002", "13600000003", "身份证号", "手机号", "电话"):
        assert secret not in exported


def test_an_export_by_a_user_without_the_back_office_is_refused(client, personas, registry):
    client.force_login(personas.deputy)

    response = export(client, "gridworker", [registry["worker"].pk])

    assert response.status_code == 302  # to the login page
    assert response["Content-Type"] != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_unit_handler_sees_households_without_their_address_or_phone(client, personas, registry):
    household = Household.objects.create(
        grid=registry["worker"].grid, head_name="赵户主", address="居仁路8号2单元301室", phone="13500000004"
    )
    client.force_login(personas.unit_handler)

    listed = client.get(reverse("admin:deputies_household_changelist")).content.decode()
    opened = client.get(reverse("admin:deputies_household_change", args=[household.pk])).content.decode()

    assert "赵户主" in listed and "赵户主" in opened
    for body in (listed, opened):
        assert "居仁路8号" not in body and "13500000004" not in body
