"""Every actor × every (state, action) of a deputy's suggestion × inside/region/outside → the cell of
lianxin/accounts/permission_matrix.py (SUGGESTIONS), through the workflow's entry point `suggestion_transition`.

The suggestions belong to 德清县's congress. Inside: led by the `deputy` actor, with the `co_deputy` invited to
co-sign, the `unit` actor's unit leading and the `co_unit` actor's unit co-handling; region: a suggestion of the same
congress led by another deputy, with another co-signer and other units; outside: one of 西湖区's congress (in 杭州,
not 湖州: nobody's region, as in the cases matrix).

Built once per module: a suggestion in every state, created directly, with what each action needs to succeed where
it is allowed: a lead and a co assignment made today (the re-assignment window open), in every state, so that the
permission is what answers before the state everywhere; in replied/rated/closed a B reply with an open promise, in
rated/closed its rating; the deputy's consent to publish; marked key. Two variants beside it: a bill with nine
signed co-signers (convert, to_presidium) and one whose lead unit asked to be re-assigned (refuse_reassign).
Each cell runs in a savepoint that is rolled back; one test per (actor, scope, action) walks the fourteen states.

The service answers `not_found` rather than `permission_denied` to someone who may not see the suggestion at all (a
unit it is not assigned to, a deputy neither leading nor invited, staff of another region, the system): for the
matrix that is a refusal like any other, so `not_found` counts as `permission_denied` here.
"""

import copy
import datetime
from types import SimpleNamespace

import pytest
from django.db.models import Count
from django.utils import timezone

from lianxin.accounts.actors import SYSTEM
from lianxin.accounts.permission_matrix import DONE, PERMISSION_DENIED, SUGGESTIONS
from lianxin.accounts.roles import Role
from lianxin.cases.models import ResponsibleUnit
from lianxin.cases.tests import matrix_world
from lianxin.core.errors import DomainError
from lianxin.deputies.models import Deputy, Mandate, MandateLevel
from lianxin.regions.models import Region
from lianxin.suggestions.models import (
    CoSigner,
    Kind,
    Rating,
    ReplyClass,
    Session,
    SignStatus,
    Status,
    Suggestion,
    SuggestionEvent,
    UnitAssignment,
    UnitRole,
)
from lianxin.suggestions.rules import add_months, months_due, reassign_until, rules_of
from lianxin.suggestions.workflow import TRANSITIONS, suggestion_transition
from lianxin.workdays.calendar import CHINA

pytestmark = pytest.mark.django_db

NOTE = "电话联系代表，已说明"
# The actions that need a variant of the suggestion to succeed where they are allowed.
VARIANT = {"convert": "bill", "to_presidium": "bill", "refuse_reassign": "pending"}
# Reply and rate settle the status from the lead units' parts: with one lead unit, its reply makes the suggestion
# replied and a satisfied rating rated.
SETTLED = {"reply": Status.REPLIED, "rate": Status.RATED}
REPLIED = (Status.REPLIED, Status.RATED, Status.CLOSED)


def _today() -> datetime.date:
    return timezone.now().astimezone(CHINA).date()


def _deputy(name: str, congress: Region, user=None) -> Deputy:
    deputy = Deputy.objects.create(name=name, gender="female", user=user)
    Mandate.objects.create(deputy=deputy, level=MandateLevel.COUNTY, congress_region=congress, term=17)
    return deputy


def _session(congress: Region) -> Session:
    return Session.objects.create(
        congress_region=congress,
        level=MandateLevel.COUNTY,
        term=17,
        number=3,
        name=f"{congress.name}第十七届人民代表大会第三次会议",
        opens_on=datetime.date(2026, 1, 10),
    )


def _suggestion(side: SimpleNamespace, state: str, variant: str, fillers: list[Deputy]) -> SimpleNamespace:
    now, today = timezone.now(), _today()
    bill = variant == "bill"
    handled = state in (Status.ASSIGNED, *REPLIED)
    suggestion = Suggestion.objects.create(
        session=side.session,
        region=side.congress,
        kind=Kind.BILL if bill else Kind.SUGGESTION,
        status=state,
        title=f"关于加快城东片区道路改造的{'议案' if bill else '建议'}（{state}）",
        reasons="城东片区道路破损严重，雨天积水，群众反映强烈。",
        content="建议县交通运输局将城东片区道路改造列入明年计划，先修复主干道。",
        draft_resolution="关于加快城东片区道路改造的决议（草案）" if bill else "",
        lead_deputy=side.deputy,
        public_consent=True,
        is_key=True,
        key_leader_name="县人大常委会副主任",
        assigned_at=now if handled else None,
        due_date=months_due(today, 3) if handled else None,
    )
    signed = SignStatus.SIGNED if bill else SignStatus.INVITED
    CoSigner.objects.create(suggestion=suggestion, deputy=side.co_deputy, status=signed)
    if bill:  # ten signers with the lead deputy: a county congress's bill qualifies
        CoSigner.objects.bulk_create(
            CoSigner(suggestion=suggestion, deputy=deputy, status=SignStatus.SIGNED) for deputy in fillers
        )
    window = reassign_until(today, rules_of(region_id=side.congress.pk, level=MandateLevel.COUNTY))
    lead = UnitAssignment.objects.create(
        suggestion=suggestion,
        unit=side.unit,
        role=UnitRole.LEAD,
        assigned_at=now,
        due_date=months_due(today, 3),
        reassign_until=window,
    )
    if variant == "pending":
        UnitAssignment.objects.filter(pk=lead.pk).update(reassign_requested_at=now, reassign_reason="不属于本单位职责")
    if state in REPLIED:
        UnitAssignment.objects.filter(pk=lead.pk).update(
            reply_class=ReplyClass.B,
            reply_text="已列入明年道路改造计划，主干道年内修复。",
            signed_by="王建华",
            promised_on=today + datetime.timedelta(days=120),
            replied_at=now,
        )
    if state in (Status.RATED, Status.CLOSED):
        UnitAssignment.objects.filter(pk=lead.pk).update(rating=Rating.SATISFIED, rated_at=now)
    co = UnitAssignment.objects.create(
        suggestion=suggestion,
        unit=side.co_unit,
        role=UnitRole.CO,
        assigned_at=now,
        due_date=months_due(today, 1),
        reassign_until=window,
    )
    return SimpleNamespace(pk=suggestion.pk, lead=lead.pk, co=co.pk)


def _sides(world: SimpleNamespace) -> dict[str, SimpleNamespace]:
    """The cases' sides with what a suggestion adds: a congress and its session, a co-signer, a co-unit, a spare
    unit (assign, reassign) and a serving deputy to invite. Inside, the co-signer and the co-unit are the actors'."""
    regions = world.regions
    sessions = {regions.deqing.pk: _session(regions.deqing), regions.xihu.pk: _session(regions.xihu)}
    fillers = [_deputy(f"联名代表{n}", regions.deqing) for n in range(1, 9)]
    sides = {}
    for scope, side in world.sides.items():
        congress = side.unit.region
        mine = scope == "inside"
        co_handler = (
            world.actors["co_unit"] if mine else matrix_world.account(f"{scope}_co", Role.UNIT_HANDLER, congress)
        )
        co_unit = ResponsibleUnit.objects.create(name=f"{congress.name}住建局（{scope}）", region=congress)
        co_unit.handlers.add(co_handler)
        sides[scope] = SimpleNamespace(
            congress=congress,
            session=sessions[congress.pk],
            deputy=side.deputy,
            co_deputy=_deputy(f"附议代表（{scope}）", congress, world.actors["co_deputy"] if mine else None),
            invitee=_deputy(f"受邀代表（{scope}）", congress),
            unit=side.unit,
            co_unit=co_unit,
            spare_unit=ResponsibleUnit.objects.create(name=f"{congress.name}水利局（{scope}）", region=congress),
        )
        sides[scope].suggestions = {
            variant: {state: _suggestion(sides[scope], state, variant, fillers) for state in SUGGESTIONS.states}
            for variant in ("plain", "bill", "pending")
        }
        sides[scope].parts = {part.pk: part for parts in sides[scope].suggestions.values() for part in parts.values()}
    return sides


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), matrix_world.rolled_back():
        world = matrix_world.build()
        users, regions = world.users, world.regions
        world.actors = {
            **{actor: users[actor] for actor in SUGGESTIONS.actors if actor in users},
            "unit": users["unit_handler"],
            "co_deputy": matrix_world.account("co_deputy", Role.DEPUTY, regions.deqing),
            "co_unit": matrix_world.account("co_unit", Role.UNIT_HANDLER, regions.deqing),
            "system": SYSTEM,
        }
        assert set(world.actors) == set(SUGGESTIONS.actors)
        world.suggestion_sides = _sides(world)
        assert not SuggestionEvent.objects.exists() and not Suggestion.objects.exclude(version=0).exists()
        yield world


def params(action: str, side: SimpleNamespace, part: SimpleNamespace) -> dict:
    today = _today()
    given = {
        "edit": {"content": "建议将城东片区道路改造列入明年计划，先修复主干道，同步改造排水管网。"},
        "invite": {"deputies": [side.invitee.pk]},
        "convert": {"deputy_consent": True},
        "return": {"reason": "案由不够具体，请补充路段和积水情况"},
        "reject": {"reason": "属于司法个案，不宜作为代表建议"},
        "assign": {"units": [{"unit": side.spare_unit.pk, "role": UnitRole.LEAD}]},
        "request_reassign": {"reason": "该事项不属于本单位职责"},
        "reassign": {"unit": side.spare_unit.pk},
        "refuse_reassign": {"reason": "属于本单位职责，请继续办理"},
        "contact": {"contacted_on": today.isoformat(), "way": "phone", "person": "张科长"},
        "co_opinion": {"opinion": "同意主办单位的办理意见，配合做好排水管网改造。"},
        "extend": {"due_date": add_months(today, 5).isoformat(), "reason": "需与省交通运输厅协调资金"},
        "reply": {"reply_class": ReplyClass.A, "reply_text": "已列入明年计划并完成设计。", "signed_by": "王建华"},
        "rate": {"rating": Rating.SATISFIED},
        "mark_key": {"leader_name": "县人大常委会副主任 李明"},
        "key_note": {"text": "召开督办推进会，明确完成时限"},
        "fulfil": {"note": "主干道已修复通车"},
    }.get(action, {})
    if TRANSITIONS[action].on_unit:
        given["assignment"] = part.co if action == "co_opinion" else part.lead
    return given


def _written(pk: int) -> tuple[str, int, int]:
    """What a cell may have changed: the status, the version and the number of events."""
    row = Suggestion.objects.filter(pk=pk).annotate(n=Count("events")).values_list("status", "version", "n")
    return row.get()


def _outcome(actor, side: SimpleNamespace, suggestion: Suggestion, action: str) -> str:
    state, part = suggestion.status, side.parts[suggestion.pk]
    before = (state, 0, 0)  # as built: nothing was done to it yet
    with matrix_world.rolled_back():
        try:
            suggestion_transition(
                suggestion=suggestion, action=action, actor=actor, note=NOTE, params=params(action, side, part)
            )
        except DomainError as refusal:
            assert _written(suggestion.pk) == before, "refused but wrote"
            return PERMISSION_DENIED if refusal.code == "not_found" else refusal.code
        status, version, events = _written(suggestion.pk)
        assert status == SETTLED.get(action, TRANSITIONS[action].target or state)
        assert (version, events) == (1, 1)
        event = SuggestionEvent.objects.filter(suggestion_id=suggestion.pk).latest("pk")
        assert (event.action, event.from_status, event.to_status) == (action, state, status)
        assert event.actor == (None if actor is SYSTEM else actor)
        return DONE


CELLS = [
    (actor, scope, action)
    for actor in SUGGESTIONS.actors
    for scope in matrix_world.scopes(actor, SUGGESTIONS)
    for action in SUGGESTIONS.actions
]


@pytest.mark.parametrize(("actor", "scope", "action"), CELLS)
def test_a_suggestion_allows_and_refuses_exactly_what_the_matrix_says(world, actor, scope, action):
    who = world.actors[actor]
    side = world.suggestion_sides[scope]
    ids = [part.pk for part in side.suggestions[VARIANT.get(action, "plain")].values()]
    # Read once; each cell gets its own copy (Model.__getstate__ copies the state and the related objects' cache).
    suggestions = Suggestion.objects.select_related("region", "session", "lead_deputy").in_bulk(ids)

    states = SUGGESTIONS.states
    if scope != "inside":
        # Outside their scope (or on what is not theirs) an actor is refused before the state is looked at: the
        # states the action starts from are the ones where a slip would do harm, and they are enough to walk.
        states = tuple(state for state in states if state in SUGGESTIONS.sources(action))
    found = {s.status: _outcome(who, side, copy.copy(s), action) for s in suggestions.values() if s.status in states}

    assert found == {state: SUGGESTIONS.expected(actor, state, action, scope=scope) for state in states}


def test_the_suggestion_matrix_covers_every_state_and_action_and_agrees_on_the_sources():
    assert set(SUGGESTIONS.states) == set(Status.values)
    assert set(SUGGESTIONS.actions) == set(TRANSITIONS)
    for action, transition in TRANSITIONS.items():
        assert SUGGESTIONS.sources(action) == transition.sources, action
