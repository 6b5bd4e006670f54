"""The intake rules, each written once (lianxin.cases.intake.rules), and a guard that keeps the channels from
writing them again (issue 14: phone spelling, title length, reply preference, region levels and fallback had
drifted between six adapters)."""

import re
from pathlib import Path

import pytest

from lianxin.cases.intake.draft import CaseDraft, draft_from_payload
from lianxin.cases.intake.rules import (
    normalize_phone,
    region_resolve,
    reply_preference,
    title_from_text,
)
from lianxin.cases.models import Channel, ReplyVia
from lianxin.core.errors import DomainError
from lianxin.testing import square

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    "typed",
    ["13957211234", "139 5721 1234", "139-5721-1234", "+86 139 5721 1234", "0086-13957211234", "8613957211234",
     "１３９５７２１１２３４", " 139 5721 1234 "],
)  # fmt: skip
def test_every_spelling_of_a_mobile_number_is_stored_as_its_eleven_digits(typed):
    assert normalize_phone(typed) == "13957211234"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("0572-8012345", "0572-8012345"), ("05728012345", "0572-8012345"), ("(0572)8012345", "0572-8012345"),
     ("010 6234 5678", "010-62345678"), ("02162345678", "021-62345678"), ("0572-8012345转12", "0572-8012345-12")],
)  # fmt: skip
def test_a_landline_is_stored_as_area_code_hyphen_number(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "1395721123", "139572112345", "abc", "0572-012345"])
def test_what_is_not_a_phone_number_is_refused_naming_the_field(typed):
    with pytest.raises(DomainError) as refused:
        normalize_phone(typed)
    assert (refused.value.code, refused.value.field) == ("phone_invalid", "person_phone")
    assert refused.value.message.startswith("联系电话: ")


def test_a_title_is_the_first_non_empty_line_cut_at_thirty_characters_with_an_ellipsis():
    assert title_from_text("\n\n  路灯不亮  \n第二行") == "路灯不亮"
    long = "一" * 30
    assert title_from_text(long) == long
    assert title_from_text(long + "二") == long + "…"
    assert title_from_text("路灯\x07不亮") == "路灯不亮"


def test_the_reply_preference_follows_what_the_person_asked_else_the_channel_and_the_contact():
    assert reply_preference(channel=Channel.ONLINE, requested=None, wants_reply=True, phone="13957211234") == "sms"
    for spoken in (Channel.HOTLINE, Channel.STATION, Channel.MOBILE, Channel.VISIT, Channel.GRID_WORKER):
        assert reply_preference(channel=spoken, requested=None, wants_reply=True, phone="13957211234") == "phone"
        assert reply_preference(channel=spoken, requested=None, wants_reply=True, phone="") == "online"
    assert reply_preference(channel=Channel.ONLINE, requested=None, wants_reply=False, phone="13957211234") == "none"
    assert reply_preference(channel=Channel.HOTLINE, requested="wechat", wants_reply=True, phone="") == "wechat"
    with pytest.raises(DomainError) as refused:
        reply_preference(channel=Channel.ONLINE, requested=ReplyVia.SMS, wants_reply=True, phone="")
    assert (refused.value.code, refused.value.field) == ("phone_required", "person_phone")


@pytest.mark.django_db
def test_a_point_outside_the_named_region_is_refused_by_its_outline_when_it_has_no_grid_there(regions):
    regions.jueren.boundary = square(119.96, 30.53, 0.01)
    regions.jueren.save()
    assert region_resolve(region=regions.jueren, grid=None, place=None, deputy=None, lat=30.535, lng=119.965) == (
        regions.jueren,
        None,
    )
    with pytest.raises(DomainError) as refused:
        region_resolve(region=regions.jueren, grid=None, place=None, deputy=None, lat=30.6, lng=119.965)
    assert (refused.value.code, refused.value.field) == ("location_outside", "lat")


@pytest.mark.django_db
def test_a_region_above_the_county_is_refused_on_every_channel(regions):
    with pytest.raises(DomainError) as refused:
        region_resolve(region=regions.huzhou, grid=None, place=None, deputy=None, lat=None, lng=None)
    assert refused.value.code == "region_invalid"


@pytest.mark.django_db
def test_a_draft_read_back_from_its_serialised_form_is_the_same_draft(regions, personas):
    draft = CaseDraft(channel="visit", body="路灯不亮", region=regions.jueren, person_phone="13957211234")
    assert draft_from_payload(actor=personas.county_staff, payload=draft.to_payload()) == draft


# What only the intake package may work out. A channel adapter that derives one of these again is drift.
ADAPTERS = [
    "lianxin/portal/services.py",
    "lianxin/portal/views.py",
    "lianxin/workbench/views.py",
    "lianxin/workbench/services.py",
    "lianxin/open311/services.py",
    "lianxin/api/cases.py",
    "lianxin/cases/hotline.py",
    "lianxin/cases/admin.py",
]
DERIVATIONS = {
    "a phone spelling": re.compile(r"phone[^\n]*\.replace\("),
    "a title from the text": re.compile(r"splitlines\(\)\[0\]|\[:\s*(TITLE_CHARS|30|40)\]"),
    "a reply preference": re.compile(r"reply_via\s*=\s*ReplyVia\."),
    "the registrable levels": re.compile(r"RegionLevel\.(COUNTY|TOWNSHIP|VILLAGE)\s*,\s*RegionLevel\."),
    "a region fallback": re.compile(r"def _(fallback|resolve)_region"),
    "a point-in-polygon check": re.compile(r"\.covers\(|\bshape\("),
}


def test_no_channel_adapter_works_out_what_the_intake_package_owns():
    found = [
        f"{path}: {what}"
        for path in ADAPTERS
        for what, pattern in DERIVATIONS.items()
        if pattern.search((ROOT / path).read_text(encoding="utf-8"))
    ]
    assert found == []
