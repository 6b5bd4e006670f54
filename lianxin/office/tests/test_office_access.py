import pytest

pytestmark = pytest.mark.django_db


def test_anonymous_goes_to_the_staff_login(client):
    response = client.get("/office/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=%2Foffice%2F"


def test_an_account_without_back_office_is_refused(client, personas):
    client.force_login(personas.no_role)
    assert client.get("/office/").status_code == 403


def test_staff_see_the_layout_with_their_menu(client, personas):
    client.force_login(personas.county_staff)
    response = client.get("/office/")
    assert response.status_code == 200
    assert 'aria-current="page"' in response.content.decode()
