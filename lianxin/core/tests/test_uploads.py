"""Bodies are refused by their declared size before anything reads them: the portal's photo form, the import forms,
and every request past UPLOAD_MAX_BYTES. The test client's payload raises if read past what it holds, so a refusal
that read the body would fail loudly."""

import pytest

from lianxin.backoffice.spreadsheets import IMPORT_MAX_BYTES
from lianxin.cases.models import Case
from lianxin.deputies.models import Deputy
from lianxin.portal.views import OPINION_MAX_BYTES

pytestmark = pytest.mark.django_db

BOUNDARY = "----lianxin"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
BODY = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="text"\r\n\r\nhi\r\n--{BOUNDARY}--\r\n'.encode()


def declaring(client, url: str, size: int, **extra):
    """A POST that says it carries `size` bytes and holds only a few."""
    return client.generic("POST", url, BODY, content_type=MULTIPART, CONTENT_LENGTH=str(size), **extra)


def test_a_200_mb_opinion_is_refused_before_it_is_read(client, regions):
    response = declaring(client, "/d/ANYCODE123/submit", 200 * 1024 * 1024)
    assert response.status_code == 413
    page = response.content.decode()
    assert "提交的内容过大" in page and "64MB" in page and 'href="/home/"' in page
    assert Case.objects.count() == 0


def test_the_opinion_form_has_a_cap_of_its_own_below_the_site_wide_one(client, settings, regions):
    settings.UPLOAD_MAX_BYTES = 500 * 1024 * 1024
    response = declaring(client, "/d/ANYCODE123/submit", OPINION_MAX_BYTES + 1)
    assert response.status_code == 413 and "61MB" in response.content.decode()


def test_an_import_form_refuses_a_file_past_its_cap_unread(client, personas):
    client.force_login(personas.county_staff)
    response = declaring(client, "/admin/deputies/deputy/import/", IMPORT_MAX_BYTES + 1)
    assert response.status_code == 413 and "11MB" in response.content.decode()
    assert Deputy.objects.count() == 0


def test_the_api_answers_a_too_large_body_in_json(client, db):
    response = declaring(client, "/api/v1/cases", 100 * 1024 * 1024)
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large" and "64MB" in response.json()["message"]


def test_bodies_within_the_limits_are_read_as_before(client, regions):
    response = client.post("/d/NOSUCHCODE/submit", {"text": "你好"})
    assert response.status_code == 404  # the view ran (no such deputy), the body was accepted
