"""The one text and choice check every app's services use (lianxin.core.fields)."""

import datetime

import pytest
from django.db import models
from django.utils import timezone

from lianxin.core.errors import DomainError
from lianxin.core.fields import clean_choice, clean_text


class Colour(models.TextChoices):
    RED = "red", "红"
    BLUE = "blue", "蓝"


def test_text_loses_control_characters_and_surrounding_space():
    assert (
        clean_text("  走访\x07困难\x00家庭\n第二行 ", "title", "名称", limit=20, required=True)
        == "走访困难家庭\n第二行"
    )


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("   ", "field_required", "名称: 不能为空"),
        ("\x01\x02", "field_required", "名称: 不能为空"),
        ("一二三四五六", "field_too_long", "名称: 不能超过5字，现为6字"),
        (12, "field_invalid", "名称: 应为文字"),
    ],
)
def test_text_refusals_name_the_field_in_chinese_with_a_stable_code(value, code, message):
    with pytest.raises(DomainError) as error:
        clean_text(value, "title", "名称", limit=5, required=True)
    assert (error.value.code, error.value.message, error.value.field) == (code, message, "title")


def test_a_choice_is_one_of_the_values_or_its_default():
    assert clean_choice("blue", "colour", "颜色", Colour) == "blue"
    assert clean_choice("", "colour", "颜色", Colour, default="red") == "red"
    with pytest.raises(DomainError) as error:
        clean_choice("green", "colour", "颜色", Colour)
    assert (error.value.code, error.value.message) == ("field_invalid", "颜色: 应为 red（红）、blue（蓝） 之一")
    with pytest.raises(DomainError) as error:
        clean_choice(None, "colour", "颜色", Colour)
    assert error.value.code == "field_required"


@pytest.mark.django_db
def test_a_duty_activity_title_is_cleaned_like_a_citizens_message(personas, regions):
    # The duties app's own copy of the check kept control characters; the shared one removes them.
    from lianxin.duties.services import activity_create

    starts = timezone.now() + datetime.timedelta(days=1)
    activity = activity_create(
        actor=personas.county_staff, kind="visit", title="走访\x1b[31m困难家庭", region=regions.jueren,
        starts_at=starts, ends_at=starts + datetime.timedelta(hours=2), invited=[],
    )  # fmt: skip
    assert activity.title == "走访[31m困难家庭"
