"""The check engine on hand-made rolls: every kind of 错, 重 and 漏, with the tricky names and IDs."""

import datetime
import random

import polars as pl
import pytest

from lianxin.core.idcard import id_number_check_character, id_number_problem
from lianxin.elections.checks import check_errors, find_duplicates, find_omissions
from lianxin.elections.checks.frame import EVENT_SCHEMA, REGISTER_SCHEMA, ROLL_SCHEMA, frame
from lianxin.elections.checks.names import name_problem, name_relation, pinyin_key

ELECTION_DAY = datetime.date(2026, 12, 15)
AS_OF = datetime.date(2026, 11, 1)
PREFIXES = {"330000", "330500", "330521", "620102"}


def make_id(birth: str = "19850312", sequence: str = "123", prefix: str = "330521") -> str:
    first17 = prefix + birth + sequence
    return first17 + id_number_check_character(first17)


def voter(key: int, name: str = "张伟", id_number: str | None = None, **fields) -> dict:
    id_number = id_number or make_id()
    try:
        birth: datetime.date | None = datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        birth = None
    sex = "male" if id_number[16].isdigit() and int(id_number[16]) % 2 else "female"
    return {
        "key": key,
        "name": name,
        "sex": sex,
        "id_number": id_number,
        "birth_date": birth,
        "district": "330521001001",
        "address": "武康街道居仁社区1号",
        **fields,
    }


def errors_of(*rows: dict, day: datetime.date = ELECTION_DAY) -> dict[int, set[str]]:
    found = check_errors(frame(rows, ROLL_SCHEMA), election_day=day, as_of=AS_OF, region_prefixes=PREFIXES)
    out: dict[int, set[str]] = {}
    for key, code in found.select("key", "code").iter_rows():
        out.setdefault(key, set()).add(code)
    return out


def an_id_ending_in_x() -> str:
    for sequence in range(100, 999):
        number = make_id(sequence=str(sequence))
        if number.endswith("X"):
            return number
    raise AssertionError("no X check digit in range")


# 错 ----------------------------------------------------------------------------------------------------------


def test_a_clean_registration_has_no_error():
    assert errors_of(voter(1)) == {}


def test_an_x_check_digit_is_valid_and_a_wrong_check_digit_is_an_error():
    with_x = an_id_ending_in_x()
    wrong = with_x[:17] + "0"
    assert errors_of(voter(1, id_number=with_x), voter(2, id_number=wrong, birth_date=None)) == {2: {"id_checksum"}}


def test_impossible_birth_dates_in_the_id_are_errors_but_a_real_leap_day_is_not():
    leap = make_id("20000229")  # 2000 is a leap year (divisible by 400)
    rows = [
        voter(1, id_number=leap),
        voter(2, id_number=make_id("19000229"), birth_date=None),  # 1900 is not a leap year
        voter(3, id_number=make_id("20230229"), birth_date=None),
        voter(4, id_number=make_id("19901301"), birth_date=None),
        voter(5, id_number=make_id("19900431"), birth_date=None),
    ]
    assert errors_of(*rows) == {2: {"id_birth"}, 3: {"id_birth"}, 4: {"id_birth"}, 5: {"id_birth"}}


def test_a_region_prefix_missing_from_the_region_tree_is_an_error():
    unknown = make_id(prefix="330599")
    assert errors_of(voter(1, id_number=unknown)) == {1: {"id_region"}}


def test_an_id_of_the_wrong_shape_or_province_is_an_error():
    rows = [
        voter(1, id_number="33052119850312123", birth_date=None),  # 17 characters
        voter(2, id_number="33052119850312A23X", birth_date=None),
        voter(3, id_number=make_id(prefix="990521"), birth_date=None),
    ]
    assert errors_of(*rows) == {1: {"id_format"}, 2: {"id_format"}, 3: {"id_province"}}


def test_birth_date_and_sex_that_disagree_with_the_id_are_errors():
    rows = [
        voter(1, birth_date=datetime.date(1985, 3, 13)),
        voter(2, sex="female"),  # the 17th digit (3) is odd: male
    ]
    found = check_errors(frame(rows, ROLL_SCHEMA), election_day=ELECTION_DAY, as_of=AS_OF, region_prefixes=PREFIXES)
    assert dict(found.select("key", "code").iter_rows()) == {1: "birth_mismatch", 2: "sex_mismatch"}
    assert "1985-03-13与身份证号中的1985-03-12不符" in found.filter(pl.col("key") == 1)["reason"][0]


def test_someone_born_on_a_leap_day_comes_of_age_on_the_first_of_march():
    born = make_id("20080229")
    assert errors_of(voter(1, id_number=born), day=datetime.date(2026, 2, 28)) == {1: {"underage"}}
    assert errors_of(voter(1, id_number=born), day=datetime.date(2026, 3, 1)) == {}


@pytest.mark.parametrize(
    "name",
    ["张伟", "欧阳娜娜", "阿依古丽·买买提", "买买提·吐尔逊·艾则孜", "扎西卓玛", "𠮷野家", "㛃丽"],
)
def test_chinese_and_minority_names_with_the_middle_dot_are_valid(name):
    assert name_problem(name) is None
    assert errors_of(voter(1, name=name)) == {}


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("张 伟", "姓名含空格"),
        ("张伟 ", "姓名含空格"),
        ("\u3000张伟", "姓名含空格"),
        ("张伟2", "姓名含数字"),
        ("Zhang Wei", "姓名含空格"),
        ("张Wei", "姓名含拉丁字母"),
        ("ｚｈａｎｇ", "姓名含拉丁字母"),
        ("阿依古丽•买买提", "姓名中的间隔号应为“·”"),
        ("阿依古丽·", "姓名含其他符号或间隔号位置不对"),
        ("阿依古丽··买买提", "姓名含其他符号或间隔号位置不对"),
        ("张", "姓名只有一个字"),
        ("", "姓名为空"),
    ],
)
def test_malformed_names_are_errors_with_the_reason(name, problem):
    assert name_problem(name) == problem
    assert errors_of(voter(1, name=name)) == {1: {"name"}}


def test_the_columnar_id_check_names_the_same_first_problem_as_the_scalar_reference():
    rng = random.Random(5)
    samples = []
    for _ in range(400):
        number = list(make_id(f"{rng.randint(1930, 2010)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"))
        position = rng.randrange(18)
        number[position] = rng.choice("0123456789X")
        samples.append("".join(number))
    rows = [voter(i, id_number=n, birth_date=None, sex=None) for i, n in enumerate(samples)]
    found = errors_of(*rows)
    codes = {
        "校验位错误": "id_checksum",
        "出生日期无效": "id_birth",
        "出生日期晚于今天": "id_birth",
        "前6位地区码不存在": "id_region",
        "前两位不是有效的省级行政区划代码": "id_province",
    }
    for index, number in enumerate(samples):
        reason = id_number_problem(number, today=AS_OF, region_prefixes=PREFIXES)
        expected = {codes.get(reason, "id_format")} if reason else set()
        got = found.get(index, set()) - {"underage"}
        assert got == expected, (number, reason, got)


# 重 ----------------------------------------------------------------------------------------------------------


def duplicates_of(*rows: dict) -> dict[tuple[int, int], tuple[str, float, str]]:
    found = find_duplicates(frame(rows, ROLL_SCHEMA))
    return {(a, b): (code, score, evidence) for a, b, code, score, evidence in found.iter_rows()}


def test_the_same_id_in_two_districts_is_a_duplicate_with_the_addresses_side_by_side():
    found = duplicates_of(voter(1), voter(2, district="330521101001", address="乾元镇城东村8号"))
    code, score, evidence = found[(1, 2)]
    assert code == "same_id" and score == 1.0
    assert "不同选区（330521001001／330521101001）" in evidence
    assert "住址不同（武康街道居仁社区1号／乾元镇城东村8号）" in evidence


def test_a_homophone_in_the_name_with_the_same_id_is_a_duplicate():
    _code, score, evidence = duplicates_of(voter(1, name="张伟"), voter(2, name="张玮"))[(1, 2)]
    assert score >= 0.9 and "姓名同音字（伟/玮）" in evidence


def test_a_similar_looking_character_is_a_duplicate_even_when_the_id_was_mistyped():
    a = voter(1, name="王己", id_number=make_id(sequence="123"))
    typo = make_id(sequence="123")
    typo = typo[:16] + "5" + typo[17]  # one digit off: the check digit fails
    b = voter(2, name="王已", id_number=typo)
    code, _score, evidence = duplicates_of(a, b)[(1, 2)]
    assert code == "near" and "姓名形近字（己/已）" in evidence and "第17位不同" in evidence


def test_two_transposed_id_digits_are_a_duplicate():
    number = make_id("19850312", "123")
    swapped = number[:7] + number[8] + number[7] + number[9:]  # 1985 → 1895… positions 8 and 9
    code, _score, evidence = duplicates_of(voter(1, id_number=number), voter(2, id_number=swapped))[(1, 2)]
    assert code == "near" and "身份证号第8、9位颠倒" in evidence


def test_twins_with_homophone_names_are_not_duplicates():
    brother = voter(1, name="张思远", id_number=make_id(sequence="131"))
    sister = voter(2, name="张思源", id_number=make_id(sequence="153"))
    assert pinyin_key("张思远") == pinyin_key("张思源")
    assert duplicates_of(brother, sister) == {}


def test_two_people_with_a_common_name_and_birthday_are_not_duplicates():
    assert duplicates_of(voter(1, id_number=make_id(sequence="111")), voter(2, id_number=make_id(sequence="733"))) == {}


def test_name_relation_tells_homophones_from_look_alikes():
    assert name_relation("李晓明", "李小明")[0] == "homophone"
    assert name_relation("王己", "王已")[0] == "similar"
    assert name_relation("李晓明", "李晓东")[0] == "one_char"
    assert name_relation("李明", "王芳")[0] == "differ"


# 漏 ----------------------------------------------------------------------------------------------------------


def person(id_number: str, name: str = "李娜") -> dict:
    return {
        "id_number": id_number,
        "name": name,
        "sex": "female",
        "birth_date": datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])),
        "address": "",
    }


def omissions_of(roll: list[dict], register: list[dict], moved: list[dict] = (), dead: list[dict] = ()) -> set:
    found = find_omissions(
        frame(roll, ROLL_SCHEMA),
        frame(register, REGISTER_SCHEMA),
        election_day=ELECTION_DAY,
        as_of=AS_OF,
        moved_out=frame(moved, EVENT_SCHEMA),
        deceased=frame(dead, EVENT_SCHEMA),
    )
    return {
        (code, key if key is not None else id_number)
        for code, key, id_number in found.select("code", "key", "id_number").iter_rows()
    }


def test_an_adult_in_the_register_on_no_roll_is_an_omission_and_a_registered_one_is_not():
    registered, missing = make_id(sequence="124"), make_id("19700101", "224")
    assert omissions_of([voter(1, id_number=registered)], [person(registered), person(missing, "王芳")]) == {
        ("unregistered", missing)
    }


def test_someone_turning_18_by_election_day_is_named_apart_and_a_minor_is_not_named():
    turning = make_id("20081210", "224")  # 18 on 2026-12-10, before election day, after the check
    on_the_day = make_id("20081215", "226")  # 18 on election day itself
    leap = make_id("20080229", "228")  # 18 on 2026-03-01, long before: simply unregistered
    minor = make_id("20081216", "222")  # 18 the day after election day
    found = omissions_of([], [person(turning), person(on_the_day), person(leap), person(minor)])
    assert found == {("turning_18", turning), ("turning_18", on_the_day), ("unregistered", leap)}


def test_registrations_of_people_who_moved_out_or_died_before_election_day_are_named():
    moved, dead, later = make_id(sequence="124"), make_id(sequence="224"), make_id(sequence="324")
    roll = [voter(1, id_number=moved), voter(2, id_number=dead), voter(3, id_number=later)]
    found = omissions_of(
        roll,
        [person(moved), person(dead), person(later)],
        moved=[
            {"id_number": moved, "date": datetime.date(2026, 6, 1)},
            {"id_number": later, "date": datetime.date(2027, 1, 5)},  # after election day: still votes here
        ],
        dead=[{"id_number": dead, "date": datetime.date(2026, 10, 1)}],
    )
    assert found == {("moved_out", 1), ("deceased", 2)}


def test_a_resident_whose_id_was_mistyped_on_the_roll_is_not_reported_missing():
    real = make_id("19700101", "224")
    typo = real[:17] + ("0" if real[17] != "0" else "1")
    roll = [voter(1, name="王芳", id_number=typo, birth_date=datetime.date(1970, 1, 1))]
    assert omissions_of(roll, [person(real, "王芳")]) == set()


# The synthetic city -------------------------------------------------------------------------------------------


def test_the_synthetic_city_is_checked_exactly(shared_data):
    from lianxin.elections.checks import run_checks
    from lianxin.elections.synthetic import generate_city, load_districts, region_prefixes_from

    regions = shared_data / "regions" / "lanzhou_deqing.csv"
    city = generate_city(2_000, load_districts(regions), region_prefixes=region_prefixes_from(regions), seed=3)
    result = run_checks(
        city.roll,
        election_day=city.election_day,
        as_of=city.as_of,
        region_prefixes=city.region_prefixes,
        register=city.register,
        moved_out=city.moved_out,
        deceased=city.deceased,
    )
    assert set(result.errors.select("key", "code").iter_rows()) == city.truth.errors
    assert set(result.duplicates.select("key_a", "key_b").iter_rows()) == city.truth.duplicates
    omissions = {
        (code, id_number if key is None else str(key))
        for code, key, id_number in result.omissions.select("code", "key", "id_number").iter_rows()
    }
    assert omissions == city.truth.omissions
    assert city.truth.errors and city.truth.duplicates and city.truth.omissions
