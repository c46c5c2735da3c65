"""Snapping stations and hotspots to the walk graph, checked with plain geometry."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from pathlib import Path

import pytest
import shapely
from shapely.geometry import Polygon

from solver.domain import Hotspot, PatrolSettings, Scenario, Station
from solver.geometry import haversine_m
from solver.network import distance_to_street
from solver.snapping import MAX_ACCESS_NODES, snap_scenario
from tests.conftest import CRIME_DIR, DEMO_DIR
from tests.network_support import demo_graph


def _scenario(stations=(), hotspots=(), **kw) -> Scenario:
    return Scenario(
        name="test",
        week_start=dt.date(2026, 11, 30),
        days=7,
        timezone="Europe/London",
        stations=tuple(stations),
        hotspots=tuple(hotspots),
        officers=(),
        shifts=(),
        **kw,
    )


def _dist(G, node, lat, lon) -> float:
    return float(haversine_m(lat, lon, G.nodes[node]["y"], G.nodes[node]["x"]))


def test_demo_scenario_snaps_without_problems():
    from solver.scenario import read_scenario

    scenario = read_scenario(DEMO_DIR / "scenario.toml")
    G = demo_graph()
    snapping = snap_scenario(G, scenario)
    assert snapping.problems == []
    assert set(snapping.station_node) == {s.id for s in scenario.stations}
    assert set(snapping.hotspot_access) == {h.id for h in scenario.hotspots}
    for station in scenario.stations:
        node = snapping.station_node[station.id]
        assert node in G
        assert _dist(G, node, station.lat, station.lon) <= scenario.patrol.max_snap_m
        assert snapping.station_offset_m[station.id] == pytest.approx(
            _dist(G, node, station.lat, station.lon), abs=0.01
        )
    for hotspot in scenario.hotspots:
        access = snapping.hotspot_access[hotspot.id]
        assert 1 <= len(access) <= MAX_ACCESS_NODES
        assert len(set(access)) == len(access)
        assert all(n in G for n in access)
    nodes = snapping.all_nodes()
    assert len(nodes) == len(set(nodes))


def test_real_crime_points_all_snap(leeds_osm):
    """Every 2018-07 crime snap point inside the extract's box is near a walkable street."""
    path = CRIME_DIR / "2018-07-west-yorkshire-street.csv"
    if not path.exists():
        pytest.skip("crime CSV not available (../shared/data/crime)")
    points = set()
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if not row["Latitude"]:
                continue
            lat, lon = float(row["Latitude"]), float(row["Longitude"])
            if 53.8070 <= lat <= 53.8280 and -1.5535 <= lon <= -1.4991:
                points.add((lat, lon))
    assert len(points) > 300
    hotspots = [
        Hotspot(f"C{i}", f"crime point {i}", lat, lon, 1.0, radius_m=50.0)
        for i, (lat, lon) in enumerate(sorted(points))
    ]
    snapping = snap_scenario(demo_graph(), _scenario(hotspots=hotspots))
    assert snapping.problems == []
    assert len(snapping.hotspot_access) == len(hotspots)


def test_circle_access_nodes_lie_within_the_radius():
    G = demo_graph()
    big = Hotspot("BIG", "big", 53.8135, -1.5130, 1.0, radius_m=400.0)
    small = Hotspot("SMALL", "small", 53.8150, -1.5300, 1.0, radius_m=60.0)
    snapping = snap_scenario(G, _scenario(hotspots=[big, small]))
    for hotspot in (big, small):
        access = snapping.hotspot_access[hotspot.id]
        assert all(_dist(G, n, hotspot.lat, hotspot.lon) <= hotspot.radius_m + 0.5 for n in access)
    big_access = snapping.hotspot_access["BIG"]
    assert len(big_access) == MAX_ACCESS_NODES  # capped, there are far more inside
    inside = sum(
        1 for n, d in G.nodes(data=True) if haversine_m(big.lat, big.lon, d["y"], d["x"]) <= 400
    )
    assert inside > MAX_ACCESS_NODES
    # Spread out: the kept nodes reach towards the edge of the circle, not just the middle.
    reach = max(_dist(G, n, big.lat, big.lon) for n in big_access)
    assert reach > 0.6 * big.radius_m


def test_polygon_access_nodes_lie_inside_the_polygon():
    G = demo_graph()
    ring = ((-1.5180, 53.8090), (-1.5130, 53.8090), (-1.5130, 53.8120), (-1.5180, 53.8120))
    hotspot = Hotspot("P", "block", 53.8105, -1.5155, 1.0, polygon=ring)
    snapping = snap_scenario(G, _scenario(hotspots=[hotspot]))
    access = snapping.hotspot_access["P"]
    polygon = Polygon(ring)
    assert 1 <= len(access) <= MAX_ACCESS_NODES
    for n in access:
        point = shapely.Point(G.nodes[n]["x"], G.nodes[n]["y"])
        assert polygon.buffer(1e-5).contains(point)
    assert snapping.hotspot_offset_m["P"] == 0.0


def test_area_without_a_node_gets_its_nearest_node():
    G = demo_graph()
    tiny = Hotspot("T", "tiny", 53.8200, -1.5200, 1.0, radius_m=1.0)
    snapping = snap_scenario(G, _scenario(hotspots=[tiny]))
    (node,) = snapping.hotspot_access["T"]
    nearest = min(G.nodes, key=lambda n: _dist(G, n, tiny.lat, tiny.lon))
    assert _dist(G, node, tiny.lat, tiny.lon) == pytest.approx(
        _dist(G, nearest, tiny.lat, tiny.lon), abs=0.05
    )
    assert snapping.problems == []


def test_far_away_station_and_hotspot_are_problems():
    G = demo_graph()
    near = Station("CHA", "Chapeltown Road", 53.8190, -1.5322)
    far = Station("FAR", "Far away", 53.9000, -1.5300)  # about 7 km north of the extract
    lost = Hotspot("LOST", "Lost", 53.7000, -1.5200, 1.0, radius_m=100.0)
    snapping = snap_scenario(G, _scenario(stations=[near, far], hotspots=[lost]))
    assert len(snapping.problems) == 2
    station_problem, hotspot_problem = snapping.problems
    assert station_problem.file == "stations" and hotspot_problem.file == "hotspots"
    for problem, ident in ((station_problem, "FAR"), (hotspot_problem, "LOST")):
        assert problem.row is None and problem.field == "lat/lon"
        assert ident in problem.message
        assert " m from the nearest walkable street" in problem.message
        assert "limit 250 m" in problem.message
        assert "Check" in problem.message  # says what to do
    # Still snapped, so the caller can decide.
    assert "FAR" in snapping.station_node and "LOST" in snapping.hotspot_access


def test_limit_comes_from_the_scenario_and_files_are_named():
    G = demo_graph()
    station = Station("S", "Somewhere", 53.8190, -1.5322)
    assert distance_to_street(G, station.lat, station.lon) > 0.001
    strict = _scenario(
        stations=[station],
        patrol=dataclasses.replace(PatrolSettings(), max_snap_m=0.001),
        input_paths=(Path("/data/my_stations.csv"), Path("/data/hotspots.geojson")),
    )
    snapping = snap_scenario(G, strict)
    (problem,) = snapping.problems
    assert problem.file == "my_stations.csv"
    loose = snap_scenario(G, _scenario(stations=[station]))
    assert loose.problems == []
