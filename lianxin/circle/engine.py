"""Walking time from where people live to the nearest place, without Django: arrays in, arrays out.

Points are projected to a local plane (equirectangular around the data's mean latitude, metres), which is exact
enough within a city (under 0.1 % across 50 km) and lets scipy's k-d tree answer nearest-place and within-radius
questions for 200,000 points in well under a second.

Two travel models:
- straight line: distance × detour factor (default 1.3: streets are not straight) at a walking speed (5 km/h);
- road network (lianxin.circle.network): shortest walking paths on a local OpenStreetMap extract, each point
  joined to its nearest road node by a straight walk.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

EARTH_RADIUS_M = 6_371_008.8
DEFAULT_DETOUR = 1.3
DEFAULT_SPEED_KMH = 5.0
THRESHOLDS = (5, 10, 15, 20)

# Loose aliases: numpy's dtype typing follows every bincount and index into int/float unions mypy cannot settle.
Floats = NDArray[Any]
Ints = NDArray[Any]


@dataclass(frozen=True)
class LocalPlane:
    """Metres east and north of (lat0, lng0)."""

    lat0: float
    lng0: float

    @classmethod
    def around(cls, lats: Sequence[float] | Floats, lngs: Sequence[float] | Floats) -> "LocalPlane":
        lat_array, lng_array = np.asarray(lats, dtype=float), np.asarray(lngs, dtype=float)
        if not lat_array.size:
            return cls(30.0, 120.0)
        return cls(float(lat_array.mean()), float(lng_array.mean()))

    def xy(self, lats: Sequence[float] | Floats, lngs: Sequence[float] | Floats) -> Floats:
        lat = np.radians(np.asarray(lats, dtype=float))
        lng = np.radians(np.asarray(lngs, dtype=float))
        x = (lng - math.radians(self.lng0)) * math.cos(math.radians(self.lat0)) * EARTH_RADIUS_M
        y = (lat - math.radians(self.lat0)) * EARTH_RADIUS_M
        return np.column_stack([x, y]) if lat.size else np.zeros((0, 2))

    def latlng(self, xy: Floats) -> tuple[Floats, Floats]:
        lat = np.degrees(xy[:, 1] / EARTH_RADIUS_M) + self.lat0
        lng = np.degrees(xy[:, 0] / (EARTH_RADIUS_M * math.cos(math.radians(self.lat0)))) + self.lng0
        return lat, lng


@dataclass(frozen=True)
class TravelModel:
    detour: float = DEFAULT_DETOUR
    speed_kmh: float = DEFAULT_SPEED_KMH

    @property
    def metres_per_minute(self) -> float:
        return self.speed_kmh * 1000.0 / 60.0

    def minutes(self, metres: Floats) -> Floats:
        """Walking minutes for a straight-line distance."""
        return np.asarray(metres) * self.detour / self.metres_per_minute

    def radius(self, minutes: float) -> float:
        """The straight-line distance walked in `minutes`."""
        return minutes * self.metres_per_minute / self.detour


@dataclass
class Demand:
    """Where people live: one row per point, `weight` people there, `grid` an index into the caller's grids
    (-1: none)."""

    xy: Floats
    weight: Floats
    grid: Ints

    def __len__(self) -> int:
        return len(self.weight)


@dataclass
class Access:
    """For every demand point, the walking minutes to the nearest place and which place that is (-1: none)."""

    minutes: Floats
    nearest: Ints


@dataclass
class Coverage:
    """Population within each threshold, overall, per grid and per place (the nearest place serving each point)."""

    thresholds: tuple[int, ...]
    total: float
    covered: dict[int, float]
    grid_total: Floats
    grid_covered: dict[int, Floats]
    place_served: dict[int, Floats]
    extra: dict[str, float] = field(default_factory=dict)


def straight_access(demand: Demand, places_xy: Floats, model: TravelModel) -> Access:
    if not len(places_xy):
        return Access(np.full(len(demand), np.inf), np.full(len(demand), -1, dtype=np.int64))
    distance, index = cKDTree(places_xy).query(demand.xy, k=1, workers=-1)
    return Access(model.minutes(distance), np.asarray(index, dtype=np.int64))


def coverage_of(
    demand: Demand, access: Access, *, grids: int, places: int, thresholds: Sequence[int] = THRESHOLDS
) -> Coverage:
    levels = tuple(sorted(set(thresholds)))
    in_grid = demand.grid >= 0
    grid_total = np.bincount(demand.grid[in_grid], weights=demand.weight[in_grid], minlength=grids)
    covered: dict[int, float] = {}
    grid_covered: dict[int, Floats] = {}
    place_served: dict[int, Floats] = {}
    for minutes in levels:
        within = access.minutes <= minutes + 1e-9
        covered[minutes] = float(demand.weight[within].sum())
        mask = within & in_grid
        grid_covered[minutes] = np.bincount(demand.grid[mask], weights=demand.weight[mask], minlength=grids)
        served = within & (access.nearest >= 0)
        place_served[minutes] = np.bincount(access.nearest[served], weights=demand.weight[served], minlength=places)
    return Coverage(
        thresholds=levels,
        total=float(demand.weight.sum()),
        covered=covered,
        grid_total=grid_total,
        grid_covered=grid_covered,
        place_served=place_served,
    )


def lattice(bounds: tuple[float, float, float, float], spacing: float) -> Floats:
    """Points of a square lattice over (min_x, min_y, max_x, max_y), offset half a step from the edges."""
    min_x, min_y, max_x, max_y = bounds
    xs = np.arange(min_x + spacing / 2, max_x, spacing)
    ys = np.arange(min_y + spacing / 2, max_y, spacing)
    if not xs.size or not ys.size:
        return np.array([[(min_x + max_x) / 2, (min_y + max_y) / 2]])
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])
