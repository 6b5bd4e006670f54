"""The walking-time models and the siting on hand-made instances whose answers are known by hand."""

from pathlib import Path

import numpy as np
import pytest

from lianxin.circle import engine, siting
from lianxin.circle.engine import Demand, LocalPlane, TravelModel
from lianxin.circle.network import network_access, network_cover, read_osm, straight_cover
from lianxin.core.errors import DomainError

TINY = Path(__file__).with_name("tiny.osm")
A, B, C, D = (30.0, 120.0), (30.0, 120.010384457), (30.008993204, 120.010384457), (30.0, 120.005192229)


def demand_at(plane: LocalPlane, *points: tuple[float, float], weight: float = 1.0) -> Demand:
    xy = plane.xy([p[0] for p in points], [p[1] for p in points])
    return Demand(xy, np.full(len(points), weight), np.zeros(len(points), dtype=np.int64))


def test_the_straight_line_model_walks_1_3_times_the_distance_at_5_km_an_hour():
    plane = LocalPlane(30.0, 120.0)
    places = plane.xy([A[0]], [A[1]])
    access = engine.straight_access(demand_at(plane, C, D), places, TravelModel())
    # A to C: the diagonal of a 1 km square, 1414.2 m; x 1.3 at 83.33 m a minute.
    assert access.minutes[0] == pytest.approx(1000 * 2**0.5 * 1.3 / (5000 / 60), rel=1e-3)
    assert access.minutes[1] == pytest.approx(500 * 1.3 / (5000 / 60), rel=1e-3)
    assert list(access.nearest) == [0, 0]


def test_on_the_tiny_network_people_walk_round_the_corner_not_along_the_motorway_or_a_no_foot_path():
    net, plane = read_osm(TINY)
    assert net.nodes == 4 and net.edges == 3  # the motorway and the foot=no path are left out
    places = plane.xy([A[0]], [A[1]])
    access = network_access(demand_at(plane, C, D, B), places, net, TravelModel())
    # A → D → B → C is 2000 m: 24 minutes at 5 km/h; D is 500 m (6 minutes), B 1000 m (12 minutes).
    assert access.minutes == pytest.approx([24.0, 6.0, 12.0], rel=1e-3)


def test_on_the_tiny_network_a_point_off_the_road_walks_straight_to_its_nearest_node_first():
    net, plane = read_osm(TINY)
    places = plane.xy([A[0]], [A[1]])
    off = plane.xy([D[0]], [D[1]]) + np.array([[0.0, 100.0]])  # 100 m north of D
    demand = Demand(off, np.ones(1), np.zeros(1, dtype=np.int64))
    assert network_access(demand, places, net, TravelModel()).minutes[0] == pytest.approx(600 / (5000 / 60), rel=1e-3)


def test_on_the_tiny_network_the_nearest_of_two_places_is_found_for_each_point():
    net, plane = read_osm(TINY)
    places = plane.xy([A[0], C[0]], [A[1], C[1]])
    access = network_access(demand_at(plane, D, C), places, net, TravelModel())
    assert list(access.nearest) == [0, 1]  # D is 500 m from A and 1500 m from C
    assert access.minutes == pytest.approx([6.0, 0.0], abs=1e-3)


def test_a_candidate_covers_on_the_network_only_what_it_reaches_within_the_minutes():
    net, plane = read_osm(TINY)
    points = plane.xy([C[0], D[0]], [C[1], D[1]])
    candidates = plane.xy([A[0]], [A[1]])
    cover = network_cover(points, candidates, net, TravelModel(), 15).toarray()
    assert cover[:, 0].tolist() == [0.0, 1.0]  # C is 24 minutes away, D 6
    cover = network_cover(points, candidates, net, TravelModel(), 25).toarray()
    assert cover[:, 0].tolist() == [1.0, 1.0]


def test_a_missing_or_unreadable_osm_file_is_a_domain_error(tmp_path):
    with pytest.raises(DomainError) as missing:
        read_osm(tmp_path / "none.osm")
    assert missing.value.code == "osm_missing"
    empty = tmp_path / "empty.osm"
    empty.write_text('<?xml version="1.0"?><osm version="0.6"><node id="1" lat="30" lon="120"/></osm>')
    with pytest.raises(DomainError) as nothing:
        read_osm(empty)
    assert nothing.value.code == "osm_empty"


def test_coverage_sums_people_by_threshold_grid_and_nearest_place():
    demand = Demand(np.zeros((4, 2)), np.array([10.0, 20.0, 30.0, 40.0]), np.array([0, 0, 1, -1]))
    access = engine.Access(np.array([3.0, 8.0, 14.0, 30.0]), np.array([0, 1, 1, 1]))
    coverage = engine.coverage_of(demand, access, grids=2, places=2)
    assert coverage.total == 100
    assert coverage.covered == {5: 10, 10: 30, 15: 60, 20: 60}
    assert coverage.grid_total.tolist() == [30, 30]
    assert coverage.grid_covered[10].tolist() == [30, 0]
    assert coverage.place_served[15].tolist() == [10, 50]


def classic() -> siting.Groups:
    """Four people a, b, c, d (weight 1) and e (0.5). S0 = {a, c, e}, S1 = {a, b}, S2 = {c, d}, S3 = {a}.
    Greedy with k=2 takes S0 (2.5) then one half (+1): 3.5. The best is S1 + S2: 4."""
    rows = {"a": [0, 1, 3], "b": [1], "c": [0, 2], "d": [2], "e": [0]}
    weight = {"a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0, "e": 0.5}
    from scipy import sparse

    r = [i for i, key in enumerate(rows) for _ in rows[key]]
    c = [col for key in rows for col in rows[key]]
    matrix = sparse.csr_matrix((np.ones(len(r)), (r, c)), shape=(5, 4))
    return siting.group_by_signature(matrix, np.array([weight[k] for k in rows]))


def test_greedy_falls_short_of_the_known_optimum_which_the_integer_programme_finds_and_proves():
    groups = classic()
    greedy = siting.greedy(groups, 2)
    assert greedy.chosen[0] == 0 and greedy.gain == pytest.approx(3.5)
    exact = siting.exact(groups, 2, time_limit=10, start=greedy.chosen)
    assert sorted(exact.chosen) == [1, 2]
    assert exact.gain == pytest.approx(4.0)
    assert exact.gap == pytest.approx(0.0, abs=1e-6) and exact.status == "最优"
    assert exact.gains == pytest.approx([2.0, 2.0])


def test_a_dominated_candidate_is_dropped_and_the_optimum_stays():
    reduced, kept = siting.drop_dominated(classic())
    assert kept.tolist() == [0, 1, 2]  # S3 = {a} lies inside S1
    assert siting.exact(reduced, 2, time_limit=10).gain == pytest.approx(4.0)


def test_points_covered_by_the_same_candidates_are_one_group_of_their_summed_weight():
    from scipy import sparse

    matrix = sparse.csr_matrix(np.array([[1, 0, 1], [1, 0, 1], [0, 1, 0], [0, 0, 0]], dtype=float))
    groups = siting.group_by_signature(matrix, np.array([2.0, 3.0, 4.0, 5.0]))
    assert sorted(groups.weight.tolist()) == [4.0, 5.0]
    assert groups.members.tolist()[3] == -1 and groups.members[0] == groups.members[1]


def test_straight_cover_counts_a_candidate_standing_on_a_point():
    points = np.array([[0.0, 0.0], [900.0, 0.0], [2000.0, 0.0]])
    cover = straight_cover(points, np.array([[0.0, 0.0]]), TravelModel(), 15).toarray()
    assert cover[:, 0].tolist() == [1.0, 1.0, 0.0]  # 15 minutes reach 961.5 m in a straight line


def test_the_programme_proposes_no_place_that_adds_nobody():
    groups = classic()
    exact = siting.exact(groups, 4, time_limit=10)
    assert exact.gain == pytest.approx(4.5) and len(exact.chosen) == 3  # S3 = {a} adds nobody once S1 is open
    assert all(g > 0 for g in exact.gains)
