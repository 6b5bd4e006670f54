"""The rollups (lianxin.insight.rollups): after any sequence of transitions the worker's step leaves the same rows
as a rebuild from scratch; it is idempotent, a crash between batches repeats nothing, and a repeated batch is a
no-op; `lianxin rebuild_rollups` says what it did.

The story is random but seeded: ~30 cases over October to December 2025 in 居仁 and 城东 (villages), 武康 (a
township), 德清 (a county) and 安吉 (a county without townships here), each moved by the workflow as the office does
(accept, answer, coordinate, transfer, reply, feed back, rate, reopen, escalate, decline, merge, convert, close,
publish), with the deadline worker marking late steps, and the worker's step run now and then in between."""

import contextlib
import datetime
import io
import random
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import call_command

from lianxin.cases.deadline_jobs import cases_mark_overdue
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import Case, CaseEvent, Category, Rating, ResponsibleUnit, Status
from lianxin.cases.services import case_rate_as_citizen, case_register
from lianxin.cases.workflow import Action, available_actions, case_transition
from lianxin.core.errors import DomainError
from lianxin.deputies.models import Deputy
from lianxin.insight import rollups
from lianxin.insight.rollup_models import CaseFact, PeriodSlice, RollupState, Span
from lianxin.insight.rollups import facts_refresh, rollup_rows, rollups_rebuild, rollups_update
from lianxin.venues.models import Place, PlaceKind

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
START = datetime.datetime(2025, 10, 1, 9, tzinfo=SHANGHAI)
# When the story is read: past every deadline of the story's open cases.
READ_AT = datetime.datetime(2026, 1, 12, 10, tzinfo=SHANGHAI)


def _params(action: str, case: Case, world: SimpleNamespace, rng: random.Random) -> dict:
    if action == Action.ACCEPT:
        return {"category": rng.choice(world.categories).code}
    if action in (Action.ANSWER, Action.REPLY):
        return {"reply": "已处理"}
    if action == Action.TRANSFER:
        return {"unit": rng.choice(world.units).pk, "reply_days": rng.choice([0, 2, 5])}
    if action == Action.DECLINE:
        return {"reason": "不属于受理范围"}
    if action == Action.MERGE:
        masters = [
            c
            for c in world.cases
            if c.pk != case.pk and c.master_id is None and c.status in ("accepted", "transferred")
        ]
        return {"master": rng.choice(masters).pk} if masters else {"master": None}
    if action == Action.RATE:
        return {"rating": rng.choice([Rating.SATISFIED, Rating.BASICALLY])}
    if action == Action.CLOSE:
        return {"note": "群众多次联系未评价"}
    return {}


def _act(case: Case, world: SimpleNamespace, rng: random.Random) -> None:
    case.refresh_from_db()
    actions = [a for a in available_actions(case=case, actor=world.staff) if a != Action.ESCALATE or rng.random() < 0.3]
    if case.status == Status.FED_BACK and rng.random() < 0.4:
        rating = rng.choice([Rating.UNSATISFIED, Rating.SATISFIED])
        with contextlib.suppress(DomainError):  # a second reopen is refused: as in the office, nothing changes
            case_rate_as_citizen(receipt_code=case.receipt_code, rating=rating)
        return
    if not actions:
        return
    action = rng.choice(actions)
    params = _params(action, case, world, rng)
    note = params.pop("note", "")
    with contextlib.suppress(DomainError):  # refused (no master to merge into, …): nothing changes
        case_transition(case=case, action=action, actor=world.staff, note=note, params=params)


def play_story(world: SimpleNamespace, *, seed: int, cases: int = 30, step_every: int = 7) -> datetime.datetime:
    """Register `cases` cases and move them at random over three months; run the worker's step every
    `step_every` moves; mark late steps now and then while cases are still coming in (so that at the end some
    cases wait past their deadline unflagged, as between two rounds of the deadline worker). Returns the end."""
    rng = random.Random(seed)
    now = START
    moves = 0
    while len(world.cases) < cases or moves < cases * 4:
        now += datetime.timedelta(hours=rng.choice([1, 3, 8, 24]))
        with time_machine.travel(now, tick=False):
            if len(world.cases) < cases and rng.random() < 0.5:
                region = rng.choice(world.regions)
                category = rng.choice([None, *world.categories])
                n = len(world.cases)  # not the rng: the stories of the seeds stay what they were
                draft = CaseDraft(
                    deputy=world.deputy if n % 3 == 0 else None,
                    place=world.place if n % 2 == 0 else None,
                    channel=rng.choice(["online", "hotline", "station", "mobile", "phone"]),
                    title="路灯不亮",
                    body="居仁路东段路灯一个月没亮了。",
                    region=region,
                    category=category,
                    person_name="王秀英",
                    person_phone="13957211234",
                    reply_via="sms",
                )
                world.cases.append(case_register(actor=world.staff, draft=draft).case)
            elif world.cases:
                _act(rng.choice(world.cases), world, rng)
                moves += 1
                if moves % step_every == 0:
                    rollups_update()
            if len(world.cases) < cases and rng.random() < 0.1:
                cases_mark_overdue(now=now)
    return now


@pytest.fixture
def world(personas, regions):
    units = [
        ResponsibleUnit.objects.create(name="县交通运输局", region=regions.deqing),
        ResponsibleUnit.objects.create(name="县住建局", region=regions.deqing),
        ResponsibleUnit.objects.create(name="安吉县住建局", region=regions.anji),
    ]
    return SimpleNamespace(
        staff=personas.city_staff,  # 湖州市: handles and supervises every case of the story
        units=units,
        deputy=Deputy.objects.create(name="沈建国", gender="male"),
        place=Place.objects.create(kind=PlaceKind.STATION, name="居仁社区代表工作站", region=regions.jueren),
        categories=list(Category.objects.filter(code__in=["transport", "environment", "urban-construction"])),
        regions=[regions.jueren, regions.jueren, regions.chengdong, regions.wukang, regions.deqing, regions.anji],
        cases=[],
    )


def rebuilt_rows() -> dict:
    rollups_rebuild(batch=7)  # small batches: the keyset pagination is exercised
    return rollup_rows()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_after_random_transitions_the_worker_step_leaves_the_same_rows_as_a_rebuild(world, seed):
    play_story(world, seed=seed)
    with time_machine.travel(READ_AT, tick=False):
        rollups_update()
    incremental = rollup_rows()
    assert len(incremental["facts"]) == Case.objects.count() == 30
    # The story reached the measures the rollups count: every status kind, ratings, late flags, several units.
    statuses = set(Case.objects.values_list("status", flat=True))
    assert len(statuses) >= 5, statuses
    assert Case.objects.filter(is_overdue=True).exists() and Case.objects.exclude(rating="").exists()
    assert Case.objects.exclude(unit=None).values("unit").distinct().count() >= 2
    assert rebuilt_rows() == incremental


def test_a_case_that_changes_unit_leaves_no_empty_row_behind(world, regions):
    with time_machine.travel(START, tick=False):
        case = case_register(
            actor=world.staff, draft=CaseDraft(channel="online", body="路灯不亮", region=regions.jueren)
        ).case
        case_transition(case=case, action=Action.ACCEPT, actor=world.staff, params={"category": "transport"})
        case_transition(case=case, action=Action.TRANSFER, actor=world.staff, params={"unit": world.units[0].pk})
        rollups_update()
        # Its month, quarter and year in the county, the city and the province.
        assert PeriodSlice.objects.filter(dim="unit", key=str(world.units[0].pk)).count() == 9
        case_transition(case=case, action=Action.REPLY, actor=world.staff, params={"reply": "已处理"})
        case_transition(case=case, action=Action.FEED_BACK, actor=world.staff)
        case_transition(case=case, action=Action.ESCALATE, actor=world.staff)
        case_transition(case=case, action=Action.TRANSFER, actor=world.staff, params={"unit": world.units[1].pk})
        rollups_update()
    # The unit's rows (county, city, province) moved to the new unit; none is left with zeros.
    assert not PeriodSlice.objects.filter(dim="unit", key=str(world.units[0].pk)).exists()
    assert PeriodSlice.objects.filter(dim="unit", key=str(world.units[1].pk), received=1).count() == 9
    assert not PeriodSlice.objects.filter(received=0).exists()
    assert rebuilt_rows() == rollup_rows()


def test_the_worker_step_run_twice_changes_nothing_the_second_time(world):
    play_story(world, seed=4, cases=12)
    rollups_update()
    before = rollup_rows()
    last = RollupState.objects.get().last_event_id
    assert last == CaseEvent.objects.latest("pk").pk
    assert rollups_update() == 0
    assert rollup_rows() == before
    assert RollupState.objects.get().last_event_id == last


def test_a_crash_between_batches_repeats_nothing_and_a_repeated_batch_is_a_no_op(world, monkeypatch):
    play_story(world, seed=5, cases=15, step_every=10_000)  # the step never runs during the story
    events = CaseEvent.objects.count()
    assert events > 40
    monkeypatch.setattr(rollups, "EVENT_BATCH", 10)
    calls = {"n": 0}
    real_refresh = rollups._refresh

    def crash_on_third_batch(case_ids):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real_refresh(case_ids)

    monkeypatch.setattr(rollups, "_refresh", crash_on_third_batch)
    with pytest.raises(RuntimeError):
        rollups_update()
    # Two batches committed, with their watermark; the third rolled back whole.
    twentieth = list(CaseEvent.objects.order_by("pk").values_list("pk", flat=True))[19]
    assert RollupState.objects.get().last_event_id == twentieth
    monkeypatch.setattr(rollups, "_refresh", real_refresh)
    rollups_update()
    expected = rebuilt_rows()
    assert rollup_rows() == expected
    # A batch applied again (the watermark set back, as after a crash just before its commit) changes nothing.
    RollupState.objects.update(last_event_id=0)
    assert rollups_update() == 0
    assert rollup_rows() == expected


def test_facts_refresh_applies_a_change_that_wrote_no_event(world, regions):
    with time_machine.travel(START, tick=False):
        case = case_register(
            actor=world.staff, draft=CaseDraft(channel="online", body="路灯不亮", region=regions.jueren)
        ).case
        rollups_update()
    Case.objects.filter(pk=case.pk).update(channel="hotline")  # a repair beside the workflow: no event
    assert rollups_update() == 0  # the step cannot know (no event): the reason facts_refresh exists
    assert CaseFact.objects.get(case=case).online == 1
    assert facts_refresh([case.pk]) == 1
    assert CaseFact.objects.get(case=case).online == 0
    assert rebuilt_rows() == rollup_rows()


def test_an_event_committed_late_below_the_watermark_is_caught_by_the_lookback(world, regions):
    with time_machine.travel(START, tick=False):
        first = case_register(
            actor=world.staff, draft=CaseDraft(channel="online", body="一", region=regions.jueren)
        ).case
        second = case_register(
            actor=world.staff, draft=CaseDraft(channel="online", body="二", region=regions.jueren)
        ).case
        # As if the first case's registration committed after the step had read the second's event.
        RollupState.objects.create(pk=1, last_event_id=CaseEvent.objects.get(case=second).pk)
        rollups_update()
    assert set(CaseFact.objects.values_list("case_id", flat=True)) == {first.pk, second.pk}


def test_the_rebuild_command_says_what_it_did(world):
    play_story(world, seed=6, cases=10, step_every=10_000)
    out = io.StringIO()
    call_command("rebuild_rollups", "--batch", "3", stdout=out)
    text = out.getvalue()
    assert "10 件意见建议的统计事实" in text and "统计汇总已重建" in text
    assert f"#{CaseEvent.objects.latest('pk').pk}" in text
    assert CaseFact.objects.count() == 10
    state = RollupState.objects.get()
    assert state.rebuilt_at is not None and state.last_event_id == CaseEvent.objects.latest("pk").pk
    # The worker then has nothing to add.
    before = rollup_rows()
    rollups_update()
    assert rollup_rows() == before


def test_the_worker_brings_the_rollups_up_to_date_every_round(world, regions):
    with time_machine.travel(START, tick=False):
        case = case_register(
            actor=world.staff, draft=CaseDraft(channel="online", body="一", region=regions.jueren)
        ).case
        call_command("run_worker", "--once", "--job", "insight_rollups")
    assert CaseFact.objects.get(case=case).received == 1
    assert PeriodSlice.objects.get(node_id=regions.deqing.pk, dim="all", span=Span.YEAR).received == 1
    assert RollupState.objects.get().last_event_id == CaseEvent.objects.latest("pk").pk


def test_a_rebuild_leaves_the_tables_as_the_migrations_made_them_and_the_worker_then_applies_later_events(
    world, regions
):
    """On PostgreSQL the rebuild fills new tables and swaps them in: afterwards each table has the same indexes and
    constraints under the same names as before (the migrations' and the unique keys the upserts need), no
    `…_rebuilt` table is left, and the worker's step still adds to them. On SQLite it empties and refills."""
    from django.db import connection

    play_story(world, seed=4, cases=8)

    def shape() -> dict:
        with connection.cursor() as cursor:
            return {
                model: sorted(
                    (name, info["unique"], info["primary_key"], tuple(info["columns"]))
                    for name, info in connection.introspection.get_constraints(cursor, model._meta.db_table).items()
                )
                for model in rollups.REBUILT
            }

    before = shape()
    rollups_rebuild()
    assert shape() == before
    assert not [name for name in connection.introspection.table_names() if name.endswith(rollups.SHADOW)]
    with time_machine.travel(READ_AT, tick=False):
        case_register(
            actor=None,
            draft=CaseDraft(channel="hotline", body="路灯不亮", region=regions.wukang, person_phone="13957211234"),
        )
        rollups_update()
    assert CaseFact.objects.count() == Case.objects.count()
    incremental = rollup_rows()
    assert rebuilt_rows() == incremental
