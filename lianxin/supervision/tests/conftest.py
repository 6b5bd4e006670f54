import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from lianxin.accounts.roles import Role
from lianxin.cases.models import ResponsibleUnit
from lianxin.deputies.models import Deputy, DeputyGroup, GroupKind, Mandate, MandateLevel, MandateStatus
from lianxin.suggestions.models import Session, SessionKind
from lianxin.supervision import services


def _deputy(name: str, regions, *, user=None, region=None, level=MandateLevel.COUNTY) -> Deputy:
    deputy = Deputy.objects.create(name=name, gender="male", user=user)
    Mandate.objects.create(
        deputy=deputy,
        level=level,
        congress_region=region or regions.deqing,
        term=17,
        district_region=regions.jueren,
        status=MandateStatus.SERVING,
    )
    return deputy


@pytest.fixture
def sv(personas, regions, make_user):
    """德清县: a supervision group (personas.deputy and two more, one with an account), a deputy outside it, the
    transport bureau (handled by personas.unit_handler), an item of the county on it; 乾元镇 has its own item."""
    member_user = make_user("member", Role.DEPUTY, regions.deqing)
    outside_user = make_user("not_member", Role.DEPUTY, regions.deqing)
    lead = _deputy("沈建国", regions, user=personas.deputy)
    member = _deputy("钱立新", regions, user=member_user)
    third = _deputy("孙美华", regions)
    stranger = _deputy("李国强", regions, user=outside_user)
    group = DeputyGroup.objects.create(
        kind=GroupKind.SUPERVISION, name="武康监督组", region=regions.wukang, leader=lead
    )
    group.members.set([lead, member, third])
    other_group = DeputyGroup.objects.create(kind=GroupKind.LOCAL, name="武康代表小组", region=regions.wukang)
    transport = ResponsibleUnit.objects.create(name="县交通运输局", region=regions.deqing)
    transport.handlers.add(personas.unit_handler)
    qy_unit = ResponsibleUnit.objects.create(name="乾元镇城建办", region=regions.qianyuan)
    year = timezone.localdate().year
    item = services.item_create(
        actor=personas.county_staff,
        region=regions.deqing,
        year=year,
        title="农村公路养护工作监督",
        subject_kind="department",
        unit=transport,
        plan="听取汇报、实地视察、审议意见、整改测评",
        starts_on=datetime.date(year, 1, 1),
        ends_on=datetime.date(year, 12, 31),
        groups=[group],
    )
    qy_group = DeputyGroup.objects.create(kind=GroupKind.SUPERVISION, name="乾元监督组", region=regions.qianyuan)
    qy_group.members.set([third])
    qy_item = services.item_create(
        actor=personas.outsider,
        region=regions.qianyuan,
        year=year,
        title="乾元镇集镇改造监督",
        subject_kind="department",
        unit=qy_unit,
        starts_on=datetime.date(year, 1, 1),
        ends_on=datetime.date(year, 12, 31),
        groups=[qy_group],
    )
    interval = Session.objects.create(
        congress_region=regions.deqing,
        level=MandateLevel.COUNTY,
        term=17,
        number=3,
        kind=SessionKind.INTERVAL,
        name="德清县第十七届人大三次会议闭会期间",
        opens_on=datetime.date(year, 1, 10),
    )
    return SimpleNamespace(
        lead=lead,
        member=member,
        member_user=member_user,
        third=third,
        stranger=stranger,
        stranger_user=outside_user,
        group=group,
        other_group=other_group,
        transport=transport,
        qy_unit=qy_unit,
        item=item,
        qy_item=qy_item,
        interval=interval,
        year=year,
    )
