"""Resident identity card numbers (公民身份号码, GB 11643-1999).

An 18-character number: 6 digits of the region of first registration, 8 digits of birth date
(YYYYMMDD), 3 digits of sequence (the last of them odd for men, even for women) and a check character
computed with ISO 7064 MOD 11-2 (0-9 or X).

`id_number_parse` is a pure function: it returns the parsed number or raises `IdNumberInvalid` whose
`reason` is a short Chinese phrase for the interface ("校验位错误").
"""

import datetime
import unicodedata
from collections.abc import Callable, Container
from dataclasses import dataclass
from typing import Any

# ISO 7064 MOD 11-2: the weight of position i (0-based, from the left) is 2^(17-i) mod 11.
WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
CHECK_CHARACTERS = "10X98765432"

# The first two digits name a province-level division (GB/T 2260); 81-83 are the residence permits of
# Hong Kong, Macao and Taiwan residents, which share the format.
# By the first digit: North, Northeast, East, South Central, Southwest, Northwest China, Taiwan, permits.
_PROVINCE_RANGES = ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65), (71, 71), (81, 83))
PROVINCE_PREFIXES = frozenset(str(n) for low, high in _PROVINCE_RANGES for n in range(low, high + 1))
EARLIEST_BIRTH = datetime.date(1900, 1, 1)


class IdNumberInvalid(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class IdNumber:
    number: str  # normalised: 18 characters, upper-case X
    region_prefix: str  # the first 6 digits
    birth_date: datetime.date
    sex: str  # "male" or "female", the values of deputies.models.Gender

    def age_on(self, day: datetime.date) -> int:
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday


def id_number_check_character(first17: str) -> str:
    """The 18th character for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    return CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def id_number_normalise(value: str) -> str:
    """Full-width digits and letters to ASCII, spaces removed, x to X: the forms people type or paste."""
    text = unicodedata.normalize("NFKC", value)
    return "".join(text.split()).upper()


def id_number_parse(
    value: str,
    *,
    today: datetime.date | None = None,
    region_prefixes: Container[str] | Callable[[str], bool] | None = None,
) -> IdNumber:
    """Validate and parse an ID number, or raise IdNumberInvalid with the first problem found.

    `region_prefixes`, when given, is a set of known 6-digit prefixes or a predicate. It is optional
    because the prefix is where the person was first registered, which is often outside the regions a
    deployment knows, and retired county codes stay valid on old cards.
    """
    number = id_number_normalise(value)
    if not number:
        raise IdNumberInvalid("不能为空")
    if len(number) != 18:
        raise IdNumberInvalid(f"长度应为18位，实为{len(number)}位")
    if not number[:17].isdigit():
        raise IdNumberInvalid("前17位应为数字")
    if not (number[17].isdigit() or number[17] == "X"):
        raise IdNumberInvalid("末位应为数字或X")
    if number[:2] not in PROVINCE_PREFIXES:
        raise IdNumberInvalid("前两位不是有效的省级行政区划代码")
    if id_number_check_character(number[:17]) != number[17]:
        raise IdNumberInvalid("校验位错误")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberInvalid("出生日期无效") from None
    if birth < EARLIEST_BIRTH:
        raise IdNumberInvalid("出生日期无效")
    if birth > (today or datetime.date.today()):
        raise IdNumberInvalid("出生日期晚于今天")
    prefix = number[:6]
    if region_prefixes is not None:
        known = region_prefixes(prefix) if callable(region_prefixes) else prefix in region_prefixes
        if not known:
            raise IdNumberInvalid("前6位地区码不存在")
    sex = "male" if int(number[16]) % 2 == 1 else "female"
    return IdNumber(number=number, region_prefix=prefix, birth_date=birth, sex=sex)


def id_number_problem(value: str, **kwargs: Any) -> str | None:
    """The reason `value` is not a valid ID number, or None when it is."""
    try:
        id_number_parse(value, **kwargs)
    except IdNumberInvalid as exc:
        return exc.reason
    return None
