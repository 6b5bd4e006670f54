"""/api/v1/drafts and /api/v1/drafts/{id}/comments: what each caller reads (published drafts; the unpublished ones
and hidden comments only for the draft's staff; never a phone) and the deputy's comment with its bad inputs."""

import json

import pytest

from lianxin.legislation import services
from lianxin.legislation.models import Comment
from lianxin.legislation.services import Author, comment_submit

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def unpublished(world, personas):
    return services.draft_create(
        actor=personas.county_staff,
        contact_point=world.point,
        title="未发布的草案",
        text="第一条 甲。",
        opens_on=world.today,
        closes_on=world.today,
    )


@pytest.fixture
def hidden(world, personas):
    comment = comment_submit(
        draft=world.draft, section_id=None, text="屏蔽的原文", author=Author(person_phone="13700001234")
    )
    return services.comment_hide(actor=personas.township_staff, comment=comment, reason="广告")


def get(client, user, path, **params):
    client.logout()
    client.force_login(user)
    return client.get(f"{API}{path}", params)


def post(client, user, path, body):
    client.logout()
    client.force_login(user)
    return client.post(f"{API}{path}", json.dumps(body), content_type="application/json")


def test_the_api_needs_a_caller(client, world):
    assert client.get(f"{API}/drafts").status_code == 401


def test_the_list_shows_published_drafts_and_the_staffs_unpublished_ones(client, world, personas, unpublished):
    titles = lambda user: [d["title"] for d in get(client, user, "/drafts").json()["items"]]  # noqa: E731
    assert world.draft.title in titles(personas.deputy)
    assert "未发布的草案" not in titles(personas.deputy)
    assert "未发布的草案" not in titles(personas.outsider)  # staff of another township
    assert "未发布的草案" in titles(personas.township_staff)
    assert get(client, personas.deputy, f"/drafts/{unpublished.pk}").status_code == 404


def test_the_detail_carries_the_sections_and_their_counts(client, world, personas):
    first = world.articles[0]
    comment_submit(draft=world.draft, section_id=first.pk, text="意见", author=Author(participant="b:1"))
    body = get(client, personas.deputy, f"/drafts/{world.draft.pk}").json()
    assert body["comment_count"] == 1 and body["accepting_comments"] is True
    assert body["hidden_count"] is None
    sections = {s["label"]: s for s in body["sections"]}
    assert sections["第一条"]["comment_count"] == 1
    assert sections["第一条"]["parent_id"] == sections["第一章"]["id"]
    assert [s["level"] for s in body["sections"]][:2] == ["chapter", "article"]


def test_hidden_comments_and_phones_never_reach_the_public(client, world, personas, hidden):
    comment_submit(draft=world.draft, section_id=None, text="公开的意见", author=Author(person_phone="13700001234"))
    response = get(client, personas.deputy, f"/drafts/{world.draft.pk}/comments")
    raw = response.content.decode()
    assert [c["text"] for c in response.json()["items"]] == ["公开的意见"]
    assert "屏蔽的原文" not in raw and "13700001234" not in raw and "广告" not in raw
    outsider = get(client, personas.outsider, f"/drafts/{world.draft.pk}/comments").content.decode()
    assert "屏蔽的原文" not in outsider


def test_the_drafts_staff_read_hidden_comments_with_their_reason(client, world, personas, hidden):
    items = get(client, personas.township_staff, f"/drafts/{world.draft.pk}/comments").json()["items"]
    assert [(c["text"], c["status"], c["hidden_reason"]) for c in items] == [("屏蔽的原文", "hidden", "广告")]
    assert "13700001234" not in json.dumps(items)
    assert get(client, personas.township_staff, f"/drafts/{world.draft.pk}").json()["hidden_count"] == 1


def test_a_deputy_comments_through_the_api(client, world, personas):
    article = world.articles[2]
    response = post(
        client,
        personas.deputy,
        f"/drafts/{world.draft.pk}/comments",
        {"section_id": article.pk, "text": "建议增加“大件垃圾”。", "quote_start": 0, "quote_end": 6},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["author"], body["is_deputy"], body["section_label"]) == ("沈立法 代表", True, "第三条")
    assert body["quote_text"] == article.text[:6]


def test_only_deputies_comment_through_the_api(client, world, personas):
    response = post(client, personas.county_staff, f"/drafts/{world.draft.pk}/comments", {"text": "意见"})
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_bad_input_gets_its_code(client, world, personas):
    path = f"/drafts/{world.draft.pk}/comments"
    missing = post(client, personas.deputy, path, {"section_id": 999999, "text": "意见"})
    assert (missing.status_code, missing.json()["code"]) == (404, "article_not_found")
    empty = post(client, personas.deputy, path, {"text": " "})
    assert (empty.status_code, empty.json()["code"], empty.json()["field"]) == (400, "field_required", "text")
    long = post(client, personas.deputy, path, {"text": "长" * 2001})
    assert (long.status_code, long.json()["code"]) == (400, "field_too_long")
    services.draft_transition(actor=personas.township_staff, draft=world.draft, action="close")
    closed = post(client, personas.deputy, path, {"text": "意见"})
    assert (closed.status_code, closed.json()["code"]) == (400, "comment_period_closed")
    assert "截止" in closed.json()["message"]
    assert not Comment.objects.exists()


def test_the_list_asks_the_same_number_of_queries_for_more_drafts(client, world, personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        client.force_login(personas.township_staff)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{API}/drafts").status_code == 200
        return len(queries)

    one = count()
    for n in range(5):
        draft = services.draft_create(
            actor=personas.county_staff,
            contact_point=world.point,
            title=f"草案{n}",
            text="第一条 甲。",
            opens_on=world.today,
            closes_on=world.today,
        )
        comment_submit(
            draft=services.draft_transition(actor=personas.county_staff, draft=draft, action="publish"),
            section_id=None,
            text="意见",
            author=Author(participant="b:1"),
        )
    assert count() == one
    items = get(client, personas.township_staff, "/drafts").json()["items"]
    assert {d["title"]: d["comment_count"] for d in items}["草案0"] == 1
