"""The router for suggestions: trained on assigned suggestions' text → lead unit, it proposes units to staff."""

import pytest
from django.core.management import CommandError, call_command

from lianxin.cases.models import ResponsibleUnit
from lianxin.core.audit import AuditEvent
from lianxin.core.errors import DomainError
from lianxin.suggestions.models import SuggestionRouter
from lianxin.suggestions.routing import (
    suggestion_router_forget,
    suggestion_router_retrain_due,
    suggestion_router_train,
    suggestion_units_propose,
)

ROADS = [
    ("关于修复城东主干道路面的建议", "城东主干道路面坑洼，车辆颠簸。", "建议交通运输局尽快修复道路路面。"),
    ("关于增设公交线路的建议", "城北新区没有公交线路，群众出行不便。", "建议增开公交线路，方便群众出行。"),
    ("关于加强货车超载治理的建议", "货车超载压坏道路。", "建议交通部门加强治超，保护公路。"),
    ("关于优化公交站点设置的建议", "公交站点距离小区太远。", "建议调整公交站点，缩短步行距离。"),
    ("关于乡村公路养护的建议", "乡村公路年久失修，路面破损。", "建议加大乡村公路养护投入。"),
    ("关于增加城乡公交班次的建议", "城乡公交班次少，等车时间长。", "建议增加公交班次和运营时间。"),
]
HOUSES = [
    ("关于老旧小区加装电梯的建议", "老旧小区老人上下楼难。", "建议住建局推进老旧小区加装电梯。"),
    ("关于规范物业管理的建议", "小区物业服务差，收费不透明。", "建议住建部门加强物业监管。"),
    ("关于老旧小区改造的建议", "老旧小区管网老化，屋顶漏水。", "建议将老旧小区改造列入计划。"),
    ("关于保障性住房建设的建议", "青年人才住房困难。", "建议加快保障性租赁住房建设。"),
    ("关于整治违法建筑的建议", "小区内违章搭建多。", "建议住建和执法部门整治违法建设。"),
    ("关于加强建筑工地扬尘治理的建议", "建筑工地扬尘大。", "建议住建局加强工地扬尘监管。"),
]


@pytest.fixture(autouse=True)
def _no_model_in_memory():
    suggestion_router_forget()
    yield
    suggestion_router_forget()


def _assign(world, unit, title, reasons, content):
    s = world.draft(title=title, reasons=reasons, content=content)
    world.act(s, "submit", s.lead_deputy.user)
    world.act(s, "pass")
    world.act(s, "accept")
    world.act(s, "assign", units=[{"unit": unit.pk, "role": "lead"}])
    return s


@pytest.fixture
def trained_on(world):
    for row in ROADS:
        _assign(world, world.transport, *row)
    for row in HOUSES:
        _assign(world, world.housing, *row)
    return world


def test_it_trains_on_assigned_suggestions_and_proposes_the_unit_that_led_similar_ones(trained_on, personas):
    world = trained_on
    model = suggestion_router_train(actor=personas.county_staff)

    assert model.is_active and model.samples == 12
    assert sorted(model.units) == sorted([world.transport.pk, world.housing.pk])
    assert model.metrics["units"] == {"县交通运输局": 6, "县住建局": 6}
    assert AuditEvent.objects.filter(action="suggestion_router_train", object_id=str(model.pk)).exists()

    lift = world.draft(title="关于小区加装电梯的建议", reasons="老旧小区没有电梯。", content="建议加装电梯。")
    proposals = suggestion_units_propose(lift)
    assert proposals[0][0] == world.housing
    assert 0 < proposals[0][1] <= 1
    assert proposals[0][1] >= proposals[-1][1]
    bus = world.draft(title="关于开通公交专线的建议", reasons="工业园区没有公交。", content="建议开通公交线路。")
    assert suggestion_units_propose(bus)[0][0] == world.transport


def test_a_new_training_replaces_the_active_model(trained_on):
    first = suggestion_router_train(actor=None)
    second = suggestion_router_train(actor=None)

    first.refresh_from_db()
    assert not first.is_active and second.is_active
    assert SuggestionRouter.objects.filter(is_active=True).count() == 1


def test_without_a_model_it_proposes_nothing(world):
    assert suggestion_units_propose(world.draft()) == []


def test_it_does_not_propose_another_countys_unit(trained_on, regions):
    world = trained_on
    suggestion_router_train(actor=None)
    ResponsibleUnit.objects.filter(pk=world.housing.pk).update(region=regions.anji)

    lift = world.draft(title="关于小区加装电梯的建议", reasons="老旧小区没有电梯。", content="建议加装电梯。")
    assert world.housing not in [unit for unit, _ in suggestion_units_propose(lift)]


def test_with_suggestions_of_one_unit_only_it_says_why_it_cannot_train(world):
    for row in ROADS:
        _assign(world, world.transport, *row)

    with pytest.raises(DomainError) as error:
        suggestion_router_train(actor=None)
    assert error.value.code == "too_few_samples"
    assert "至少两个主办单位" in error.value.message and "县交通运输局" in error.value.message
    assert not SuggestionRouter.objects.exists()
    assert suggestion_router_retrain_due() == 0


def test_the_command_trains_and_prints_its_evaluation(trained_on, capsys):
    call_command("train_suggestion_router")
    out = capsys.readouterr().out
    assert "已训练并启用建议分办模型：12 件建议，2 个主办单位" in out
    assert "县住建局：6 件" in out
    assert SuggestionRouter.objects.filter(is_active=True).exists()


def test_the_command_explains_when_it_cannot_train(world):
    with pytest.raises(CommandError, match="至少两个主办单位"):
        call_command("train_suggestion_router")


def test_the_nightly_job_trains_once_and_waits_for_new_assignments(trained_on):
    assert suggestion_router_retrain_due() == 12
    assert suggestion_router_retrain_due() == 0
    assert SuggestionRouter.objects.count() == 1
