"""The workbench's own login page lands on the workbench, honouring a safe ?next= only."""

import pytest

pytestmark = pytest.mark.django_db

CREDENTIALS = {"username": "deputy", "password": "pw-for-tests-only"}


def test_logging_in_lands_on_the_workbench_home(client, world):
    response = client.post("/w/login/", CREDENTIALS)
    assert response.status_code == 302
    assert response["Location"] == "/w/"
    assert client.get(response["Location"]).status_code == 200


def test_logging_in_follows_a_next_page_on_this_site(client, world):
    response = client.post("/w/login/?next=/w/diary", CREDENTIALS)
    assert response["Location"] == "/w/diary"
    response = client.post("/w/login/", {**CREDENTIALS, "next": "/w/diary"})
    assert response["Location"] == "/w/diary"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/w/", "/\\evil.example"])
def test_logging_in_ignores_a_next_page_on_another_site(client, world, target):
    response = client.post("/w/login/", {**CREDENTIALS, "next": target})
    assert response["Location"] == "/w/"


def test_a_logged_in_visitor_of_the_login_page_goes_to_the_workbench(client, world, personas):
    client.force_login(personas.deputy)
    response = client.get("/w/login/")
    assert response.status_code == 302 and response["Location"] == "/w/"
