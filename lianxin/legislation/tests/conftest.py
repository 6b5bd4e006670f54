"""A contact point (a station of 武康街道) with one draft regulation of two chapters and four articles, open for
comments, and a deputy with an account."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from lianxin.deputies.models import Deputy
from lianxin.legislation import services
from lianxin.venues.models import Place, PlaceKind

DRAFT_TEXT = """德清县农村生活垃圾分类管理条例（草案）
第一章　总　则
第一条　为了推进农村生活垃圾分类，改善农村人居环境，根据有关法律、法规，结合本县实际，制定本条例。
第二条　本条例适用于本县行政区域内农村生活垃圾的分类投放、收集、运输和处置。
第二章　分类投放
第三条　农村生活垃圾分为易腐垃圾、可回收物、有害垃圾和其他垃圾。
第四条　村民应当按照规定将生活垃圾分类投放到指定的收集容器。
违反前款规定的，由村民委员会予以劝导。
"""


@pytest.fixture
def world(personas, regions):
    place = Place.objects.create(kind=PlaceKind.STATION, name="武康街道代表联络站", region=regions.wukang)
    far = Place.objects.create(kind=PlaceKind.STATION, name="乾元镇代表联络站", region=regions.qianyuan)
    point = services.contact_point_designate(actor=personas.county_staff, place=place)
    far_point = services.contact_point_designate(actor=personas.county_staff, place=far)
    today = timezone.localdate()
    draft = services.draft_create(
        actor=personas.township_staff,
        contact_point=point,
        title="",
        text=DRAFT_TEXT,
        opens_on=today - datetime.timedelta(days=3),
        closes_on=today + datetime.timedelta(days=20),
    )
    draft = services.draft_transition(actor=personas.township_staff, draft=draft, action="publish")
    deputy = Deputy.objects.create(name="沈立法", gender="female", user=personas.deputy)
    articles = list(draft.sections.filter(level="article").order_by("order"))
    return SimpleNamespace(
        place=place, point=point, far_point=far_point, draft=draft, articles=articles, deputy=deputy, today=today
    )


@pytest.fixture(autouse=True)
def _fresh_counters():
    from django.core.cache import cache

    cache.clear()  # rate-limit counters and used captchas live in the cache
    yield
    cache.clear()
