"""Issue 12, item 6: linking a login account to a deputy is a permission of its own, audited, one deputy per
account. A county user once linked a deputy to their own account and voted as him."""

import pytest
from django.db import IntegrityError
from django.urls import reverse

from lianxin.accounts.roles import Role
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.models import AuditEvent
from lianxin.deputies.models import Deputy, Mandate, MandateLevel
from lianxin.deputies.services import deputy_account_link


def make_deputy(regions, name: str) -> Deputy:
    deputy = Deputy.objects.create(name=name, gender="male")
    Mandate.objects.create(
        deputy=deputy,
        level=MandateLevel.COUNTY,
        congress_region=regions.deqing,
        term=17,
        district_region=regions.jueren,
    )
    return deputy


@pytest.fixture
def deputy(regions):
    return make_deputy(regions, "王代表")


def test_county_staff_who_edit_deputies_cannot_link_an_account_not_even_their_own(client, personas, deputy):
    with pytest.raises(PermissionDenied):
        deputy_account_link(actor=personas.county_staff, deputy=deputy, account=personas.county_staff)
    client.force_login(personas.county_staff)

    page = client.get(reverse("admin:deputies_deputy_change", args=[deputy.pk]))
    posted = client.post(reverse("admin:deputies_deputy_account", args=[deputy.pk]), {"username": "county_staff"})

    assert page.status_code == 200
    assert "user" not in page.context["adminform"].form.fields
    assert posted.status_code == 403
    deputy.refresh_from_db()
    assert deputy.user_id is None
    assert not AuditEvent.objects.filter(action="deputy.account_link").exists()


def test_saving_the_deputy_form_with_a_user_field_does_not_link_it(client, personas, deputy):
    client.force_login(personas.county_staff)
    url = reverse("admin:deputies_deputy_change", args=[deputy.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data |= {"name": "王代表", "gender": "male", "user": personas.county_staff.pk, "specialties": "[]"}
    for prefix in ("mandates", "grid_assignments", "worker_pairings"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    deputy.refresh_from_db()
    assert deputy.user_id is None


def test_an_admin_links_an_account_on_its_own_page_and_the_change_is_audited(
    client, personas, regions, deputy, make_user
):
    account = make_user("wang", Role.DEPUTY, regions.wukang)
    client.force_login(personas.admin)

    response = client.post(reverse("admin:deputies_deputy_account", args=[deputy.pk]), {"username": "wang"})

    assert response.status_code == 302
    deputy.refresh_from_db()
    assert deputy.user == account
    event = AuditEvent.objects.get(action="deputy.account_link")
    assert (event.actor, event.object_id, event.changes) == (
        personas.admin,
        str(deputy.pk),
        {"user": [None, account.pk]},
    )

    deputy_account_link(actor=personas.admin, deputy=deputy, account=None)
    assert AuditEvent.objects.get(action="deputy.account_unlink").changes == {"user": [account.pk, None]}


def test_an_account_acts_for_at_most_one_deputy(personas, regions, deputy, make_user):
    account = make_user("wang", Role.DEPUTY, regions.wukang)
    other = make_deputy(regions, "李代表")
    deputy_account_link(actor=personas.admin, deputy=deputy, account=account)

    with pytest.raises(DomainError) as refused:
        deputy_account_link(actor=personas.admin, deputy=other, account=account)
    assert refused.value.code == "deputy_account_taken"
    other.user = account
    with pytest.raises(IntegrityError):
        other.save()


def test_an_admin_cannot_link_their_own_account_or_one_outside_their_scope(personas, regions, deputy, make_user):
    township_admin = make_user("township_admin", Role.ADMIN, regions.wukang)
    county_account = make_user("county_clerk", Role.COUNTY_STAFF, regions.deqing)

    with pytest.raises(DomainError):
        deputy_account_link(actor=township_admin, deputy=deputy, account=township_admin)
    with pytest.raises(PermissionDenied):
        deputy_account_link(actor=township_admin, deputy=deputy, account=county_account)
    deputy.refresh_from_db()
    assert deputy.user_id is None


def test_a_grid_workers_login_account_is_chosen_only_among_accounts_one_manages(client, personas, regions, make_user):
    from lianxin.deputies.models import GridWorker
    from lianxin.regions.services import grid_save
    from lianxin.testing import square

    grid = grid_save(actor=None, region=regions.jueren, code="G-1", name="居仁一网格", polygon=square(119.95, 30.5))
    account = make_user("li_grid", Role.GRID_WORKER, regions.jueren)
    worker = GridWorker.objects.create(name="李网格员", grid=grid, phone="13700000002", user=account)
    url = reverse("admin:deputies_gridworker_change", args=[worker.pk])
    client.force_login(personas.county_staff)  # edits the registry, manages no accounts

    form = client.get(url).context["adminform"].form
    data = {"name": "李网格员", "gender": "", "grid": grid.pk, "id_number": "", "phone": "13700000009",
            "is_active": "on", "user": personas.county_staff.pk,
            "deputy_pairings-TOTAL_FORMS": "0", "deputy_pairings-INITIAL_FORMS": "0"}  # fmt: skip
    response = client.post(url, data)

    assert "user" not in form.fields
    assert response.status_code == 302
    worker.refresh_from_db()
    assert (worker.phone, worker.user) == ("13700000009", account)
