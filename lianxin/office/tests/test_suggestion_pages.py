# ruff: noqa: F811  (the `world` fixture is imported from the suggestions app's conftest and named by each test)
"""The office's suggestion pages (issue 16): who may open them, what each form does, and the home's to-do cards."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lianxin.accounts.roles import Role
from lianxin.core.models import AuditEvent
from lianxin.notifications.models import Notification
from lianxin.suggestions.models import (
    Kind,
    Session,
    Status,
    Suggestion,
    SuggestionEvent,
    UnitAssignment,
    UnitContact,
    UnitRole,
)
from lianxin.suggestions.tests.conftest import world  # noqa: F401

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def page_url(s) -> str:
    return f"/office/suggestions/{s.pk}/"


def post(client, s, action, **data):
    s.refresh_from_db()
    data.setdefault("version", s.version)
    return client.post(f"{page_url(s)}{action}/", data)


def lead_part(s) -> UnitAssignment:
    return s.units.get(is_active=True, role=UnitRole.LEAD)


def co_part(s) -> UnitAssignment:
    return s.units.get(is_active=True, role=UnitRole.CO)


def submitted(world, personas, **fields):
    s = world.draft(**fields)
    world.act(s, "submit", personas.deputy)
    return s


def events(s) -> list[str]:
    return list(SuggestionEvent.objects.filter(suggestion=s).order_by("id").values_list("action", flat=True))


# --- who may open what ------------------------------------------------------------------------------------------


@pytest.fixture
def water_handler(world, make_user):
    user = make_user("water_handler", Role.UNIT_HANDLER, world.session.congress_region)
    world.water.handlers.add(user)
    return user


@pytest.mark.parametrize(
    ("who", "list_status", "page_status"),
    [
        ("county_staff", 200, 200),
        ("city_staff", 200, 200),  # the city's staff cover the county's congress
        ("township_staff", 200, 404),  # a township's staff do not serve the county's congress
        ("outsider", 200, 404),
        ("unit_handler", 200, 200),  # the lead unit's handler
        ("other_handler", 200, 200),  # the co-unit's handler
        ("water_handler", 200, 404),  # a unit that was not assigned
        ("deputy", 403, 403),  # deputies use their phone pages, not the office
        ("no_role", 403, 403),
    ],
)
def test_who_may_open_the_list_and_an_assigned_suggestion(
    client, world, personas, water_handler, who, list_status, page_status
):
    s = world.assigned()
    user = {"other_handler": world.other_handler, "water_handler": water_handler}.get(who) or getattr(personas, who)
    client.force_login(user)
    listing = client.get("/office/suggestions/")
    assert listing.status_code == list_status
    assert client.get(page_url(s)).status_code == page_status
    if list_status == 200:
        shown = f'href="/office/suggestions/{s.pk}/"' in listing.content.decode()
        assert shown == (page_status == 200)


@pytest.mark.parametrize(("who", "status"), [("outsider", 404), ("township_staff", 404), ("unit_handler", 404),
                                            ("deputy", 403)])  # fmt: skip
def test_only_the_congress_staff_may_post_a_review_step(client, world, personas, who, status):
    s = submitted(world, personas)
    client.force_login(getattr(personas, who))
    assert post(client, s, "pass").status_code == status
    s.refresh_from_db()
    assert s.status == Status.SUBMITTED and events(s)[-1] == "submit"


def test_anonymous_visitors_are_sent_to_the_login(client, world):
    s = world.assigned()
    response = client.get(page_url(s))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_a_unit_handler_does_not_see_a_suggestion_before_it_is_assigned(client, world, personas):
    s = submitted(world, personas)
    client.force_login(personas.unit_handler)
    assert client.get(page_url(s)).status_code == 404


def test_a_unit_handler_posting_to_another_units_part_gets_not_found_and_nothing_is_written(
    client, world, personas, water_handler
):
    s = world.assigned()
    client.force_login(water_handler)
    today = datetime.date.today().isoformat()
    response = post(client, s, "contact", assignment=lead_part(s).pk, contacted_on=today, way="phone", person="冒名")
    assert response.status_code == 404
    assert not UnitContact.objects.exists()
    # The co-unit sees the suggestion but may not act on the lead unit's part.
    client.force_login(world.other_handler)
    response = post(
        client, s, "reply", assignment=lead_part(s).pk, reply_class="A", reply_text="冒名答复", signed_by="某"
    )
    assert response.status_code == 403
    assert lead_part(s).replied_at is None


def test_the_menu_shows_suggestions_to_staff_and_unit_handlers_only(client, world, personas, make_user):
    for user, shown in ((personas.county_staff, True), (personas.unit_handler, True), (personas.place_staff, False)):
        client.force_login(user)
        html = client.get("/office/").content.decode()
        assert ('href="/office/suggestions/"' in html) == shown, user


# --- the home's to-do cards -------------------------------------------------------------------------------------


def cards(response) -> dict[str, int]:
    html = response.content.decode()
    found = re.findall(
        r'data-suggestion-todo="(\w+)">\s*<span class="todo-label">[^<]*</span>\s*<strong class="todo-count">(\d+)',
        html,
    )
    return {key: int(count) for key, count in found}


def listed(client, **query) -> set[int]:
    response = client.get("/office/suggestions/", query)
    assert response.status_code == 200
    return {
        int(pk)
        for pk in re.findall(r'<td class="title"><a href="/office/suggestions/(\d+)/"', response.content.decode())
    }


def test_staff_see_the_to_do_counts_and_each_opens_a_list_of_that_length(client, world, personas):
    submitted(world, personas, title="关于增设公交站点的建议")
    s2 = submitted(world, personas, title="关于改善农村饮水的建议")
    world.act(s2, "pass")
    s3 = submitted(world, personas, title="关于整治河道的建议")
    world.act(s3, "pass")
    world.act(s3, "accept")
    assigned = world.assigned()
    world.act(
        assigned, "request_reassign", personas.unit_handler, assignment=lead_part(assigned).pk, reason="不属本局职责"
    )
    late = world.assigned(title="关于修缮老旧小区的建议")
    UnitAssignment.objects.filter(suggestion=late).update(due_date=datetime.date.today() - datetime.timedelta(days=1))
    soon = world.assigned(title="关于学校周边交通的建议")
    UnitAssignment.objects.filter(suggestion=soon).update(due_date=datetime.date.today() + datetime.timedelta(days=3))
    replied = world.assigned(title="关于路灯维修的建议")
    world.act(replied, "reply", personas.unit_handler, assignment=lead_part(replied).pk, reply_class="A",
              reply_text="已修复。", signed_by="王局长")  # fmt: skip

    client.force_login(personas.county_staff)
    counts = cards(client.get("/office/"))
    assert counts == {
        "to_pre_review": 1,
        "to_review": 1,
        "to_assign": 1,
        "reassign": 1,
        "due_soon": 1,
        "overdue": 1,
        "to_rate": 1,
    }
    for key, count in counts.items():
        assert len(listed(client, todo=key)) == count, key
    assert listed(client, todo="overdue") == {late.pk}
    assert listed(client, todo="reassign") == {assigned.pk}


def test_a_unit_handler_sees_what_waits_for_a_reply_or_a_co_opinion_of_their_units(client, world, personas):
    s = world.assigned()
    world.assigned(title="关于公交线路优化的建议")
    client.force_login(personas.unit_handler)
    assert cards(client.get("/office/")) == {"to_reply": 2, "to_co": 0}
    client.force_login(world.other_handler)
    assert cards(client.get("/office/")) == {"to_reply": 0, "to_co": 2}
    world.act(s, "co_opinion", world.other_handler, assignment=co_part(s).pk, opinion="同意。")
    assert cards(client.get("/office/")) == {"to_reply": 0, "to_co": 1}
    assert listed(client, todo="to_co") != {s.pk}


# --- the list ---------------------------------------------------------------------------------------------------


def test_the_list_filters_by_the_address_and_counts_each_status_in_tabs(client, world, personas):
    a = world.assigned()
    b = submitted(world, personas, title="关于农村垃圾分类的建议")
    bill = world.draft(kind=Kind.BILL, title="关于制定河长制条例的议案", draft_resolution="草案")
    client.force_login(personas.county_staff)
    assert listed(client) == {a.pk, b.pk, bill.pk}
    assert listed(client, status="submitted") == {b.pk}
    assert listed(client, kind="bill") == {bill.pk}
    assert listed(client, unit=world.housing.pk) == {a.pk}
    assert listed(client, q="垃圾") == {b.pk}
    assert listed(client, session=world.session.pk) == {a.pk, b.pk, bill.pk}
    world.act(a, "mark_key", leader_name="张主任")
    assert listed(client, key="on") == {a.pk}
    world.act(a, "reply", personas.unit_handler, assignment=lead_part(a).pk, reply_class="C",
              reply_text="因资金所限，暂不能实施，将争取明年。", signed_by="王局长")  # fmt: skip
    assert listed(client, reply_class="C") == {a.pk}
    assert listed(client, reply_class="A") == set()
    html = client.get("/office/suggestions/").content.decode()
    tabs = dict(re.findall(r'data-status="(\w+)">[^<]*<span class="n">(\d+)</span>', html))
    assert tabs == {"draft": "1", "submitted": "1", "replied": "1"}
    assert 'href="/office/suggestions/promises/"' in html and 'href="/office/suggestions/sessions/"' in html


def test_the_list_reads_in_a_fixed_number_of_queries(client, world, personas, django_assert_max_num_queries):
    for i in range(6):
        world.assigned(title=f"关于第{i}条道路改造的建议")
    client.force_login(personas.county_staff)
    with django_assert_max_num_queries(25):
        response = client.get("/office/suggestions/")
    assert response.content.decode().count('<td class="title">') == 6


# --- the suggestion page ----------------------------------------------------------------------------------------


def test_the_page_shows_the_header_units_and_a_chinese_timeline(client, world, personas):
    from lianxin.suggestions.services import suggestion_source_add

    case = world.case()
    s = world.draft(case_ids=[case.pk])
    suggestion_source_add(actor=personas.deputy, suggestion=s, kind="research", title="城东片区道路现状调研",
                          happened_on=datetime.date(2026, 1, 5))  # fmt: skip
    world.act(s, "invite", personas.deputy, deputies=[world.others[0].pk])
    world.act(s, "submit", personas.deputy)
    world.act(s, "pass")
    world.act(s, "accept")
    world.act(
        s, "assign", units=[{"unit": world.transport.pk, "role": "lead"}, {"unit": world.housing.pk, "role": "co"}]
    )
    client.force_login(personas.county_staff)
    html = client.get(page_url(s)).content.decode()
    assert "第1号建议" in html and "办理中" in html
    assert "沈建国（领衔代表）" in html and "钱立新" in html and "已邀请" in html
    assert f'href="/office/cases/{case.pk}/"' in html
    assert "调研：城东片区道路现状调研" in html
    for label in ("创建草稿", "添加来源", "邀请附议", "提交", "预审通过", "立案（作为建议）", "交办"):
        assert f'<strong class="event-label">{label}</strong>' in html
    assert "县交通运输局（主办）、县住建局（协办）" in html
    assert "县交通运输局" in html and "尚未答复" in html and "尚未联系" in html


def test_pre_review_returns_with_a_reason_and_an_empty_reason_is_refused_beside_its_field(client, world, personas):
    s = submitted(world, personas)
    client.force_login(personas.county_staff)
    response = post(client, s, "return", reason="")
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'id="return-reason".*?<small class="field-error" role="alert">不能为空</small>', html, re.S)
    s.refresh_from_db()
    assert s.status == Status.SUBMITTED and events(s)[-1] == "submit"
    response = post(client, s, "return", reason="建议内容过于笼统，请写明具体路段。")
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.status == Status.RETURNED and s.review_note.startswith("建议内容过于笼统")
    assert events(s)[-1] == "return"
    assert Notification.objects.filter(kind="suggestion.returned").exists()


def test_a_returned_and_revised_suggestion_shows_what_changed_between_versions(client, world, personas):
    s = submitted(world, personas)
    world.act(s, "return", reason="请写明路段")
    world.act(s, "edit", personas.deputy, content="建议县交通运输局将城东片区的东风路改造列入明年计划。")
    world.act(s, "resubmit", personas.deputy)
    client.force_login(personas.county_staff)
    html = client.get(page_url(s)).content.decode()
    assert "提交稿本（2）" in html and "修改了建议内容" in html
    assert "<del>道</del><ins>的东风</ins>路改造" in html and "<del>，先修复主干道</del>" in html


def test_pre_review_shows_similar_suggestions_and_passes_one_merged_into_another(client, world, personas):
    master = submitted(world, personas)
    world.act(master, "pass")
    s = submitted(world, personas, title="关于加快城东片区道路改造的建议（二）")
    client.force_login(personas.county_staff)
    html = client.get(page_url(s)).content.decode()
    assert f'value="{master.pk}"' in html and "并入 建议（未编号）“关于加快城东片区道路改造的建议”" in html
    assert post(client, s, "pass", merge_with=master.pk).status_code == 302
    s.refresh_from_db()
    assert s.status == Status.PRE_REVIEWED and s.merged_into_id == master.pk


def test_review_accepts_rejects_and_converts_a_bill_only_with_the_consent_box(client, world, personas):
    client.force_login(personas.county_staff)
    s = submitted(world, personas)
    world.act(s, "pass")
    assert post(client, s, "accept", note="符合立案要求").status_code == 302
    s.refresh_from_db()
    assert s.status == Status.ACCEPTED and s.number == 1 and s.review_note == "符合立案要求"

    other = submitted(world, personas, title="关于另一件事的建议")
    world.act(other, "pass")
    assert post(client, other, "reject", reason="属于个人诉求，请通过信访渠道反映。").status_code == 302
    other.refresh_from_db()
    assert other.status == Status.NOT_ACCEPTED

    bill = world.draft(kind=Kind.BILL, title="关于制定河道保护条例的议案", draft_resolution="草案全文")
    response = post(client, bill, "convert")
    assert response.status_code == 400
    assert re.search(r'id="convert-deputy_consent".*?<small class="field-error"', response.content.decode(), re.S)
    bill.refresh_from_db()
    assert bill.kind == Kind.BILL
    assert post(client, bill, "convert", deputy_consent="on").status_code == 302
    bill.refresh_from_db()
    assert bill.kind == Kind.SUGGESTION and events(bill)[-1] == "convert"


def test_assigning_shows_the_due_dates_and_makes_a_lead_and_a_co_unit(client, world, personas):
    s = submitted(world, personas)
    world.act(s, "pass")
    world.act(s, "accept")
    client.force_login(personas.county_staff)
    html = client.get(page_url(s)).content.decode()
    assert 'id="due-preview"' in html and "前答复" in html
    assert 'id="routing-hook"' in html  # no router trained: staff are told to choose
    response = post(client, s, "assign", lead_units=[world.transport.pk], co_units=[world.transport.pk])
    assert response.status_code == 400 and "同一单位不能既主办又协办" in response.content.decode()
    assert not UnitAssignment.objects.filter(suggestion=s).exists()
    response = post(client, s, "assign", lead_units=[world.transport.pk], co_units=[world.housing.pk])
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.status == Status.ASSIGNED
    assert {(a.unit_id, a.role) for a in s.units.all()} == {(world.transport.pk, "lead"), (world.housing.pk, "co")}
    assert Notification.objects.filter(kind="suggestion.assigned").count() >= 2


def test_the_assignment_form_proposes_the_routers_units_within_the_congress_region(
    client, world, personas, regions, monkeypatch
):
    from lianxin.cases.models import ResponsibleUnit
    from lianxin.office import suggestion_page

    elsewhere = ResponsibleUnit.objects.create(name="安吉县交通运输局", region=regions.anji)
    proposals = [(elsewhere, 0.9), (world.housing, 0.61), (world.transport, 0.2)]
    monkeypatch.setattr(suggestion_page, "suggestion_units_propose", lambda suggestion: proposals)
    s = submitted(world, personas)
    world.act(s, "pass")
    world.act(s, "accept")
    client.force_login(personas.county_staff)
    html = client.get(page_url(s)).content.decode()
    assert "分办模型建议：县住建局（61%）、县交通运输局（20%）" in html and "安吉县" not in html
    assert re.search(rf'<option value="{world.housing.pk}" selected>县住建局</option>', html)
    assert 'id="routing-hook"' not in html


def test_assigning_without_a_lead_unit_is_refused_beside_the_field(client, world, personas):
    s = submitted(world, personas)
    world.act(s, "pass")
    world.act(s, "accept")
    client.force_login(personas.county_staff)
    response = post(client, s, "assign")
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(
        r'id="assign-lead_units".*?<small class="field-error" role="alert">请至少选择一个主办单位', html, re.S
    )
    s.refresh_from_db()
    assert s.status == Status.ACCEPTED and events(s)[-1] == "accept"


def test_a_form_posted_after_someone_else_acted_says_so(client, world, personas):
    s = submitted(world, personas)
    client.force_login(personas.county_staff)
    stale = s.version
    world.act(s, "pass")
    response = client.post(f"{page_url(s)}return/", {"version": stale, "reason": "格式不对"})
    assert response.status_code == 409
    assert "刚刚已被他人处理" in response.content.decode()
    s.refresh_from_db()
    assert s.status == Status.PRE_REVIEWED


def test_a_unit_records_a_contact_and_replies_class_b_with_a_letter(client, world, personas):
    s = world.assigned()
    lead = lead_part(s)
    client.force_login(personas.unit_handler)
    html = client.get(page_url(s)).content.decode()
    assert f'id="action-contact-{lead.pk}"' in html and f'id="action-reply-{lead.pk}"' in html
    assert f'id="action-co_opinion-{co_part(s).pk}"' not in html  # the co-unit's form is the co-unit's
    today = datetime.date.today()
    response = post(client, s, "contact", assignment=lead.pk, contacted_on=today.isoformat(), way="visit",
                    person="张科长", note="登门听取意见")  # fmt: skip
    assert response.status_code == 302
    contact = UnitContact.objects.get(assignment=lead)
    assert contact.way == "visit" and contact.note == "登门听取意见"

    letter = SimpleUploadedFile("答复函.pdf", PDF, content_type="application/pdf")
    response = client.post(f"{page_url(s)}reply/", {"version": s.version + 1, "assignment": lead.pk,
                           "reply_class": "B", "reply_text": "已列入明年计划。", "signed_by": "王局长",
                           "reply_file": letter})  # fmt: skip
    assert response.status_code == 400  # B without a promised date
    assert re.search(
        r'id="reply-\d+-promised_on".*?<small class="field-error" role="alert">不能为空',
        response.content.decode(),
        re.S,
    )
    assert lead_part(s).replied_at is None
    promised = today + datetime.timedelta(days=120)
    letter = SimpleUploadedFile("答复函.pdf", PDF, content_type="application/pdf")
    response = client.post(f"{page_url(s)}reply/", {"version": s.version + 1, "assignment": lead.pk,
                           "reply_class": "B", "reply_text": "已列入明年计划。", "signed_by": "王局长",
                           "promised_on": promised.isoformat(), "reply_file": letter})  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    lead.refresh_from_db()
    assert lead.reply_class == "B" and lead.promised_on == promised
    with lead.reply_file.open("rb") as stored:
        assert stored.read() == PDF
    s.refresh_from_db()
    assert s.status == Status.REPLIED
    download = client.get(f"{page_url(s)}files/reply/{lead.pk}/")
    # Reading the stream to its end closes the file (the test client's wrapper; response.close() would also close
    # the database connection).
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    client.force_login(personas.county_staff)
    html = client.get("/office/suggestions/promises/").content.decode()
    assert s.title in html


def test_a_reply_letter_of_another_type_is_refused(client, world, personas):
    s = world.assigned()
    client.force_login(personas.unit_handler)
    letter = SimpleUploadedFile("reply.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(f"{page_url(s)}reply/", {"version": s.version, "assignment": lead_part(s).pk,
                           "reply_class": "A", "reply_text": "已办", "signed_by": "王", "reply_file": letter})  # fmt: skip
    assert response.status_code == 400 and "不支持“.exe”" in response.content.decode()
    assert lead_part(s).replied_at is None


def test_a_co_unit_sends_its_opinion_and_asks_to_be_reassigned_and_staff_decide(client, world, personas):
    s = world.assigned()
    co = co_part(s)
    client.force_login(world.other_handler)
    assert post(client, s, "co_opinion", assignment=co.pk, opinion="同意纳入城建计划。").status_code == 302
    co.refresh_from_db()
    assert co.co_opinion == "同意纳入城建计划。"
    assert post(client, s, "request_reassign", assignment=co.pk, reason="本局不负责道路").status_code == 302
    co.refresh_from_db()
    assert co.reassign_requested_at is not None

    client.force_login(personas.county_staff)
    html = client.get(page_url(s)).content.decode()
    assert f'id="action-reassign-{co.pk}"' in html and f'id="action-refuse_reassign-{co.pk}"' in html
    assert f'id="action-reassign-{lead_part(s).pk}"' not in html  # no request from the lead unit
    assert post(client, s, "reassign", assignment=co.pk, unit=world.water.pk).status_code == 302
    co.refresh_from_db()
    assert not co.is_active
    assert s.units.get(is_active=True, role=UnitRole.CO).unit == world.water
    assert events(s)[-1] == "reassign"


def test_staff_refuse_a_reassignment_with_a_reason(client, world, personas):
    s = world.assigned()
    lead = lead_part(s)
    world.act(s, "request_reassign", personas.unit_handler, assignment=lead.pk, reason="不属本局职责")
    client.force_login(personas.county_staff)
    assert post(client, s, "refuse_reassign", assignment=lead.pk, reason="道路改造属交通局职责").status_code == 302
    lead.refresh_from_db()
    assert lead.reassign_requested_at is None and lead.is_active
    assert Notification.objects.filter(kind="suggestion.reassign_refused").exists()


def test_staff_extend_a_units_deadline_and_a_bad_date_is_refused_beside_it(client, world, personas):
    s = world.assigned()
    lead = lead_part(s)
    client.force_login(personas.county_staff)
    response = post(client, s, "extend", assignment=lead.pk, due_date=lead.due_date.isoformat(), reason="需要调研")
    assert response.status_code == 400
    assert re.search(
        r'id="extend-\d+-due_date".*?<small class="field-error" role="alert">应晚于原期限',
        response.content.decode(),
        re.S,
    )
    later = lead.due_date + datetime.timedelta(days=30)
    assert (
        post(client, s, "extend", assignment=lead.pk, due_date=later.isoformat(), reason="需要调研").status_code == 302
    )
    lead.refresh_from_db()
    assert lead.due_date == later
    s.refresh_from_db()
    assert s.due_date == later and s.extension_reason == "需要调研"


def test_staff_record_a_phone_rating_and_unsatisfied_sends_the_reply_back_with_its_history(client, world, personas):
    s = world.assigned()
    lead = lead_part(s)
    world.act(s, "reply", personas.unit_handler, assignment=lead.pk, reply_class="A", reply_text="已修好。",
              signed_by="王局长")  # fmt: skip
    client.force_login(personas.county_staff)
    assert post(client, s, "rate", assignment=lead.pk, rating="unsatisfied", comment="只修了一半").status_code == 302
    lead.refresh_from_db()
    s.refresh_from_db()
    assert s.status == Status.ASSIGNED and lead.rehandle_count == 1 and lead.replied_at is None
    html = client.get(page_url(s)).content.decode()
    assert "此前的答复（1）" in html and "只修了一半" in html and "重新办理" in html


def test_staff_mark_a_key_suggestion_note_its_progress_close_and_publish_it(client, world, personas):
    s = world.assigned(public_consent=True)
    client.force_login(personas.county_staff)
    assert post(client, s, "mark_key", leader_name="张主任", leader="no_such_user").status_code == 400
    assert post(client, s, "mark_key", leader_name="张主任", leader="county_staff").status_code == 302
    s.refresh_from_db()
    assert s.is_key and s.key_leader == personas.county_staff and s.key_leader_name == "张主任"
    assert post(client, s, "key_note", text="召开督办会，现场察看东风路。", met_on="2026-03-01").status_code == 302
    s.refresh_from_db()
    world.act(s, "reply", personas.unit_handler, assignment=lead_part(s).pk, reply_class="A",
              reply_text="已修好，电话13957211234。", signed_by="王局长")  # fmt: skip
    response = post(client, s, "close")
    assert response.status_code == 400 and "办结须说明理由" in response.content.decode()
    assert post(client, s, "close", note="代表电话表示认可").status_code == 302
    assert post(client, s, "publish").status_code == 302
    s.refresh_from_db()
    assert s.status == Status.CLOSED and s.published_at is not None and "13957211234" not in s.public_text
    assert events(s)[-4:] == ["key_note", "reply", "close", "publish"]
    html = client.get(page_url(s)).content.decode()
    assert "督办记录" in html and "召开督办会" in html


def test_a_unit_records_a_b_promise_kept(client, world, personas):
    s = world.assigned()
    lead = lead_part(s)
    world.act(s, "reply", personas.unit_handler, assignment=lead.pk, reply_class="B", reply_text="列入明年计划。",
              signed_by="王局长", promised_on=(datetime.date.today() + datetime.timedelta(days=60)).isoformat())  # fmt: skip
    client.force_login(personas.unit_handler)
    assert post(client, s, "fulfil", assignment=lead.pk, note="东风路已完工").status_code == 302
    lead.refresh_from_db()
    assert lead.promise_done_at is not None and lead.promise_note == "东风路已完工"


def test_an_attachment_is_downloaded_by_those_who_see_the_suggestion_only(client, world, personas, water_handler):
    from lianxin.suggestions.services import suggestion_attachment_add

    s = world.draft()
    upload = SimpleUploadedFile("调研报告.pdf", PDF, content_type="application/pdf")
    attachment = suggestion_attachment_add(actor=personas.deputy, suggestion=s, upload=upload)
    world.act(s, "submit", personas.deputy)
    world.act(s, "pass")
    world.act(s, "accept")
    world.act(s, "assign", units=[{"unit": world.transport.pk, "role": "lead"}])
    url = f"{page_url(s)}files/attachment/{attachment.pk}/"
    client.force_login(personas.unit_handler)
    assert client.get(page_url(s)).content.decode().count("调研报告.pdf") >= 1
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF  # read to the end: closed
    client.force_login(water_handler)
    assert client.get(url).status_code == 404


# --- sessions -----------------------------------------------------------------------------------------------------


def test_staff_create_a_session_and_a_duplicate_is_refused(client, world, personas, regions):
    client.force_login(personas.county_staff)
    html = client.get("/office/suggestions/sessions/").content.decode()
    assert world.session.name in html
    data = {"congress_region": regions.deqing.pk, "term": 17, "number": 3, "kind": "interval", "opens_on": "2026-02-01"}
    response = client.post("/office/suggestions/sessions/", data)
    assert response.status_code == 302
    created = Session.objects.get(kind="interval")
    assert created.name == "德清县第十七届人民代表大会第三次会议闭会期间" and created.level == "county"
    assert AuditEvent.objects.filter(action="session_create").exists()
    response = client.post("/office/suggestions/sessions/", data)
    assert response.status_code == 400 and "已有这一次会议" in response.content.decode()
    assert Session.objects.filter(kind="interval").count() == 1


def test_a_unit_handler_sees_sessions_but_may_not_create_one(client, world, personas, regions):
    world.assigned()
    client.force_login(personas.unit_handler)
    response = client.get("/office/suggestions/sessions/")
    assert response.status_code == 200 and 'id="session-form"' not in response.content.decode()
    data = {"congress_region": regions.deqing.pk, "term": 17, "number": 4, "kind": "meeting", "opens_on": "2027-01-01"}
    assert client.post("/office/suggestions/sessions/", data).status_code == 403
    assert not Suggestion.objects.filter(session__number=4).exists() and Session.objects.count() == 1


def test_a_unit_is_offered_only_the_steps_that_still_apply_to_its_part(client, world, personas):
    s = world.assigned()
    lead = lead_part(s)
    client.force_login(personas.unit_handler)

    def offered() -> set[str]:
        html = client.get(page_url(s)).content.decode()
        return set(re.findall(rf'id="action-(\w+)-{lead.pk}"', html))

    assert offered() == {"request_reassign", "contact", "reply"}
    UnitAssignment.objects.filter(pk=lead.pk).update(reassign_until=datetime.date.today() - datetime.timedelta(days=1))
    assert offered() == {"contact", "reply"}  # the window to ask for another unit has passed
    world.act(s, "reply", personas.unit_handler, assignment=lead.pk, reply_class="B", reply_text="列入明年计划。",
              signed_by="王局长", promised_on=(datetime.date.today() + datetime.timedelta(days=60)).isoformat())  # fmt: skip
    assert offered() == {"fulfil"}
    world.act(s, "fulfil", personas.unit_handler, assignment=lead.pk, note="已完工")
    assert offered() == set()
