"""Staff reach the API with their session or with a bearer token; anything else is a 401."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from lianxin.accounts.models import ApiToken
from lianxin.accounts.services import api_token_create

URL = "/api/v1/deputies"
NOT_AUTHENTICATED = {
    "code": "not_authenticated",
    "message": "请先登录，或在 Authorization 头中提供有效的访问令牌",
    "field": None,
}


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_it_accepts_a_session(world, personas, client):
    client.force_login(personas.township_staff)
    response = client.get(URL)
    assert response.status_code == 200
    assert [item["name"] for item in response.json()["items"]] == ["王丽"]


def test_it_accepts_a_bearer_token_and_scopes_by_its_user(world, personas):
    token = api_token_create(actor=None, user=personas.township_staff, name="测试")
    response = Client().get(URL, **bearer(token))
    assert response.status_code == 200
    assert [item["name"] for item in response.json()["items"]] == ["王丽"]
    assert ApiToken.objects.get(user=personas.township_staff).last_used_at is not None


def test_a_bearer_token_needs_no_csrf_token(world, personas):
    token = api_token_create(actor=None, user=personas.county_staff)
    response = Client(enforce_csrf_checks=True).get(URL, **bearer(token))
    assert response.status_code == 200


@pytest.mark.parametrize("header", ["Bearer lx_not-a-real-token", "Bearer ", "Token abc", "Basic Zm9vOmJhcg=="])
def test_it_refuses_a_bad_token(world, header):
    response = Client().get(URL, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED


def test_it_refuses_a_revoked_token(world, personas):
    token = api_token_create(actor=None, user=personas.county_staff)
    ApiToken.objects.update(revoked_at=timezone.now())
    response = Client().get(URL, **bearer(token))
    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED


def test_it_refuses_the_token_of_a_deactivated_user(world, personas):
    token = api_token_create(actor=None, user=personas.county_staff)
    personas.county_staff.is_active = False
    personas.county_staff.save(update_fields=["is_active"])
    assert Client().get(URL, **bearer(token)).status_code == 401


def test_it_refuses_anonymous_requests(world):
    response = Client().get(URL)
    assert response.status_code == 401
    assert response.json() == NOT_AUTHENTICATED
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_create_api_token_prints_a_usable_token(world, personas):
    out = StringIO()
    call_command("create_api_token", "county_staff", "--name", "数据大屏", stdout=out)
    token = out.getvalue().strip()
    assert token.startswith("lx_")
    response = Client().get(URL, **bearer(token))
    assert response.status_code == 200
    assert response.json()["count"] == 2  # 王丽 in 武康 and 李强 in 乾元


def test_the_openapi_document_is_public(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "连心 API"


def test_answers_are_utf8_json_with_chinese_as_is(client):
    response = client.get("/api/v1/regions")

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "请先登录".encode() in response.content
