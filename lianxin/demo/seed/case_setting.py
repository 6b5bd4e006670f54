"""The county as the demo cases see it: villages with their places, deputies and estates, and the
responsible units (county departments and town governments) with the categories they handle."""

import random
from dataclasses import dataclass, field

from lianxin.accounts.models import User
from lianxin.cases.models import (
    Category,
    ResponsibleUnit,
)
from lianxin.demo import names
from lianxin.demo.seed import case_texts as texts
from lianxin.deputies.models import SERVING_STATUSES, Deputy, GridAssignment, GridWorker
from lianxin.regions.models import Grid, Region, RegionLevel
from lianxin.venues.models import Place, PlaceKind

# The county's departments and the categories each handles; every town's government handles all of them locally.
COUNTY_UNITS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("县住建局", ("urban-construction",)),
    ("县交通运输局", ("transport",)),
    ("县生态环境分局", ("environment",)),
    ("县农业农村局", ("agriculture",)),
    ("县水利局", ("agriculture",)),
    ("县人力社保局", ("labour",)),
    ("县医保局", ("labour", "health")),
    ("县教育局", ("education",)),
    ("县卫生健康局", ("health",)),
    ("县民政局", ("civil-affairs",)),
    ("县商务局", ("commerce", "other")),  # also rural parcel delivery (快递进村)
    ("县市场监管局", ("commerce",)),
    ("县文广旅体局", ("commerce", "education")),
    ("县公安局", ("public-safety", "transport")),  # with the traffic police (交警大队)
    ("县司法局", ("public-safety",)),
    ("县综合行政执法局", ("urban-construction", "environment")),
    ("县自然资源和规划局", ("urban-construction", "agriculture")),
    ("县政务服务中心", ("other",)),
    ("县经信局", ("other",)),  # mobile coverage and broadband
)
DEMO_UNIT_HANDLED = "县住建局"  # the demo `unit` account handles this one


def town_unit_name(town: str) -> str:
    return f"{town}办事处" if town.endswith("街道") else f"{town}人民政府"


# --- the county as the generator sees it ---------------------------------------------------------------------


@dataclass
class Village:
    region: Region
    town: Region
    short: str
    grid: Grid | None  # the grid registered under this village (None for the second village of a joint grid)
    station: Place | None
    roads: tuple[str, ...]
    estates: tuple[str, ...]
    deputies: list[Deputy] = field(default_factory=list)
    workers: list[GridWorker] = field(default_factory=list)


@dataclass
class Actors:
    county: User
    township: User
    station: User
    deputy: User
    gridworker: User
    unit: User
    wukang_path: str
    jueren_id: int

    def staff(self, region: Region) -> User:
        if region.pk == self.jueren_id:
            return self.station
        return self.township if region.path.startswith(self.wukang_path) else self.county

    def supervisor(self, region: Region) -> User:
        return self.township if region.path.startswith(self.wukang_path) else self.county


def _estates(rng: random.Random, short: str, community: bool) -> tuple[str, ...]:
    base = short.removesuffix("社区").removesuffix("村")
    own = f"{base}{rng.choice(texts.ESTATE_SUFFIXES)}"
    if not community:
        return (f"{base}安置小区", own)
    return (own, f"{rng.choice(texts.ESTATE_WORDS)}{rng.choice(texts.ESTATE_SUFFIXES)}")


def load_villages(rng: random.Random) -> list[Village]:
    regions = Region.objects.filter(level=RegionLevel.VILLAGE, path__startswith="330000000000/").select_related(
        "parent"
    )
    grids = {g.region_id: g for g in Grid.objects.order_by("code")}
    stations = {pl.region_id: pl for pl in Place.objects.filter(kind=PlaceKind.STATION).order_by("pk")}
    villages: dict[int, Village] = {}
    for region in sorted(regions, key=lambda r: r.code):
        town = region.parent
        assert town is not None  # a village always has its township
        short = names.short_region_name(region.name)
        town_roads = names.TOWN_ROADS.get(town.name, ("中心路",))
        own_road = short.removesuffix("社区").removesuffix("村") + rng.choice(("路", "大道", "街", "线"))
        villages[region.pk] = Village(
            region=region,
            town=town,
            short=short,
            grid=grids.get(region.pk),
            station=stations.get(region.pk),
            roads=(own_road, *rng.sample(town_roads, min(2, len(town_roads)))),
            estates=_estates(rng, short, region.name.endswith("居委会")),
        )
    by_grid = {v.grid.pk: v for v in villages.values() if v.grid is not None}
    serving = set(Deputy.objects.filter(mandates__status__in=SERVING_STATUSES).values_list("pk", flat=True))
    deputies = {d.pk: d for d in Deputy.objects.filter(pk__in=serving)}
    for deputy_id, grid_id in GridAssignment.objects.order_by("deputy_id", "grid__code").values_list(
        "deputy_id", "grid_id"
    ):
        if deputy_id in deputies:
            by_grid[grid_id].deputies.append(deputies[deputy_id])
    for worker in GridWorker.objects.order_by("pk"):
        by_grid[worker.grid_id].workers.append(worker)
    return list(villages.values())


def write_units(rng: random.Random, *, county: Region, towns: list[Region], handler: User) -> list[ResponsibleUnit]:
    """The responsible units of 德清: the county's departments and each town's government."""
    categories = {c.code: c for c in Category.objects.all()}
    units: list[ResponsibleUnit] = []
    taken: set[str] = set()
    specs = [(name, county, codes) for name, codes in COUNTY_UNITS]
    specs += [(town_unit_name(t.name), t, tuple(categories)) for t in towns]
    for name, region, codes in specs:
        unit = ResponsibleUnit.objects.create(
            name=name,
            region=region,
            contact_name=names.person_name(rng, sex=rng.choice(("male", "female")), birth_year=1980),
            contact_phone=names.landline(rng) if rng.random() < 0.6 else names.mobile(rng, taken),
        )
        unit.categories.set([categories[code] for code in codes])
        unit.serves.set([region])
        if name == DEMO_UNIT_HANDLED:
            unit.handlers.add(handler)
        units.append(unit)
    return units


# --- time -------------------------------------------------------------------------------------------------------
