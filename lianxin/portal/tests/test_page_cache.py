"""Public pages under a QR campaign: served from the page cache, compressed, revalidated by ETag, at most a
minute stale (lianxin/core/pagecache.py)."""

import gzip

import time_machine
from django.http import HttpResponse
from django.utils import timezone

from lianxin.core.pagecache import _key, public_page


def test_a_deputys_page_is_rendered_once_then_served_from_the_cache_without_a_query(
    client, world, page_cache, django_assert_num_queries
):
    url = f"/d/{world.deputy.public_code}"
    first = client.get(url)
    assert first.status_code == 200 and "沈建国" in first.content.decode()

    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.status_code == 200 and again.content == first.content
    assert again["ETag"] and again["Last-Modified"]
    assert "max-age=30" in again["Cache-Control"] and "public" in again["Cache-Control"]


def test_a_phone_that_has_the_page_gets_a_304_without_a_body(client, world, page_cache):
    url = f"/p/{world.place.public_code}"
    etag = client.get(url)["ETag"]

    answer = client.get(url, headers={"if-none-match": etag})

    assert answer.status_code == 304 and answer.content == b""
    assert answer["ETag"] == etag


def test_the_page_is_sent_compressed_to_a_browser_that_accepts_gzip(client, world, page_cache):
    url = f"/d/{world.deputy.public_code}"
    plain = client.get(url).content

    answer = client.get(url, headers={"accept-encoding": "gzip, deflate, br"})

    assert answer["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in answer["Vary"]
    assert gzip.decompress(answer.content) == plain and len(answer.content) < len(plain)


def test_a_change_reaches_the_public_page_within_a_minute(client, world, page_cache):
    url = f"/d/{world.deputy.public_code}"
    assert "村医" in client.get(url).content.decode()
    world.deputy.occupation = "乡村教师"
    world.deputy.save(update_fields=["occupation"])

    assert "村医" in client.get(url).content.decode()  # still the kept page, for a few seconds
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=26)):
        page = client.get(url).content.decode()
    assert "乡村教师" in page and "村医" not in page


def test_a_page_that_sets_a_cookie_or_fails_is_never_kept(rf, page_cache):
    calls = []

    @public_page
    def personal(request):
        calls.append(1)
        response = HttpResponse("表单")
        response.set_cookie("csrftoken", "one-persons-token")
        return response

    @public_page
    def missing(request):
        calls.append(1)
        return HttpResponse("没有", status=404)

    for view in (personal, personal, missing, missing):
        view(rf.get("/x"))
    assert len(calls) == 4
    assert not page_cache.get(_key(rf.get("/x")))


def test_different_queries_are_different_pages(client, world, page_cache):
    everything = client.get("/results/").content
    nothing = client.get("/results/?q=没有这样的结果").content
    assert everything != nothing


def test_while_one_request_renders_an_aged_page_the_others_still_get_the_kept_one(client, world, page_cache):
    url = f"/d/{world.deputy.public_code}"
    client.get(url)
    world.deputy.occupation = "乡村教师"
    world.deputy.save(update_fields=["occupation"])
    later = timezone.now() + timezone.timedelta(seconds=26)
    page_cache.add(_key(client.get(url).wsgi_request) + ":rendering", 1, 30)  # another thread is rendering it

    with time_machine.travel(later):
        assert "村医" in client.get(url).content.decode()
        page_cache.delete(_key(client.get(url).wsgi_request) + ":rendering")
        assert "乡村教师" in client.get(url).content.decode()
