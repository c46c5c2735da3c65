"""Walking distances and times between graph nodes, and the walked path between two nodes.

`build_walk_matrix` runs scipy's Dijkstra from every requested node over a CSR matrix that
holds, for each ordered node pair, the SHORTEST of its parallel edges (networkx's own
conversion sums parallel edges, which is wrong for routing). Times are whole seconds,
rounded up, at the given walking speed.

`walk_path` gives the node list, metres, seconds and the street legs (consecutive edges of one
street merged, with the compass bearing at each end so turn directions can be worked out);
`path_coordinates` follows each edge's geometry for drawing a route or writing GPX.
"""

from __future__ import annotations

import logging
import math
import time
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from solver.geometry import bearing_deg, haversine_m
from solver.network import edge_geometry

log = logging.getLogger(__name__)

#: Names given to legs on ways without a ``name`` tag, by ``highway`` value.
UNNAMED_BY_HIGHWAY = {
    "footway": "footpath",
    "path": "footpath",
    "pedestrian": "pedestrian street",
    "bridleway": "bridleway",
    "steps": "steps",
    "service": "service road",
    "track": "track",
    "living_street": "unnamed street",
    "corridor": "passage",
    "elevator": "lift",
}

#: Edges shorter than this (metres) are stored as this, so a zero-length edge stays an edge.
_MIN_EDGE_M = 1e-3


@dataclass(frozen=True)
class _Csr:
    node_count: int
    edge_count: int
    nodes: np.ndarray  # row -> node id
    row: dict[int, int]  # node id -> row
    matrix: csr_matrix


_CSR: weakref.WeakKeyDictionary[nx.MultiDiGraph, _Csr] = weakref.WeakKeyDictionary()


def _csr(G: nx.MultiDiGraph) -> _Csr:
    """The graph as a CSR matrix of minimum parallel-edge lengths, memoised per graph."""
    cached = _CSR.get(G)
    # Graphs are not mutated after loading; the node count guards against a reused object.
    # (number_of_edges() walks every edge of a MultiDiGraph, too slow for each path.)
    if cached is not None and cached.node_count == G.number_of_nodes():
        return cached
    nodes = np.fromiter(G.nodes, dtype=np.int64, count=G.number_of_nodes())
    row = {int(n): i for i, n in enumerate(nodes)}
    m = G.number_of_edges()
    us = np.empty(m, dtype=np.int64)
    vs = np.empty(m, dtype=np.int64)
    lengths = np.empty(m, dtype=float)
    for i, (u, v, length) in enumerate(G.edges(data="length")):
        us[i] = row[u]
        vs[i] = row[v]
        lengths[i] = length
    keep = us != vs  # self-loops never shorten a path
    us, vs, lengths = us[keep], vs[keep], np.maximum(lengths[keep], _MIN_EDGE_M)
    n = len(nodes)
    keys = us * n + vs
    order = np.lexsort((lengths, keys))  # by pair, then shortest first
    keys, lengths = keys[order], lengths[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    keys, lengths = keys[first], lengths[first]
    matrix = csr_matrix((lengths, (keys // n, keys % n)), shape=(n, n))
    cached = _Csr(n, G.number_of_edges(), nodes, row, matrix)
    _CSR[G] = cached
    return cached


def _seconds(metres: np.ndarray, walk_speed_kph: float) -> np.ndarray:
    speed = walk_speed_kph / 3.6
    # A hair of tolerance so 100.0000000001 s of floating noise is not 101 s.
    return np.ceil(metres / speed - 1e-9).astype(np.int32)


@dataclass(frozen=True)
class WalkMatrix:
    """Shortest walking distances (metres) and times (whole seconds) between graph nodes.

    Attributes
    ----------
    nodes
        The distinct graph nodes, in the order first given; row/column ``i`` is ``nodes[i]``.
    index
        Node id -> row/column.
    metres
        float64 array (n, n); ``metres[i, j]`` walks from ``nodes[i]`` to ``nodes[j]``.
    seconds
        int32 array (n, n): ``ceil(metres / speed)``, 0 on the diagonal.
    walk_speed_kph
        The speed the seconds were computed at.
    """

    nodes: tuple[int, ...]
    index: Mapping[int, int]
    metres: np.ndarray
    seconds: np.ndarray
    walk_speed_kph: float
    #: Dijkstra predecessors (rows of the graph CSR) from each matrix node, for `walk_path`.
    predecessors: np.ndarray | None = field(default=None, repr=False, compare=False)
    #: Graph CSR row -> node id, for reading ``predecessors``.
    graph_nodes: np.ndarray | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.nodes)

    def seconds_between(self, a_node: int, b_node: int) -> int:
        """Walking time in whole seconds from node ``a_node`` to node ``b_node``."""
        return int(self.seconds[self.index[a_node], self.index[b_node]])

    def metres_between(self, a_node: int, b_node: int) -> float:
        """Walking distance in metres from node ``a_node`` to node ``b_node``."""
        return float(self.metres[self.index[a_node], self.index[b_node]])


def build_walk_matrix(
    G: nx.MultiDiGraph,
    nodes: Sequence[int],
    *,
    walk_speed_kph: float,
    keep_paths: bool = True,
) -> WalkMatrix:
    """Shortest walking distance and time between every ordered pair of ``nodes``.

    Parameters
    ----------
    G
        The walk graph (`solver.network.load_walk_graph`); edge ``length`` in metres.
    nodes
        Graph node ids; duplicates are kept once (first position wins).
    walk_speed_kph
        Walking speed, km/h (> 0).
    keep_paths
        Keep the Dijkstra predecessor arrays (one int32 row per node over the whole graph)
        so `walk_path` between matrix nodes needs no new search.

    Returns
    -------
    WalkMatrix

    Raises
    ------
    KeyError
        A node is not in the graph.
    ValueError
        The speed is not positive, or some pair has no path (the graph is not strongly
        connected; `load_walk_graph` graphs always are).
    """
    if not walk_speed_kph > 0:
        raise ValueError(f"walk speed must be positive, got {walk_speed_kph!r} km/h")
    start = time.perf_counter()
    distinct = tuple(int(n) for n in dict.fromkeys(nodes))
    csr = _csr(G)
    missing = [n for n in distinct if n not in csr.row]
    if missing:
        raise KeyError(f"node(s) not in the walk graph: {missing[:5]}")
    rows = np.array([csr.row[n] for n in distinct], dtype=np.int64)
    if len(rows) == 0:
        empty = np.zeros((0, 0))
        return WalkMatrix((), {}, empty, empty.astype(np.int32), walk_speed_kph)
    if keep_paths:
        dist, pred = dijkstra(csr.matrix, directed=True, indices=rows, return_predecessors=True)
        pred = pred.astype(np.int32)
    else:
        dist = dijkstra(csr.matrix, directed=True, indices=rows)
        pred = None
    metres = np.ascontiguousarray(dist[:, rows])
    if not np.isfinite(metres).all():
        bad = np.argwhere(~np.isfinite(metres))[0]
        raise ValueError(
            f"no walking path from node {distinct[bad[0]]} to node {distinct[bad[1]]}: "
            "the graph is not strongly connected"
        )
    seconds = _seconds(metres, walk_speed_kph)
    np.fill_diagonal(seconds, 0)
    log.info(
        "walk matrix: %d nodes, %.2f s, longest walk %.0f m",
        len(distinct),
        time.perf_counter() - start,
        float(metres.max()),
    )
    return WalkMatrix(
        nodes=distinct,
        index={n: i for i, n in enumerate(distinct)},
        metres=metres,
        seconds=seconds,
        walk_speed_kph=walk_speed_kph,
        predecessors=pred,
        graph_nodes=csr.nodes if pred is not None else None,
    )


# --------------------------------------------------------------------------- paths


@dataclass(frozen=True)
class WalkLeg:
    """A stretch of one street along a walk.

    ``bearing_start`` is the compass bearing (degrees, 0 = north, 90 = east) of the first
    few metres of the leg, ``bearing_end`` of its last few metres; the turn between two legs
    is ``next.bearing_start - this.bearing_end`` (normalised to -180..180: negative = left).
    """

    street: str
    metres: float
    highway: str
    start: tuple[float, float]  # (lat, lon)
    end: tuple[float, float]  # (lat, lon)
    bearing_start: float
    bearing_end: float
    nodes: tuple[int, ...]
    #: True when the way has a ``name`` tag (False: ``street`` describes the way type).
    named: bool = True


@dataclass(frozen=True)
class WalkPath:
    """The walk between two graph nodes along the shortest path."""

    nodes: tuple[int, ...]
    metres: float
    seconds: int
    legs: tuple[WalkLeg, ...]

    @property
    def streets(self) -> list[str]:
        """Street names in walking order (each leg's ``street``)."""
        return [leg.street for leg in self.legs]


def _path_rows(
    G: nx.MultiDiGraph, source: WalkMatrix | nx.MultiDiGraph, a: int, b: int
) -> list[int]:
    """Graph node ids along the shortest path from ``a`` to ``b``."""
    csr = _csr(G)
    if a not in csr.row or b not in csr.row:
        raise KeyError(f"node {a if a not in csr.row else b} is not in the walk graph")
    pred_row = None
    if isinstance(source, WalkMatrix) and source.predecessors is not None and a in source.index:
        pred_row = source.predecessors[source.index[a]]
    if pred_row is None:
        _, pred = dijkstra(csr.matrix, directed=True, indices=csr.row[a], return_predecessors=True)
        pred_row = pred
    target = csr.row[b]
    origin = csr.row[a]
    rows = [target]
    while rows[-1] != origin:
        prev = int(pred_row[rows[-1]])
        if prev < 0:
            raise ValueError(f"no walking path from node {a} to node {b}")
        rows.append(prev)
        if len(rows) > len(csr.nodes):  # defensive: a corrupt predecessor array
            raise ValueError(f"no walking path from node {a} to node {b}")
    rows.reverse()
    return [int(csr.nodes[r]) for r in rows]


def shortest_edge(G: nx.MultiDiGraph, u: int, v: int) -> dict[str, Any]:
    """The data of the shortest of the parallel edges from ``u`` to ``v``."""
    return min(G[u][v].values(), key=lambda d: d.get("length", math.inf))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def street_label(data: Mapping[str, Any]) -> tuple[str, str, bool]:
    """(street, highway, named) for an edge: its name(s), or a description of the way type.

    A simplified edge merging ways with different names is labelled with the names in
    walking order joined by " / ".
    """
    highways = [str(h) for h in _as_list(data.get("highway"))]
    highway = highways[0] if highways else "road"
    names = [str(n) for n in _as_list(data.get("name")) if str(n).strip()]
    if names:
        return " / ".join(dict.fromkeys(names)), highway, True
    return UNNAMED_BY_HIGHWAY.get(highway, "unnamed road"), highway, False


def _end_bearings(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Bearings of the first and last straight pieces of a (lon, lat) polyline."""
    pts = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    if len(pts) < 2:
        return 0.0, 0.0
    (x0, y0), (x1, y1) = pts[0], pts[1]
    (xa, ya), (xb, yb) = pts[-2], pts[-1]
    return bearing_deg(y0, x0, y1, x1), bearing_deg(ya, xa, yb, xb)


def _edge_names(data: Mapping[str, Any]) -> list[str]:
    return list(dict.fromkeys(str(n) for n in _as_list(data.get("name")) if str(n).strip()))


def legs_of(G: nx.MultiDiGraph, nodes: Sequence[int]) -> list[WalkLeg]:
    """Street legs along a node path, one per street.

    Consecutive edges are merged when they continue the same street: same label, or (for
    simplified edges carrying several names) the next edge starts on the street the current
    leg ends on; a merged leg's ``street`` lists its names in walking order.
    """
    legs: list[WalkLeg] = []
    current: dict[str, Any] | None = None
    for u, v in zip(nodes, nodes[1:], strict=False):
        data = shortest_edge(G, u, v)
        street, highway, named = street_label(data)
        names = _edge_names(data)
        points = edge_geometry(G, u, v, data)
        b_start, b_end = _end_bearings(points)
        if current is not None and (
            current["street"] == street
            or (named and current["named"] and current["names"][-1] == names[0])
        ):
            for name in names:
                if name not in current["names"]:
                    current["names"].append(name)
            if current["named"]:
                current["street"] = " / ".join(current["names"])
            current["metres"] += data["length"]
            current["end"] = (points[-1][1], points[-1][0])
            current["bearing_end"] = b_end
            current["nodes"].append(v)
            continue
        if current is not None:
            legs.append(_leg(current))
        current = {
            "street": street,
            "names": names,
            "metres": float(data["length"]),
            "highway": highway,
            "start": (points[0][1], points[0][0]),
            "end": (points[-1][1], points[-1][0]),
            "bearing_start": b_start,
            "bearing_end": b_end,
            "nodes": [u, v],
            "named": named,
        }
    if current is not None:
        legs.append(_leg(current))
    return legs


def _leg(current: dict[str, Any]) -> WalkLeg:
    fields = {k: v for k, v in current.items() if k != "names"}
    fields["nodes"] = tuple(current["nodes"])
    return WalkLeg(**fields)


def walk_path(
    G: nx.MultiDiGraph,
    source: WalkMatrix | nx.MultiDiGraph,
    a_node: int,
    b_node: int,
    *,
    walk_speed_kph: float | None = None,
) -> WalkPath:
    """The shortest walk from ``a_node`` to ``b_node``: nodes, metres, seconds, street legs.

    Parameters
    ----------
    G
        The walk graph.
    source
        A `WalkMatrix` (its stored predecessors are reused when ``a_node`` is one of its
        nodes, and its speed gives the seconds) or the graph itself (one Dijkstra search).
    a_node, b_node
        Graph node ids.
    walk_speed_kph
        Speed for ``seconds``; defaults to the matrix's speed, else 4.5 km/h.

    Returns
    -------
    WalkPath
        ``metres`` is the sum of the shortest parallel edges along the path, the same
        figure as the matrix entry; ``seconds`` is rounded up as in the matrix.
    """
    if walk_speed_kph is None:
        walk_speed_kph = source.walk_speed_kph if isinstance(source, WalkMatrix) else 4.5
    nodes = _path_rows(G, source, a_node, b_node)
    lengths = [
        max(float(shortest_edge(G, u, v)["length"]), _MIN_EDGE_M)
        for u, v in zip(nodes, nodes[1:], strict=False)
    ]
    metres = float(sum(lengths))
    seconds = int(_seconds(np.array([metres]), walk_speed_kph)[0]) if len(nodes) > 1 else 0
    return WalkPath(tuple(nodes), metres, seconds, tuple(legs_of(G, nodes)))


def path_coordinates(G: nx.MultiDiGraph, nodes: Sequence[int]) -> list[tuple[float, float]]:
    """The (lat, lon) points of a node path, following each edge's geometry.

    Consecutive duplicates are dropped, so the line can be drawn or written to GPX as is.
    A single node gives its own point; an empty path gives an empty list.
    """
    if not nodes:
        return []
    first = G.nodes[nodes[0]]
    out: list[tuple[float, float]] = [(first["y"], first["x"])]
    for u, v in zip(nodes, nodes[1:], strict=False):
        for lon, lat in edge_geometry(G, u, v, shortest_edge(G, u, v))[1:]:
            if (lat, lon) != out[-1]:
                out.append((lat, lon))
    return out


def straight_line_m(G: nx.MultiDiGraph, a_node: int, b_node: int) -> float:
    """Great-circle distance in metres between two graph nodes."""
    a, b = G.nodes[a_node], G.nodes[b_node]
    return float(haversine_m(a["y"], a["x"], b["y"], b["x"]))
