"""The deputy's phone pages for suggestions (/w/suggestions/…): who sees what, and what each form changes."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lianxin.cases.models import Status as CaseStatus
from lianxin.cases.workflow import case_transition
from lianxin.suggestions.models import (
    CoSigner,
    Kind,
    SignStatus,
    Status,
    Suggestion,
    SuggestionSource,
    UnitAssignment,
    UnitRole,
)
from lianxin.suggestions.tests.conftest import world  # noqa: F401  德清's session, deputies and units

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return response.content.decode()


def lead_part(s) -> UnitAssignment:
    return s.units.get(is_active=True, role=UnitRole.LEAD)


def accepted_case(world, personas, **fields):  # noqa: F811
    case = world.case(**fields)
    case_transition(case=case, action="accept", actor=personas.county_staff, params={"category": "transport"})
    return case


def replied(world, personas, **fields):  # noqa: F811
    """Assigned to 县交通运输局 (lead) and 县住建局 (co), contacted and replied A by the lead unit."""
    s = world.assigned(**fields)
    lead = lead_part(s)
    today = datetime.date.today().isoformat()
    world.act(s, "contact", personas.unit_handler, assignment=lead.pk, contacted_on=today, way="visit", person="张科长")
    world.act(s, "reply", personas.unit_handler, assignment=lead.pk, reply_class="A",
              reply_text="城东路已列入明年道路改造计划。", signed_by="王局长")  # fmt: skip
    return Suggestion.objects.get(pk=s.pk)


def post_step(client, s, action, **fields):
    return client.post(f"/w/suggestions/{s.pk}/act", {"action": action, "version": s.version, **fields})


# --- who sees what ---------------------------------------------------------------------------------------------------


def test_the_pages_ask_for_a_login_and_are_for_deputies_only(client, world, personas):  # noqa: F811
    assert client.get("/w/suggestions/")["Location"].startswith("/w/login/")
    client.force_login(personas.unit_handler)
    assert client.get("/w/suggestions/").status_code == 403
    client.force_login(personas.county_staff)  # staff use the office's pages
    assert client.get("/w/suggestions/new").status_code == 403


def test_my_suggestions_lists_invitations_on_top_then_mine_then_those_i_co_signed(client, world, personas):  # noqa: F811
    other_lead, staff = world.others[2], personas.county_staff  # staff enter 李国强's suggestions for him
    mine = world.draft(title="关于城东道路改造的建议")
    world.act(mine, "invite", personas.deputy, deputies=[world.others[0].pk])
    theirs = world.draft(actor=staff, title="关于增设公交站点的建议", lead_deputy=other_lead)
    world.act(theirs, "invite", staff, deputies=[world.lead.pk])
    signed = world.draft(actor=staff, title="关于校园周边限速的建议", lead_deputy=other_lead)
    world.act(signed, "invite", staff, deputies=[world.lead.pk])
    world.act(signed, "sign", personas.deputy)
    unrelated = world.draft(actor=staff, title="别人的建议", lead_deputy=other_lead)

    client.force_login(personas.deputy)
    html = page(client.get("/w/suggestions/"))
    invitations, own, co = html.index('id="invitations"'), html.index('id="own"'), html.index('id="co-signed"')
    assert invitations < own < co
    assert "关于增设公交站点的建议" in html[invitations:own] and "李国强代表领衔" in html[invitations:own]
    assert "关于城东道路改造的建议" in html[own:co] and "征集附议" in html[own:co]
    assert "关于校园周边限速的建议" in html[co:]
    assert unrelated.title not in html
    assert client.get(f"/w/suggestions/{unrelated.pk}").status_code == 404


def test_the_list_reads_in_a_fixed_number_of_queries(client, world, personas):  # noqa: F811
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/w/suggestions/").status_code == 200
        return len(captured)

    client.force_login(personas.deputy)
    replied(world, personas)
    few = queries()
    for _ in range(3):
        replied(world, personas)
        s = world.draft(actor=personas.county_staff, lead_deputy=world.others[0])
        world.act(s, "invite", deputies=[world.lead.pk])
    assert queries() == few


def test_another_deputys_suggestion_is_a_404_on_every_page(client, world, personas):  # noqa: F811
    s = world.draft()
    client.force_login(world.co_user)  # a serving deputy, not invited
    for url in ("", "/edit", "/invite", "/attachments/1", f"/letters/{s.pk}"):
        assert client.get(f"/w/suggestions/{s.pk}{url}").status_code == 404, url
    for url, data in (("/act", {"action": "submit", "version": 0}), ("/sources", {"kind": "research", "title": "x"})):
        assert client.post(f"/w/suggestions/{s.pk}{url}", data).status_code == 404, url
    assert Suggestion.objects.get(pk=s.pk).status == Status.DRAFT
    assert not SuggestionSource.objects.exists()


def test_the_home_page_counts_invitations_to_sign_and_replies_to_rate(client, world, personas):  # noqa: F811
    replied(world, personas)
    theirs = world.draft(actor=personas.county_staff, lead_deputy=world.others[0], title="钱代表的建议")
    world.act(theirs, "invite", deputies=[world.lead.pk])
    client.force_login(personas.deputy)
    section = re.search(r'id="my-suggestions".*?</section>', page(client.get("/w/")), re.S).group(0)
    assert "待我附议 <strong>1</strong> 件" in section and "待我评价答复 <strong>1</strong> 件" in section
    assert "/w/suggestions/" in page(client.get("/w/"))


# --- drafting --------------------------------------------------------------------------------------------------------


def test_the_case_page_offers_to_turn_an_accepted_case_into_a_suggestion(client, world, personas):  # noqa: F811
    case = accepted_case(world, personas)
    client.force_login(personas.deputy)
    html = page(client.get(f"/w/cases/{case.pk}"))
    assert f'href="/w/suggestions/new?case={case.pk}"' in html and "转为代表建议" in html


def test_a_new_draft_from_a_case_is_prefilled_without_the_citizens_name_and_number(client, world, personas):  # noqa: F811
    case = accepted_case(world, personas)
    client.force_login(personas.deputy)
    html = page(client.get(f"/w/suggestions/new?case={case.pk}"))
    assert 'value="关于城东路口积水的建议"' in html
    assert "城东路口一下雨就积水" in html and "13957211234" not in html and "王秀英" not in html
    assert re.search(rf'value="{case.pk}"[^>]*checked', html)
    assert "一、建议事项" in html and "id_draft_resolution" not in html  # the suggestion's outline
    bill = page(client.get(f"/w/suggestions/new?kind=bill&case={case.pk}"))
    assert "一、提出议案的必要性" in bill and "关于……的决定（草案）" in bill and "关于城东路口积水的议案" in bill
    assert world.session.name in html


def test_picking_several_cases_fills_the_title_and_the_reasons_from_all_of_them(client, world, personas):  # noqa: F811
    first = accepted_case(world, personas)
    second = accepted_case(world, personas, title="城东小学门口路面塌陷", body="小学门口路面塌陷一个月了。")
    client.force_login(personas.deputy)
    blank = page(client.get("/w/suggestions/new"))
    assert 'id="from-cases" open' in blank and "城东小学门口路面塌陷" in blank
    html = page(client.get(f"/w/suggestions/new?case={first.pk}&case={second.pk}"))
    assert 'value="关于城东路口积水等问题的建议"' in html
    assert "1. 城东路口一下雨就积水" in html and "2. 小学门口路面塌陷一个月了。" in html


def draft_form(world, case_ids=(), **fields):  # noqa: F811
    data = {
        "session": world.session.pk,
        "kind": "suggestion",
        "field": "urban",
        "title": "关于城东路口积水治理的建议",
        "reasons": "群众反映城东路口雨天积水。",
        "content": "建议县交通运输局改造排水管网。",
        "case_ids": [str(i) for i in case_ids],
        "client_key": "tap-1",
    }
    data.update(fields)
    return data


def test_saving_a_draft_twice_with_the_same_key_makes_one_draft_linked_to_its_cases(client, world, personas):  # noqa: F811
    case = accepted_case(world, personas)
    client.force_login(personas.deputy)
    first = client.post("/w/suggestions/new", draft_form(world, [case.pk], public_consent="on"))
    second = client.post("/w/suggestions/new", draft_form(world, [case.pk], public_consent="on"))
    s = Suggestion.objects.get()
    assert first["Location"] == second["Location"] == f"/w/suggestions/{s.pk}"
    assert (s.status, s.kind, s.field, s.lead_deputy, s.public_consent) == (
        Status.DRAFT,
        Kind.SUGGESTION,
        "urban",
        world.lead,
        True,
    )
    assert list(s.cases.all()) == [case]
    assert list(s.events.values_list("action", flat=True)) == ["create"]


def test_a_bill_keeps_its_draft_resolution_and_a_suggestion_drops_it(client, world, personas):  # noqa: F811
    client.force_login(personas.deputy)
    client.post("/w/suggestions/new", draft_form(world, kind="bill", draft_resolution="决定草案", client_key="a"))
    client.post("/w/suggestions/new", draft_form(world, draft_resolution="决定草案", client_key="b"))
    assert dict(Suggestion.objects.values_list("kind", "draft_resolution")) == {"bill": "决定草案", "suggestion": ""}


def test_a_draft_without_a_title_or_from_a_case_not_mine_is_refused_next_to_the_field(client, world, personas, regions):  # noqa: F811
    client.force_login(personas.deputy)
    response = client.post("/w/suggestions/new", draft_form(world, title=" "))
    assert response.status_code == 400 and 'id="id_title-error"' in page(response)
    foreign = world.case(deputy=None, region=regions.anji)
    response = client.post("/w/suggestions/new", draft_form(world, [foreign.pk]))
    assert response.status_code == 400 and 'id="id_case_ids-error"' in page(response)
    assert not Suggestion.objects.exists()


def test_editing_a_draft_goes_through_the_workflow_and_leaves_an_event(client, world, personas):  # noqa: F811
    s = world.draft()
    client.force_login(personas.deputy)
    form = page(client.get(f"/w/suggestions/{s.pk}/edit"))
    assert s.title in form
    data = draft_form(world, title="关于城东片区道路改造的建议（修改）", version=s.version)
    response = client.post(f"/w/suggestions/{s.pk}/edit", data)
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.title.endswith("（修改）") and s.field == "urban" and s.version == 1
    assert s.events.filter(action="edit").count() == 1


def test_an_edit_from_a_stale_page_says_someone_else_changed_it(client, world, personas):  # noqa: F811
    s = world.draft()
    client.force_login(personas.deputy)
    stale = s.version
    world.act(s, "edit", personas.deputy, title="别处改过的标题")
    response = client.post(f"/w/suggestions/{s.pk}/edit", draft_form(world, title="新标题", version=stale))
    assert response.status_code == 400 and "刚刚已被他人处理" in page(response)
    assert Suggestion.objects.get(pk=s.pk).title == "别处改过的标题"


def test_a_submitted_suggestion_cannot_be_edited(client, world, personas):  # noqa: F811
    s = world.draft()
    world.act(s, "submit", personas.deputy)
    client.force_login(personas.deputy)
    response = client.get(f"/w/suggestions/{s.pk}/edit", follow=True)
    assert "不能修改" in page(response)
    assert "修改内容" not in page(client.get(f"/w/suggestions/{s.pk}"))


def test_a_research_source_and_an_attachment_are_added_with_their_events(client, world, personas):  # noqa: F811
    s = world.draft()
    client.force_login(personas.deputy)
    client.post(f"/w/suggestions/{s.pk}/sources", {"kind": "research", "title": "城东片区道路调研", "happened_on": ""})
    upload = SimpleUploadedFile("调研报告.pdf", b"%PDF-1.4 report", content_type="application/pdf")
    client.post(f"/w/suggestions/{s.pk}/attach", {"file": upload})
    bad = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    refused = client.post(f"/w/suggestions/{s.pk}/attach", {"file": bad}, follow=True)
    assert "不支持“.exe”" in page(refused)
    assert s.sources.get().title == "城东片区道路调研" and s.attachments.count() == 1
    assert set(s.events.values_list("action", flat=True)) == {"create", "source_add", "attachment_add"}
    html = page(client.get(f"/w/suggestions/{s.pk}"))
    assert "调研：城东片区道路调研" in html
    attachment = s.attachments.get()
    response = client.get(f"/w/suggestions/{s.pk}/attachments/{attachment.pk}")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 report"


# --- co-signers --------------------------------------------------------------------------------------------------------


def test_inviting_co_signers_searches_serving_deputies_by_name_and_writes_their_rows(client, world, personas):  # noqa: F811
    s = world.draft()
    client.force_login(personas.deputy)
    html = page(client.get(f"/w/suggestions/{s.pk}/invite?q=韩"))
    assert "韩退休" not in html  # resigned
    html = page(client.get(f"/w/suggestions/{s.pk}/invite?q=杨"))
    assert "杨乡镇" not in html  # a deputy of another congress
    html = page(client.get(f"/w/suggestions/{s.pk}/invite?q=钱"))
    assert "钱立新" in html
    qian, sun = world.others[0], world.others[1]
    response = client.post(f"/w/suggestions/{s.pk}/invite", {"deputies": [qian.pk, sun.pk], "version": s.version})
    assert response.status_code == 302
    assert set(CoSigner.objects.filter(suggestion=s).values_list("deputy__name", "status")) == {
        ("钱立新", SignStatus.INVITED),
        ("孙美华", SignStatus.INVITED),
    }
    s.refresh_from_db()
    assert s.status == Status.COLLECTING and s.events.filter(action="invite").count() == 1
    again = page(client.get(f"/w/suggestions/{s.pk}/invite?q=钱"))
    results = again[again.index('id="invite"') : again.index('id="co-signers"')]
    assert "钱立新" not in results and "没有找到可以邀请的代表" in results  # already invited


def test_a_deputy_of_another_congress_cannot_be_invited(client, world, personas):  # noqa: F811
    s = world.draft()
    client.force_login(personas.deputy)
    response = client.post(f"/w/suggestions/{s.pk}/invite", {"deputies": [world.resigned.pk], "version": s.version})
    assert response.status_code == 400 and 'id="id_deputies-error"' in page(response)
    assert not CoSigner.objects.exists() and Suggestion.objects.get(pk=s.pk).status == Status.DRAFT


def test_an_invited_deputy_sees_the_suggestion_and_signs_or_declines(client, world, personas):  # noqa: F811
    s = world.draft()
    world.act(s, "invite", personas.deputy, deputies=[world.others[0].pk, world.others[1].pk])
    client.force_login(world.co_user)
    html = page(client.get(f"/w/suggestions/{s.pk}"))
    assert "沈建国代表邀请您附议本件" in html and 'id="step-sign"' in html and 'id="step-submit"' not in html
    s.refresh_from_db()
    assert post_step(client, s, "sign").status_code == 302
    assert CoSigner.objects.get(suggestion=s, deputy=world.others[0]).status == SignStatus.SIGNED
    assert "钱立新代表 附议" in page(client.get(f"/w/suggestions/{s.pk}"))  # the timeline names the deputy
    client.force_login(world.co_user2)
    s.refresh_from_db()
    post_step(client, s, "decline_sign", note="不熟悉该领域")
    assert CoSigner.objects.get(suggestion=s, deputy=world.others[1]).status == SignStatus.DECLINED
    assert list(s.events.filter(action__in=["sign", "decline_sign"]).values_list("action", "note")) == [
        ("sign", ""),
        ("decline_sign", "不熟悉该领域"),
    ]
    refused = post_step(client, Suggestion.objects.get(pk=s.pk), "submit")  # not theirs to submit
    assert refused.status_code == 403 and "您不能对该建议执行“提交”" in page(refused)
    assert Suggestion.objects.get(pk=s.pk).status == Status.COLLECTING


# --- submitting, converting, returning ----------------------------------------------------------------------------------


def test_submitting_closes_the_accepted_case_into_the_suggestion(client, world, personas):  # noqa: F811
    case = accepted_case(world, personas)
    s = world.draft(case_ids=[case.pk])
    client.force_login(personas.deputy)
    response = post_step(client, s, "submit")
    assert response.status_code == 302
    s.refresh_from_db()
    case.refresh_from_db()
    assert s.status == Status.SUBMITTED and s.versions.count() == 1
    assert case.status == CaseStatus.CONVERTED
    assert "已提交，等待人大工作人员预审" in page(client.get(f"/w/suggestions/{s.pk}"))


def test_a_double_tap_on_submit_submits_once_and_says_so(client, world, personas):  # noqa: F811
    s = world.draft()
    client.force_login(personas.deputy)
    post_step(client, s, "submit")
    second = client.post(f"/w/suggestions/{s.pk}/act", {"action": "submit", "version": s.version}, follow=True)
    assert "已提交，等待人大工作人员预审" in page(second) and "刚刚已被他人处理" not in page(second)
    assert s.events.filter(action="submit").count() == 1 and s.versions.count() == 1


def test_a_bill_without_enough_co_signers_is_refused_with_the_reason_by_the_button(client, world, personas):  # noqa: F811
    s = world.draft(kind="bill", draft_resolution="关于城东道路改造的决定（草案）")
    client.force_login(personas.deputy)
    assert re.search(r"已联名 1 人（含领衔代表），议案须 \d+ 人以上", page(client.get(f"/w/suggestions/{s.pk}")))
    response = post_step(client, s, "submit")
    assert response.status_code == 400
    assert re.search(r'id="error-submit">联名代表: 议案须有 \d+ 名以上代表联名', page(response))
    assert Suggestion.objects.get(pk=s.pk).status == Status.DRAFT


def test_converting_a_bill_needs_the_leads_own_consent(client, world, personas):  # noqa: F811
    s = world.draft(kind="bill", draft_resolution="草案")
    client.force_login(personas.deputy)
    response = post_step(client, s, "convert")
    assert response.status_code == 400 and 'id="error-convert"' in page(response)
    assert Suggestion.objects.get(pk=s.pk).kind == Kind.BILL
    post_step(client, s, "convert", deputy_consent="on")
    assert Suggestion.objects.get(pk=s.pk).kind == Kind.SUGGESTION
    assert s.events.filter(action="convert").count() == 1


def test_a_button_from_a_stale_page_gets_a_clear_conflict(client, world, personas):  # noqa: F811
    s = world.draft()
    stale_version = s.version
    world.act(s, "edit", personas.deputy, title="新标题")
    client.force_login(personas.deputy)
    response = client.post(f"/w/suggestions/{s.pk}/act", {"action": "submit", "version": stale_version}, follow=True)
    assert "刚刚已被他人处理" in page(response)
    assert Suggestion.objects.get(pk=s.pk).status == Status.DRAFT


def test_a_returned_suggestion_shows_the_reason_and_the_versions_and_is_resubmitted(client, world, personas):  # noqa: F811
    s = world.draft()
    world.act(s, "submit", personas.deputy)
    world.act(s, "return", reason="请补充具体路段和改造方案")
    client.force_login(personas.deputy)
    html = page(client.get(f"/w/suggestions/{s.pk}"))
    assert "请补充具体路段和改造方案" in html and "第1稿" in html and 'id="step-resubmit"' in html
    s.refresh_from_db()
    client.post(f"/w/suggestions/{s.pk}/edit", draft_form(world, content="修复城东路K1至K3段。", version=s.version))
    s.refresh_from_db()
    post_step(client, s, "resubmit")
    s.refresh_from_db()
    assert s.status == Status.SUBMITTED and list(s.versions.values_list("number", flat=True)) == [1, 2]
    assert s.versions.get(number=2).content == "修复城东路K1至K3段。"


def test_withdrawing_is_the_leads_own_step(client, world, personas):  # noqa: F811
    s = world.draft()
    client.force_login(personas.deputy)
    post_step(client, s, "withdraw", note="已另行反映")
    s.refresh_from_db()
    assert s.status == Status.WITHDRAWN and s.events.get(action="withdraw").note == "已另行反映"


# --- replies and ratings ---------------------------------------------------------------------------------------------------


def test_after_the_reply_the_deputy_sees_it_with_the_contacts_and_the_letter(client, world, personas):  # noqa: F811
    s = replied(world, personas)
    lead = lead_part(s)
    lead.reply_file.save("reply.pdf", SimpleUploadedFile("reply.pdf", b"%PDF-1.4 letter"))
    client.force_login(personas.deputy)
    html = page(client.get(f"/w/suggestions/{s.pk}"))
    part = html[html.index(f'id="part-{lead.pk}"') :]
    assert "县交通运输局（主办）" in part and "A类（已解决或采纳）" in part and "王局长" in part
    assert "城东路已列入明年道路改造计划。" in part and "登门走访 · 张科长" in part
    assert f'href="/w/suggestions/{s.pk}/letters/{lead.pk}"' in part and f'id="rate-{lead.pk}"' in part
    assert "县住建局（协办）" in html
    letter = client.get(f"/w/suggestions/{s.pk}/letters/{lead.pk}")
    assert letter.status_code == 200 and b"".join(letter.streaming_content) == b"%PDF-1.4 letter"
    client.force_login(world.co_user)  # not invited: nothing to see
    assert client.get(f"/w/suggestions/{s.pk}/letters/{lead.pk}").status_code == 404


def rate(client, s, a, rating, comment=""):
    prefix = f"rate{a.pk}"
    return client.post(
        f"/w/suggestions/{s.pk}/act",
        {
            "form": prefix,
            f"{prefix}-assignment": a.pk,
            f"{prefix}-version": s.version,
            f"{prefix}-rating": rating,
            f"{prefix}-comment": comment,
        },
    )


def test_rating_a_reply_satisfied_settles_the_suggestion(client, world, personas):  # noqa: F811
    s = replied(world, personas)
    client.force_login(personas.deputy)
    assert rate(client, s, lead_part(s), "satisfied").status_code == 302
    s.refresh_from_db()
    assert s.status == Status.RATED and lead_part(s).rating == "satisfied"
    assert s.events.filter(action="rate").count() == 1
    assert 'id="rate-' not in page(client.get(f"/w/suggestions/{s.pk}"))


def test_unsatisfied_needs_a_comment_and_sends_the_reply_back_for_rehandling(client, world, personas):  # noqa: F811
    s = replied(world, personas)
    lead = lead_part(s)
    client.force_login(personas.deputy)
    response = rate(client, s, lead, "unsatisfied")
    assert response.status_code == 400
    assert f'id="id_rate{lead.pk}-comment-error">评价意见: 不能为空' in page(response)
    assert Suggestion.objects.get(pk=s.pk).status == Status.REPLIED
    response = rate(client, s, lead, "unsatisfied", comment="只列计划，没有时间表")
    assert response.status_code == 302
    s.refresh_from_db()
    lead.refresh_from_db()
    assert s.status == Status.ASSIGNED and lead.rehandle_count == 1 and lead.replied_at is None
    html = page(client.get(f"/w/suggestions/{s.pk}"))
    assert "承办单位将重新办理" in html and "此前的答复（A类，评价：不满意）" in html
    world.act(s, "reply", personas.unit_handler, assignment=lead.pk, reply_class="A", reply_text="已定于六月底前完工。",
              signed_by="王局长")  # fmt: skip
    html = page(client.get(f"/w/suggestions/{s.pk}"))
    assert "已定于六月底前完工。" in html and "本次评价为最终评价" in html and "重新办理，并再次答复" not in html


def test_a_co_signer_sees_the_reply_but_cannot_rate_it(client, world, personas):  # noqa: F811
    s = world.draft()
    world.act(s, "invite", personas.deputy, deputies=[world.others[0].pk])
    world.act(s, "sign", world.co_user)
    world.act(s, "submit", personas.deputy)
    world.act(s, "pass")
    world.act(s, "accept")
    world.act(s, "assign", units=[{"unit": world.transport.pk, "role": "lead"}])
    lead = lead_part(s)
    world.act(s, "reply", personas.unit_handler, assignment=lead.pk, reply_class="A", reply_text="已修复。",
              signed_by="王局长")  # fmt: skip
    client.force_login(world.co_user)
    html = page(client.get(f"/w/suggestions/{s.pk}"))
    assert "已修复。" in html and 'id="rate-' not in html
    s.refresh_from_db()
    assert rate(client, s, lead, "satisfied").status_code == 403
    assert UnitAssignment.objects.get(pk=lead.pk).rating == ""
