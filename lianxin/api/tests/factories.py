"""Small factories for API tests. Grids go through grid_save, so that their bounding box is set."""

import factory

from lianxin.deputies.models import (
    Deputy,
    DeputyGroup,
    DutyShift,
    Gender,
    GridAssignment,
    GridWorker,
    GroupKind,
    Mandate,
    MandateLevel,
)
from lianxin.regions.models import Grid, GridKind, Region
from lianxin.regions.services import grid_save
from lianxin.testing import square
from lianxin.venues.models import Place, PlaceKind


def make_grid(
    region: Region, code: str, *, name: str = "", corner: tuple[float, float] | None = None, **fields
) -> Grid:
    polygon = square(*corner) if corner else None
    return grid_save(
        actor=None,
        region=region,
        code=code,
        name=name or f"{region.name}{code}网格",
        kind=fields.pop("kind", GridKind.COMMUNITY),
        polygon=polygon,
        **fields,
    )


def make_region(code: str, name: str, level: str, parent: Region | None) -> Region:
    path = f"{parent.path if parent else ''}{code}/"
    return Region.objects.create(code=code, name=name, level=level, parent=parent, path=path)


class DeputyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deputy

    name = factory.Sequence(lambda n: f"代表{n:03d}")
    gender = Gender.FEMALE
    occupation = "教师"
    employer = "德清县第一中学"
    specialties = factory.LazyFunction(lambda: ["教育"])
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    id_number = ""
    address = "德清县武康街道"


class MandateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mandate

    deputy = factory.SubFactory(DeputyFactory)
    level = MandateLevel.TOWNSHIP
    term = 17


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    kind = PlaceKind.STATION
    name = factory.Sequence(lambda n: f"代表工作站{n:03d}")
    address = "德清县"
    opening_hours = "每周二、周五 9:00-11:30"


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeputyGroup

    kind = GroupKind.LOCAL
    name = factory.Sequence(lambda n: f"代表小组{n:03d}")


class GridWorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GridWorker

    name = factory.Sequence(lambda n: f"网格员{n:03d}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class DutyShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DutyShift


def make_deputy(
    *,
    congress_region: Region,
    district_region: Region | None = None,
    grid: Grid | None = None,
    level: str = MandateLevel.TOWNSHIP,
    **fields,
) -> Deputy:
    """A deputy with one mandate and, when given, one grid."""
    deputy = DeputyFactory(**fields)
    MandateFactory(deputy=deputy, level=level, congress_region=congress_region, district_region=district_region)
    if grid is not None:
        GridAssignment.objects.create(deputy=deputy, grid=grid, basis="district")
    return deputy
