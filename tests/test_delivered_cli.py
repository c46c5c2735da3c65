"""``patrol-plan delivered`` end to end on a plan folder of the hand-made demo tour."""

from __future__ import annotations

import csv
import json

import pytest

from solver.cli import main
from solver.delivered_write import DELIVERED_COLUMNS
from solver.export import write_plan
from solver.track_synth import plan_tracks, write_track_gpx, write_tracks_csv
from tests.plan_fixture import build_small_plan


@pytest.fixture(scope="module")
def plan_folder(tmp_path_factory):
    plan, graph = build_small_plan()
    folder = tmp_path_factory.mktemp("plan")
    write_plan(plan, folder, graph)
    [(_, _, track)] = list(plan_tracks(list(plan.tours), graph, seed=11))
    return plan, folder, track


def test_cli_writes_delivered_csv_with_exact_columns_and_a_pdf(plan_folder, tmp_path, capsys):
    plan, folder, track = plan_folder
    tracks = tmp_path / "avl.csv"
    write_tracks_csv([track], tracks, ids={track.track_id: "RADIO-7"})
    stranger = tmp_path / "stranger.gpx"
    write_track_gpx(track, stranger, name="nobody")
    devices = tmp_path / "devices.csv"
    devices.write_text(f"device_id,officer_id\nRADIO-7,{track.track_id}\n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["delivered", str(folder), str(tracks), str(stranger), "--out", str(out), "--devices", str(devices)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "unmatched" in captured.err and "nobody" in captured.err
    with (out / "delivered.csv").open(newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    assert tuple(rows[0]) == DELIVERED_COLUMNS
    body = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert len(body) == plan.scenario.days * len(plan.scenario.hotspots)
    planned = sum(float(r["planned_min"]) for r in body)
    assert planned == pytest.approx(plan.tours[0].dwell_min)
    for visit in plan.tours[0].visits:
        [row] = [r for r in body if r["hotspot_id"] == visit.hotspot_id and r["date"] == visit.arrive.date().isoformat()]
        assert int(row["delivered_visits"]) >= 1
        assert float(row["delivered_min"]) >= float(row["planned_min"]) - 2.0
    pypdf = pytest.importorskip("pypdf")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(out / "delivered_summary.pdf").pages)
    assert "Patrol visits to hotspots" in text and "Hours in hotspots" in text
    delivered_h = sum(float(r["delivered_min"]) for r in body) / 60
    assert f"{delivered_h:.1f}" in text and "nobody" in text
    for name in ("delivered_visits.csv", "delivered_planned.csv", "delivered_tours.csv", "tracks.csv"):
        assert (out / name).stat().st_size > 0
    geo = json.loads((out / "delivered_tracks.geojson").read_text(encoding="utf-8"))
    [feature] = geo["features"]
    assert feature["properties"]["unit_id"] == plan.tours[0].unit_id
    points = [p for line in feature["geometry"]["coordinates"] for p in line]
    assert len(points) >= 0.9 * len(track)
    with (out / "tracks.csv").open(newline="", encoding="utf-8") as stream:
        reports = {r["track_id"]: r for r in csv.DictReader(stream)}
    assert reports["RADIO-7"]["officer_id"] == track.track_id and not reports["RADIO-7"]["unmatched"]
    assert reports["nobody"]["unmatched"]


def test_cli_lists_bad_rows_and_fails(plan_folder, tmp_path, capsys):
    _, folder, _ = plan_folder
    bad = tmp_path / "bad.csv"
    bad.write_text("device_or_officer_id,timestamp,lat,lon\nA,2026-12-01T18:00:00Z,53.81,-1.52\nA,not a time,53.81,-1.52\n",
                   encoding="utf-8")
    code = main(["delivered", str(folder), str(bad), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    assert "bad.csv, line 3, field 'timestamp'" in err
    assert "--skip-bad-rows" in err
    assert not (tmp_path / "out" / "delivered.csv").exists()
    code = main(["delivered", str(folder), str(bad), "--out", str(tmp_path / "out"), "--skip-bad-rows"])
    assert code == 0


def test_cli_rejects_bad_options(plan_folder, tmp_path, capsys):
    _, folder, _ = plan_folder
    missing = tmp_path / "none.csv"
    assert main(["delivered", str(folder), str(missing), "--out", str(tmp_path / "o")]) == 1
    assert "none.csv: file not found" in capsys.readouterr().err
    assert main(["delivered", str(folder), str(missing), "--out", str(tmp_path / "o"), "--koper-min", "30", "--koper-max", "20"]) == 1
    assert "Koper" in capsys.readouterr().err
    assert main(["delivered", str(tmp_path), str(missing), "--out", str(tmp_path / "o")]) == 1
    assert "plan.json" in capsys.readouterr().err
    assert main(["delivered", str(folder), str(missing), "--out", str(tmp_path / "o"), "--tz", "Mars/Olympus"]) == 1
    assert "Mars/Olympus" in capsys.readouterr().err
