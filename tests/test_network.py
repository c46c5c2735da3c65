"""The walk graph: filter, graph shape, formats, cache, bad files, spatial helpers."""

from __future__ import annotations

import logging
import math
import pickle
import re
import time
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from solver.network import (
    FILTER_VERSION,
    Circle,
    NetworkFileError,
    build_walk_graph,
    distance_to_street,
    file_sha256,
    graph_bounds,
    haversine_m,
    is_walkable,
    load_walk_graph,
    nearest_node,
    nodes_within,
    total_length_km,
)
from solver.osm_extract import write_walk_extract
from tests.network_support import DEMO_PBF, demo_graph, leeds_graph, same_graph

# A small hand-made OSM file: a square of streets with one way of each kind the filter
# must keep or drop. Node ids 1-9; ways 100+.
TINY_OSM = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="test">
  <bounds minlat="53.800" minlon="-1.500" maxlat="53.810" maxlon="-1.490"/>
  <node id="1" lat="53.800" lon="-1.500"/>
  <node id="2" lat="53.800" lon="-1.495"/>
  <node id="3" lat="53.800" lon="-1.490"/>
  <node id="4" lat="53.805" lon="-1.490"/>
  <node id="5" lat="53.805" lon="-1.500"/>
  <node id="6" lat="53.810" lon="-1.500"/>
  <node id="7" lat="53.810" lon="-1.490"/>
  <node id="8" lat="53.802" lon="-1.498"/>
  <node id="9" lat="53.808" lon="-1.492"><tag k="highway" v="crossing"/></node>
  <way id="100"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="residential"/><tag k="name" v="First Street"/><tag k="oneway" v="yes"/></way>
  <way id="101"><nd ref="3"/><nd ref="4"/>
    <tag k="highway" v="footway"/></way>
  <way id="102"><nd ref="4"/><nd ref="5"/>
    <tag k="highway" v="steps"/></way>
  <way id="103"><nd ref="5"/><nd ref="1"/>
    <tag k="highway" v="residential"/><tag k="name" v="West Road"/></way>
  <way id="104"><nd ref="5"/><nd ref="6"/><nd ref="9"/><nd ref="7"/><nd ref="4"/>
    <tag k="highway" v="service"/></way>
  <way id="110"><nd ref="1"/><nd ref="8"/><nd ref="4"/>
    <tag k="highway" v="motorway"/></way>
  <way id="111"><nd ref="2"/><nd ref="8"/>
    <tag k="highway" v="footway"/><tag k="foot" v="no"/></way>
  <way id="112"><nd ref="8"/><nd ref="5"/>
    <tag k="highway" v="cycleway"/></way>
  <way id="113"><nd ref="8"/><nd ref="3"/>
    <tag k="highway" v="service"/><tag k="access" v="private"/></way>
  <way id="114"><nd ref="8"/><nd ref="6"/>
    <tag k="highway" v="primary"/><tag k="sidewalk" v="separate"/></way>
  <way id="115"><nd ref="8"/><nd ref="7"/>
    <tag k="highway" v="pedestrian"/><tag k="area" v="yes"/></way>
  <way id="120"><nd ref="1"/><nd ref="6"/><nd ref="7"/>
    <tag k="building" v="yes"/></way>
</osm>
"""


@pytest.fixture
def tiny_osm(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.osm"
    path.write_text(TINY_OSM, encoding="utf-8")
    return path


def _osmnx_walk_filter():
    """osmnx's own walk filter, parsed from its Overpass query text (independent check)."""
    overpass = pytest.importorskip("osmnx._overpass")
    if not hasattr(overpass, "_get_network_filter"):
        pytest.skip("this osmnx has no _get_network_filter")
    text = overpass._get_network_filter("walk")
    clauses = re.findall(r'\["([^"]+)"(?:(!~|~)"([^"]*)")?\]', text)
    assert clauses, text

    def keeps(tags: dict[str, str]) -> bool:
        for key, op, pattern in clauses:
            value = tags.get(key)
            if not op:
                if value is None:
                    return False
            elif op == "!~":
                if value is not None and re.search(pattern, value):
                    return False
            elif value is None or not re.search(pattern, value):
                return False
        return True

    return keeps


# --------------------------------------------------------------------------- filter


def test_filter_agrees_with_osmnx_walk_filter_on_every_leeds_way(leeds_osm):
    osmium = pytest.importorskip("osmium")
    keeps = _osmnx_walk_filter()
    checked = 0
    for way in osmium.FileProcessor(str(leeds_osm), osmium.osm.WAY):
        tags = dict(way.tags)
        assert is_walkable(tags) == keeps(tags), tags
        checked += 1
    assert checked > 2000


@pytest.mark.parametrize(
    "tags",
    [
        {"highway": "footway", "foot": "no"},
        {"highway": "motorway_link"},
        {"highway": "cycleway"},
        {"highway": "proposed"},
        {"highway": "service", "service": "private"},
        {"highway": "residential", "access": "private"},
        {"highway": "pedestrian", "area": "yes"},
        {"highway": "primary", "sidewalk:left": "separate"},
        {"building": "yes"},
        {"highway": "footway", "foot": "yes"},
        {"highway": "steps"},
        {"highway": "residential", "oneway": "yes"},
        {"highway": "trunk"},
    ],
)
def test_filter_agrees_with_osmnx_on_edge_cases(tags):
    assert is_walkable(tags) == _osmnx_walk_filter()(tags)


def test_tiny_file_keeps_only_walkable_ways_in_both_directions(tiny_osm):
    G = build_walk_graph(tiny_osm)
    way_ids = set()
    for _, _, osmid in G.edges(data="osmid"):
        way_ids.update(osmid if isinstance(osmid, list) else [osmid])
    assert way_ids == {100, 101, 102, 103, 104}
    assert 8 not in G  # only reachable through excluded ways
    for u, v in G.edges():
        assert G.has_edge(v, u), "pedestrians walk both ways, oneway or not"
    assert G.graph["crs"] == "epsg:4326"
    # Only the two junctions survive simplification; each way between them becomes one edge.
    assert set(G.nodes) == {4, 5}
    assert G.nodes[5]["x"] == pytest.approx(-1.5) and G.nodes[5]["y"] == pytest.approx(53.805)
    assert G.number_of_edges() == 6  # ring south, steps, service loop north; both ways
    ring = {(u, v): d for u, v, d in G.edges(data=True) if isinstance(d.get("name"), list)}
    # Names of a merged edge are listed in walking order.
    assert ring[(5, 4)]["name"] == ["West Road", "First Street"]
    assert ring[(4, 5)]["name"] == ["First Street", "West Road"]
    assert ring[(5, 4)]["length"] == pytest.approx(ring[(4, 5)]["length"])
    assert all("geometry" in d for d in ring.values())


def test_tiny_file_lengths_are_great_circle_along_the_way(tiny_osm):
    G = build_walk_graph(tiny_osm)
    for u, v, data in G.edges(data=True):
        if "geometry" in data:
            xs, ys = np.array(data["geometry"].coords).T
            along = float(np.sum(haversine_m(ys[:-1], xs[:-1], ys[1:], xs[1:])))
        else:
            a, b = G.nodes[u], G.nodes[v]
            along = float(haversine_m(a["y"], a["x"], b["y"], b["x"]))
        assert data["length"] == pytest.approx(along, rel=1e-9)


# --------------------------------------------------------------------------- real graphs


@pytest.mark.parametrize("which", ["leeds", "demo"])
def test_graph_is_plausible(which):
    G = leeds_graph() if which == "leeds" else demo_graph()
    # The Leeds extract covers about 2.3 x 3.6 km of dense inner city.
    assert 2000 <= G.number_of_nodes() <= 4000
    assert 2.2 * G.number_of_nodes() <= G.number_of_edges() <= 3.5 * G.number_of_nodes()
    assert 300 <= total_length_km(G) <= 600
    assert nx.is_strongly_connected(G)
    lengths = [d.get("length") for _, _, d in G.edges(data=True)]
    assert all(length is not None and length > 0 for length in lengths)
    for u, v, data in G.edges(data=True):
        a, b = G.nodes[u], G.nodes[v]
        straight = float(haversine_m(a["y"], a["x"], b["y"], b["x"]))
        assert data["length"] >= straight - 1e-6
        assert "highway" in data
    names = {n for _, _, n in G.edges(data="name") if isinstance(n, str)}
    assert {"Chapeltown Road", "Roundhay Road", "Harehills Lane"} <= names


def test_demo_extract_gives_the_same_graph_as_the_source():
    assert same_graph(leeds_graph(), demo_graph())


def test_graph_matches_osmnx_graph_from_xml(leeds_osm, tmp_path):
    """osmnx parses a walkable-only XML extract independently: same nodes, edges, lengths."""
    ox = pytest.importorskip("osmnx")
    xml = tmp_path / "walk.osm"
    write_walk_extract(leeds_osm, xml)
    reference = ox.graph_from_xml(xml, bidirectional=True, simplify=True, retain_all=False)
    ours = leeds_graph()
    assert set(reference.nodes) == set(ours.nodes)

    def pairs(G):
        return sorted((u, v, round(d["length"], 3)) for u, v, d in G.edges(data=True))

    assert pairs(reference) == pairs(ours)


@pytest.mark.parametrize("name", ["walk.osm.bz2", "walk.osm.gz", "WALK.OSM.PBF"])
def test_other_formats_read_like_the_source(tmp_path, name):
    path = tmp_path / name
    write_walk_extract(DEMO_PBF, path)
    assert same_graph(build_walk_graph(path), demo_graph())


def test_graph_bounds_cover_every_node():
    G = demo_graph()
    min_lat, min_lon, max_lat, max_lon = graph_bounds(G)
    ys = [d["y"] for _, d in G.nodes(data=True)]
    xs = [d["x"] for _, d in G.nodes(data=True)]
    assert (min_lat, min_lon, max_lat, max_lon) == (min(ys), min(xs), max(ys), max(xs))
    assert min_lat < max_lat and min_lon < max_lon


# --------------------------------------------------------------------------- cache


def test_cache_hit_is_faster_and_equal(tmp_path, caplog):
    cache = tmp_path / "cache"
    t0 = time.perf_counter()
    first = load_walk_graph(DEMO_PBF, cache_dir=cache)
    build_s = time.perf_counter() - t0
    files = list(cache.glob("*.pickle"))
    assert len(files) == 1
    assert file_sha256(DEMO_PBF)[:40] in files[0].name
    assert f"f{FILTER_VERSION}" in files[0].name
    assert not list(cache.glob("*.tmp")), "no temporary file left behind"
    t0 = time.perf_counter()
    second = load_walk_graph(DEMO_PBF, cache_dir=cache)
    cached_s = time.perf_counter() - t0
    assert same_graph(first, second)
    assert cached_s < build_s
    assert cached_s < 1.0


def _cache_file(cache: Path) -> Path:
    (path,) = cache.glob("*.pickle")
    return path


def test_corrupt_cache_is_rebuilt(tmp_path, caplog):
    cache = tmp_path / "cache"
    reference = load_walk_graph(DEMO_PBF, cache_dir=cache)
    cache_file = _cache_file(cache)
    cache_file.write_bytes(b"\x80\x05this is not a pickle")
    with caplog.at_level(logging.WARNING, logger="solver.network"):
        rebuilt = load_walk_graph(DEMO_PBF, cache_dir=cache)
    assert same_graph(reference, rebuilt)
    assert "unreadable" in caplog.text
    with open(cache_file, "rb") as handle:
        assert pickle.load(handle)["nodes"] == reference.number_of_nodes()


def test_stale_cache_is_not_trusted(tmp_path, caplog):
    cache = tmp_path / "cache"
    reference = load_walk_graph(DEMO_PBF, cache_dir=cache)
    cache_file = _cache_file(cache)
    with open(cache_file, "rb") as handle:
        payload = pickle.load(handle)
    wrong = nx.MultiDiGraph(crs="epsg:4326")
    wrong.add_node(1, x=0.0, y=0.0)
    payload.update(graph=wrong, nodes=1, edges=0, sha256="0" * 64)
    with open(cache_file, "wb") as handle:
        pickle.dump(payload, handle)
    with caplog.at_level(logging.WARNING, logger="solver.network"):
        rebuilt = load_walk_graph(DEMO_PBF, cache_dir=cache)
    assert same_graph(reference, rebuilt)
    assert "stale" in caplog.text


def test_unwritable_cache_still_loads(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    G = load_walk_graph(DEMO_PBF, cache_dir=blocker / "cache")
    assert G.number_of_nodes() > 0


# --------------------------------------------------------------------------- bad files


def test_missing_file_is_a_clear_error(tmp_path):
    missing = tmp_path / "nowhere.osm.pbf"
    with pytest.raises(NetworkFileError) as info:
        load_walk_graph(missing, cache_dir=tmp_path)
    assert isinstance(info.value, ValueError)
    assert "nowhere.osm.pbf" in str(info.value) and "not found" in str(info.value)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("streets.osm", b"id,name\n1,not xml\n"),
        ("streets.osm.pbf", b"hello, this is not a protocol buffer"),
        ("streets.osm.bz2", b"BZh9 not really bzip2"),
        ("streets.csv", b"id,name,lat,lon\n"),
    ],
)
def test_non_osm_file_is_a_clear_error(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(NetworkFileError) as info:
        load_walk_graph(path, cache_dir=tmp_path / "cache")
    message = str(info.value)
    assert name in message
    assert ".osm" in message  # says what is expected
    assert "Traceback" not in message


def test_file_without_streets_is_a_clear_error(tmp_path):
    path = tmp_path / "buildings.osm"
    path.write_text(
        "<?xml version='1.0' encoding='UTF-8'?><osm version='0.6'>"
        "<node id='1' lat='53.8' lon='-1.5'/><node id='2' lat='53.81' lon='-1.5'/>"
        "<way id='5'><nd ref='1'/><nd ref='2'/><tag k='building' v='yes'/></way></osm>",
        encoding="utf-8",
    )
    with pytest.raises(NetworkFileError, match="no walkable streets") as info:
        load_walk_graph(path, cache_dir=tmp_path / "cache")
    assert "buildings.osm" in str(info.value)


# --------------------------------------------------------------------------- spatial


def _brute_nearest(G, lat, lon):
    best = None
    for n, d in G.nodes(data=True):
        dist = float(haversine_m(lat, lon, d["y"], d["x"]))
        if best is None or dist < best[1]:
            best = (n, dist)
    return best


def test_nearest_node_matches_brute_force():
    G = demo_graph()
    min_lat, min_lon, max_lat, max_lon = graph_bounds(G)
    rng = np.random.default_rng(7)
    for lat, lon in zip(
        rng.uniform(min_lat, max_lat, 40), rng.uniform(min_lon, max_lon, 40), strict=True
    ):
        node, dist = nearest_node(G, lat, lon)
        ref_node, ref_dist = _brute_nearest(G, lat, lon)
        assert dist == pytest.approx(ref_dist, abs=0.05), (node, ref_node)


def test_nearest_node_is_fast_after_first_call():
    G = demo_graph()
    nearest_node(G, 53.815, -1.52)
    t0 = time.perf_counter()
    for _ in range(1000):
        nearest_node(G, 53.815, -1.52)
    assert time.perf_counter() - t0 < 1.0


def test_nodes_within_circle_matches_haversine():
    G = demo_graph()
    lat, lon, radius = 53.8135, -1.513, 300.0
    got = set(nodes_within(G, Circle(lat, lon, radius)))
    for n, d in G.nodes(data=True):
        dist = float(haversine_m(lat, lon, d["y"], d["x"]))
        if dist < radius - 0.5:
            assert n in got
        elif dist > radius + 0.5:
            assert n not in got
    assert len(got) > 10


def test_nodes_within_polygon_matches_shapely_in_degrees():
    G = demo_graph()
    polygon = Polygon([(-1.525, 53.812), (-1.515, 53.812), (-1.515, 53.818), (-1.525, 53.818)])
    got = nodes_within(G, polygon)
    assert len(got) > 10
    boundary = polygon.exterior
    for n, d in G.nodes(data=True):
        point = shapely.Point(d["x"], d["y"])
        if boundary.distance(point) < 1e-5:  # about a metre: projection may differ
            continue
        assert (n in got) == polygon.contains(point)
    # Nearest to the centre first.
    c = polygon.centroid
    dists = [float(haversine_m(c.y, c.x, G.nodes[n]["y"], G.nodes[n]["x"])) for n in got]
    assert (
        dists == sorted(dists)
        or max(abs(a - b) for a, b in zip(dists, sorted(dists), strict=True)) < 1.0
    )


def test_distance_to_street_is_at_most_distance_to_a_node():
    G = demo_graph()
    rng = np.random.default_rng(3)
    min_lat, min_lon, max_lat, max_lon = graph_bounds(G)
    for lat, lon in zip(
        rng.uniform(min_lat, max_lat, 25), rng.uniform(min_lon, max_lon, 25), strict=True
    ):
        street = distance_to_street(G, lat, lon)
        _, node_dist = nearest_node(G, lat, lon)
        assert 0 <= street <= node_dist + 0.5
    # A point on a node is on a street.
    n, d = next(iter(G.nodes(data=True)))
    assert distance_to_street(G, d["y"], d["x"]) < 0.01
    # 5 km north of the area is about 5 km from any street.
    far = distance_to_street(G, max_lat + 0.045, (min_lon + max_lon) / 2)
    assert math.isclose(far, 5000, rel_tol=0.1)
