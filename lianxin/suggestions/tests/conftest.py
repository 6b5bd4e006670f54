import datetime
from types import SimpleNamespace

import pytest

from lianxin.accounts.roles import Role
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import ResponsibleUnit
from lianxin.cases.services import case_register
from lianxin.deputies.models import Deputy, Mandate, MandateLevel, MandateStatus
from lianxin.suggestions.models import Session, SessionKind
from lianxin.suggestions.services import suggestion_draft_create
from lianxin.suggestions.workflow import suggestion_transition

GENDERS = ("male", "female")


def _deputy(name: str, regions, *, user=None, status=MandateStatus.SERVING, level=MandateLevel.COUNTY, region=None):
    deputy = Deputy.objects.create(name=name, gender=GENDERS[len(name) % 2], user=user)
    Mandate.objects.create(
        deputy=deputy,
        level=level,
        congress_region=region or regions.deqing,
        term=17,
        district_region=regions.jueren,
        status=status,
    )
    return deputy


@pytest.fixture
def world(personas, regions, make_user):
    """德清县's 17th congress, third session: a lead deputy (personas.deputy), twelve serving deputies (two with
    accounts), one who resigned, three units (the first handled by personas.unit_handler, the second by
    `other_handler`), staff = personas.county_staff."""
    session = Session.objects.create(
        congress_region=regions.deqing,
        level=MandateLevel.COUNTY,
        term=17,
        number=3,
        kind=SessionKind.MEETING,
        name="德清县第十七届人民代表大会第三次会议",
        opens_on=datetime.date(2026, 1, 10),
    )
    lead = _deputy("沈建国", regions, user=personas.deputy)
    co_user = make_user("co_deputy", Role.DEPUTY, regions.deqing)
    co_user2 = make_user("co_deputy2", Role.DEPUTY, regions.deqing)
    names = [
        "钱立新",
        "孙美华",
        "李国强",
        "周晓红",
        "吴建平",
        "郑海燕",
        "王志明",
        "冯雪梅",
        "陈卫东",
        "褚丽娟",
        "卫明亮",
        "蒋秀兰",
    ]
    others = [
        _deputy(name, regions, user=co_user if i == 0 else co_user2 if i == 1 else None) for i, name in enumerate(names)
    ]
    resigned = _deputy("韩退休", regions, status=MandateStatus.RESIGNED)
    township_deputy = _deputy("杨乡镇", regions, level=MandateLevel.TOWNSHIP, region=regions.wukang)
    other_handler = make_user("other_handler", Role.UNIT_HANDLER, regions.deqing)
    transport = ResponsibleUnit.objects.create(name="县交通运输局", region=regions.deqing)
    transport.handlers.add(personas.unit_handler)
    housing = ResponsibleUnit.objects.create(name="县住建局", region=regions.deqing)
    housing.handlers.add(other_handler)
    water = ResponsibleUnit.objects.create(name="县水利局", region=regions.deqing)

    def draft(**fields):
        values = {
            "actor": personas.deputy,
            "session": session,
            "title": "关于加快城东片区道路改造的建议",
            "reasons": "城东片区道路破损严重，雨天积水，群众反映强烈。",
            "content": "建议县交通运输局将城东片区道路改造列入明年计划，先修复主干道。",
        }
        values.update(fields)
        return suggestion_draft_create(**values)

    def act(suggestion, action, actor=None, **params):
        note = params.pop("note", "")
        return suggestion_transition(
            suggestion=suggestion, action=action, actor=actor or personas.county_staff, note=note, params=params
        )

    def assigned(**fields):
        """A suggestion accepted and assigned: transport leads, housing co-handles."""
        s = draft(**fields)
        act(s, "submit", personas.deputy)
        act(s, "pass")
        act(s, "accept")
        act(s, "assign", units=[{"unit": transport.pk, "role": "lead"}, {"unit": housing.pk, "role": "co"}])
        return s

    def case(**fields):
        values = {
            "channel": "online",
            "title": "城东路口积水",
            "body": "城东路口一下雨就积水，电话13957211234。",
            "region": regions.chengdong,
            "deputy": lead,
            "person_name": "王秀英",
            "person_phone": "13957211234",
            "reply_via": "sms",
        }
        values.update(fields)
        return case_register(actor=None, draft=CaseDraft(**values)).case

    return SimpleNamespace(
        session=session,
        lead=lead,
        others=others,
        co_user=co_user,
        co_user2=co_user2,
        resigned=resigned,
        township_deputy=township_deputy,
        transport=transport,
        housing=housing,
        water=water,
        other_handler=other_handler,
        draft=draft,
        act=act,
        assigned=assigned,
        case=case,
    )
