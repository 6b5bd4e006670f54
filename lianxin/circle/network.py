"""Walking on a road network read from a local OpenStreetMap extract (.osm XML or .osm.pbf; never downloaded).

osmium (pyosmium) reads the file with node locations; the walkable ways become an undirected graph whose edge
weights are metres on the local plane; scipy.sparse.csgraph.dijkstra answers shortest paths. A point (a home, a
place, a candidate) joins the network at its nearest road node (scipy's k-d tree) by a straight walk.

Multi-source trick: each place is a node of its own, linked to its road node by its straight walk, and one Dijkstra
from all of them at once (min_only) gives every road node its walking distance to the nearest place and which place
that is.
"""

import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from lianxin.circle.engine import Access, Demand, Floats, Ints, LocalPlane, TravelModel
from lianxin.core.errors import DomainError

# highway=* values people may walk along (motorways and roads under construction excluded).
WALKABLE = frozenset(
    {
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "service",
        "pedestrian",
        "footway",
        "path",
        "steps",
        "track",
        "cycleway",
        "bridleway",
        "corridor",
        "road",
    }
)
NO_FOOT = frozenset({"no", "private"})
CHUNK = 16  # candidates per Dijkstra call when listing what each candidate covers (memory: CHUNK × nodes)


@dataclass
class RoadNetwork:
    xy: Floats  # road nodes on the local plane, metres
    u: Ints
    v: Ints
    metres: Floats
    name: str = ""

    @property
    def nodes(self) -> int:
        return len(self.xy)

    @property
    def edges(self) -> int:
        return len(self.u)

    def tree(self) -> cKDTree:
        if not hasattr(self, "_tree"):
            self._tree = cKDTree(self.xy)
        return self._tree

    def snap(self, xy: Floats) -> tuple[Ints, Floats]:
        """The nearest road node of each point and the straight distance to it (metres)."""
        if not len(xy):
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        distance, index = self.tree().query(xy, k=1, workers=-1)
        return np.asarray(index, dtype=np.int64), np.asarray(distance, dtype=float)

    def graph(self, extra: int = 0, extra_u: Ints | None = None, extra_w: Floats | None = None) -> sparse.csr_matrix:
        """The road graph, with `extra` more nodes (numbered after the road nodes), node nodes+i linked to
        extra_u[i] by extra_w[i] metres. Zero-length edges are nudged: csgraph reads an explicit zero as no edge."""
        n = self.nodes + extra
        rows = [self.u]
        cols = [self.v]
        weights = [self.metres]
        if extra:
            assert extra_u is not None and extra_w is not None
            rows.append(np.arange(self.nodes, n, dtype=np.int64))
            cols.append(extra_u)
            weights.append(extra_w)
        data = np.maximum(np.concatenate(weights), 1e-6)
        return sparse.csr_matrix((data, (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))


def read_osm(path: str | Path, plane: LocalPlane | None = None) -> tuple[RoadNetwork, LocalPlane]:
    """The walkable road graph of an .osm or .osm.pbf file. `plane`: project onto it (else around the nodes)."""
    import osmium

    file = Path(path)
    if not file.is_file():
        raise DomainError("osm_missing", f"找不到路网文件：{file}", field="osm")
    ids: list[int] = []
    pairs: list[tuple[int, int]] = []
    coords: dict[int, tuple[float, float]] = {}

    class Ways(osmium.SimpleHandler):  # type: ignore[misc]  # osmium ships no type stubs
        def way(self, way) -> None:  # type: ignore[no-untyped-def]
            tags = way.tags
            if tags.get("highway") not in WALKABLE:
                return
            if tags.get("foot") in NO_FOOT or (tags.get("access") in NO_FOOT and tags.get("foot") != "yes"):
                return
            refs = []
            for node in way.nodes:
                if not node.location.valid():
                    continue
                coords[node.ref] = (node.location.lat, node.location.lon)
                refs.append(node.ref)
            pairs.extend(itertools.pairwise(refs))

    try:
        Ways().apply_file(str(file), locations=True)
    except RuntimeError as exc:
        raise DomainError("osm_unreadable", f"无法读取路网文件（应为 .osm 或 .osm.pbf）：{exc}", field="osm") from exc
    if not pairs:
        raise DomainError("osm_empty", "路网文件中没有可步行的道路", field="osm")
    ids = sorted(coords)
    index = {node_id: i for i, node_id in enumerate(ids)}
    lats = np.array([coords[i][0] for i in ids])
    lngs = np.array([coords[i][1] for i in ids])
    plane = plane or LocalPlane.around(lats, lngs)
    xy = plane.xy(lats, lngs)
    u = np.array([index[a] for a, _ in pairs], dtype=np.int64)
    v = np.array([index[b] for _, b in pairs], dtype=np.int64)
    metres = np.hypot(*(xy[u] - xy[v]).T)
    return RoadNetwork(xy=xy, u=u, v=v, metres=metres, name=file.name), plane


def network_access(demand: Demand, places_xy: Floats, net: RoadNetwork, model: TravelModel) -> Access:
    """Walking minutes from each demand point to its nearest place along the roads."""
    if not len(places_xy):
        return Access(np.full(len(demand), np.inf), np.full(len(demand), -1, dtype=np.int64))
    place_node, place_snap = net.snap(places_xy)
    graph = net.graph(len(places_xy), place_node, place_snap)
    sources = np.arange(net.nodes, net.nodes + len(places_xy))
    distance, _, source = dijkstra(graph, directed=False, indices=sources, min_only=True, return_predecessors=True)
    demand_node, demand_snap = net.snap(demand.xy)
    metres = distance[demand_node] + demand_snap
    nearest = np.where(np.isfinite(metres), source[demand_node] - net.nodes, -1).astype(np.int64)
    return Access(metres / model.metres_per_minute, nearest)


def network_cover(
    points_xy: Floats, candidates_xy: Floats, net: RoadNetwork, model: TravelModel, minutes: float
) -> sparse.csr_matrix:
    """points × candidates, 1 where the candidate is within `minutes` of the point along the roads."""
    limit = minutes * model.metres_per_minute
    point_node, point_snap = net.snap(points_xy)
    cand_node, cand_snap = net.snap(candidates_xy)
    graph = net.graph()
    rows: list[Ints] = []
    cols: list[Ints] = []
    for start in range(0, len(candidates_xy), CHUNK):
        chunk = np.arange(start, min(start + CHUNK, len(candidates_xy)))
        budget = limit - cand_snap[chunk]
        useful = chunk[budget > 0]
        if not useful.size:
            continue
        distance = dijkstra(graph, directed=False, indices=cand_node[useful], limit=float(budget.max()))
        for i, candidate in enumerate(useful):
            reach = distance[i, point_node] + point_snap + cand_snap[candidate]
            hit = np.flatnonzero(reach <= limit + 1e-9)
            rows.append(hit)
            cols.append(np.full(hit.size, candidate, dtype=np.int64))
    if not rows:
        return sparse.csr_matrix((len(points_xy), len(candidates_xy)))
    r, c = np.concatenate(rows), np.concatenate(cols)
    return sparse.csr_matrix((np.ones(r.size), (r, c)), shape=(len(points_xy), len(candidates_xy)))


def straight_cover(points_xy: Floats, candidates_xy: Floats, model: TravelModel, minutes: float) -> sparse.csr_matrix:
    """points × candidates, 1 where the candidate is within `minutes` of the point by the straight-line model."""
    if not len(points_xy) or not len(candidates_xy):
        return sparse.csr_matrix((len(points_xy), len(candidates_xy)))
    pairs = cKDTree(points_xy).sparse_distance_matrix(
        cKDTree(candidates_xy), model.radius(minutes), output_type="coo_matrix"
    )
    # sparse_distance_matrix stores distance 0 (a candidate on a point) as no entry: count those too.
    exact_hits = cKDTree(candidates_xy).query(points_xy, k=1, distance_upper_bound=1e-9)
    rows = np.concatenate([pairs.row, np.flatnonzero(np.isfinite(exact_hits[0]))])
    cols = np.concatenate([pairs.col, exact_hits[1][np.isfinite(exact_hits[0])]])
    matrix = sparse.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(len(points_xy), len(candidates_xy)))
    matrix.data[:] = 1.0
    return matrix
