"""The deputies of the demo county, their mandates, and the grid workers.

Seats (四级代表), following how 德清 elects:
- county congress (德清县第十七届): one seat per village district, two in the 街道 (which have no
  township congress of their own, so the county seats are their only local ones): 236 seats;
- township congresses (第十七届), only in the 8 towns that are 镇: 7 seats per community, 5 or 6 per village;
  about 45 village districts send their county deputy to the township congress too (兼任两级);
- city congress (湖州市第九届): 45 deputies elected by the county congress, 10 of whom are county deputies;
- provincial congress (浙江省第十四届): 15 deputies from the 湖州 delegation who live in 德清.
A few county and township deputies resigned and were replaced in by-elections (补选); about 5 % of the
county seats are members of the standing committee (常委会组成人员).
"""

import datetime
import random
from dataclasses import dataclass, field

from lianxin.core.codes import ALPHABET, LENGTH
from lianxin.demo import names
from lianxin.demo.seed.geography import CountyPlan, VillagePlan, random_point_in
from lianxin.deputies.models import Deputy, GridWorker, Mandate, MandateLevel, MandateStatus
from lianxin.regions.models import Grid, Region

COUNTY_TERM, TOWNSHIP_TERM, CITY_TERM, PROVINCE_TERM = 17, 17, 9, 14
TERM_STARTS: dict[str, datetime.date] = {
    MandateLevel.PROVINCE: datetime.date(2023, 1, 13),
    MandateLevel.CITY: datetime.date(2022, 2, 18),
    MandateLevel.COUNTY: datetime.date(2021, 12, 28),
    MandateLevel.TOWNSHIP: datetime.date(2021, 12, 20),
}
CITY_SEATS, CITY_FROM_COUNTY, PROVINCE_SEATS = 45, 10, 15
DUAL_TOWNSHIP_COUNTY = 45
RESIGNED = {MandateLevel.COUNTY: 6, MandateLevel.TOWNSHIP: 4}
STANDING_COMMITTEE_SEATS = 12
FEMALE_SHARE = 0.35
ID_PREFIX = "330521"


class PublicCodes:
    """Public codes drawn from the seeded generator, so that two runs give the same QR codes."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken: set[str] = set()

    def next(self) -> str:
        while True:
            code = "".join(self.rng.choice(ALPHABET) for _ in range(LENGTH))
            if code not in self.taken:
                self.taken.add(code)
                return code


@dataclass
class MandatePlan:
    level: str
    congress_code: str
    term: int
    district_name: str
    district_code: str | None
    status: str = MandateStatus.SERVING
    is_standing_committee: bool = False
    started_on: datetime.date | None = None
    ended_on: datetime.date | None = None


@dataclass
class PersonPlan:
    key: int  # creation order: the stable identity of a person within one run
    name: str
    sex: str
    ethnicity: str
    birth: datetime.date
    political: str
    education: str
    occupation: str
    employer: str
    specialties: list[str]
    residence: VillagePlan
    lat: float
    lng: float
    id_number: str
    phone: str
    address: str
    public_code: str
    mandates: list[MandatePlan] = field(default_factory=list)

    @property
    def top_level(self) -> str:
        order: list[str] = [MandateLevel.PROVINCE, MandateLevel.CITY, MandateLevel.COUNTY, MandateLevel.TOWNSHIP]
        return min((m.level for m in self.mandates), key=order.index)

    def serving(self, level: str | None = None) -> bool:
        return any(
            m.status in (MandateStatus.SERVING, MandateStatus.BY_ELECTED) and (level is None or m.level == level)
            for m in self.mandates
        )


class PeopleFactory:
    """Makes people with names unique within their town, valid ID numbers and unique phone numbers."""

    def __init__(self, rng: random.Random, county: CountyPlan, codes: PublicCodes) -> None:
        self.rng = rng
        self.county = county
        self.codes = codes
        self.names_by_town: dict[str, set[str]] = {}
        self.id_numbers: set[str] = set()
        self.phones: set[str] = set()
        self.people: list[PersonPlan] = []

    def person(self, level: str, residence: VillagePlan, *, occupation: str | None = None) -> PersonPlan:
        rng = self.rng
        town = self.county.town_of(residence)
        sex = "female" if rng.random() < FEMALE_SHARE else "male"
        occupation = occupation or names.choose_occupation(rng, level, community=residence.community, town=town.name)
        first_year = 1960 if occupation != "民宿经营者" else 1975
        birth = names.birth_date(rng, first_year, 1995 if level == MandateLevel.TOWNSHIP else 1988)
        ethnicity = names.weighted_choice(rng, names.ETHNICITIES)
        point = random_point_in(rng, residence.cell)
        if residence.community:
            address = f"{town.name}{rng.choice(names.TOWN_ROADS[town.name])}{rng.randint(1, 260)}号"
        else:
            address = f"{town.name}{residence.short}{rng.randint(1, 16)}组{rng.randint(1, 120)}号"
        political = names.weighted_choice(rng, names.POLITICAL)
        if occupation in ("村党组织书记", "社区党组织书记", "机关干部"):
            political = "中共党员"
        person = PersonPlan(
            key=len(self.people),
            name=names.unique_person_name(
                rng, sex=sex, birth_year=birth.year, taken=self.names_by_town.setdefault(town.code, set())
            ),
            sex=sex,
            ethnicity=ethnicity,
            birth=birth,
            political=political,
            education=rng.choice(names.OCCUPATIONS[occupation][2]),
            occupation=occupation,
            employer=names.employer_text(rng, occupation, town=town.name, village=residence.short),
            specialties=names.specialties_for(rng, occupation, ethnicity),
            residence=residence,
            lat=point.y,
            lng=point.x,
            id_number=names.id_number(rng, prefix=ID_PREFIX, birth=birth, sex=sex, taken=self.id_numbers),
            phone=names.mobile(rng, self.phones),
            address=address,
            public_code=self.codes.next(),
        )
        self.people.append(person)
        return person


def plan_deputies(rng: random.Random, county: CountyPlan, codes: PublicCodes) -> PeopleFactory:
    """Every deputy with their mandates; the factory also keeps the ID and phone numbers already used."""
    factory = PeopleFactory(rng, county, codes)
    county_code = "330521000000"
    county_seats: dict[str, list[PersonPlan]] = {}  # village code → its county deputies
    for town in county.towns:
        for number, village in enumerate(town.villages, start=1):
            seats = 2 if town.is_street else 1
            district = f"{town.name}第{number}选区（{village.short}）"
            for _ in range(seats):
                residence = _nearby(rng, town.villages, village)
                occupation = _local_leader_occupation(rng, residence)
                person = factory.person(MandateLevel.COUNTY, residence, occupation=occupation)
                person.mandates.append(
                    MandatePlan(MandateLevel.COUNTY, county_code, COUNTY_TERM, district, village.code)
                )
                county_seats.setdefault(village.code, []).append(person)

    township_villages = [v for t in county.towns if not t.is_street for v in t.villages]
    dual = set(v.code for v in rng.sample(township_villages, DUAL_TOWNSHIP_COUNTY))
    for town in (t for t in county.towns if not t.is_street):
        for number, village in enumerate(town.villages, start=1):
            seats = 7 if village.community else rng.choice((5, 6))
            district = f"{town.name}第{number}选区（{village.short}）"
            holders: list[PersonPlan] = []
            if village.code in dual:
                holders.append(county_seats[village.code][0])
            while len(holders) < seats:
                holders.append(factory.person(MandateLevel.TOWNSHIP, _nearby(rng, town.villages, village)))
            for person in holders:
                person.mandates.append(
                    MandatePlan(MandateLevel.TOWNSHIP, town.code, TOWNSHIP_TERM, district, village.code)
                )

    all_villages = list(county.villages.values())
    seat_towns = [t for t in county.towns if t.name in ("武康街道", "舞阳街道", "阜溪街道")]
    county_deputies = [p for seats in county_seats.values() for p in seats]
    upper_from_county = [p for p in county_deputies if p.occupation in ("机关干部", "企业负责人")]
    city_members = rng.sample(upper_from_county, CITY_FROM_COUNTY)
    while len(city_members) < CITY_SEATS:
        city_members.append(factory.person(MandateLevel.CITY, _upper_residence(rng, seat_towns, all_villages)))
    for person in city_members:
        person.mandates.append(MandatePlan(MandateLevel.CITY, "330500000000", CITY_TERM, "德清县", None))
    for _ in range(PROVINCE_SEATS):
        person = factory.person(MandateLevel.PROVINCE, _upper_residence(rng, seat_towns, all_villages))
        person.mandates.append(MandatePlan(MandateLevel.PROVINCE, "330000000000", PROVINCE_TERM, "湖州市", None))

    _by_elections(rng, factory, county)
    _standing_committee(rng, factory.people)
    for person in factory.people:
        for mandate in person.mandates:
            mandate.started_on = mandate.started_on or TERM_STARTS[mandate.level]
    return factory


def _local_leader_occupation(rng: random.Random, village: VillagePlan) -> str | None:
    """Many county deputies are their village's party secretary; the rest are drawn by weight."""
    if rng.random() < 0.3:
        return "社区党组织书记" if village.community else "村党组织书记"
    return None


def _nearby(rng: random.Random, villages: list[VillagePlan], district: VillagePlan) -> VillagePlan:
    """Most deputies live in their own district; some elsewhere in the same town."""
    return district if rng.random() < 0.85 else rng.choice(villages)


def _upper_residence(rng: random.Random, seat_towns, villages: list[VillagePlan]) -> VillagePlan:
    """Province and city deputies mostly live around the county seat."""
    if rng.random() < 0.55:
        return rng.choice(rng.choice(seat_towns).villages)
    return rng.choice(villages)


def _by_elections(rng: random.Random, factory: PeopleFactory, county: CountyPlan) -> None:
    for level, count in RESIGNED.items():
        candidates = [p for p in factory.people if len(p.mandates) == 1 and p.mandates[0].level == level]
        for person in rng.sample(candidates, count):
            mandate = person.mandates[0]
            ended = datetime.date(2022, 6, 1) + datetime.timedelta(days=rng.randrange(0, 700))
            mandate.status, mandate.ended_on = MandateStatus.RESIGNED, ended
            assert mandate.district_code is not None  # county and township seats are elected in a village
            district = county.villages[mandate.district_code]
            successor = factory.person(level, district)
            successor.mandates.append(
                MandatePlan(
                    level,
                    mandate.congress_code,
                    mandate.term,
                    mandate.district_name,
                    mandate.district_code,
                    status=MandateStatus.BY_ELECTED,
                    started_on=ended + datetime.timedelta(days=rng.randrange(60, 150)),
                )
            )


def _standing_committee(rng: random.Random, people: list[PersonPlan]) -> None:
    weights = {"机关干部": 8, "企业负责人": 3, "律师": 3, "教师": 2, "医生": 2}
    candidates = [
        p
        for p in people
        for m in p.mandates
        if m.level == MandateLevel.COUNTY and m.status == MandateStatus.SERVING and p.occupation in weights
    ]
    chosen: list[PersonPlan] = []
    while len(chosen) < STANDING_COMMITTEE_SEATS:
        person = rng.choices(candidates, weights=[weights[p.occupation] for p in candidates])[0]
        if person not in chosen:
            chosen.append(person)
    for person in chosen:
        next(m for m in person.mandates if m.level == MandateLevel.COUNTY).is_standing_committee = True


def write_deputies(people: list[PersonPlan], regions: dict[str, Region]) -> dict[int, Deputy]:
    """Bulk-create the deputies and their mandates. Returns person key → Deputy."""
    deputies = Deputy.objects.bulk_create(
        [
            Deputy(
                name=p.name,
                gender=p.sex,
                ethnicity=p.ethnicity,
                birth_date=p.birth,
                political_affiliation=p.political,
                education=p.education,
                occupation=p.occupation,
                employer=p.employer,
                specialties=p.specialties,
                bio=_bio(p, regions),
                residence_region=regions[p.residence.code],
                residence_lat=p.lat,
                residence_lng=p.lng,
                id_number=p.id_number,
                phone=p.phone,
                address=p.address,
                public_code=p.public_code,
            )
            for p in people
        ]
    )
    by_key = {p.key: d for p, d in zip(people, deputies, strict=True)}
    Mandate.objects.bulk_create(
        [
            Mandate(
                deputy=by_key[p.key],
                level=m.level,
                congress_region=regions[m.congress_code],
                term=m.term,
                district_name=m.district_name,
                district_region=regions[m.district_code] if m.district_code else None,
                status=m.status,
                is_standing_committee=m.is_standing_committee,
                started_on=m.started_on,
                ended_on=m.ended_on,
            )
            for p in people
            for m in p.mandates
        ]
    )
    return by_key


def _bio(person: PersonPlan, regions: dict[str, Region]) -> str:
    serving = [
        f"{regions[m.congress_code].name}人大代表" for m in person.mandates if m.status != MandateStatus.RESIGNED
    ]
    if not serving:
        return ""
    return f"{person.employer}，{'、'.join(serving)}。专业特长：{'、'.join(person.specialties)}。"


@dataclass
class WorkerPlan:
    grid_code: str
    name: str
    sex: str
    id_number: str
    phone: str


def plan_grid_workers(rng: random.Random, county: CountyPlan, people: PeopleFactory) -> list[WorkerPlan]:
    """One grid worker per grid, two where more than 6,000 people live. Most grid workers are women."""
    workers: list[WorkerPlan] = []
    taken: set[str] = set()
    for grid in county.grids:
        for _ in range(2 if grid.population > 6000 else 1):
            sex = "female" if rng.random() < 0.7 else "male"
            birth = names.birth_date(rng, 1975, 1998)
            workers.append(
                WorkerPlan(
                    grid_code=grid.code,
                    name=names.unique_person_name(rng, sex=sex, birth_year=birth.year, taken=taken),
                    sex=sex,
                    id_number=names.id_number(rng, prefix=ID_PREFIX, birth=birth, sex=sex, taken=people.id_numbers),
                    phone=names.mobile(rng, people.phones),
                )
            )
    return workers


def write_grid_workers(workers: list[WorkerPlan], grids: dict[str, Grid]) -> list[GridWorker]:
    return GridWorker.objects.bulk_create(
        [
            GridWorker(grid=grids[w.grid_code], name=w.name, gender=w.sex, id_number=w.id_number, phone=w.phone)
            for w in workers
        ]
    )
