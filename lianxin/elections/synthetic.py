"""A synthetic city's voter rolls with known errors, duplicates and omissions (for bench/voters.py and tests).

People are drawn over real electoral districts (villages and communities with their 12-digit codes), with
surnames in their national frequency order, given names from common characters (and some Tibetan and
Uyghur names, the latter with the middle dot), birth dates of adults, and valid ID numbers whose region
prefix is the county's code. Then, on disjoint sets of people:

- errors (错), `error_rate` of the roll, spread evenly over: wrong check digit, impossible birth date in the
  ID (check digit recomputed), region prefix that does not exist, birth date or sex that disagrees with the
  ID, malformed name (Latin letters, a digit, a stray space), and a person under 18 on election day;
- duplicates (重), `duplicate_rate` of the roll, a second registration of someone, spread over: the same
  record in another district (another address), the same ID with a homophone in the name, the same ID with
  a similar-looking character, two adjacent ID digits transposed, transposed digits and a homophone;
- omissions (漏), `omission_rate` of the roll, spread over: adults left off every roll, people who turn 18
  between the check and election day, registrations of people who moved out and of people who died.

Hard cases that must *not* be reported are there too: twins (same surname, birth date and address; given
names that often sound alike), people who share a common name and birth date, moves and deaths dated after
election day, and residents who are minors on election day.

The truth is returned beside the data. Error truth is computed by the scalar reference
(lianxin.core.idcard and names.name_problem), not by the columnar engine it is used to score.
"""

import csv
import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from lianxin.core.idcard import IdNumberInvalid, id_number_check_character, id_number_parse
from lianxin.elections.checks.errors import ErrorCode
from lianxin.elections.checks.frame import EVENT_SCHEMA, REGISTER_SCHEMA, ROLL_SCHEMA
from lianxin.elections.checks.names import SHAPE_REPRESENTATIVE, char_pinyin, name_problem
from lianxin.elections.checks.omissions import OmissionCode

# The most frequent surnames in their national order (2020 census), 马 raised for Gansu's Hui population.
SURNAMES = (
    "王李张刘陈杨马黄赵吴周徐孙朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "慕容")
MALE_CHARS = (
    "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳东文博海峰永建国志新兵亮晨昊泽轩睿"
    "天翔子豪嘉毅立成荣庆祥福贵春德"
)
FEMALE_CHARS = (
    "芳娜敏静丽艳娟霞秀英慧玲燕萍红梅琳雪婷倩颖洁琴晶玉兰欣怡佳悦雯婧璐瑶蓉菲露莉薇晓丹宁春桂珍凤云彩淑娇媛思雨梦涵萱"
)
TIBETAN_NAMES = ("扎西", "卓玛", "才让", "拉毛", "多杰", "措姆", "尼玛", "央金", "旦增", "德吉", "次仁", "格桑")
UYGHUR_NAMES = ("阿卜杜拉", "买买提", "吐尔逊", "艾力", "努尔", "古丽", "阿依", "热依拉", "迪丽", "帕提古丽", "艾则孜")
NATIONALITIES = ("汉族", "回族", "藏族", "东乡族", "土族", "维吾尔族")


@dataclass(frozen=True)
class District:
    code: str  # the village or community's 12-digit code
    name: str
    county_code: str
    county: str
    township: str


@dataclass
class Truth:
    errors: set[tuple[int, str]] = field(default_factory=set)  # (key, ErrorCode)
    duplicates: set[tuple[int, int]] = field(default_factory=set)  # (key_a, key_b), key_a < key_b
    omissions: set[tuple[str, str]] = field(default_factory=set)  # (OmissionCode, id_number or str(key))
    kinds: dict[str, int] = field(default_factory=dict)  # injected count by kind, for the report


@dataclass
class City:
    roll: pl.DataFrame
    register: pl.DataFrame
    moved_out: pl.DataFrame
    deceased: pl.DataFrame
    districts: list[District]
    region_prefixes: set[str]
    election_day: datetime.date
    as_of: datetime.date
    truth: Truth


def load_districts(path: Path, *, prefecture: str = "620100000000") -> list[District]:
    """Villages and communities under a prefecture from a region CSV (code, name, level, parent_code)."""
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_code = {row["code"]: row for row in rows}
    out = []
    for row in rows:
        if row["level"] != "village":
            continue
        township = by_code[row["parent_code"]]
        county = by_code[township["parent_code"]]
        if county["parent_code"] != prefecture:
            continue
        out.append(District(row["code"], row["name"], county["code"], county["name"], township["name"]))
    return out


def region_prefixes_from(path: Path) -> set[str]:
    """The 6-digit codes of the counties, prefectures and provinces in a region CSV."""
    with open(path, encoding="utf-8") as handle:
        return {
            row["code"][:6] for row in csv.DictReader(handle) if row["level"] in ("province", "prefecture", "county")
        }


class _Gen:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        weights = 1.0 / np.arange(1, len(SURNAMES) + 1) ** 0.9
        self.surname_p = weights / weights.sum()
        self.homophones: dict[str, list[str]] = {}
        for ch in MALE_CHARS + FEMALE_CHARS:
            self.homophones.setdefault(char_pinyin(ch), []).append(ch)

    def names(self, sexes: np.ndarray) -> list[str]:
        n = len(sexes)
        rng = self.rng
        surnames = rng.choice(list(SURNAMES), size=n, p=self.surname_p)
        two = rng.random(n) < 0.8
        a = rng.integers(0, 10**6, n)
        b = rng.integers(0, 10**6, n)
        kind = rng.random(n)
        out = []
        for i in range(n):
            if kind[i] < 0.004:
                out.append(f"{UYGHUR_NAMES[a[i] % len(UYGHUR_NAMES)]}·{UYGHUR_NAMES[b[i] % len(UYGHUR_NAMES)]}")
                continue
            if kind[i] < 0.010:
                out.append(TIBETAN_NAMES[a[i] % len(TIBETAN_NAMES)] + TIBETAN_NAMES[b[i] % len(TIBETAN_NAMES)])
                continue
            pool = MALE_CHARS if sexes[i] == 1 else FEMALE_CHARS
            surname = COMPOUND_SURNAMES[a[i] % 5] if kind[i] > 0.998 else surnames[i]
            given = pool[a[i] % len(pool)] + (pool[b[i] % len(pool)] if two[i] else "")
            out.append(surname + given)
        return out

    def ids(self, prefixes: list[str], births: np.ndarray, sexes: np.ndarray) -> list[str]:
        """Valid ID numbers: sequence digits random with the sex parity, check digit computed."""
        seq = self.rng.integers(0, 500, len(births)) * 2 + (sexes == 1)
        out = []
        for prefix, birth, s in zip(prefixes, births.astype("datetime64[D]").astype(str), seq, strict=True):
            first17 = f"{prefix}{birth.replace('-', '')}{s:03d}"
            out.append(first17 + id_number_check_character(first17))
        return out

    def homophone(self, name: str) -> str | None:
        for index in range(len(name) - 1, 0, -1):
            options = [c for c in self.homophones.get(char_pinyin(name[index]), []) if c != name[index]]
            if options:
                return name[:index] + options[int(self.rng.integers(len(options)))] + name[index + 1 :]
        return None

    def look_alike(self, name: str) -> str | None:
        groups: dict[str, list[str]] = {}
        for ch, rep in SHAPE_REPRESENTATIVE.items():
            groups.setdefault(rep, []).append(ch)
        for index in range(len(name) - 1, 0, -1):
            if name[index] not in SHAPE_REPRESENTATIVE:
                continue
            options = [
                c
                for c in groups[SHAPE_REPRESENTATIVE[name[index]]]
                if c != name[index] and char_pinyin(c) != char_pinyin(name[index])
            ]
            if options:
                return name[:index] + options[int(self.rng.integers(len(options)))] + name[index + 1 :]
        return None


def _transpose(id_number: str, rng: np.random.Generator) -> str:
    while True:
        i = int(rng.integers(0, 16))
        if id_number[i] != id_number[i + 1]:
            return id_number[:i] + id_number[i + 1] + id_number[i] + id_number[i + 2 :]


def _with_check(first17: str) -> str:
    return first17 + id_number_check_character(first17)


def expected_errors(
    record: dict[str, Any], *, election_day: datetime.date, as_of: datetime.date, prefixes: set[str]
) -> set[str]:
    """The error codes of one registration by the scalar reference (lianxin.core.idcard), for scoring."""
    codes: set[str] = set()
    reason_codes = {
        "校验位错误": ErrorCode.ID_CHECKSUM,
        "出生日期无效": ErrorCode.ID_BIRTH,
        "出生日期晚于今天": ErrorCode.ID_BIRTH,
        "前6位地区码不存在": ErrorCode.ID_REGION,
        "前两位不是有效的省级行政区划代码": ErrorCode.ID_PROVINCE,
    }
    parsed = None
    try:
        parsed = id_number_parse(record["id_number"], today=as_of, region_prefixes=prefixes)
    except IdNumberInvalid as exc:
        codes.add(reason_codes.get(exc.reason, ErrorCode.ID_FORMAT))
        if exc.reason == "前6位地区码不存在":
            parsed = id_number_parse(record["id_number"], today=as_of)
    if parsed is not None:
        if record["birth_date"] is not None and record["birth_date"] != parsed.birth_date:
            codes.add(ErrorCode.BIRTH_MISMATCH)
        if record["sex"] is not None and record["sex"] != parsed.sex:
            codes.add(ErrorCode.SEX_MISMATCH)
        if parsed.age_on(election_day) < 18:
            codes.add(ErrorCode.UNDERAGE)
    if name_problem(record["name"]) is not None:
        codes.add(ErrorCode.NAME)
    return codes


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def generate_city(
    n: int,
    districts: list[District],
    *,
    region_prefixes: set[str],
    seed: int = 7,
    election_day: datetime.date = datetime.date(2026, 12, 15),
    as_of: datetime.date = datetime.date(2026, 11, 1),
    error_rate: float = 0.02,
    duplicate_rate: float = 0.02,
    omission_rate: float = 0.02,
) -> City:
    gen = _Gen(seed)
    rng = gen.rng
    truth = Truth()
    n_dup = int(n * duplicate_rate)
    n_people = n - n_dup  # distinct people on the roll
    n_omit = int(n * omission_rate)
    n_unreg, n_turning, n_moved, n_dead = (n_omit // 4,) * 4
    n_twins = max(2, n // 400)
    n_extra = n_unreg + n_turning + n_twins + n // 50  # register people beyond the roll's, incl. minors
    total = n_people + n_extra

    sexes = rng.integers(0, 2, total).astype(np.int8)  # 1 = male
    # Ages 18-95 on election day, fewer of the old.
    age_days = (rng.beta(1.3, 2.2, total) * (95 - 18) * 365.25 + 18 * 365.25 + 30).astype(np.int64)
    births = np.datetime64(election_day) - age_days
    district_index = rng.integers(0, len(districts), total)
    # The last n_extra: unregistered adults, then people turning 18 before election day, twins, minors.
    start = n_people
    turning = slice(start + n_unreg, start + n_unreg + n_turning)
    days_short = (election_day - as_of).days
    eighteen_before = np.datetime64(_add_years(election_day, -18))
    births[turning] = eighteen_before - rng.integers(0, days_short, n_turning)
    minors = slice(start + n_unreg + n_turning + n_twins, total)
    births[minors] = eighteen_before + rng.integers(1, 17 * 365, minors.stop - minors.start)
    twin_slice = slice(start + n_unreg + n_turning, start + n_unreg + n_turning + n_twins)

    names = gen.names(sexes)
    prefixes = [
        districts[d].county_code[:6] if rng.random() < 0.9 else districts[(d + 97) % len(districts)].county_code[:6]
        for d in district_index
    ]
    ids = gen.ids(prefixes, births, sexes)
    # Twins: each pairs with the roll person before it (same surname, birth date, district, address).
    addresses = [
        f"{districts[d].county}{districts[d].township}{districts[d].name}{int(h)}号"
        for d, h in zip(district_index, rng.integers(1, 400, total), strict=True)
    ]
    for t in range(twin_slice.start, twin_slice.stop):
        sibling = int(rng.integers(0, n_people))
        births[t], district_index[t], addresses[t] = births[sibling], district_index[sibling], addresses[sibling]
        sexes[t] = sexes[sibling]
        given = gen.homophone(names[sibling]) if rng.random() < 0.5 else None
        names[t] = given or names[sibling][0] + gen.names(sexes[t : t + 1])[0][1:]
        birth_text = str(births[t].astype("datetime64[D]")).replace("-", "")
        seq = (int(ids[sibling][14:17]) + 2) % 1000
        ids[t] = _with_check(f"{ids[sibling][:6]}{birth_text}{seq:03d}")
    birth_dates = births.astype("datetime64[D]").astype(datetime.date).tolist()
    sex_text = np.where(sexes == 1, "male", "female").tolist()
    # IDs drawn at random may collide: the later of two gets another sequence number.
    seen: set[str] = set()
    for i in range(total):
        while ids[i] in seen:
            seq = (int(ids[i][14:17]) + 2) % 1000
            ids[i] = _with_check(f"{ids[i][:14]}{seq:03d}")
        seen.add(ids[i])

    on_roll = list(range(n_people)) + list(range(twin_slice.start, twin_slice.stop))
    records: list[dict[str, Any]] = [
        {
            "name": names[i],
            "sex": sex_text[i],
            "id_number": ids[i],
            "birth_date": birth_dates[i],
            "district": districts[district_index[i]].code,
            "address": addresses[i],
            "person": i,
        }
        for i in on_roll
    ]
    # The twins replace as many ordinary people at the end, so that the roll keeps n records.
    records = records[: n_people - n_twins] + records[n_people:]
    left_off = [*range(start, turning.stop), *range(n_people - n_twins, n_people)]
    for i in left_off:  # the unregistered, those turning 18, and those dropped to make room for the twins
        truth.omissions.add(
            (OmissionCode.TURNING_18 if _age(birth_dates[i], as_of) < 18 else OmissionCode.UNREGISTERED, ids[i])
        )

    # Choose disjoint people for errors, duplicates, moves and deaths among the ordinary roll records.
    ordinary = rng.permutation(n_people - n_twins)
    n_err = int(n * error_rate)
    err_idx = ordinary[:n_err]
    dup_idx = ordinary[n_err : n_err + n_dup]
    moved_idx = ordinary[n_err + n_dup : n_err + n_dup + n_moved]
    dead_idx = ordinary[n_err + n_dup + n_moved : n_err + n_dup + n_moved + n_dead]
    late_idx = ordinary[n_err + n_dup + n_moved + n_dead : n_err + n_dup + n_moved + n_dead + n_moved // 2]

    error_kinds = ["checksum", "birth_in_id", "region", "birth", "sex", "name", "underage"]
    for j, i in enumerate(err_idx):
        kind = error_kinds[j % len(error_kinds)]
        truth.kinds[f"error:{kind}"] = truth.kinds.get(f"error:{kind}", 0) + 1
        before = dict(records[i])
        _inject_error(records[i], kind, rng, election_day)
        while records[i]["id_number"] != before["id_number"] and records[i]["id_number"] in seen:
            records[i] = dict(before)  # a changed ID that lands on someone else's: draw again
            _inject_error(records[i], kind, rng, election_day)
        seen.add(records[i]["id_number"])
        if kind == "underage":  # a minor registered by mistake: the register knows them so
            person = records[i]["person"]
            ids[person], birth_dates[person] = records[i]["id_number"], records[i]["birth_date"]

    dup_kinds = ["other_district", "homophone", "look_alike", "transposed", "transposed_homophone"]
    dup_records = []
    for j, i in enumerate(dup_idx):
        kind = dup_kinds[j % len(dup_kinds)]
        copy = dict(records[i])
        if kind == "other_district":
            d = districts[int(rng.integers(len(districts)))]
            copy["district"], copy["address"] = d.code, f"{d.county}{d.township}{d.name}{int(rng.integers(1, 400))}号"
        if kind in ("homophone", "transposed_homophone"):
            copy["name"] = gen.homophone(copy["name"]) or copy["name"]
        if kind == "look_alike":
            changed = gen.look_alike(copy["name"])
            if changed is None:  # no look-alike character in this name: a homophone instead
                kind = "homophone"
                changed = gen.homophone(copy["name"]) or copy["name"]
            copy["name"] = changed
        if kind.startswith("transposed"):
            copy["id_number"] = _transpose(copy["id_number"], rng)
        truth.kinds[f"duplicate:{kind}"] = truth.kinds.get(f"duplicate:{kind}", 0) + 1
        copy["original"] = i
        dup_records.append(copy)
    records.extend(dup_records)

    register = pl.DataFrame(
        {
            "id_number": ids,
            "name": names,
            "sex": sex_text,
            "birth_date": birth_dates,
            "address": addresses,
        },
        schema=REGISTER_SCHEMA,
    )
    # Shuffle, then number the registrations 1..n.
    order = rng.permutation(len(records))
    records = [records[i] for i in order]
    key_of_position = {int(p): k + 1 for k, p in enumerate(order)}
    for k, record in enumerate(records, start=1):
        record["key"] = k
        if "original" in record:
            a, b = sorted((key_of_position[record["original"]], k))
            truth.duplicates.add((a, b))

    moved_rows, dead_rows = [], []
    for i in moved_idx:
        moved_rows.append(
            {
                "id_number": records_by_pos(records, key_of_position, i)["id_number"],
                "date": as_of - datetime.timedelta(days=int(rng.integers(1, 200))),
            }
        )
        truth.omissions.add((OmissionCode.MOVED_OUT, str(key_of_position[int(i)])))
    for i in dead_idx:
        dead_rows.append(
            {
                "id_number": records_by_pos(records, key_of_position, i)["id_number"],
                "date": as_of - datetime.timedelta(days=int(rng.integers(1, 200))),
            }
        )
        truth.omissions.add((OmissionCode.DECEASED, str(key_of_position[int(i)])))
    for i in late_idx:  # moves after election day: not an omission
        moved_rows.append(
            {
                "id_number": records_by_pos(records, key_of_position, i)["id_number"],
                "date": election_day + datetime.timedelta(days=int(rng.integers(1, 60))),
            }
        )
    truth.kinds.update(
        {
            "omission:unregistered": n_unreg,
            "omission:turning_18": n_turning,
            "omission:moved_out": n_moved,
            "omission:deceased": n_dead,
            "hard_negative:twins": n_twins,
            "hard_negative:late_moves": len(late_idx),
        }
    )

    for record in records:
        if "error" in record or "original" in record:
            for code in expected_errors(record, election_day=election_day, as_of=as_of, prefixes=region_prefixes):
                truth.errors.add((record["key"], code))
    roll = pl.DataFrame({name: [r[name] for r in records] for name in ROLL_SCHEMA}, schema=ROLL_SCHEMA)
    return City(
        roll=roll,
        register=register,
        moved_out=pl.DataFrame(moved_rows, schema=EVENT_SCHEMA),
        deceased=pl.DataFrame(dead_rows, schema=EVENT_SCHEMA),
        districts=districts,
        region_prefixes=region_prefixes,
        election_day=election_day,
        as_of=as_of,
        truth=truth,
    )


def records_by_pos(records: list[dict[str, Any]], key_of_position: dict[int, int], position: Any) -> dict[str, Any]:
    return records[key_of_position[int(position)] - 1]


def _age(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


UNKNOWN_PREFIXES = ("620199", "620130", "620188", "629901")


def _inject_error(record: dict[str, Any], kind: str, rng: np.random.Generator, election_day: datetime.date) -> None:
    record["error"] = kind
    idn = record["id_number"]
    if kind == "checksum":
        wrong = [c for c in "0123456789X" if c != idn[17]]
        record["id_number"] = idn[:17] + wrong[int(rng.integers(len(wrong)))]
    elif kind == "birth_in_id":
        year = int(idn[6:10])
        impossible = ["0230", "0431", "1301", "0631", "0000", "1132"]
        if year % 4:
            impossible.append("0229")
        record["id_number"] = _with_check(idn[:10] + impossible[int(rng.integers(len(impossible)))] + idn[14:17])
    elif kind == "region":
        record["id_number"] = _with_check(UNKNOWN_PREFIXES[int(rng.integers(len(UNKNOWN_PREFIXES)))] + idn[6:17])
    elif kind == "birth":
        record["birth_date"] = record["birth_date"] + datetime.timedelta(days=int(rng.choice([-366, -31, -1, 1, 10])))
    elif kind == "sex":
        record["sex"] = "female" if record["sex"] == "male" else "male"
    elif kind == "name":
        name = record["name"]
        variants = [
            name[0] + " " + name[1:],
            name + " ",
            " " + name,
            name[:-1] + "A",
            name + "2",
            "Zhang Wei",
            name.replace("·", "•") if "·" in name else name[0] + "l" + name[1:],
        ]
        record["name"] = variants[int(rng.integers(len(variants)))]
    elif kind == "underage":
        birth = _add_years(election_day, -18) + datetime.timedelta(days=int(rng.integers(1, 300)))
        record["birth_date"] = birth
        record["id_number"] = _with_check(idn[:6] + birth.strftime("%Y%m%d") + idn[14:17])
