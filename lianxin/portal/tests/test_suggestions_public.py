"""The public query of deputies' suggestions (/suggestions/) and the trace on a case's tracking page: published
suggestions only, nothing personal or internal, unpublished ones as absent as numbers that do not exist."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lianxin.cases.workflow import case_transition
from lianxin.suggestions.models import Suggestion, UnitRole
from lianxin.suggestions.tests.conftest import world  # noqa: F401 - the suggestions' world, not the portal's

PHONE = "13957211234"
PRIVATE_CONTENT = "建议修复城东路，王秀英反映多次，电话13957211234。"


def lead_part(s):
    return s.units.get(role=UnitRole.LEAD, is_active=True)


def co_part(s):
    return s.units.get(role=UnitRole.CO, is_active=True)


def reply(world, personas, s, reply_class="A", text="已列入明年计划，正在设计施工图。", **extra):  # noqa: F811
    world.act(s, "reply", personas.unit_handler, assignment=lead_part(s).pk, reply_class=reply_class,
              reply_text=text, signed_by="王局长", **extra)  # fmt: skip


@pytest.fixture
def published(world, personas):  # noqa: F811
    """A suggestion grown from 王秀英's case, with her name and phone in its content, replied A and published."""
    case = world.case()
    case_transition(case=case, action="accept", actor=personas.county_staff, params={"category": "transport"})
    s = world.assigned(content=PRIVATE_CONTENT, case_ids=[case.pk], public_consent=True)
    world.act(s, "co_opinion", world.other_handler, assignment=co_part(s).pk, opinion="协办意见：住建局配合迁移管线。")
    new_due = lead_part(s).due_date + datetime.timedelta(days=10)
    world.act(s, "extend", assignment=lead_part(s).pk, due_date=new_due.isoformat(), reason="内部原因：等待财政批复")
    world.act(s, "mark_key", leader_name="李副主任")
    world.act(s, "key_note", text="督办会内部意见：资金缺口五百万")
    reply(world, personas, s)
    world.act(s, "publish")
    s.refresh_from_db()
    s.case = case
    return s


@pytest.fixture
def unpublished(world):  # noqa: F811
    """Assigned, consented, not published: a number exists but nothing of it is public."""
    return world.assigned(
        title="关于解决未公开小区停车难的建议", content="未公开的内容，电话13800001111。", public_consent=True
    )


def detail_url(s: Suggestion) -> str:
    return reverse("portal:suggestion", args=[s.session_id, s.kind, s.number])


def test_the_list_shows_published_suggestions_with_number_status_units_and_reply_class(client, published, unpublished):
    page = client.get("/suggestions/")
    html = page.content.decode()

    assert page.status_code == 200
    assert published.public_title in html and "第1号建议" in html
    assert "已答复" in html and "沈建国（领衔代表）" in html
    assert "县交通运输局（主办，A类答复）" in html and "县住建局（协办）" in html
    assert 'id="count">共 1 件' in html
    assert detail_url(published) in html
    assert unpublished.title not in html and detail_url(unpublished) not in html


def test_the_detail_shows_the_published_text_without_phone_citizen_or_internal_notes(client, published):
    html = client.get(detail_url(published)).content.decode()

    assert published.public_title in html
    assert "已列入明年计划，正在设计施工图。" in html  # the reply published with it
    assert "A类答复" in html
    for private in (PHONE, "王秀英", "协办意见：住建局配合迁移管线", "王局长", published.case.receipt_code,
                    "内部原因", "李副主任", "资金缺口"):  # fmt: skip
        assert private not in html
    assert "重点督办" in html


def test_a_phone_typed_into_the_public_text_by_hand_is_still_hidden(client, world, personas, published):  # noqa: F811
    world.act(published, "publish", public_text=f"公开说明：请联系 {PHONE}。")
    html = client.get(detail_url(published)).content.decode()
    assert PHONE not in html and "公开说明" in html


def test_an_unpublished_suggestion_is_a_404_like_a_number_that_does_not_exist(client, published, unpublished):
    missing = client.get(reverse("portal:suggestion", args=[published.session_id, "suggestion", 999]))
    hidden = client.get(detail_url(unpublished))
    wrong_kind = client.get(reverse("portal:suggestion", args=[published.session_id, "bill", published.number]))
    by_id = client.get(f"/suggestions/{unpublished.pk}")

    assert missing.status_code == hidden.status_code == wrong_kind.status_code == by_id.status_code == 404
    assert hidden.content == missing.content
    assert unpublished.title.encode() not in hidden.content


def test_without_consent_a_published_suggestion_is_not_shown(client, published):
    Suggestion.objects.filter(pk=published.pk).update(public_consent=False)
    assert client.get(detail_url(published)).status_code == 404
    assert published.public_title not in client.get("/suggestions/").content.decode()


def test_searching_finds_only_published_text_so_private_words_find_nothing(client, published, unpublished):
    found = client.get("/suggestions/", {"q": "道路改造"}).content.decode()
    assert published.public_title in found

    for secret in (PHONE, "王秀英", "内部原因", "资金缺口", "停车难", "13800001111", "王局长"):
        html = client.get("/suggestions/", {"q": secret}).content.decode()
        assert 'id="count">共 0 件' in html, secret


def test_filters_by_session_status_class_and_region(client, world, personas, published, regions):  # noqa: F811
    other = world.assigned(title="关于公交站台加装雨棚的建议", public_consent=True)
    world.act(other, "co_opinion", world.other_handler, assignment=co_part(other).pk, opinion="同意")
    reply(world, personas, other, reply_class="C", text="因用地限制，暂不能加装雨棚，明年再行研究。")
    world.act(other, "publish")

    def titles(**params):
        html = client.get("/suggestions/", params).content.decode()
        return {s.public_title for s in (published, other) if s.public_title in html}

    both = {published.public_title, other.public_title}
    assert titles() == both
    assert titles(**{"class": "C"}) == {other.public_title}
    assert titles(**{"class": "A"}) == {published.public_title}
    assert titles(status="replied") == both and titles(status="closed") == set()
    assert titles(session=str(world.session.pk)) == both
    assert titles(region=regions.deqing.code) == both
    assert titles(status="draft") == both  # a status a published suggestion cannot have is ignored, not an error


def test_a_reply_given_after_publication_is_not_shown_until_published_again(client, world, personas, published):  # noqa: F811
    world.act(published, "rate", personas.deputy, assignment=lead_part(published).pk, rating="unsatisfied",
              comment="未解决积水问题")  # fmt: skip
    reply(world, personas, published, reply_class="C", text="新的答复：因资金原因暂缓。")
    html = client.get(detail_url(published)).content.decode()
    assert "新的答复" not in html and "C类答复" not in html and "未解决积水问题" not in html
    assert 'id="count">共 0 件' in client.get("/suggestions/", {"class": "C"}).content.decode()

    world.act(published, "publish")
    assert "C类答复" in client.get(detail_url(published)).content.decode()


def test_the_case_tracking_page_follows_the_suggestion_it_became(client, world, personas):  # noqa: F811
    case = world.case()
    case_transition(case=case, action="accept", actor=personas.county_staff, params={"category": "transport"})
    s = world.draft(case_ids=[case.pk], public_consent=True, content=PRIVATE_CONTENT)
    assert "已转为代表建议" not in client.get(f"/track/{case.receipt_code}").content.decode()  # a draft is not shown

    world.act(s, "submit", personas.deputy)
    html = client.get(f"/track/{case.receipt_code}").content.decode()
    assert "已转为代表建议（尚未编号）（领衔代表 沈建国）" in html and "待预审" in html
    assert s.title not in html  # the suggestion's title stays private until published

    world.act(s, "pass")
    world.act(s, "accept")
    world.act(s, "assign", units=[{"unit": world.transport.pk, "role": "lead"}])
    html = client.get(f"/track/{case.receipt_code}").content.decode()
    assert "已转为代表建议 第1号（领衔代表 沈建国）" in html and "办理中" in html
    assert "/suggestions/" not in html.split('id="suggestion"')[1].split("</section>")[0]

    reply(world, personas, s)
    world.act(s, "publish")
    s.refresh_from_db()
    html = client.get(f"/track/{case.receipt_code}").content.decode()
    assert f'<a href="{detail_url(s)}">已转为代表建议 第1号（领衔代表 沈建国）</a>' in html
    assert client.get(detail_url(s)).status_code == 200


def test_the_pages_fit_a_phone_and_the_portal_links_to_the_query(client, published):
    html = client.get("/suggestions/").content.decode()
    assert 'name="viewport" content="width=device-width' in html
    assert '<a href="/suggestions/">代表建议</a>' in client.get("/track/").content.decode()


def test_the_list_costs_the_same_queries_for_one_suggestion_or_several(client, world, personas, published):  # noqa: F811
    with CaptureQueriesContext(connection) as one:
        client.get("/suggestions/")
    for title in ("关于公交站台加装雨棚的建议", "关于增设路灯的建议"):
        s = world.assigned(title=title, public_consent=True)
        world.act(s, "co_opinion", world.other_handler, assignment=co_part(s).pk, opinion="同意")
        reply(world, personas, s)
        world.act(s, "publish")
    with CaptureQueriesContext(connection) as three:
        html = client.get("/suggestions/").content.decode()
    assert 'id="count">共 3 件' in html
    assert len(three) == len(one)
