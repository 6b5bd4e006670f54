import datetime
import random

import pytest

from lianxin.core.idcard import (
    CHECK_CHARACTERS,
    IdNumberInvalid,
    id_number_check_character,
    id_number_parse,
    id_number_problem,
)


def make_id(prefix: str = "330521", birth: str = "19800101", sequence: str = "123") -> str:
    """A well-formed number: region prefix + birth date + sequence, then its computed check character."""
    first17 = prefix + birth + sequence
    return first17 + id_number_check_character(first17)


def reason(value: str, **kwargs) -> str:
    with pytest.raises(IdNumberInvalid) as info:
        id_number_parse(value, **kwargs)
    return info.value.reason


def test_the_example_number_printed_in_gb_11643_has_check_character_x():
    # GB 11643-1999 works this number through in its annex: weighted sum 167, 167 mod 11 = 2 → "X".
    assert id_number_check_character("11010519491231002") == "X"
    assert id_number_parse("11010519491231002X").birth_date == datetime.date(1949, 12, 31)


def test_a_valid_number_is_parsed_into_prefix_birth_date_and_sex():
    parsed = id_number_parse(make_id(birth="19900307", sequence="123"))
    assert parsed.region_prefix == "330521"
    assert parsed.birth_date == datetime.date(1990, 3, 7)
    assert parsed.sex == "male"  # 17th digit 3 is odd


def test_an_even_17th_digit_is_female():
    assert id_number_parse(make_id(sequence="124")).sex == "female"
    assert id_number_parse(make_id(sequence="120")).sex == "female"


def test_lower_case_x_spaces_and_full_width_digits_are_normalised():
    number = "11010519491231002X"
    assert id_number_parse(" 110105 19491231 002x ").number == number
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in "11010519491231002") + "ｘ"
    assert id_number_parse(full_width).number == number


def test_every_wrong_check_character_is_rejected():
    rng = random.Random(11643)
    for _ in range(200):
        first17 = "33" + "".join(rng.choice("0123456789") for _ in range(4)) + "19850615" + f"{rng.randrange(1000):03d}"
        right = id_number_check_character(first17)
        assert id_number_problem(first17 + right) is None
        for wrong in set(CHECK_CHARACTERS) - {right}:
            assert id_number_problem(first17 + wrong) == "校验位错误"


def test_a_single_mistyped_digit_is_caught_by_the_check_character():
    good = make_id()
    for position in range(17):
        for digit in "0123456789":
            if digit == good[position]:
                continue
            typo = good[:position] + digit + good[position + 1 :]
            assert id_number_problem(typo) is not None


def test_the_wrong_length_is_reported_with_the_actual_length():
    assert reason("33052119800101123") == "长度应为18位，实为17位"
    assert reason("330521800101123") == "长度应为18位，实为15位"  # a first-generation 15-digit card
    assert reason("") == "不能为空"


def test_letters_among_the_first_17_characters_are_reported():
    assert reason("3305211980O101123X") == "前17位应为数字"
    assert reason("33052119800101123A") == "末位应为数字或X"


def test_an_impossible_birth_date_is_reported_even_with_a_correct_check_character():
    assert reason(make_id(birth="19900230")) == "出生日期无效"
    assert reason(make_id(birth="18991231")) == "出生日期无效"


def test_a_birth_date_after_today_is_reported():
    number = make_id(birth="20300101")
    assert reason(number, today=datetime.date(2026, 1, 1)) == "出生日期晚于今天"
    assert id_number_parse(number, today=datetime.date(2030, 1, 1)).birth_date == datetime.date(2030, 1, 1)


def test_a_prefix_that_is_no_province_is_reported():
    assert reason(make_id(prefix="990521")) == "前两位不是有效的省级行政区划代码"


def test_the_region_prefix_can_be_checked_against_a_set_or_a_predicate():
    number = make_id(prefix="330521")
    assert id_number_parse(number, region_prefixes={"330521"}).region_prefix == "330521"
    assert reason(number, region_prefixes={"330523"}) == "前6位地区码不存在"
    assert id_number_parse(number, region_prefixes=lambda prefix: prefix.startswith("33")).number == number
    assert reason(number, region_prefixes=lambda prefix: False) == "前6位地区码不存在"


def test_age_counts_whole_years_up_to_the_birthday():
    parsed = id_number_parse(make_id(birth="20080615"))
    assert parsed.age_on(datetime.date(2026, 6, 14)) == 17
    assert parsed.age_on(datetime.date(2026, 6, 15)) == 18
