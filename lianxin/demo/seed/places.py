"""Places (家站室) of the demo county and the duty roster.

"一心多极": a home (代表之家) at the seat of every town is the hub; every village and community has a
station (代表工作站) that radiates from it; rooms (代表联络室) of every kind sit in industrial parks,
business districts, village partnerships and deputies' own studios; a few service windows (便民服务窗) and
workplace posts (代表履职岗) complete the "站点窗岗" network.
"""

import datetime
import random
from dataclasses import dataclass

from lianxin.demo import names
from lianxin.demo.seed.geography import CountyPlan, TownPlan, VillagePlan, random_point_in
from lianxin.demo.seed.people import PersonPlan, PublicCodes
from lianxin.deputies.models import SERVING_STATUSES, Deputy, DutyShift, GridAssignment, Mandate, MandateLevel
from lianxin.regions.models import Region
from lianxin.regions.services import grid_locate
from lianxin.venues.models import Place, PlaceKind, RoomKind

WEEKDAYS = "一二三四五六日"
Slot = tuple[datetime.time, datetime.time]
MORNING = (datetime.time(9, 0), datetime.time(11, 30))
AFTERNOON = (datetime.time(14, 0), datetime.time(17, 0))
ROSTER_DAYS = 28


@dataclass
class PlacePlan:
    kind: str
    name: str
    region_code: str
    lat: float
    lng: float
    address: str
    opening_hours: str
    phone: str
    public_code: str
    town_code: str
    room_kind: str = ""
    # Reception days (0 = Monday) and half-day slots, for the roster of homes and stations.
    weekdays: tuple[int, ...] = ()
    slots: tuple[Slot, ...] = ()


def _hours(weekdays: tuple[int, ...], slots: tuple[Slot, ...]) -> str:
    days = "、".join(f"周{WEEKDAYS[d]}" for d in weekdays)
    times = "，".join(f"{_clock(start)}-{_clock(end)}" for start, end in slots)
    return f"每{days} {times}"


def _clock(time: datetime.time) -> str:
    return f"{time.hour}:{time.minute:02d}"


def _seat_village(town: TownPlan) -> VillagePlan:
    """The village or community at the town's seat: where the home is."""
    for village in town.villages:
        if village.cell.contains(town.seat):
            return village
    return next((v for v in town.villages if v.community), town.villages[0])


def plan_places(
    rng: random.Random, county: CountyPlan, people: list[PersonPlan], codes: PublicCodes
) -> list[PlacePlan]:
    plans: list[PlacePlan] = []

    def add(kind: str, name: str, village: VillagePlan, region_code: str | None = None, **extra) -> PlacePlan:
        town = county.town_of(village)
        point = random_point_in(rng, village.cell, near=village.point, radius=0.004)
        if village.community:
            address = f"{town.name}{rng.choice(names.TOWN_ROADS[town.name])}{rng.randint(1, 300)}号"
        else:
            address = f"{town.name}{village.short}村民委员会{rng.choice(('一楼', '二楼', '党群服务中心'))}"
        plan = PlacePlan(
            kind=kind,
            name=name,
            region_code=region_code or village.code,
            lat=point.y,
            lng=point.x,
            address=extra.pop("address", address),
            opening_hours=extra.pop("opening_hours", ""),
            phone=names.landline(rng),
            public_code=codes.next(),
            town_code=town.code,
            **extra,
        )
        plans.append(plan)
        return plan

    for town in county.towns:
        weekdays = tuple(sorted(rng.sample(range(5), 2)))
        slots: tuple[Slot, ...] = (MORNING, AFTERNOON)
        seat = _seat_village(town)
        add(
            PlaceKind.HOME,
            f"{town.name}人大代表之家",
            seat,
            region_code=town.code,
            address=f"{town.name}{rng.choice(names.TOWN_ROADS[town.name])}{rng.randint(1, 120)}号",
            opening_hours=_hours(weekdays, slots),
            weekdays=weekdays,
            slots=slots,
        )
    for town in county.towns:
        for village in town.villages:
            weekdays = (rng.randrange(5),)
            slots = (rng.choice((MORNING, AFTERNOON)),)
            add(
                PlaceKind.STATION,
                f"{village.short}人大代表工作站",
                village,
                opening_hours=_hours(weekdays, slots),
                weekdays=weekdays,
                slots=slots,
            )
    _plan_rooms(rng, county, people, add)
    _plan_windows_and_posts(county, people, add)
    return plans


def _town(county: CountyPlan, name: str) -> TownPlan:
    return next(t for t in county.towns if t.name == name)


def _plan_rooms(rng: random.Random, county: CountyPlan, people: list[PersonPlan], add) -> None:
    monthly = "每月第一个周四 14:00-17:00"
    for town_name in ("洛舍镇", "钟管镇"):
        village = next(v for v in _town(county, town_name).villages if not v.community)
        industry = names.TOWN_INDUSTRIES[town_name][0]
        add(
            PlaceKind.ROOM,
            f"{village.short}{industry}企业村企联动代表联络室",
            village,
            room_kind=RoomKind.VILLAGE_ENTERPRISE,
            opening_hours=monthly,
        )
    for grid in [g for g in county.grids if len(g.villages) > 1][:2]:
        add(
            PlaceKind.ROOM,
            "·".join(v.short for v in grid.villages) + "村村联建代表联络室",
            grid.lead,
            room_kind=RoomKind.VILLAGE_VILLAGE,
            opening_hours=monthly,
        )
    for town_name in ("武康街道", "乾元镇"):
        town = _town(county, town_name)
        village = next(v for v in town.villages if not v.community)
        community = min((v for v in town.villages if v.community), key=lambda c: c.point.distance(village.point))
        add(
            PlaceKind.ROOM,
            f"{village.short}·{community.short}村居联帮代表联络室",
            village,
            room_kind=RoomKind.VILLAGE_COMMUNITY,
            opening_hours=monthly,
        )
    for town_name in ("武康街道", "舞阳街道"):
        communities = [v for v in _town(county, town_name).villages if v.community][:3]
        add(
            PlaceKind.ROOM,
            "·".join(c.short.removesuffix("社区") for c in communities) + "社区联合代表联络室",
            communities[0],
            room_kind=RoomKind.COMMUNITY_FEDERATION,
            opening_hours=monthly,
        )
    for town_name, name in (("阜溪街道", "德清地理信息小镇"), ("康乾街道", "康乾智能装备产业园")):
        village = next(v for v in _town(county, town_name).villages if v.community)
        add(
            PlaceKind.ROOM,
            f"{name}产业园区代表联络室",
            village,
            room_kind=RoomKind.INDUSTRIAL_PARK,
            opening_hours="每周四 14:00-17:00",
        )
    for town_name, name in (("武康街道", "英溪商圈"), ("新市镇", "新市古镇商圈")):
        village = next(v for v in _town(county, town_name).villages if v.community)
        add(
            PlaceKind.ROOM,
            f"{name}楼宇商圈代表联络室",
            village,
            room_kind=RoomKind.BUSINESS_DISTRICT,
            opening_hours="每周三 19:00-21:00",
        )
    moganshan = _town(county, "莫干山镇").code
    studio_owners = [
        _first_serving(people, "民宿经营者", town_code=moganshan),
        _first_serving(people, "村党组织书记", level=MandateLevel.COUNTY),
    ]
    for person in studio_owners:
        add(
            PlaceKind.ROOM,
            f"{person.name}代表工作室",
            person.residence,
            room_kind=RoomKind.PERSONAL,
            opening_hours="每周六 9:00-11:30（可预约）",
        )


def _first_serving(
    people: list[PersonPlan], occupation: str, *, level: str | None = None, town_code: str | None = None
) -> PersonPlan:
    """The first serving deputy with this occupation (at `level`, in the town), relaxing the conditions when
    another seed leaves nobody who fits them all."""
    serving = [p for p in people if p.serving()]
    for fits in (
        lambda p: p.occupation == occupation and p.serving(level) and town_code in (None, p.residence.town_code),
        lambda p: p.occupation == occupation,
        lambda p: p.serving(level),
    ):
        person = next((p for p in serving if fits(p)), None)
        if person is not None:
            return person
    return serving[0]


def _plan_windows_and_posts(county: CountyPlan, people: list[PersonPlan], add) -> None:
    for town_name, name in (
        ("阜溪街道", "德清县行政服务中心"),
        ("新市镇", "新市镇便民服务中心"),
        ("乾元镇", "乾元镇便民服务中心"),
    ):
        town = _town(county, town_name)
        add(
            PlaceKind.WINDOW,
            f"{name}代表便民服务窗",
            _seat_village(town),
            region_code=town.code,
            opening_hours="工作日 9:00-11:30，14:00-17:00",
        )
    for occupation in ("医生", "教师", "企业负责人", "律师"):
        person = _first_serving(people, occupation, level=MandateLevel.COUNTY)
        add(
            PlaceKind.POST,
            f"{person.name}代表履职岗",
            person.residence,
            address=person.employer,
            opening_hours="工作日午间（可预约）",
        )


def write_places(plans: list[PlacePlan], regions: dict[str, Region]) -> dict[str, Place]:
    """Homes first (they are the hubs), then everything else. Returns public code → Place."""
    homes = {p.town_code: p for p in plans if p.kind == PlaceKind.HOME}
    created = Place.objects.bulk_create([_place(p, regions, hub=None) for p in homes.values()])
    hub_of = {p.town_code: place for p, place in zip(homes.values(), created, strict=True)}
    others = [p for p in plans if p.kind != PlaceKind.HOME]
    created += Place.objects.bulk_create([_place(p, regions, hub=hub_of[p.town_code]) for p in others])
    return {place.public_code: place for place in created}


def _place(plan: PlacePlan, regions: dict[str, Region], hub: Place | None) -> Place:
    return Place(
        kind=plan.kind,
        room_kind=plan.room_kind,
        name=plan.name,
        hub=hub,
        region=regions[plan.region_code],
        grid=grid_locate(lat=plan.lat, lng=plan.lng),
        address=plan.address,
        lat=plan.lat,
        lng=plan.lng,
        opening_hours=plan.opening_hours,
        phone=plan.phone,
        public_code=plan.public_code,
    )


def write_roster(plans: list[PlacePlan], places: dict[str, Place], today: datetime.date) -> int:
    """Shifts for the next four weeks on each home's and station's reception days, one deputy per half day.

    A station's deputies are those embedded in its grid and those elected in its village; a home's are the
    county and upper-level deputies of its town. Each place goes through its deputies in turn.
    """
    serving = Mandate.objects.filter(status__in=SERVING_STATUSES)
    # Keyed by optional ids: a place may have no grid, a region no parent.
    by_grid: dict[int | None, list[int]] = {}
    for deputy_id, grid_id in (
        GridAssignment.objects.filter(deputy__mandates__status__in=SERVING_STATUSES)
        .order_by("deputy_id")
        .values_list("deputy_id", "grid_id")
        .distinct()
    ):
        by_grid.setdefault(grid_id, []).append(deputy_id)
    by_district: dict[int, list[int]] = {}
    for deputy_id, region_id in serving.order_by("deputy_id").values_list("deputy_id", "district_region_id"):
        if region_id is not None:
            by_district.setdefault(region_id, []).append(deputy_id)
    town_deputies: dict[int | None, list[int]] = {}
    for deputy_id, parent_id in (
        serving.filter(level=MandateLevel.COUNTY)
        .order_by("deputy_id")
        .values_list("deputy_id", "district_region__parent_id")
    ):
        town_deputies.setdefault(parent_id, []).append(deputy_id)
    for deputy_id, parent_id in (
        Deputy.objects.filter(
            mandates__level__in=(MandateLevel.PROVINCE, MandateLevel.CITY), mandates__status__in=SERVING_STATUSES
        )
        .order_by("id")
        .values_list("id", "residence_region__parent_id")
        .distinct()
    ):
        town_deputies.setdefault(parent_id, []).append(deputy_id)

    dates = [today + datetime.timedelta(days=n) for n in range(1, ROSTER_DAYS + 1)]
    shifts: list[DutyShift] = []
    for plan in plans:
        if plan.kind not in (PlaceKind.HOME, PlaceKind.STATION):
            continue
        place = places[plan.public_code]
        if plan.kind == PlaceKind.HOME:
            pool = town_deputies.get(place.region_id, [])
        else:
            pool = list(dict.fromkeys(by_grid.get(place.grid_id, []) + by_district.get(place.region_id, [])))
            pool = pool or town_deputies.get(place.region.parent_id, [])
        if not pool:
            continue
        turn = 0
        for day in dates:
            if day.weekday() not in plan.weekdays:
                continue
            for start, end in plan.slots:
                shifts.append(
                    DutyShift(
                        place=place,
                        deputy_id=pool[turn % len(pool)],
                        date=day,
                        start_time=start,
                        end_time=end,
                        note="代表接待日",
                    )
                )
                turn += 1
    DutyShift.objects.bulk_create(shifts)
    return len(shifts)
