"""Walking matrix and paths, checked against networkx and geometry (independent of scipy)."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

from solver.geometry import haversine_m
from solver.matrix import (
    WalkMatrix,
    build_walk_matrix,
    legs_of,
    path_coordinates,
    straight_line_m,
    street_label,
    walk_path,
)
from solver.network import nearest_node
from tests.network_support import demo_graph, leeds_graph

SPEED = 4.5  # km/h

# Two real places in the Leeds extract: Chapeltown Road near Sholebroke Avenue, and
# Harehills Lane near Harehills Road (the demo's two stations).
CHAPELTOWN = (53.8190, -1.5322)
HAREHILLS = (53.8135, -1.5130)


def _sample(G: nx.MultiDiGraph, k: int, seed: int) -> list[int]:
    nodes = sorted(G.nodes)
    rng = np.random.default_rng(seed)
    return [nodes[i] for i in rng.choice(len(nodes), size=k, replace=False)]


@pytest.fixture(scope="module")
def graph() -> nx.MultiDiGraph:
    return demo_graph()


@pytest.fixture(scope="module")
def matrix(graph) -> WalkMatrix:
    return build_walk_matrix(graph, _sample(graph, 60, seed=11), walk_speed_kph=SPEED)


def test_matrix_matches_networkx_dijkstra(graph, matrix):
    """networkx takes the shortest parallel edge by itself: an independent reference."""
    for a in matrix.nodes[:15]:
        reference = nx.single_source_dijkstra_path_length(graph, a, weight="length")
        for b in matrix.nodes:
            assert matrix.metres_between(a, b) == pytest.approx(reference[b], abs=1e-6)


def test_parallel_edges_use_the_shortest():
    G = nx.MultiDiGraph(crs="epsg:4326")
    for n, (x, y) in {1: (0.0, 0.0), 2: (0.001, 0.0), 3: (0.002, 0.0)}.items():
        G.add_node(n, x=x, y=y)
    G.add_edge(1, 2, length=100.0)
    G.add_edge(1, 2, length=70.0)  # a shorter parallel way
    G.add_edge(1, 2, length=90.0)
    G.add_edge(2, 3, length=50.0)
    for u, v, d in list(G.edges(data=True)):
        G.add_edge(v, u, **d)
    M = build_walk_matrix(G, [1, 3], walk_speed_kph=3.6)  # 1 m/s
    assert M.metres_between(1, 3) == pytest.approx(120.0)
    assert M.seconds_between(1, 3) == 120
    path = walk_path(G, M, 1, 3)
    assert path.nodes == (1, 2, 3) and path.metres == pytest.approx(120.0)


def test_seconds_are_metres_over_speed_rounded_up(matrix):
    speed = SPEED / 3.6
    assert matrix.seconds.dtype == np.int32
    assert matrix.metres.dtype == np.float64
    assert np.all(np.diag(matrix.seconds) == 0)
    assert np.all(np.diag(matrix.metres) == 0)
    exact = matrix.metres / speed
    assert np.all(matrix.seconds >= np.floor(exact))
    assert np.all(matrix.seconds - exact < 1.0 + 1e-6)
    assert np.all(matrix.seconds >= exact - 1e-6)


def test_matrix_is_symmetric_on_two_way_streets(matrix):
    # Every street in the walk graph is walkable both ways at the same length.
    assert np.allclose(matrix.metres, matrix.metres.T, rtol=1e-9, atol=1e-6)
    assert np.max(np.abs(matrix.seconds - matrix.seconds.T)) <= 1


def test_triangle_inequality(matrix):
    d = matrix.metres
    n = len(matrix)
    rng = np.random.default_rng(5)
    for i, j, k in rng.integers(0, n, size=(3000, 3)):
        assert d[i, k] <= d[i, j] + d[j, k] + 1e-6


def test_known_pair_walking_time_matches_a_street_detour(graph):
    """Walking time within 10% of straight line x (1.2 to 1.6) at 4.5 km/h."""
    a, _ = nearest_node(graph, *CHAPELTOWN)
    b, _ = nearest_node(graph, *HAREHILLS)
    M = build_walk_matrix(graph, [a, b], walk_speed_kph=SPEED)
    straight = straight_line_m(graph, a, b)
    assert 1000 < straight < 2000
    speed = SPEED / 3.6
    low, high = 0.9 * 1.2 * straight / speed, 1.1 * 1.6 * straight / speed
    assert low <= M.seconds_between(a, b) <= high
    assert low <= M.seconds_between(b, a) <= high


def test_typical_detour_factor_is_urban(matrix, graph):
    ratios = []
    for i, a in enumerate(matrix.nodes):
        for b in matrix.nodes[i + 1 :]:
            straight = straight_line_m(graph, a, b)
            if straight > 800:
                ratios.append(matrix.metres_between(a, b) / straight)
    assert len(ratios) > 200
    assert min(ratios) >= 1.0 - 1e-9  # never shorter than the straight line
    assert 1.15 <= float(np.median(ratios)) <= 1.6


def test_path_agrees_with_matrix_and_graph(graph, matrix):
    nodes = matrix.nodes
    for a, b in [(nodes[0], nodes[1]), (nodes[5], nodes[40]), (nodes[33], nodes[2])]:
        path = walk_path(graph, matrix, a, b)
        assert path.nodes[0] == a and path.nodes[-1] == b
        for u, v in zip(path.nodes, path.nodes[1:], strict=False):
            assert graph.has_edge(u, v)
        assert path.metres == pytest.approx(matrix.metres_between(a, b), rel=1e-9)
        assert path.seconds == matrix.seconds_between(a, b)
        # Same answer without the matrix (a fresh search on the graph).
        fresh = walk_path(graph, graph, a, b, walk_speed_kph=SPEED)
        assert fresh.metres == pytest.approx(path.metres, rel=1e-9)
        assert fresh.seconds == path.seconds
        # Legs cover the path, one street at a time.
        assert sum(leg.metres for leg in path.legs) == pytest.approx(path.metres, rel=1e-9)
        for first, second in zip(path.legs, path.legs[1:], strict=False):
            assert first.street != second.street
            assert first.nodes[-1] == second.nodes[0]
        assert all(leg.street for leg in path.legs)
        assert all(0 <= leg.bearing_start < 360 and 0 <= leg.bearing_end < 360 for leg in path.legs)


def test_path_to_node_outside_matrix_uses_a_search(graph, matrix):
    outside = next(n for n in sorted(graph.nodes) if n not in matrix.index)
    path = walk_path(graph, matrix, matrix.nodes[0], outside)
    reference = nx.shortest_path_length(graph, matrix.nodes[0], outside, weight="length")
    assert path.metres == pytest.approx(reference, rel=1e-9)
    back = walk_path(graph, matrix, outside, matrix.nodes[0])
    assert back.metres == pytest.approx(reference, rel=1e-9)


def test_path_to_itself_is_empty(graph, matrix):
    a = matrix.nodes[3]
    path = walk_path(graph, matrix, a, a)
    assert path.nodes == (a,) and path.metres == 0 and path.seconds == 0 and path.legs == ()
    assert path_coordinates(graph, path.nodes) == [(graph.nodes[a]["y"], graph.nodes[a]["x"])]


def test_path_coordinates_follow_the_streets(graph, matrix):
    a, b = matrix.nodes[7], matrix.nodes[21]
    path = walk_path(graph, matrix, a, b)
    coords = path_coordinates(graph, path.nodes)
    assert coords[0] == (graph.nodes[a]["y"], graph.nodes[a]["x"])
    assert coords[-1] == (graph.nodes[b]["y"], graph.nodes[b]["x"])
    assert all(p != q for p, q in zip(coords, coords[1:], strict=False))
    lat, lon = np.array(coords).T
    along = float(np.sum(haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])))
    assert along == pytest.approx(path.metres, rel=1e-6)
    assert len(coords) >= len(path.nodes)


def test_known_route_uses_real_street_names(graph):
    a, _ = nearest_node(graph, *CHAPELTOWN)
    b, _ = nearest_node(graph, *HAREHILLS)
    path = walk_path(graph, graph, a, b, walk_speed_kph=SPEED)
    streets = set(path.streets)
    assert "Chapeltown Road" in streets
    assert "Harehills Lane" in streets or "Harehills Road" in streets


def _flat_bearing(p: tuple[float, float], q: tuple[float, float]) -> float:
    """Compass bearing from (lat, lon) p to q on a local flat map (fine over a few metres)."""
    dx = (q[1] - p[1]) * math.cos(math.radians(p[0]))
    dy = q[0] - p[0]
    return math.degrees(math.atan2(dx, dy)) % 360


def _angle_gap(a: float, b: float) -> float:
    return abs((a - b + 180) % 360 - 180)


def test_leg_bearings_match_the_drawn_line(graph):
    a, _ = nearest_node(graph, *CHAPELTOWN)
    b, _ = nearest_node(graph, *HAREHILLS)
    path = walk_path(graph, graph, a, b)
    assert len(path.legs) >= 3
    for leg in path.legs:
        coords = path_coordinates(graph, leg.nodes)
        assert coords[0] == pytest.approx(leg.start) and coords[-1] == pytest.approx(leg.end)
        assert _angle_gap(leg.bearing_start, _flat_bearing(coords[0], coords[1])) < 0.5
        assert _angle_gap(leg.bearing_end, _flat_bearing(coords[-2], coords[-1])) < 0.5


def test_unnamed_ways_are_described():
    assert street_label({"highway": "footway"}) == ("footpath", "footway", False)
    assert street_label({"highway": "steps"})[0] == "steps"
    assert street_label({"highway": "service"})[0] == "service road"
    assert street_label({"highway": "residential"})[0] == "unnamed road"
    assert street_label({"highway": ["footway", "path"]})[0] == "footpath"
    assert street_label({"highway": "tertiary", "name": ["Roundhay Road", "Harehills Lane"]}) == (
        "Roundhay Road / Harehills Lane",
        "tertiary",
        True,
    )


def test_duplicates_bad_nodes_and_bad_speed(graph):
    a, b = _sample(graph, 2, seed=2)
    M = build_walk_matrix(graph, [a, b, a], walk_speed_kph=SPEED)
    assert M.nodes == (a, b) and M.metres.shape == (2, 2)
    with pytest.raises(KeyError):
        build_walk_matrix(graph, [a, -12345], walk_speed_kph=SPEED)
    with pytest.raises(ValueError, match="speed"):
        build_walk_matrix(graph, [a, b], walk_speed_kph=0)
    assert len(build_walk_matrix(graph, [], walk_speed_kph=SPEED)) == 0


def test_leeds_matrix_for_200_points_is_quick():
    G = leeds_graph()
    import time

    points = _sample(G, 200, seed=1)
    t0 = time.perf_counter()
    M = build_walk_matrix(G, points, walk_speed_kph=SPEED)
    assert time.perf_counter() - t0 < 2.0
    assert M.seconds.shape == (200, 200)
    assert np.all(M.seconds[~np.eye(200, dtype=bool)] > 0)


def test_legs_merge_edges_that_continue_a_street():
    G = nx.MultiDiGraph(crs="epsg:4326")
    for n in range(5):
        G.add_node(n, x=0.001 * n, y=53.8)
    names = [["Sandhurst Avenue", "Sandhurst Mount"], "Sandhurst Mount", None, "Chatsworth Road"]
    for n, name in enumerate(names):
        data = {"length": 70.0, "highway": "residential" if name else "footway"}
        if name:
            data["name"] = name
        G.add_edge(n, n + 1, **data)
    legs = legs_of(G, [0, 1, 2, 3, 4])
    assert [leg.street for leg in legs] == [
        "Sandhurst Avenue / Sandhurst Mount",
        "footpath",
        "Chatsworth Road",
    ]
    assert [leg.metres for leg in legs] == pytest.approx([140.0, 70.0, 70.0])
    assert legs[0].nodes == (0, 1, 2) and not legs[1].named
