# ruff: noqa: F811  (pytest injects the imported fixtures under the same names)
"""The suggestions API: GET/POST /suggestions, GET /suggestions/{id}, POST /suggestions/{id}/actions/{action}.

The world is the suggestions app's (lianxin/suggestions/tests/conftest.py): 德清县's congress, its third session, the
lead deputy `personas.deputy`, units transport (`personas.unit_handler`), housing (`world.other_handler`) and water;
staff are `personas.county_staff`; `personas.outsider` is township staff of 乾元镇, outside the county's congress.
"""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lianxin.accounts.roles import Role
from lianxin.api.tests.cases_fixtures import post  # noqa: F401  (fixture: a JSON POST as a user)
from lianxin.notifications.models import Notification
from lianxin.suggestions.models import CoSigner, Status, Suggestion, SuggestionEvent, UnitAssignment, UnitRole
from lianxin.suggestions.tests.conftest import world  # noqa: F401  (fixture: the suggestions app's world)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate().isoformat


def act(post, user, suggestion_id, action, *, note="", expected_version=None, **params):
    body = {"note": note, "params": params}
    if expected_version is not None:
        body["expected_version"] = expected_version
    return post(user, f"/suggestions/{suggestion_id}/actions/{action}", body)


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def lead_part(suggestion):
    return suggestion.units.get(is_active=True, role=UnitRole.LEAD)


def co_part(suggestion):
    return suggestion.units.get(is_active=True, role=UnitRole.CO)


def draft_body(world, **fields):
    body = {
        "session": world.session.pk,
        "title": "关于加快城东片区道路改造的建议",
        "reasons": "城东片区道路破损严重，雨天积水。",
        "content": "建议将城东片区道路改造列入明年计划。",
    }
    body.update(fields)
    return body


def _user(personas, world, name):
    return getattr(world, name) if name in ("other_handler", "co_user") else getattr(personas, name)


# Role × endpoint → status ---------------------------------------------------------------------------------

# An assigned suggestion: transport (unit_handler) leads, housing (other_handler) co-handles; co_user is a serving
# deputy of the congress who was not invited.
READ = {
    "county_staff": 200,
    "deputy": 200,
    "unit_handler": 200,
    "other_handler": 200,
    "co_user": 404,
    "outsider": 404,
    "no_role": 404,
}


@pytest.mark.parametrize(("persona", "status"), READ.items())
def test_the_detail_answers_those_who_see_the_suggestion_and_hides_it_from_everyone_else(
    world, personas, get, persona, status
):
    s = world.assigned()
    user = _user(personas, world, persona)

    response = get(user, f"/suggestions/{s.pk}")

    assert response.status_code == status, response.content
    if status == 404:
        assert response.json() == get(user, "/suggestions/999999").json()
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(("persona", "status"), READ.items())
def test_the_list_holds_the_suggestion_exactly_for_those_who_may_read_it(world, personas, get, persona, status):
    s = world.assigned()
    response = get(_user(personas, world, persona), "/suggestions", limit=100)

    assert response.status_code == 200
    ids = [item["id"] for item in response.json()["items"]]
    assert (s.pk in ids) is (status == 200)
    assert len(ids) == response.json()["count"]


def test_a_unit_does_not_see_a_draft_nor_a_suggestion_not_assigned_to_it(world, personas, get):
    draft = world.draft()
    elsewhere = world.draft(title="关于水库除险加固的建议")
    world.act(elsewhere, "submit", personas.deputy)
    world.act(elsewhere, "pass")
    world.act(elsewhere, "accept")
    world.act(elsewhere, "assign", units=[{"unit": world.water.pk, "role": "lead"}])

    for s in (draft, elsewhere):
        assert get(personas.unit_handler, f"/suggestions/{s.pk}").status_code == 404
    assert get(personas.unit_handler, "/suggestions").json() == {"items": [], "count": 0}


# Acting on the lead unit's part (contact before the reply): the unit or staff; a deputy and the co-unit may see
# the suggestion but not act for transport; those who do not see it get a 404.
CONTACT = {
    "county_staff": 200,
    "unit_handler": 200,
    "deputy": 403,
    "other_handler": 403,
    "co_user": 404,
    "outsider": 404,
    "no_role": 404,
}


@pytest.mark.parametrize(("persona", "status"), CONTACT.items())
def test_acting_on_a_units_part_is_the_units_or_the_staffs_and_hidden_from_outsiders(
    world, personas, post, persona, status
):
    s = world.assigned()
    part = lead_part(s)
    events = s.events.count()

    response = act(
        post, _user(personas, world, persona), s.pk, "contact",
        assignment=part.pk, contacted_on=TODAY(), way="phone", person="沈建国",
    )  # fmt: skip

    assert response.status_code == status, response.content
    assert part.contacts.count() == (1 if status == 200 else 0)
    assert s.events.count() == events + (1 if status == 200 else 0)
    if status == 200:
        body = response.json()
        contacts = next(u for u in body["units"] if u["id"] == part.pk)["contacts"]
        assert [(c["way"], c["person"]) for c in contacts] == [("phone", "沈建国")]
        assert body["events"][-1]["action"] == "contact" and body["events"][-1]["unit"] == "县交通运输局"


# A staff step (key supervision): the congress's staff only; the others who see the suggestion get a 403.
MARK_KEY = {
    "county_staff": 200,
    "deputy": 403,
    "unit_handler": 403,
    "other_handler": 403,
    "co_user": 404,
    "outsider": 404,
    "no_role": 404,
}


@pytest.mark.parametrize(("persona", "status"), MARK_KEY.items())
def test_a_staff_step_is_the_staffs_forbidden_to_others_who_see_it_and_hidden_from_the_rest(
    world, personas, post, persona, status
):
    s = world.assigned()

    response = act(post, _user(personas, world, persona), s.pk, "mark_key", leader_name="王副主任")

    assert response.status_code == status, response.content
    s.refresh_from_db()
    assert s.is_key is (status == 200)
    assert s.events.filter(action="mark_key").count() == (1 if status == 200 else 0)
    if status == 200:
        assert response.json()["is_key"] is True and response.json()["key_leader_name"] == "王副主任"
    if status == 403:
        assert response.json()["code"] == "permission_denied"


# Drafting: a deputy as themselves, staff for a deputy of their congress; a unit's handler is neither (403); staff
# of another region and users without a role do not see the session (a field error on `session`).
CREATE = {
    "county_staff": 201,
    "deputy": 201,
    "unit_handler": 403,
    "outsider": 400,
    "no_role": 400,
}


@pytest.mark.parametrize(("persona", "status"), CREATE.items())
def test_drafting_is_the_deputys_own_or_the_staffs_and_refused_to_others(world, personas, post, persona, status):
    world.assigned()  # the unit's handler sees the session through the suggestion assigned to it
    before = Suggestion.objects.count()
    body = draft_body(world, title="关于增设公交站点的建议")
    if persona == "county_staff":
        body["lead_deputy"] = world.lead.pk

    response = post(getattr(personas, persona), "/suggestions", body)

    assert response.status_code == status, response.content
    assert Suggestion.objects.count() == before + (1 if status == 201 else 0)
    if status == 201:
        created = response.json()
        assert created["status"] == "draft" and created["lead_deputy"] == {"id": world.lead.pk, "name": "沈建国"}
        assert response["Location"] == f"/api/v1/suggestions/{created['id']}"
        assert SuggestionEvent.objects.filter(suggestion_id=created["id"], action="create").count() == 1
    elif status == 400:
        assert (response.json()["code"], response.json()["field"]) == ("session_unknown", "session")
    else:
        assert response.json()["code"] == "permission_denied"


def test_a_deputy_cannot_draft_for_another_deputy_but_staff_must_name_one(world, personas, post):
    as_other = post(personas.deputy, "/suggestions", draft_body(world, lead_deputy=world.others[0].pk))
    without_lead = post(personas.county_staff, "/suggestions", draft_body(world))

    assert as_other.status_code == 403
    assert (without_lead.status_code, without_lead.json()["field"]) == (400, "lead_deputy")
    assert "领衔代表" in without_lead.json()["message"]
    assert not Suggestion.objects.exists()


def test_staff_cannot_name_a_lead_deputy_who_is_not_serving_in_the_sessions_congress(world, personas, post):
    response = post(personas.county_staff, "/suggestions", draft_body(world, lead_deputy=world.resigned.pk))

    assert (response.status_code, response.json()["code"]) == (400, "lead_not_serving")
    assert "韩退休" in response.json()["message"]
    assert not Suggestion.objects.exists()


def test_a_draft_may_grow_from_the_deputys_cases_and_lists_them(world, personas, post, get):
    case = world.case()

    created = ok(post(personas.deputy, "/suggestions", draft_body(world, case_ids=[case.pk])), 201)

    assert created["case_ids"] == [case.pk]
    assert get(personas.deputy, "/suggestions").json()["items"][0]["case_ids"] == [case.pk]
    unknown = post(personas.deputy, "/suggestions", draft_body(world, case_ids=[999999]))
    assert (unknown.status_code, unknown.json()["field"]) == (400, "case_ids")


def test_a_bad_field_is_named_in_chinese_and_nothing_is_written(world, personas, post):
    response = post(personas.deputy, "/suggestions", draft_body(world, title="", kind="motion"))

    assert response.status_code == 422
    assert "标题" in response.json()["message"] and "类型" in response.json()["message"]
    assert not Suggestion.objects.exists()


# Idempotent drafting --------------------------------------------------------------------------------------


def test_the_same_idempotency_key_makes_one_suggestion_and_replays_it(world, personas, post):
    first = post(personas.deputy, "/suggestions", draft_body(world), **{"Idempotency-Key": "draft-1"})
    again = post(personas.deputy, "/suggestions", draft_body(world), **{"Idempotency-Key": "draft-1"})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert first.json()["id"] == again.json()["id"]
    assert Suggestion.objects.count() == 1
    assert SuggestionEvent.objects.filter(action="create").count() == 1


def test_the_client_key_field_works_like_the_header_and_keys_belong_to_their_account(world, personas, post):
    first = ok(post(personas.deputy, "/suggestions", draft_body(world, client_key="form-7")), 201)
    again = ok(post(personas.deputy, "/suggestions", draft_body(world, client_key="form-7")), 200)
    by_staff = ok(
        post(personas.county_staff, "/suggestions", draft_body(world, client_key="form-7", lead_deputy=world.lead.pk)),
        201,
    )

    assert first["id"] == again["id"] != by_staff["id"]
    assert Suggestion.objects.count() == 2


def test_an_idempotency_key_too_long_or_contradicting_the_client_key_is_refused(world, personas, post):
    long = post(personas.deputy, "/suggestions", draft_body(world), **{"Idempotency-Key": "x" * 65})
    both = post(personas.deputy, "/suggestions", draft_body(world, client_key="a"), **{"Idempotency-Key": "b"})

    assert (long.status_code, long.json()["field"]) == (422, "Idempotency-Key")
    assert (both.status_code, both.json()["field"]) == (422, "client_key")
    assert not Suggestion.objects.exists()


# The whole method through the API -------------------------------------------------------------------------


def test_the_ten_steps_through_the_api_from_draft_to_closed(world, personas, post, get):
    s = ok(post(personas.deputy, "/suggestions", draft_body(world), **{"Idempotency-Key": "loop"}), 201)
    assert "submit" in s["actions"] and "pass" not in s["actions"]
    invited = ok(act(post, personas.deputy, s["id"], "invite", deputies=[world.others[0].pk, world.others[1].pk]))
    assert invited["status"] == "collecting"
    signed = ok(act(post, world.co_user, s["id"], "sign"))
    assert signed["co_signers"] == ["钱立新"]
    assert [(c["deputy"]["name"], c["status"]) for c in signed["co_signer_invitations"]] == [
        ("钱立新", "signed"),
        ("孙美华", "invited"),
    ]
    submitted = ok(act(post, personas.deputy, s["id"], "submit", expected_version=signed["version"]))
    passed = ok(act(post, personas.county_staff, s["id"], "pass", expected_version=submitted["version"]))
    accepted = ok(act(post, personas.county_staff, s["id"], "accept", expected_version=passed["version"]))
    assert (accepted["number"], accepted["number_label"]) == (1, "第1号建议")
    units = [{"unit": world.transport.pk, "role": "lead"}, {"unit": world.housing.pk, "role": "co"}]
    assigned = ok(act(post, personas.county_staff, s["id"], "assign", units=units))
    assert [(u["unit"]["name"], u["role"]) for u in assigned["units"]] == [("县交通运输局", "lead"), ("县住建局", "co")]
    assert assigned["due_date"] and assigned["status_label"] == "办理中"

    handler_view = ok(get(personas.unit_handler, f"/suggestions/{s['id']}"))
    lead = next(u for u in handler_view["units"] if u["role"] == "lead")
    co = next(u for u in handler_view["units"] if u["role"] == "co")
    assert {"contact", "reply", "request_reassign"} <= set(lead["actions"]) and co["actions"] == []
    ok(act(post, personas.unit_handler, s["id"], "contact", assignment=lead["id"], contacted_on=TODAY(), way="visit",
           person="沈建国"))  # fmt: skip
    ok(act(post, world.other_handler, s["id"], "co_opinion", assignment=co["id"], opinion="同意纳入城建计划。"))
    replied = ok(
        act(post, personas.unit_handler, s["id"], "reply", assignment=lead["id"], reply_class="A",
            reply_text="已列入明年计划并开工。", signed_by="王局长")
    )  # fmt: skip
    assert (replied["status"], replied["reply_class"]) == ("replied", "A")
    rated = ok(act(post, personas.deputy, s["id"], "rate", assignment=lead["id"], rating="satisfied"))
    assert (rated["status"], rated["rating"]) == ("rated", "satisfied")
    closed = ok(act(post, personas.county_staff, s["id"], "close", note="代表满意"))

    assert (closed["status"], closed["status_label"], closed["versions"]) == ("closed", "已办结", 1)
    assert [e["action"] for e in closed["events"]] == [
        "create", "invite", "sign", "submit", "pass", "accept", "assign", "contact", "co_opinion", "reply", "rate",
        "close",
    ]  # fmt: skip
    assert [e["action_label"] for e in closed["events"][:3]] == ["起草", "邀请附议", "附议"]
    assert closed["events"][-1]["note"] == "代表满意"
    assert Notification.objects.filter(kind="suggestion.replied", user=personas.deputy).exists()
    item = get(personas.county_staff, "/suggestions", status="closed").json()["items"][0]
    assert {k: item[k] for k in ("id", "kind", "reply_class", "rating", "co_signers")} == {
        "id": s["id"],
        "kind": "suggestion",
        "reply_class": "A",
        "rating": "satisfied",
        "co_signers": ["钱立新"],
    }


# The errors the issue names -------------------------------------------------------------------------------


def test_a_reply_without_a_class_is_refused_naming_the_field_and_nothing_is_written(world, personas, post):
    s = world.assigned()
    part = lead_part(s)

    response = act(
        post, personas.unit_handler, s.pk, "reply", assignment=part.pk, reply_text="已办。", signed_by="王局长"
    )

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400,
        "field_required",
        "reply_class",
    )
    assert response.json()["message"].startswith("答复类别")
    part.refresh_from_db()
    assert part.replied_at is None and part.reply_text == ""
    assert not s.events.filter(action="reply").exists()


def test_a_b_class_reply_without_a_promised_date_is_refused(world, personas, post):
    s = world.assigned()
    part = lead_part(s)

    response = act(
        post, personas.unit_handler, s.pk, "reply",
        assignment=part.pk, reply_class="B", reply_text="已列入计划。", signed_by="王局长",
    )  # fmt: skip

    assert (response.status_code, response.json()["field"]) == (400, "promised_on")
    assert "承诺完成日期" in response.json()["message"]
    part.refresh_from_db()
    assert part.replied_at is None
    s.refresh_from_db()
    assert s.status == Status.ASSIGNED


def test_an_unknown_reply_class_is_a_422_naming_the_field(world, personas, post):
    s = world.assigned()

    response = act(post, personas.unit_handler, s.pk, "reply", assignment=lead_part(s).pk, reply_class="D")

    assert response.status_code == 422
    assert "答复类别" in response.json()["message"]


def test_a_co_signer_who_is_not_a_serving_deputy_is_refused_and_nobody_is_invited(world, personas, post):
    s = world.draft()

    response = act(post, personas.deputy, s.pk, "invite", deputies=[world.others[0].pk, world.resigned.pk])

    assert (response.status_code, response.json()["code"]) == (400, "co_signer_not_serving")
    assert "韩退休" in response.json()["message"] and response.json()["field"] == "deputies"
    assert not CoSigner.objects.exists()
    s.refresh_from_db()
    assert s.status == Status.DRAFT


def test_two_staff_assigning_at_once_one_wins_and_the_other_gets_a_conflict(world, personas, post, make_user, regions):
    colleague = make_user("colleague", Role.COUNTY_STAFF, regions.deqing)
    s = world.draft()
    world.act(s, "submit", personas.deputy)
    world.act(s, "pass")
    world.act(s, "accept")
    seen = s.version

    first = act(post, personas.county_staff, s.pk, "assign", expected_version=seen,
                units=[{"unit": world.transport.pk, "role": "lead"}])  # fmt: skip
    second = act(post, colleague, s.pk, "assign", expected_version=seen,
                 units=[{"unit": world.water.pk, "role": "lead"}])  # fmt: skip

    assert first.status_code == 200
    assert (second.status_code, second.json()["code"]) == (409, "suggestion_conflict")
    assert "办理中" in second.json()["message"]
    assert list(UnitAssignment.objects.filter(suggestion=s).values_list("unit__name", flat=True)) == ["县交通运输局"]
    assert s.events.filter(action="assign").count() == 1


def test_a_stale_version_on_the_same_state_is_a_conflict_too(world, personas, post):
    s = world.assigned()
    part = lead_part(s)
    stale = s.version
    later = part.due_date + datetime.timedelta(days=30)
    world.act(s, "extend", assignment=part.pk, due_date=later.isoformat(), reason="需跨部门协调")

    response = act(post, personas.county_staff, s.pk, "mark_key", expected_version=stale, leader_name="王副主任")

    assert response.status_code == 409
    s.refresh_from_db()
    assert not s.is_key


def test_an_unknown_action_or_another_suggestions_part_is_a_404(world, personas, post):
    s = world.assigned()
    other = world.assigned(title="关于增设公交站点的建议")

    unknown = act(post, personas.county_staff, s.pk, "approve")
    foreign = act(post, personas.unit_handler, s.pk, "contact", assignment=lead_part(other).pk,
                  contacted_on=TODAY(), way="phone", person="沈建国")  # fmt: skip

    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    assert "approve" in unknown.json()["message"]
    assert foreign.status_code == 404
    assert not lead_part(other).contacts.exists() and not lead_part(s).contacts.exists()


def test_a_unit_acting_on_a_suggestion_not_assigned_to_it_gets_a_404(world, personas, post):
    s = world.draft(title="关于水库除险加固的建议")
    world.act(s, "submit", personas.deputy)
    world.act(s, "pass")
    world.act(s, "accept")
    world.act(s, "assign", units=[{"unit": world.water.pk, "role": "lead"}])

    response = act(post, personas.unit_handler, s.pk, "reply", assignment=lead_part(s).pk, reply_class="A",
                   reply_text="已办。", signed_by="王局长")  # fmt: skip

    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert lead_part(s).replied_at is None


def test_an_action_the_state_does_not_allow_is_a_400_naming_the_action(world, personas, post):
    s = world.draft()

    response = act(post, personas.county_staff, s.pk, "accept")

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        400,
        "invalid_transition",
        "action",
    )
    assert "草稿" in response.json()["message"]


# The list ---------------------------------------------------------------------------------------------------


def test_the_list_filters_by_session_status_unit_reply_class_kind_and_text(world, personas, post, get):
    replied = world.assigned()
    world.act(replied, "reply", personas.unit_handler, assignment=lead_part(replied).pk, reply_class="C",
              reply_text="受财力所限，暂不能安排，将逐年推进。", signed_by="王局长")  # fmt: skip
    water = world.draft(title="关于水库除险加固的建议")
    world.act(water, "submit", personas.deputy)
    world.act(water, "pass")
    world.act(water, "accept")
    world.act(water, "assign", units=[{"unit": world.water.pk, "role": "lead"}])
    bill = world.draft(title="关于制定城乡环境卫生条例的议案", kind="bill", draft_resolution="草案")
    staff = personas.county_staff

    def ids(**filters):
        response = get(staff, "/suggestions", **filters)
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    assert ids() == {replied.pk, water.pk, bill.pk}
    assert ids(session=world.session.pk) == {replied.pk, water.pk, bill.pk}
    assert ids(session=999999) == set()
    assert ids(status="assigned") == {water.pk}
    assert ids(status="replied") == {replied.pk}
    assert ids(unit=world.housing.pk) == {replied.pk}
    assert ids(unit=world.water.pk) == {water.pk}
    assert ids(reply_class="C") == {replied.pk}
    assert ids(reply_class="A") == set()
    assert ids(kind="bill") == {bill.pk}
    assert ids(q="水库") == {water.pk}
    wrong = get(staff, "/suggestions", status="finished")
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "status"


def test_each_item_carries_what_a_client_needs(world, personas, get):
    case = world.case()
    s = world.assigned(case_ids=[case.pk])
    world.act(s, "reply", personas.unit_handler, assignment=lead_part(s).pk, reply_class="B", reply_text="已列入计划。",
              signed_by="王局长", promised_on="2099-06-30")  # fmt: skip

    item = get(personas.county_staff, "/suggestions").json()["items"][0]

    assert item["number"] == 1 and item["number_label"] == "第1号建议"
    assert (item["kind"], item["kind_label"], item["status"], item["status_label"]) == (
        "suggestion",
        "建议",
        "replied",
        "已答复",
    )
    assert item["lead_deputy"]["name"] == "沈建国" and item["co_signers"] == []
    assert [(u["unit"]["name"], u["role"], u["role_label"]) for u in item["units"]] == [
        ("县交通运输局", "lead", "主办"),
        ("县住建局", "co", "协办"),
    ]
    assert (item["reply_class"], item["rating"]) == ("B", "")
    assert item["due_date"] == s.due_date.isoformat()
    assert item["case_ids"] == [case.pk]
    assert item["session"] == {"id": world.session.pk, "name": "德清县第十七届人民代表大会第三次会议"}


def test_split_handling_lists_each_lead_units_class(world, personas, get):
    s = world.draft()
    world.act(s, "submit", personas.deputy)
    world.act(s, "pass")
    world.act(s, "accept")
    world.act(
        s, "assign", units=[{"unit": world.transport.pk, "role": "lead"}, {"unit": world.housing.pk, "role": "lead"}]
    )
    parts = {p.unit_id: p for p in s.units.all()}
    world.act(s, "reply", personas.unit_handler, assignment=parts[world.transport.pk].pk, reply_class="A",
              reply_text="已修复。", signed_by="王局长")  # fmt: skip
    world.act(s, "reply", world.other_handler, assignment=parts[world.housing.pk].pk, reply_class="C",
              reply_text="受财力所限，暂不能安排，将逐年推进。", signed_by="李局长")  # fmt: skip

    item = get(personas.county_staff, "/suggestions").json()["items"][0]

    assert item["reply_class"] == "A/C"


def test_the_list_costs_the_same_queries_for_one_suggestion_as_for_twenty(
    world, personas, client, django_assert_num_queries
):
    def rich(n):
        """Grown from a case, co-signed, assigned to a lead and a co-unit: every relation an item reads."""
        s = world.draft(title=f"关于第{n}条道路改造的建议", case_ids=[world.case().pk])
        world.act(s, "invite", personas.deputy, deputies=[world.others[0].pk])
        world.act(s, "sign", world.co_user)
        world.act(s, "submit", personas.deputy)
        world.act(s, "pass")
        world.act(s, "accept")
        world.act(
            s, "assign", units=[{"unit": world.transport.pk, "role": "lead"}, {"unit": world.housing.pk, "role": "co"}]
        )

    def page():
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/suggestions", {"limit": 50})
        assert response.status_code == 200
        items = response.json()["items"]
        assert all(item["case_ids"] and item["co_signers"] == ["钱立新"] and len(item["units"]) == 2 for item in items)
        return len(items), len(queries)

    client.force_login(personas.county_staff)
    rich(0)
    count, one = page()
    assert count == 1
    for n in range(1, 20):
        rich(n)
    with django_assert_num_queries(one):
        count, _ = page()
    assert count == 20


def test_the_sessions_list_shows_the_deputy_where_to_draft_and_hides_other_congresses(world, personas, get):
    mine = get(personas.deputy, "/suggestion-sessions").json()
    staff = get(personas.county_staff, "/suggestion-sessions").json()
    outsider = get(personas.outsider, "/suggestion-sessions").json()

    assert [s["id"] for s in mine["items"]] == [world.session.pk] == [s["id"] for s in staff["items"]]
    assert mine["items"][0]["kind_label"] == "会议期间" and mine["items"][0]["is_open"] is True
    assert outsider == {"items": [], "count": 0}


def test_the_suggestions_enums_keep_their_own_names_in_the_openapi_document():
    """OpenAPI components are keyed by name: a suggestions enum named like a cases one (Status, Rating) silently
    replaced the cases' values in the document."""
    from lianxin.api.openapi import openapi_document
    from lianxin.cases.models import Rating as CaseRating
    from lianxin.cases.models import Status as CaseStatus

    schemas = json.loads(openapi_document())["components"]["schemas"]

    assert schemas["Status"]["enum"] == CaseStatus.values
    assert schemas["Rating"]["enum"] == CaseRating.values
    assert schemas["SuggestionStatus"]["enum"] == Status.values
    assert schemas["SuggestionRating"]["enum"] == ["satisfied", "basic", "unsatisfied"]


def test_two_requests_with_one_key_at_once_make_one_suggestion_and_the_later_says_it_replayed(
    world, personas, post, monkeypatch
):
    """The race: both requests look for the key before either has saved. The other request's draft is saved between
    this one's look and its insert, which then meets the unique key: this one answers 200 with the other's draft."""
    from lianxin.suggestions import services

    look = services._made_with_key
    state = {"raced": False, "rival": None}

    def look_then_lose_the_race(actor, client_key):
        if state["raced"]:
            return look(actor, client_key)
        state["raced"] = True  # the rival request, saved right now, looks and finds nothing either
        state["rival"] = services.suggestion_draft_create(
            actor=actor, session=world.session, title="同时提交的另一份", client_key=client_key
        )
        return None

    monkeypatch.setattr(services, "_made_with_key", look_then_lose_the_race)
    response = post(personas.deputy, "/suggestions", draft_body(world), **{"Idempotency-Key": "draft-race"})

    assert response.status_code == 200 and response["Idempotent-Replayed"] == "true"
    assert response.json()["id"] == state["rival"].pk
    assert Suggestion.objects.count() == 1
