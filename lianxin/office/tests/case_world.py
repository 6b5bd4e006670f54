"""The cases the office's home and list tests work on: one in each to-do queue of 武康街道 (inside for
`township_staff`), one waiting in 乾元镇 (the `outsider`'s township), at a fixed moment (Tuesday 10 March 2026,
10:00 Beijing time, a working day)."""

import datetime
import zoneinfo
from types import SimpleNamespace

import pytest
import time_machine
from django.core.cache import cache

from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import Category, ResponsibleUnit
from lianxin.cases.services import case_register
from lianxin.cases.workflow import case_transition
from lianxin.routing.models import Proposal, ProposalStatus

CHINA = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=CHINA)
TWO_WEEKS_AGO = datetime.datetime(2026, 2, 24, 10, 0, tzinfo=CHINA)


@pytest.fixture
def world(personas, regions):
    cache.clear()  # the office keeps common-problem candidates per scope for a few minutes (cases_list.py)
    roads = Category.objects.get(code="transport")
    unit = ResponsibleUnit.objects.create(name="县交通运输局", region=regions.deqing)
    unit.categories.add(roads)
    unit.serves.add(regions.deqing)
    unit.handlers.add(personas.unit_handler)
    staff = personas.county_staff

    def register(title: str, region=regions.jueren, **fields):
        values = {
            "actor": None,
            "channel": "online",
            "title": title,
            "body": f"{title}，请尽快处理。",
            "region": region,
            "reply_via": "online",
        }
        values = {**values, **fields}
        actor = values.pop("actor")
        return case_register(actor=actor, draft=CaseDraft(**values)).case

    def move(case, *steps):
        for action, actor, params in steps:
            case = case_transition(case=case, action=action, actor=actor, params=params)
        return case

    accept = ("accept", staff, {"category": roads.code})
    with time_machine.travel(TWO_WEEKS_AGO, tick=False):
        overdue = move(register("城东路口红绿灯坏了"), accept, ("transfer", staff, {"unit": unit.pk, "reply_days": 1}))
    with time_machine.travel(NOW, tick=False):
        to_accept = register("居仁路路灯不亮")
        Proposal.objects.create(case=to_accept, status=ProposalStatus.TRIAGE, confidence=0.2)
        outside = register("乾元镇菜场门口积水", region=regions.chengdong)
        to_transfer = move(register("学校门口没有斑马线"), accept)
        due_soon = move(register("公交站台顶棚破损"), accept, ("transfer", staff, {"unit": unit.pk, "reply_days": 1}))
        supervising = move(
            register("桥面坑洼多次反映未修"),
            accept,
            ("transfer", staff, {"unit": unit.pk}),
            ("escalate", staff, {}),
        )
        to_feed_back = move(
            register("路边停车占道"),
            accept,
            ("transfer", staff, {"unit": unit.pk}),
            ("reply", personas.unit_handler, {"reply": "已安排交警加强巡查。"}),
        )
    return SimpleNamespace(
        category=roads,
        unit=unit,
        to_accept=to_accept,
        outside=outside,
        to_transfer=to_transfer,
        due_soon=due_soon,
        overdue=overdue,
        supervising=supervising,
        to_feed_back=to_feed_back,
    )


@pytest.fixture
def at_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW
