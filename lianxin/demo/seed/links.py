"""Groups and pairings of the demo county.

- 8 professional groups (专业代表小组) of the county congress, members by specialty, each paired with
  three grids (结对共建);
- a local deputy group (代表小组) per town: the county deputies elected there and the provincial and city
  deputies who live there;
- 36 supervision groups (监督小组), as 德清 formed for its annual supervision items: every serving deputy of
  every level is in exactly one, formed around the home or a large station of their town;
- provincial and city deputies each paired with 2–4 county or township deputies (结对互助);
- each standing-committee member linked to 5 deputies, their town's home and one station;
- after the deputies are embedded in grids: grid workers paired with the deputies of their grid
  (代表+网格员), and 10 households (联系户) for each of the first 50 county deputies.
"""

import math
import random
from collections import defaultdict

from lianxin.demo import names
from lianxin.demo.seed.geography import CountyPlan
from lianxin.demo.seed.people import PeopleFactory, PersonPlan
from lianxin.demo.seed.places import PlacePlan
from lianxin.deputies.models import (
    SERVING_STATUSES,
    Deputy,
    DeputyGroup,
    GridAssignment,
    GridWorker,
    GridWorkerPairing,
    GroupGridPairing,
    GroupKind,
    Household,
    MandateLevel,
    MentorPairing,
    StandingMemberLink,
)
from lianxin.regions.models import Grid, Region
from lianxin.venues.models import Place, PlaceKind

SUPERVISION_GROUPS = 36
GROUP_GRIDS = 3
HOUSEHOLD_DEPUTIES, HOUSEHOLDS_EACH = 50, 10
LEVEL_ORDER = (MandateLevel.PROVINCE, MandateLevel.CITY, MandateLevel.COUNTY, MandateLevel.TOWNSHIP)


def _serving_levels(person: PersonPlan) -> set[str]:
    return {m.level for m in person.mandates if m.status in SERVING_STATUSES}


def _home_town(person: PersonPlan, county: CountyPlan) -> str:
    """The town a deputy belongs to: where their most local district is, else where they live."""
    districts = [
        m.district_code
        for m in sorted(person.mandates, key=lambda m: LEVEL_ORDER.index(m.level), reverse=True)
        if m.status in SERVING_STATUSES and m.district_code
    ]
    if districts:
        return county.villages[districts[0]].town_code
    return person.residence.town_code


class GroupWriter:
    def __init__(
        self,
        rng: random.Random,
        county: CountyPlan,
        people: PeopleFactory,
        deputies: dict[int, Deputy],
        regions: dict[str, Region],
    ) -> None:
        self.rng = rng
        self.county = county
        self.people = people
        self.deputies = deputies
        self.regions = regions
        self.serving = [p for p in people.people if p.serving()]
        self.liaison_names: set[str] = set()

    def _liaison(self) -> tuple[str, str]:
        sex = "female" if self.rng.random() < 0.6 else "male"
        name = names.unique_person_name(self.rng, sex=sex, birth_year=1985, taken=self.liaison_names)
        return name, names.mobile(self.rng, self.people.phones)

    def _group(self, kind: str, name: str, region_code: str, members: list[PersonPlan], leader: PersonPlan, place=None):
        liaison_name, liaison_phone = self._liaison()
        group = DeputyGroup(
            kind=kind,
            name=name,
            region=self.regions[region_code],
            place=place,
            leader=self.deputies[leader.key],
            liaison_name=liaison_name,
            liaison_phone=liaison_phone,
        )
        return group, [self.deputies[m.key] for m in members]

    def write(self, place_plans: list[PlacePlan], places: dict[str, Place], grids: dict[str, Grid]) -> None:
        rng = self.rng
        made: list[tuple[DeputyGroup, list[Deputy]]] = []
        county_members = [p for p in self.serving if MandateLevel.COUNTY in _serving_levels(p)]
        for specialty in names.SPECIALTIES:
            members = [p for p in county_members if specialty in p.specialties]
            standing = [p for p in members if any(m.is_standing_committee for m in p.mandates)]
            leader = standing[0] if standing else rng.choice(members)
            made.append(
                self._group(GroupKind.PROFESSIONAL, f"{specialty}专业代表小组", "330521000000", members, leader)
            )

        for town in self.county.towns:
            members = [
                p
                for p in self.serving
                if (MandateLevel.COUNTY in _serving_levels(p) and _home_town(p, self.county) == town.code)
                or (
                    _serving_levels(p) & {MandateLevel.PROVINCE, MandateLevel.CITY}
                    and not _serving_levels(p) & {MandateLevel.COUNTY}
                    and p.residence.town_code == town.code
                )
            ]
            leader = rng.choice([p for p in members if MandateLevel.COUNTY in _serving_levels(p)])
            made.append(self._group(GroupKind.LOCAL, f"{town.name}代表小组", town.code, members, leader))

        made += self._supervision_groups(place_plans, places)

        created = DeputyGroup.objects.bulk_create([group for group, _ in made])
        Membership = DeputyGroup.members.through
        Membership.objects.bulk_create(
            [
                Membership(deputygroup_id=group.pk, deputy_id=deputy.pk)
                for group, (_, members) in zip(created, made, strict=True)
                for deputy in members
            ]
        )
        self._group_grids([g for g in created if g.kind == GroupKind.PROFESSIONAL], grids)

    def _supervision_groups(self, place_plans: list[PlacePlan], places: dict[str, Place]):
        """Every serving deputy in one group; groups per town in proportion to its deputies."""
        by_town: dict[str, list[PersonPlan]] = defaultdict(list)
        for person in self.serving:
            by_town[_home_town(person, self.county)].append(person)
        towns = self.county.towns
        total = sum(len(by_town[t.code]) for t in towns)
        spare = SUPERVISION_GROUPS - len(towns)
        shares = {t.code: len(by_town[t.code]) * spare / total for t in towns}
        extra = {code: math.floor(share) for code, share in shares.items()}
        for code in sorted(shares, key=lambda c: (-(shares[c] - extra[c]), c))[: spare - sum(extra.values())]:
            extra[code] += 1

        made = []
        for town in towns:
            home = next(p for p in place_plans if p.kind == PlaceKind.HOME and p.town_code == town.code)
            stations = sorted(
                (p for p in place_plans if p.kind == PlaceKind.STATION and p.town_code == town.code),
                key=lambda p: (-self.county.villages[p.region_code].population, p.region_code),
            )
            anchors = [home, *stations[: extra[town.code]]]
            people = by_town[town.code]
            capacity = math.ceil(len(people) / len(anchors) * 1.25)
            members: list[list[PersonPlan]] = [[] for _ in anchors]
            for person in people:
                order = sorted(
                    range(len(anchors)),
                    key=lambda i: (person.lat - anchors[i].lat) ** 2 + (person.lng - anchors[i].lng) ** 2,
                )
                chosen = next((i for i in order if len(members[i]) < capacity), order[0])
                members[chosen].append(person)
            for anchor, group_members in zip(anchors, members, strict=True):
                leader = min(
                    group_members, key=lambda p: (min(LEVEL_ORDER.index(lv) for lv in _serving_levels(p)), p.key)
                )
                made.append(
                    self._group(
                        GroupKind.SUPERVISION,
                        f"{anchor.name.removesuffix('人大代表之家').removesuffix('人大代表工作站')}监督小组",
                        anchor.region_code,
                        group_members,
                        leader,
                        place=places[anchor.public_code],
                    )
                )
        return made

    def _group_grids(self, groups: list[DeputyGroup], grids: dict[str, Grid]) -> None:
        suited = {"农业农村": "rural", "城建环保": "community", "社会建设": "community"}
        ordered = sorted(grids.values(), key=lambda g: g.code)
        used: set[str] = set()
        pairings = []
        for group in groups:
            kind = suited.get(group.name.removesuffix("专业代表小组"))
            pool = [g for g in ordered if g.code not in used and (kind is None or g.kind == kind)]
            for grid in self.rng.sample(pool, GROUP_GRIDS):
                used.add(grid.code)
                pairings.append(GroupGridPairing(group=group, grid=grid))
        GroupGridPairing.objects.bulk_create(pairings)


def write_mentor_pairings(
    rng: random.Random, county: CountyPlan, people: PeopleFactory, deputies: dict[int, Deputy]
) -> None:
    serving = [p for p in people.people if p.serving()]
    uppers = [p for p in serving if _serving_levels(p) & {MandateLevel.PROVINCE, MandateLevel.CITY}]
    lowers = [p for p in serving if not _serving_levels(p) & {MandateLevel.PROVINCE, MandateLevel.CITY}]
    mentored: set[int] = set()
    pairings = []
    for upper in uppers:
        same_town = [p for p in lowers if p.key not in mentored and p.residence.town_code == upper.residence.town_code]
        pool = same_town if len(same_town) >= 4 else [p for p in lowers if p.key not in mentored]
        for lower in rng.sample(pool, rng.randint(2, 4)):
            mentored.add(lower.key)
            pairings.append(MentorPairing(upper=deputies[upper.key], lower=deputies[lower.key]))
    MentorPairing.objects.bulk_create(pairings)


def write_standing_links(
    rng: random.Random,
    county: CountyPlan,
    people: PeopleFactory,
    deputies: dict[int, Deputy],
    place_plans: list[PlacePlan],
    places: dict[str, Place],
) -> None:
    serving = [p for p in people.people if p.serving()]
    members = [p for p in serving if any(m.is_standing_committee for m in p.mandates)]
    grassroots = [
        p for p in serving if _serving_levels(p) & {MandateLevel.COUNTY, MandateLevel.TOWNSHIP} and p not in members
    ]
    links = []
    for member in members:
        town = _home_town(member, county)
        local = [p for p in grassroots if _home_town(p, county) == town]
        for deputy in rng.sample(local if len(local) >= 5 else grassroots, 5):
            links.append(StandingMemberLink(member=deputies[member.key], deputy=deputies[deputy.key]))
        home = next(p for p in place_plans if p.kind == PlaceKind.HOME and p.town_code == town)
        station = rng.choice([p for p in place_plans if p.kind == PlaceKind.STATION and p.town_code == town])
        for plan in (home, station):
            links.append(StandingMemberLink(member=deputies[member.key], place=places[plan.public_code]))
    StandingMemberLink.objects.bulk_create(links)


def write_worker_pairings() -> int:
    """Each grid's workers share its embedded deputies: one worker takes all of them (一对多), two split them;
    a worker left with none is paired with the grid's first deputy."""
    embedded: dict[int, list[int]] = defaultdict(list)
    for deputy_id, grid_id in (
        GridAssignment.objects.filter(deputy__mandates__status__in=SERVING_STATUSES)
        .order_by("grid_id", "deputy_id")
        .values_list("deputy_id", "grid_id")
        .distinct()
    ):
        embedded[grid_id].append(deputy_id)
    workers: dict[int, list[GridWorker]] = defaultdict(list)
    for worker in GridWorker.objects.order_by("grid_id", "id"):
        workers[worker.grid_id].append(worker)
    pairings = []
    for grid_id, grid_workers in workers.items():
        deputy_ids = embedded.get(grid_id, [])
        if not deputy_ids:
            continue
        for index, worker in enumerate(grid_workers):
            mine = deputy_ids[index :: len(grid_workers)] or deputy_ids[:1]
            pairings += [GridWorkerPairing(deputy_id=d, grid_worker=worker) for d in mine]
    GridWorkerPairing.objects.bulk_create(pairings)
    return len(pairings)


def write_households(rng: random.Random, county: CountyPlan, people: PeopleFactory, deputies: dict[int, Deputy]) -> int:
    """联系户: ten households for each of the first county deputies, in the grid they are embedded in."""
    chosen = [p for p in people.people if MandateLevel.COUNTY in _serving_levels(p)][:HOUSEHOLD_DEPUTIES]
    first_grid: dict[int, Grid] = {}
    for assignment in (
        GridAssignment.objects.filter(deputy__in=[deputies[p.key] for p in chosen])
        .select_related("grid__region")
        .order_by("grid__code")
    ):
        first_grid.setdefault(assignment.deputy_id, assignment.grid)
    rows: list[tuple[Household, Deputy]] = []
    taken: set[str] = set()
    for person in chosen:
        deputy = deputies[person.key]
        grid = first_grid.get(deputy.pk)
        if grid is None:
            continue
        village = county.villages[grid.region.code]
        town = county.town_of(village)
        for _ in range(HOUSEHOLDS_EACH):
            sex = "male" if rng.random() < 0.8 else "female"
            year = rng.randint(1945, 1990)
            household = Household(
                grid=grid,
                head_name=names.unique_person_name(rng, sex=sex, birth_year=year, taken=taken),
                address=f"{town.name}{village.short}{rng.randint(1, 16)}组{rng.randint(1, 150)}号"
                if not village.community
                else f"{town.name}{rng.choice(names.TOWN_ROADS[town.name])}{rng.randint(1, 300)}号",
                members=rng.randint(1, 6),
                phone=names.mobile(rng, people.phones),
            )
            rows.append((household, deputy))
    created = Household.objects.bulk_create([h for h, _ in rows])
    Link = Household.deputies.through
    Link.objects.bulk_create([Link(household_id=h.pk, deputy_id=d.pk) for h, (_, d) in zip(created, rows, strict=True)])
    return len(created)
