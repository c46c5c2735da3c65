"""Hotspot derivation, PAI, risk profiles and writers: real Leeds records and hand-made cases."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math

import networkx as nx
import numpy as np
import pytest
from shapely import STRtree
from shapely.geometry import LineString, Point, box

from solver.cli import main
from solver.crimes import CrimeRecord, read_crimes
from solver.domain import HOURS_PER_WEEK, PatrolSettings
from solver.harm import counts_only, read_harm_weights
from solver.hotspots_derive import HotspotSettings, derive_hotspots, network_area
from solver.hotspots_eval import LocalMetres, circles, score_areas
from solver.hotspots_write import write_hotspots_csv, write_hotspots_geojson, write_risk_csv
from solver.problems import ProblemList
from solver.readers import read_hotspots, read_risk
from solver.risk_profile import assumed_profile, hour_of_week, measured_profile
from tests.conftest import CRIME_DIR, LEEDS_OSM

EARTH_R = 6_371_008.8


def haversine_m(lat1, lon1, lat2, lon2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_R * np.arcsin(np.sqrt(a))


# ---------------------------------------------------------------- real Leeds records


@pytest.fixture(scope="module")
def cache_home(tmp_path_factory):
    """An XDG cache home shared by this module's tests (the walk graph is built once)."""
    return tmp_path_factory.mktemp("xdg-cache")


@pytest.fixture(scope="module")
def leeds(cache_home):
    """The Leeds walk graph, its 2018-07 records and the derived top 25 (harm-weighted)."""
    months = [CRIME_DIR / f"{m}-west-yorkshire-street.csv" for m in ("2017-07", "2018-07")]
    if not LEEDS_OSM.exists() or not all(p.exists() for p in months):
        pytest.skip("real Leeds OSM file or crime records not available (../shared/data)")
    from solver.network import load_walk_graph

    graph = load_walk_graph(LEEDS_OSM, cache_dir=cache_home / "patrol-planner" / "networks")
    weights = read_harm_weights()
    crimes = read_crimes(months, weights=weights, area=network_area(graph))
    result = derive_hotspots(crimes.records, graph, weights, HotspotSettings(top_n=25))
    return graph, weights, crimes, result


def test_real_hotspots_lie_on_walkable_streets(leeds) -> None:
    graph, _, _, result = leeds
    proj = LocalMetres(network_area(graph))
    lines = []
    for u, v, data in graph.edges(data=True):
        geom = data.get("geometry")
        coords = (
            list(geom.coords)
            if geom is not None
            else [(graph.nodes[n]["x"], graph.nodes[n]["y"]) for n in (u, v)]
        )
        lon, lat = np.asarray(coords).T
        lines.append(LineString(proj.xy(lat, lon)))
    tree = STRtree(lines)
    for h in result.hotspots:
        centre = Point(*proj.xy([h.lat], [h.lon])[0])
        nearest = lines[int(tree.nearest(centre))].distance(centre)
        assert nearest < 1.0, f"{h.id} is {nearest:.1f} m from the nearest street"


def test_real_hotspots_sorted_sized_named_and_disjoint(leeds) -> None:
    _, _, _, result = leeds
    hs = result.hotspots
    assert len(hs) == 25
    assert [h.weight for h in hs] == sorted((h.weight for h in hs), reverse=True)
    assert all(50 <= h.radius_m <= 150 for h in hs)
    assert all(h.name.strip() for h in hs) and len({h.name for h in hs}) == len(hs)
    assert len({h.id for h in hs}) == len(hs)
    for i, a in enumerate(hs):
        for b in hs[i + 1 :]:
            gap = haversine_m(a.lat, a.lon, b.lat, b.lon)
            assert gap >= a.radius_m + b.radius_m - 1.0, f"{a.id} and {b.id} overlap"


def test_real_hotspot_weight_is_the_harm_of_the_records_inside(leeds) -> None:
    # Independent check: the harm of the records within each circle (haversine distance;
    # records within half a metre of the edge may fall either way).
    _, weights, crimes, result = leeds
    lat = np.array([r.lat for r in crimes.records])
    lon = np.array([r.lon for r in crimes.records])
    harm = np.array([weights.weight_of(r.crime_type) for r in crimes.records])
    for h, count in zip(result.hotspots, result.record_counts, strict=True):
        d = haversine_m(h.lat, h.lon, lat, lon)
        surely_in, maybe_in = d <= h.radius_m - 0.5, d <= h.radius_m + 0.5
        assert surely_in.sum() <= count <= maybe_in.sum()
        assert harm[surely_in].sum() - 0.1 <= h.weight <= harm[maybe_in].sum() + 0.1


def test_real_month_only_records_give_an_assumed_labelled_profile(leeds) -> None:
    _, _, _, result = leeds
    assert not result.risk_measured
    for h in result.hotspots:
        assert h.risk_assumed and "ASSUMED" in h.notes
        assert len(h.risk) == HOURS_PER_WEEK
        assert sum(h.risk) == pytest.approx(HOURS_PER_WEEK, rel=1e-3)


def test_written_files_are_accepted_by_the_scenario_readers(leeds, tmp_path) -> None:
    _, _, _, result = leeds
    write_hotspots_csv(result.hotspots, tmp_path / "hotspots.csv")
    write_hotspots_geojson(result.hotspots, tmp_path / "hotspots.geojson")
    write_risk_csv(result.hotspots, tmp_path / "risk.csv")
    for name in ("hotspots.csv", "hotspots.geojson"):
        problems = ProblemList()
        read_back = read_hotspots(tmp_path / name, PatrolSettings(), problems)
        assert not problems.items, [str(p) for p in problems.items]
        assert [(h.id, h.name, h.radius_m) for h in read_back] == [
            (h.id, h.name, h.radius_m) for h in result.hotspots
        ]
        assert [h.weight for h in read_back] == pytest.approx([h.weight for h in result.hotspots])
    problems = ProblemList()
    profiles = read_risk(tmp_path / "risk.csv", {h.id for h in result.hotspots}, problems)
    assert not problems.items
    for h in result.hotspots:
        assert profiles[h.id] == pytest.approx(h.risk, rel=1e-3)
    with open(tmp_path / "risk.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == HOURS_PER_WEEK * len(result.hotspots)
    assert {int(r["weekday"]) for r in rows} == set(range(1, 8))
    assert {int(r["hour"]) for r in rows} == set(range(24))
    feature = json.loads((tmp_path / "hotspots.geojson").read_text())["features"][0]
    assert feature["geometry"]["type"] == "Point" and feature["properties"]["radius_m"] > 0


def test_cli_writes_the_three_files(tmp_path, capsys, monkeypatch, leeds, cache_home) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    path = CRIME_DIR / "2018-07-west-yorkshire-street.csv"
    if not LEEDS_OSM.exists() or not path.exists():
        pytest.skip("real Leeds data not available")
    out = tmp_path / "out"
    code = main(
        ["hotspots", str(path), "--network", str(LEEDS_OSM), "--out", str(out), "--top", "5"]
    )
    assert code == 0
    assert {p.name for p in out.iterdir()} == {"hotspots.csv", "hotspots.geojson", "risk.csv"}
    text = capsys.readouterr().out
    assert "outside the area" in text and "assumed" in text


def test_cli_bad_crime_file_lists_problems_without_traceback(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    if not LEEDS_OSM.exists():
        pytest.skip("real Leeds OSM file not available")
    bad = tmp_path / "bad.csv"
    bad.write_text("Month,Latitude\n2018-07,53.8\n")
    code = main(["hotspots", str(bad), "--network", str(LEEDS_OSM), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert "bad.csv, line 1, field 'Crime type'" in err and "Traceback" not in err


# ---------------------------------------------------------------- hand-made cases


def test_pai_hand_made_square() -> None:
    # 1 km x 1 km study area, a 100 m x 100 m hotspot (1% of the area) holding 30 of 100
    # points: hit rate 30%, PAI 30.
    study = box(0, 0, 1000, 1000)
    inside = np.column_stack([np.linspace(10, 90, 30), np.linspace(10, 90, 30)])
    outside = np.column_stack([np.linspace(200, 900, 70), np.linspace(300, 950, 70)])
    score = score_areas(box(0, 0, 100, 100), study, np.vstack([inside, outside]))
    assert score.hit_rate == pytest.approx(0.30)
    assert score.area_share == pytest.approx(0.01)
    assert score.pai == pytest.approx(30.0)


def test_pai_hand_made_circles_weighted_and_overlap_counted_once() -> None:
    study = box(0, 0, 1000, 1000)
    points = np.array([[500, 500], [510, 500], [900, 900]])
    harm = np.array([3.0, 1.0, 6.0])
    one = circles(np.array([[500, 500]]), 50)
    twice = circles(np.array([[500, 500], [500, 500]]), 50)
    a = score_areas(one, study, points, harm)
    b = score_areas(twice, study, points, harm)
    expected_share = math.pi * 50**2 / 1e6
    assert a.area_share == pytest.approx(expected_share, rel=0.005)
    assert a.hit_rate == pytest.approx(0.4)
    assert a.pai == pytest.approx(0.4 / expected_share, rel=0.005)
    assert b.area_m2 == pytest.approx(a.area_m2) and b.pai == pytest.approx(a.pai)


def _cross_graph() -> nx.MultiDiGraph:
    """Roundhay Road (east-west, tertiary) crossing Harehills Lane (north-south) in Leeds,
    plus a footpath 600 m further east."""
    graph = nx.MultiDiGraph(crs="epsg:4326")
    lat0, lon0 = 53.815, -1.52
    dlat = 300 / 111_200
    dlon = 300 / (111_200 * math.cos(math.radians(lat0)))
    nodes = {
        0: (lat0, lon0),
        1: (lat0, lon0 - dlon),
        2: (lat0, lon0 + dlon),
        3: (lat0 - dlat, lon0),
        4: (lat0 + dlat, lon0),
        5: (lat0, lon0 + 3 * dlon),
    }
    for n, (lat, lon) in nodes.items():
        graph.add_node(n, y=lat, x=lon)
    streets = [
        (0, 1, "Roundhay Road", "tertiary"),
        (0, 2, "Roundhay Road", "tertiary"),
        (0, 3, "Harehills Lane", "residential"),
        (0, 4, "Harehills Lane", "residential"),
        (2, 5, None, "footway"),
    ]
    for u, v, name, highway in streets:
        length = float(haversine_m(*nodes[u], *nodes[v]))
        attrs = {"highway": highway, "length": length}
        if name:
            attrs["name"] = name
        graph.add_edge(u, v, **attrs)
        graph.add_edge(v, u, **attrs)
    return graph


def _records(lat, lon, crime_type, n, when=None):
    return [
        CrimeRecord(lat, lon, crime_type, "2018-07", when, "On or near Somewhere", "t.csv", i + 2)
        for i in range(n)
    ]


def test_hand_made_junction_is_named_after_both_streets() -> None:
    graph = _cross_graph()
    lat0, lon0 = graph.nodes[0]["y"], graph.nodes[0]["x"]
    records = _records(lat0 + 0.0001, lon0 + 0.0001, "Robbery", 5)
    result = derive_hotspots(records, graph, read_harm_weights(), HotspotSettings(top_n=3))
    assert len(result.hotspots) == 1
    h = result.hotspots[0]
    assert set(h.name.split(" / ")) == {"Roundhay Road", "Harehills Lane"}
    assert haversine_m(h.lat, h.lon, lat0, lon0) < 30
    assert h.radius_m == 50 and h.weight == pytest.approx(5 * 365.0)


def test_harm_and_counts_rank_the_same_places_differently() -> None:
    graph = _cross_graph()
    lat0, lon0 = graph.nodes[0]["y"], graph.nodes[0]["x"]
    east = graph.nodes[5]
    violent = _records(lat0, lon0, "Violence and sexual offences", 3)
    nuisance = _records(east["y"], east["x"], "Anti-social behaviour", 20)
    settings = HotspotSettings(top_n=2)
    by_harm = derive_hotspots(violent + nuisance, graph, read_harm_weights(), settings)
    by_count = derive_hotspots(violent + nuisance, graph, counts_only(), settings)
    assert haversine_m(by_harm.hotspots[0].lat, by_harm.hotspots[0].lon, lat0, lon0) < 30
    assert (
        haversine_m(by_count.hotspots[0].lat, by_count.hotspots[0].lon, east["y"], east["x"]) < 30
    )
    # the unnamed footpath falls back to the records' location text
    assert by_count.hotspots[0].name == "Somewhere"
    minimum = derive_hotspots(
        violent + nuisance, graph, counts_only(), HotspotSettings(top_n=2, min_harm=10)
    )
    assert len(minimum.hotspots) == 1


def test_timed_records_give_a_measured_profile_peaking_at_their_hours() -> None:
    graph = _cross_graph()
    lat0, lon0 = graph.nodes[0]["y"], graph.nodes[0]["x"]
    friday_night = dt.datetime(2018, 7, 13, 22, 15)
    records = _records(lat0, lon0, "Public order", 40, when=friday_night)
    result = derive_hotspots(records, graph, read_harm_weights(), HotspotSettings(top_n=1))
    h = result.hotspots[0]
    assert result.risk_measured and not h.risk_assumed
    assert int(np.argmax(h.risk)) == hour_of_week(friday_night) == 4 * 24 + 22
    assert sum(h.risk) == pytest.approx(HOURS_PER_WEEK, rel=1e-3)
    assert min(h.risk) > 0  # shrinkage toward the area's profile keeps every hour possible


def test_assumed_profile_peaks_on_weekend_nights_and_measured_shrinks_to_prior() -> None:
    profile = assumed_profile("evening_weekend")
    assert profile.mean() == pytest.approx(1.0)
    saturday_1am = 5 * 24 + 1
    tuesday_5am = 1 * 24 + 5
    assert profile[saturday_1am] > 2 * profile[tuesday_5am]
    assert np.allclose(assumed_profile("flat"), 1.0)
    prior = assumed_profile("evening_weekend")
    assert np.allclose(measured_profile([], prior=prior), prior)
    few = measured_profile([10], prior=prior, prior_strength=1000)
    assert np.abs(few - prior).max() < 0.2


def test_assumed_profile_follows_each_area_crime_mix() -> None:
    graph = _cross_graph()
    centre, east = graph.nodes[0], graph.nodes[5]
    records = _records(centre["y"], centre["x"], "Violence and sexual offences", 4)
    records += _records(east["y"], east["x"], "Burglary", 4)
    result = derive_hotspots(records, graph, read_harm_weights(), HotspotSettings(top_n=2))
    by_place = {
        round(haversine_m(h.lat, h.lon, centre["y"], centre["x"])) < 30: h for h in result.hotspots
    }
    assert np.allclose(by_place[True].risk, assumed_profile("evening_weekend"), atol=1e-3)
    assert np.allclose(by_place[False].risk, 1.0, atol=1e-3)
    assert all(h.risk_assumed and "ASSUMED" in h.notes for h in result.hotspots)
    flat = derive_hotspots(
        records, graph, read_harm_weights(), HotspotSettings(top_n=2, default_profile="flat")
    )
    assert all(np.allclose(h.risk, 1.0) for h in flat.hotspots)


def test_user_profile_file_is_read_and_bad_rows_reported(tmp_path) -> None:
    from solver.problems import ScenarioError
    from solver.risk_profile import read_profile_csv

    good = tmp_path / "p.csv"
    good.write_text("weekday,hour,risk\n5,22,3\n6,1,1\n")
    profile = read_profile_csv(good)
    assert profile.mean() == pytest.approx(1.0)
    assert profile[4 * 24 + 22] == pytest.approx(3 * profile[5 * 24 + 1]) and profile[0] == 0
    bad = tmp_path / "b.csv"
    bad.write_text("weekday,hour,risk\n8,22,3\n1,24,1\n1,2,-1\n")
    with pytest.raises(ScenarioError) as info:
        read_profile_csv(bad)
    assert [(p.row, p.field) for p in info.value.problems] == [
        (2, "weekday"),
        (3, "hour"),
        (4, "risk"),
    ]
