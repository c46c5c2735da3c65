"""Exports: exact headers, formula neutralisation, coordinates untouched, atomic writes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from solver.atomic import atomic_write
from solver.export import (
    DOSAGE_COLUMNS,
    ROSTER_COLUMNS,
    TOURS_COLUMNS,
    VISITS_COLUMNS,
    safe_text,
    write_plan,
)
from solver.plan_io import read_plan
from tests.plan_fixture import build_small_plan


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    plan, graph = build_small_plan(hotspot_name='=HYPERLINK("http://x","y")')
    folder = tmp_path_factory.mktemp("plan")
    write_plan(plan, folder, graph)
    return plan, graph, folder


def rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as stream:
        reader = csv.DictReader(stream)
        return list(reader.fieldnames or []), list(reader)


def test_csv_headers_are_exact(written) -> None:
    _, _, folder = written
    assert rows(folder / "roster.csv")[0] == list(ROSTER_COLUMNS)
    assert rows(folder / "tours.csv")[0] == list(TOURS_COLUMNS)
    assert rows(folder / "visits.csv")[0] == list(VISITS_COLUMNS)
    assert rows(folder / "dosage.csv")[0] == list(DOSAGE_COLUMNS)


def test_formula_is_neutralised_and_negative_longitudes_untouched(written) -> None:
    plan, _, folder = written
    _, visits = rows(folder / "visits.csv")
    first = visits[0]
    assert first["hotspot_name"].startswith("'=HYPERLINK")
    assert float(first["lon"]) < 0 and not first["lon"].startswith("'")
    assert first["lat"].count(".") == 1 and len(first["lat"].split(".")[1]) == 6
    _, dosage = rows(folder / "dosage.csv")
    assert dosage[0]["hotspot_name"].startswith("'=")
    assert len(dosage) == len(plan.scenario.hotspots)


def test_safe_text_covers_every_formula_prefix() -> None:
    for prefix in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_text(prefix + "1") == "'" + prefix + "1"
    assert safe_text("Roundhay Road") == "Roundhay Road"


def test_visit_times_and_walks_are_consistent(written) -> None:
    plan, _, folder = written
    _, visits = rows(folder / "visits.csv")
    _, tours = rows(folder / "tours.csv")
    assert len(visits) == int(tours[0]["visits"]) == 4
    assert [int(v["seq"]) for v in visits] == [1, 2, 3, 4]
    assert all(v["arrive"] < v["depart"] for v in visits)
    assert sum(float(v["dwell_min"]) for v in visits) == float(tours[0]["dwell_min"])


def test_geojson_has_hotspots_stations_and_street_following_tour(written) -> None:
    plan, _, folder = written
    data = json.loads((folder / "plan.geojson").read_text())
    kinds = [f["properties"]["kind"] for f in data["features"]]
    assert kinds.count("hotspot") == len(plan.scenario.hotspots)
    assert kinds.count("station") == 2
    line = next(f for f in data["features"] if f["properties"]["kind"] == "tour")
    assert line["geometry"]["type"] == "LineString"
    assert len(line["geometry"]["coordinates"]) > len(plan.tours[0].visits) + 2


def test_gpx_parses_with_waypoints_at_visits(written) -> None:
    gpxpy = pytest.importorskip("gpxpy")
    plan, _, folder = written
    files = sorted((folder / "gpx").glob("*.gpx"))
    assert len(files) == 1 and files[0].name == "2026-11-30_Late_CHA-L1.gpx"
    gpx = gpxpy.parse(files[0].read_text())
    assert len(gpx.waypoints) == 4
    assert len(gpx.tracks[0].segments[0].points) > 10
    visit = plan.tours[0].visits[0]
    assert abs(gpx.waypoints[0].latitude - visit.lat) < 1e-6


def test_plan_json_reads_back_the_same_plan(written) -> None:
    plan, _, folder = written
    manifest = json.loads((folder / "plan.json").read_text())
    assert manifest["format_version"] == 1 and manifest["status"] == "complete"
    assert all(len(h) == 64 for h in manifest["inputs_sha256"].values())
    again = read_plan(folder)
    assert again.tours == plan.tours
    assert again.roster == plan.roster
    assert again.dosage == plan.dosage


def test_interrupted_write_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "visits.csv"
    target.write_text("old complete file\n")
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(target) as stream:
            stream.write("half a fi")
            raise KeyboardInterrupt
    assert target.read_text() == "old complete file\n"
    assert [p.name for p in tmp_path.iterdir()] == ["visits.csv"]


def test_read_plan_without_manifest_is_a_clear_problem(tmp_path: Path) -> None:
    from solver.problems import ScenarioError

    with pytest.raises(ScenarioError) as info:
        read_plan(tmp_path)
    assert "no plan.json" in str(info.value)
