"""Abuse protection that holds across processes: the captcha's token carries no answer, one attempt per question,
limits counted in the shared store, and the client's address taken from a trusted proxy only."""

import base64
import json
import zlib

import pytest
from django.core import signing
from django.core.cache import caches

from lianxin.cases.models import Case
from lianxin.core.errors import DomainError
from lianxin.portal.tests.test_submit_and_track import form_data, submit
from lianxin.publicweb.abuse import CAPTCHA_SALT, captcha_check, captcha_new

pytestmark = pytest.mark.django_db


def _decoded_without_the_key(token: str) -> str:
    """What anyone can read from the token without the server's key (signing is not encryption)."""
    payload = token.split(":")[0]
    compressed = payload.startswith(".")
    raw = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
    return (zlib.decompress(raw) if compressed else raw).decode()


def _answer(question: str) -> int:
    a, op, b = question.replace("等于几？", "").split()
    return int(a) + int(b) if op == "加" else int(a) - int(b)


def test_decoding_the_captcha_token_reveals_no_answer():
    for _ in range(30):
        captcha = captcha_new()
        answer = _answer(captcha.question)
        data = json.loads(_decoded_without_the_key(captcha.token))
        assert set(data) == {"n", "h"}  # a nonce and a MAC, nothing else
        assert "a" not in data and answer not in data.values() and str(answer) not in data.values()
        assert signing.loads(captcha.token, salt=CAPTCHA_SALT) == data


def test_the_right_answer_passes_once():
    captcha = captcha_new()
    captcha_check(token=captcha.token, answer=str(_answer(captcha.question)))
    with pytest.raises(DomainError) as replay:
        captcha_check(token=captcha.token, answer=str(_answer(captcha.question)))
    assert replay.value.code == "captcha_expired"


def test_a_wrong_answer_uses_the_question_up_so_answers_cannot_be_tried_one_by_one():
    captcha = captcha_new()
    answer = _answer(captcha.question)
    with pytest.raises(DomainError) as wrong:
        captcha_check(token=captcha.token, answer=str(answer + 1))
    assert wrong.value.code == "captcha_wrong"
    with pytest.raises(DomainError) as second:
        captcha_check(token=captcha.token, answer=str(answer))
    assert second.value.code == "captcha_expired"


def test_a_used_captcha_is_remembered_in_the_shared_store_not_in_process_memory():
    captcha = captcha_new()
    captcha_check(token=captcha.token, answer=str(_answer(captcha.question)))
    nonce = signing.loads(captcha.token, salt=CAPTCHA_SALT)["n"]
    # Another worker process has its own cache objects; it sees the mark through the database.
    assert caches.create_connection("ratelimit").get(f"portal:captcha:{nonce}") is not None  # the holder's form


def test_the_submission_limit_is_counted_in_the_shared_store_whatever_the_process(client, world, settings):
    settings.PORTAL_RATE_SUBMIT_IP = (2, 3600)
    url = f"/d/{world.deputy.public_code}/submit"
    assert submit(client, url, person_phone="").status_code == 302
    # The local-memory cache of "this process" is emptied, as if the next request reached another worker.
    caches["default"].clear()
    assert submit(client, url, person_phone="", person_name="").status_code == 302
    caches["default"].clear()
    refused = submit(client, url, person_phone="", person_name="")
    assert refused.status_code == 429 and "提交太频繁" in refused.content.decode()
    assert Case.objects.count() == 2


def test_behind_a_trusted_proxy_each_citizen_has_a_limit_of_their_own(client, world, settings):
    settings.PORTAL_RATE_SUBMIT_IP = (1, 3600)
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    url = f"/d/{world.deputy.public_code}/submit"
    for n in range(1, 4):  # three citizens through the same nginx
        page = client.get(url).content.decode()
        data = form_data(page, person_phone="", person_name="")
        response = client.post(url, data, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        assert response.status_code == 302
    page = client.get(url).content.decode()
    again = client.post(
        url, form_data(page, person_phone="", person_name=""), HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1"
    )
    assert again.status_code == 429  # the forged left-most address changes nothing
    assert Case.objects.count() == 3


def test_receipt_pages_are_rate_limited_like_tracking(client, world, settings):
    settings.PORTAL_RATE_TRACK_IP = (3, 3600)
    response = submit(client, f"/d/{world.deputy.public_code}/submit")
    receipt = response["Location"]
    assert [client.get(receipt).status_code for _ in range(2)] == [200, 200]
    assert client.get("/receipt/NOSUCHCODE").status_code == 404
    refused = client.get(receipt)
    assert refused.status_code == 429 and "太频繁" in refused.content.decode()
