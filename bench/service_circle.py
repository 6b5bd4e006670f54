"""The 15-minute service circle at a city's scale: a synthetic Lanzhou (a river valley 36 km by 10 km, 4 million
people as 200,000 demand points, 600 places: 113 homes and 487 stations), coverage within 5/10/15/20 minutes and
--propose new places by greedy maximum coverage and by the exact integer programme (HiGHS), compared.

    .venv/bin/python bench/service_circle.py                  # straight-line model (target: under 60 s)
    .venv/bin/python bench/service_circle.py --network        # a synthetic road grid of the city's size (5 min)

Everything is generated here from a fixed seed (numpy's default_rng(--seed)), so two runs see the same city. No
database: the bench drives lianxin.circle.engine, .network and .siting, which the command and the office page
call with a region's grids and places. Ends with ONE JSON line: demand_points, places, coverage, seconds,
greedy_coverage_gain, ilp_coverage_gain, gap (and a few more).
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lianxin.circle import engine, siting
from lianxin.circle.network import RoadNetwork, network_access, network_cover, straight_cover

LENGTH_M, WIDTH_M = 36_000.0, 10_000.0
CENTRES = np.array([4000.0, 10000.0, 15000.0, 20000.0, 27000.0, 33000.0])
STRENGTH = np.array([0.12, 0.30, 0.22, 0.15, 0.13, 0.08])


def river(x: np.ndarray) -> np.ndarray:
    return 1500.0 * np.sin(x / 6000.0)


def city(rng: np.random.Generator, points: int, people: int) -> engine.Demand:
    """Dense districts along the river (Chengguan, Qilihe, Anning, Xigu …), thinning out up the valley sides."""
    district = rng.choice(len(CENTRES), size=points, p=STRENGTH)
    x = rng.normal(CENTRES[district], 2600.0)
    y = river(x) + rng.normal(0.0, 1800.0, size=points)
    x = np.clip(x, 0.0, LENGTH_M)
    y = np.clip(y, -WIDTH_M / 2, WIDTH_M / 2)
    weight = np.full(points, people / points)
    return engine.Demand(np.column_stack([x, y]), weight, np.zeros(points, dtype=np.int64))


def place_points(rng: np.random.Generator, count: int) -> np.ndarray:
    """Places cluster in the old centres (a home per district, stations round it): the valley's edges and the new
    districts between the centres are where the circle has gaps."""
    district = rng.choice(len(CENTRES), size=count, p=STRENGTH)
    x = np.clip(rng.normal(CENTRES[district], 1300.0), 0.0, LENGTH_M)
    y = river(x) + rng.normal(0.0, 700.0, size=count)
    return np.column_stack([x, y])


def road_grid(rng: np.random.Generator, spacing: float, drop: float) -> RoadNetwork:
    """A street grid over the city at `spacing`, a fraction `drop` of its blocks' edges missing (detours)."""
    nx, ny = int(LENGTH_M / spacing) + 1, int(WIDTH_M / spacing) + 1
    gx, gy = np.meshgrid(np.arange(nx) * spacing, np.arange(ny) * spacing - WIDTH_M / 2, indexing="ij")
    xy = np.column_stack([gx.ravel(), gy.ravel()])
    ids = np.arange(nx * ny).reshape(nx, ny)
    u = np.concatenate([ids[:-1, :].ravel(), ids[:, :-1].ravel()])
    v = np.concatenate([ids[1:, :].ravel(), ids[:, 1:].ravel()])
    keep = rng.random(u.size) >= drop
    u, v = u[keep], v[keep]
    return RoadNetwork(xy=xy, u=u.astype(np.int64), v=v.astype(np.int64), metres=np.full(u.size, spacing), name="grid")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=200_000)
    parser.add_argument("--people", type=int, default=4_000_000)
    parser.add_argument("--places", type=int, default=600)
    parser.add_argument("--minutes", type=int, default=15)
    parser.add_argument("--propose", type=int, default=20)
    parser.add_argument("--time-limit", type=float, default=30.0, help="the integer programme's, seconds")
    parser.add_argument("--network", action="store_true", help="walk on a synthetic road grid instead")
    parser.add_argument("--road-spacing", type=float, default=60.0, help="metres between the grid's crossings")
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    demand = city(rng, args.points, args.people)
    places_xy = place_points(rng, args.places)
    model = engine.TravelModel()
    net = road_grid(rng, args.road_spacing, 0.1) if args.network else None
    generated = time.perf_counter()

    if net is not None:
        access = network_access(demand, places_xy, net, model)
    else:
        access = engine.straight_access(demand, places_xy, model)
    coverage = engine.coverage_of(demand, access, grids=1, places=args.places)
    timed = time.perf_counter()

    left = access.minutes > args.minutes
    centroids = np.zeros((0, 2))
    candidates, _ = siting.candidate_points(
        demand.xy[left], centroids, model.radius(args.minutes) * siting.LATTICE_FACTOR
    )
    if net is not None:
        cover = network_cover(demand.xy[left], candidates, net, model, args.minutes)
    else:
        cover = straight_cover(demand.xy[left], candidates, model, args.minutes)
    useful = np.flatnonzero(np.asarray(cover.sum(axis=0)).ravel() > 0)
    groups = siting.group_by_signature(cover[:, useful], demand.weight[left])
    groups, kept = siting.drop_dominated(groups)
    covered_matrix = time.perf_counter()
    greedy = siting.greedy(groups, args.propose)
    ilp = siting.exact(groups, args.propose, time_limit=args.time_limit, start=greedy.chosen)
    finished = time.perf_counter()

    total = coverage.total
    print(f"model: {'road grid' if net else 'straight line x1.3 at 5 km/h'}", file=sys.stderr)
    if net is not None:
        print(f"road network: {net.nodes} nodes, {net.edges} edges", file=sys.stderr)
    for minutes in coverage.thresholds:
        print(f"within {minutes:2d} min: {coverage.covered[minutes] / total:6.1%}", file=sys.stderr)
    print(
        f"generate {generated - started:.1f} s, coverage {timed - generated:.1f} s, "
        f"candidate cover {covered_matrix - timed:.1f} s ({len(useful)} candidates, {len(kept)} undominated, "
        f"{len(groups.weight)} groups "
        f"of {int(left.sum())} uncovered points), greedy {greedy.seconds:.2f} s, ilp {ilp.seconds:.1f} s ({ilp.status})",
        file=sys.stderr,
    )
    print(
        json.dumps(
            {
                "model": "network" if net else "straight",
                "demand_points": len(demand),
                "places": args.places,
                "population": round(total),
                "coverage": round(coverage.covered[args.minutes] / total, 4),
                "seconds": round(finished - started, 1),
                "propose": args.propose,
                "candidates": len(useful),
                "undominated": len(kept),
                "groups": len(groups.weight),
                "greedy_coverage_gain": round(greedy.gain),
                "ilp_coverage_gain": round(ilp.gain),
                "ilp_bound": round(ilp.bound) if ilp.bound is not None else None,
                "gap": round(ilp.gap, 5) if ilp.gap is not None else None,
                "ilp_seconds": round(ilp.seconds, 1),
                "road_nodes": net.nodes if net else None,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
