"""Turn-by-turn directions (solver.directions) on a street grid where left and right are known."""

from __future__ import annotations

import networkx as nx
import pytest

from solver.directions import compass, directions, round_metres, turn_angle
from solver.matrix import walk_path
from solver.network import nearest_node
from tests.network_support import demo_graph


def _grid() -> nx.MultiDiGraph:
    """A walk east along High Street, then north (a left turn) up Mill Lane, then east."""
    G = nx.MultiDiGraph(crs="epsg:4326")
    points = {
        1: (0.0, 53.8),
        2: (0.003, 53.8),
        3: (0.003, 53.802),
        4: (0.0035, 53.802),
        5: (0.006, 53.802),
    }
    for n, (x, y) in points.items():
        G.add_node(n, x=x, y=y)
    streets = [
        (1, 2, "High Street", "residential"),
        (2, 3, "Mill Lane", "residential"),
        (3, 4, None, "footway"),  # a short unnamed link
        (4, 5, "Church Road", "tertiary"),
    ]
    from solver.geometry import haversine_m

    for u, v, name, highway in streets:
        a, b = points[u], points[v]
        length = float(haversine_m(a[1], a[0], b[1], b[0]))
        data = {"highway": highway, "length": length}
        if name:
            data["name"] = name
        G.add_edge(u, v, **data)
        G.add_edge(v, u, **data)
    return G


def test_left_and_right_on_a_known_grid():
    G = _grid()
    lines = directions(walk_path(G, G, 1, 5).legs, destination="the church")
    assert lines[0].startswith("Walk east along High Street")
    assert lines[1].startswith("Turn left onto Mill Lane")
    # The unnamed footway is described by its kind, as a right turn.
    assert lines[2].startswith("Turn right onto the footpath")
    assert lines[3].startswith("Continue onto Church Road")
    assert lines[-1].startswith("Arrive at the church")
    back = directions(walk_path(G, G, 3, 1).legs)
    assert back[0].startswith("Walk south along Mill Lane")
    assert back[1].startswith("Turn right onto High Street")


def test_turn_angle_and_compass():
    assert turn_angle(90, 0) == pytest.approx(-90)  # east, then north: left
    assert turn_angle(0, 90) == pytest.approx(90)
    assert turn_angle(350, 10) == pytest.approx(20)
    assert turn_angle(10, 350) == pytest.approx(-20)
    assert compass(0) == "north" and compass(359) == "north"
    assert compass(135) == "south-east" and compass(270) == "west"
    assert round_metres(238) == 240 and round_metres(42) == 40


def test_real_walk_reads_like_directions():
    G = demo_graph()
    a, _ = nearest_node(G, 53.8190, -1.5322)
    b, _ = nearest_node(G, 53.8135, -1.5130)
    path = walk_path(G, G, a, b)
    lines = directions(path.legs, origin="Chapeltown", destination="Harehills")
    assert lines[0].startswith("From Chapeltown, walk ")
    assert any("Chapeltown Road" in line for line in lines)
    assert lines[-1].startswith("Arrive at Harehills")
    assert all(line.split()[0] in {"From", "Turn", "Bear", "Continue", "Arrive"} for line in lines)
    assert directions(walk_path(G, G, a, a).legs, destination="X") == ["You are at X."]
