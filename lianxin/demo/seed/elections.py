"""The county's next general election (换届选举) with its districts, voter rolls and the check's findings.

德清 elects its county congress in districts drawn by village and community (选区). The demo draws them in
武康街道, the demo township clerk's area, so that every staff role sees them: six districts, 250-450 voters
each, as a village committee would send them in a spreadsheet. The rolls go in through the app's own import
(`voters_import`, all or nothing) and are checked by `voters_check` against the extracts a county gets from the
public-security household register (户籍: everyone of age in those villages) and its lists of people who moved
away or died, read by the app's own readers. What the check finds is what 兰州's clerks look for ("错、漏、重"):

- 重 duplicates: two people registered where they live and where their household is (same ID in two
  districts); one registered twice in one village with two digits of the ID transposed;
- 错 errors: an ID with a mistyped digit (check character), a birth date that contradicts the ID, a woman
  entered as 男, a boy who turns 18 only after election day;
- 漏 omissions: adults on the household register missing from the roll, two who turn 18 by election day;
  people who moved out of the county or died since the roll was drawn up and are still on it.

Deterministic (the seed's stream "elections"); the election day is six weeks after today.
"""

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass

from lianxin.demo import names
from lianxin.demo.seed.people import ID_PREFIX
from lianxin.elections.imports import events_read, register_read
from lianxin.elections.models import Election
from lianxin.elections.services import Registers, district_create, election_create, voters_check, voters_import
from lianxin.regions.models import Region, RegionLevel

ELECTION_NAME = "德清县第十八届人民代表大会代表换届选举"
TOWN_CODE = "330521001000"  # 武康街道
DISTRICTS = 6
ROLL_HEADER = ("姓名", "性别", "身份证号", "出生日期", "民族", "户籍地址", "现住址", "选区")
ETHNIC = (("汉族", 985), ("畲族", 6), ("苗族", 3), ("土家族", 3), ("回族", 3))


@dataclass
class Person:
    name: str
    sex: str  # male / female
    birth: datetime.date
    id_number: str
    ethnic: str
    household: str  # 户籍地址
    current: str  # 现住址

    def row(
        self, district: str, *, id_number: str | None = None, birth: str | None = None, sex: str | None = None
    ) -> tuple[str, ...]:
        return (
            self.name,
            sex or ("男" if self.sex == "male" else "女"),
            id_number or self.id_number,
            birth if birth is not None else self.birth.isoformat(),
            self.ethnic,
            self.household,
            self.current,
            district,
        )


def _csv(rows: Sequence[Sequence[str]]) -> bytes:
    return ("\n".join(",".join(row) for row in rows) + "\n").encode("utf-8")


def _transposed(id_number: str) -> str:
    """Two neighbouring digits of the sequence swapped, as a clerk types them (the check digit then fails)."""
    digits = list(id_number)
    i = 14 if digits[14] != digits[15] else 15
    digits[i], digits[i + 1] = digits[i + 1], digits[i]
    return "".join(digits)


def _mistyped(id_number: str) -> str:
    """One digit of the sequence off by one: the check character no longer fits."""
    digits = list(id_number)
    digits[15] = str((int(digits[15]) + 1) % 10)
    return "".join(digits)


class RollWriter:
    def __init__(self, rng: random.Random, *, today: datetime.date) -> None:
        self.rng = rng
        self.today = today
        self.election_day = today + datetime.timedelta(weeks=6)
        self.ids: set[str] = set()

    def person(self, village: str, town: str, *, born: datetime.date | None = None, sex: str = "") -> Person:
        rng = self.rng
        sex = sex or rng.choice(("male", "female"))
        if born is None:
            age = int(rng.triangular(18.2, 92, 48))
            born = self.election_day - datetime.timedelta(days=int(age * 365.25) + rng.randint(0, 364))
        if village.endswith("村"):
            hamlet = rng.choice("上下东西前后") + rng.choice("湾埠桥塘庄")
            address = f"德清县{town}{village}{hamlet}{rng.randint(1, 120)}号"
        else:
            address = f"德清县{town}{village}{rng.randint(1, 30)}幢{rng.randint(1, 6)}0{rng.randint(1, 4)}室"
        current = address
        if rng.random() < 0.15:  # lives elsewhere in town
            current = f"德清县武康街道{rng.choice(('英溪', '千秋', '永安'))}路{rng.randint(1, 400)}号"
        return Person(
            name=names.person_name(rng, sex=sex, birth_year=born.year),
            sex=sex,
            birth=born,
            id_number=names.id_number(rng, prefix=ID_PREFIX, birth=born, sex=sex, taken=self.ids),
            ethnic=names.weighted_choice(rng, ETHNIC),
            household=address,
            current=current,
        )

    def adult_turning_18(self) -> datetime.date:
        """A birthday that makes the person 18 between today and election day."""
        days = self.rng.randint(1, (self.election_day - self.today).days)
        day = self.today + datetime.timedelta(days=days)
        if day.month == 2 and day.day == 29:
            day = day.replace(day=28)
        return day.replace(year=day.year - 18)


def write_election(rng: random.Random, *, today: datetime.date) -> Election:
    writer = RollWriter(rng, today=today)
    town = Region.objects.get(code=TOWN_CODE)
    county = town.parent
    assert county is not None  # 武康街道 lies in 德清县
    villages = list(Region.objects.filter(parent=town, level=RegionLevel.VILLAGE).order_by("code")[:DISTRICTS])
    election = election_create(actor=None, name=ELECTION_NAME, region=county, election_day=writer.election_day)

    rolls: dict[str, list[tuple[str, ...]]] = {}
    people: dict[str, list[Person]] = {}
    for number, village in enumerate(villages, start=1):
        short = names.short_region_name(village.name)
        district = district_create(
            actor=None,
            election=election,
            code=f"武康{number:02d}",
            name=f"武康街道第{names.chinese_number(number)}选区（{short}）",
            region=village,
            seats=rng.choice((1, 2, 2, 3)),
        )
        residents = [writer.person(short, town.name) for _ in range(rng.randint(250, 450))]
        people[district.code] = residents
        rolls[district.code] = [p.row(district.code) for p in residents]

    codes = list(rolls)
    # 重: registered in the village of the household and again where they live now.
    for source, target in ((codes[0], codes[1]), (codes[2], codes[0])):
        person = people[source][rng.randrange(len(people[source]))]
        rolls[target].append(person.row(target))
    # 重: entered twice in one village, the second time with two digits of the ID transposed.
    twice = people[codes[3]][7]
    rolls[codes[3]].append(twice.row(codes[3], id_number=_transposed(twice.id_number)))
    # 错: a mistyped ID, a birth date against the ID, a woman entered as 男, a boy too young on election day.
    first = rolls[codes[4]]
    first[3] = people[codes[4]][3].row(codes[4], id_number=_mistyped(people[codes[4]][3].id_number))
    wrong_birth = people[codes[4]][5]
    first[5] = wrong_birth.row(codes[4], birth=(wrong_birth.birth + datetime.timedelta(days=31)).isoformat())
    woman = next(p for p in people[codes[5]] if p.sex == "female")
    rolls[codes[5]][people[codes[5]].index(woman)] = woman.row(codes[5], sex="男")
    young = writer.person(
        names.short_region_name(villages[5].name),
        town.name,
        born=writer.election_day - datetime.timedelta(days=int(17.5 * 365.25)),
        sex="male",
    )
    rolls[codes[5]].append(young.row(codes[5]))

    for code, rows in rolls.items():
        voters_import(
            actor=None, election=election, district_code=code, file=_csv([ROLL_HEADER, *rows]), filename=f"{code}.csv"
        )

    # Moved out of the county, or died, since the rolls were drawn up.
    moved = [people[codes[1]][11], people[codes[2]][23], people[codes[4]][40]]
    died = [min(people[codes[0]], key=lambda p: p.birth), people[codes[3]][60]]
    # The household register: everyone else on the rolls, three adults nobody registered, two who turn 18 in time.
    gone = {p.id_number for p in [*moved, *died]}
    everyone = [p for residents in people.values() for p in residents if p.id_number not in gone]
    missing = [writer.person(names.short_region_name(villages[i].name), town.name) for i in (0, 2, 4)]
    turning = [
        writer.person(names.short_region_name(villages[i].name), town.name, born=writer.adult_turning_18())
        for i in (1, 3)
    ]
    register_rows = [("身份证号", "姓名", "性别", "出生日期", "户籍地址")]
    for p in [*everyone, *missing, *turning]:
        register_rows.append((p.id_number, p.name, "男" if p.sex == "male" else "女", "", p.household))

    def events(group: list[Person], heading: str) -> bytes:
        rows = [("身份证号", heading)]
        for p in group:
            rows.append((p.id_number, (today - datetime.timedelta(days=rng.randint(3, 40))).isoformat()))
        return _csv(rows)

    voters_check(
        actor=None,
        election=election,
        as_of=today,
        registers=Registers(
            register=register_read(file=_csv(register_rows), filename="户籍人口.csv"),
            moved_out=events_read(file=events(moved, "迁出日期"), filename="迁出人员.csv"),
            deceased=events_read(file=events(died, "死亡日期"), filename="死亡人员.csv"),
        ),
    )
    return election
