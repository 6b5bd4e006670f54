"""A database that is away for a moment: the API answers JSON 503 with Retry-After, public pages a Chinese 503
page; persistent connections are health-checked, so a terminated backend costs a reconnect, not a failed request."""

import io

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection, connections
from django.test import Client, RequestFactory

from lianxin.accounts.roles import Role
from lianxin.accounts.services import api_token_create


def _refuse(execute, sql, params, many, context):
    # What Django raises once psycopg or sqlite3 reports the server gone (wrap_database_errors).
    raise OperationalError("server closed the connection unexpectedly")


def _refuse_regions(execute, sql, params, many, context):
    # The server goes away while the endpoint reads its data (not in a middleware before the API).
    if "regions_region" in sql:
        _refuse(execute, sql, params, many, context)
    return execute(sql, params, many, context)


def test_the_api_answers_json_503_with_retry_after_when_the_database_is_away(client, personas):
    client.force_login(personas.county_staff)

    with connection.execute_wrapper(_refuse_regions):
        response = client.get("/api/v1/regions")

    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response["Retry-After"] == "5"
    assert response.json() == {"code": "database_unavailable", "message": "系统暂时繁忙，请稍后重试", "field": None}


def test_a_public_page_answers_a_chinese_503_page_when_the_database_is_away(client, db):
    with connection.execute_wrapper(_refuse):
        response = client.get("/d/NOSUCHCODE")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "系统暂时繁忙" in response.content.decode()


def test_persistent_connections_are_health_checked():
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def _wsgi_get(path: str, token: str) -> tuple[str, dict[str, str], bytes]:
    """One request the way gunicorn makes it: through the WSGI handler, with the request signals that close or
    check the thread's connection (Django's test client switches those off)."""
    environ = RequestFactory().get(path).environ
    environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    environ["wsgi.input"] = io.BytesIO(b"")
    answer: dict[str, object] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer["status"], answer["headers"] = status, dict(headers)

    response = WSGIHandler()(environ, start_response)
    body = b"".join(response)
    response.close()
    return str(answer["status"]), answer["headers"], body  # type: ignore[return-value]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_terminate_backend is PostgreSQL's")
def test_after_pg_terminate_backend_the_next_request_reconnects_instead_of_failing(
    transactional_db, make_user, regions, monkeypatch
):
    user = make_user("county", Role.COUNTY_STAFF, regions.deqing)
    token = api_token_create(actor=None, user=user, name="test")
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 600)  # as in production (DB_CONN_MAX_AGE)
    connection.close()
    status, _, _ = _wsgi_get("/api/v1/regions", token)
    assert status.startswith("200")
    backend = connection.connection.info.backend_pid  # kept open between requests

    other = connections.create_connection("default")
    with other.cursor() as cursor:
        cursor.execute("select pg_terminate_backend(%s)", [backend])
    other.close()

    status, _, body = _wsgi_get("/api/v1/regions", token)
    assert status.startswith("200"), body
    assert connection.connection.info.backend_pid != backend
    monkeypatch.undo()
    connection.close()


@pytest.mark.parametrize(
    ("path", "kind"), [("/api/v1/regions", "application/json"), ("/d/NOSUCHCODE", "text/html")], ids=["api", "page"]
)
def test_a_database_away_before_any_view_runs_is_a_503_too_not_a_500(personas, path, kind):
    # Every statement fails, the first ones in middleware (the rate limiter's counters, the session): Django's
    # 500 handler is what sees those.
    client = Client(raise_request_exception=False)
    client.force_login(personas.county_staff)

    with connection.execute_wrapper(_refuse):
        response = client.get(path)

    assert response.status_code == 503
    assert response["Retry-After"] == "5" and response["Content-Type"].startswith(kind)
    assert "系统暂时繁忙" in response.content.decode()
