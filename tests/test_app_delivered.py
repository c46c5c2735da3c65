"""The app's Delivered view: GPS tracks read in the background, the table, the map, problems."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

pytest.importorskip("pytestqt")

from planner import dialogs  # noqa: E402
from planner.models import DeliveredModel  # noqa: E402
from solver.delivered import delivered_from_files  # noqa: E402
from solver.track_synth import plan_tracks, write_track_gpx, write_tracks_csv  # noqa: E402
from tests.app_helpers import make_window, no_modal_dialogs, wait_idle  # noqa: E402, F401
from tests.conftest import DEMO_DIR  # noqa: E402

NETWORK = DEMO_DIR / "leeds_walk.osm.pbf"
pytestmark = pytest.mark.skipif(not NETWORK.exists(), reason="demo street network not present")


@pytest.fixture
def shown(qtbot, tmp_path):
    """A window on the demo showing the small hand-made plan (no solving), and its graph."""
    from tests.plan_fixture import build_small_plan

    plan, graph = build_small_plan()
    window = make_window(qtbot, tmp_path)
    window.open_demo()
    wait_idle(qtbot, window)
    window.plan = plan
    window._fill_day_shift()
    window._refresh_all()
    window._update_actions()
    return window, plan, graph


def synthetic_tracks(plan, graph):
    return [track for _, _, track in plan_tracks(list(plan.tours), graph, seed=7)]


def ask_returns(monkeypatch, paths: list[Path]) -> None:
    monkeypatch.setattr(dialogs.TrackFilesDialog, "ask", classmethod(lambda cls, parent, start="": list(paths)))


@pytest.mark.parametrize("kind", ["gpx", "csv"])
def test_tracks_along_the_plan_fill_the_delivered_table_and_the_map(shown, tmp_path, monkeypatch, kind):
    window, plan, graph = shown
    assert window.act_delivered.isEnabled() and not window.act_export_delivered.isEnabled()
    tracks = synthetic_tracks(plan, graph)
    if kind == "gpx":
        paths = []
        for number, track in enumerate(tracks):
            path = tmp_path / f"track{number}.gpx"
            write_track_gpx(track, path)
            paths.append(path)
    else:
        paths = [tmp_path / "tracks.csv"]
        write_tracks_csv(tracks, paths[0])
    ask_returns(monkeypatch, paths)
    window.act_delivered.trigger()
    wait_idle(None, window)
    assert window.delivered is not None
    model = window.delivered_model
    rows = model.rows()
    assert rows, "the chosen day's hotspots are listed"
    assert sum(r.delivered_min for r in rows) > 0
    # independent check: the table is the engine's answer for the same files
    expected, _ = delivered_from_files(plan, paths, skip_bad_rows=True)
    day = window.selected_day()
    assert {(r.hotspot_id, round(r.delivered_min, 3)) for r in rows} == {
        (r.hotspot_id, round(r.delivered_min, 3)) for r in expected.hotspot_days if r.date == day}
    # the table shows the figures, and the week's totals are in the header line
    shown_minutes = {model.index(i, 5).data() for i in range(model.rowCount())}
    assert any(text != "0" for text in shown_minutes)
    assert "Week:" in window.delivered_label.text()
    # the tracks are drawn beside the planned routes
    assert window.map.track_items and window.map.route_items
    assert all(item.pen().style().name == "DashLine" for item in window.map.track_items)
    assert window.act_export_delivered.isEnabled()
    # whole week lists every day's rows
    window.delivered_week.setChecked(True)
    assert model.rowCount() == len(expected.hotspot_days)


def test_export_delivered_writes_the_report_folder(shown, tmp_path, monkeypatch):
    window, plan, graph = shown
    path = tmp_path / "tracks.csv"
    write_tracks_csv(synthetic_tracks(plan, graph), path)
    ask_returns(monkeypatch, [path])
    window.act_delivered.trigger()
    wait_idle(None, window)
    folder = tmp_path / "out"
    monkeypatch.setattr(dialogs.FileDialogs, "choose_folder", classmethod(lambda cls, parent, title, start="": folder))
    window.act_export_delivered.trigger()
    wait_idle(None, window)
    assert (folder / "delivered.csv").exists()
    lines = (folder / "delivered.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + len(window.delivered.report.hotspot_days)


def test_a_bad_track_file_lists_its_problems(shown, tmp_path, monkeypatch):
    window, _plan, _graph = shown
    bad = tmp_path / "bad.csv"
    bad.write_text("who,when\nx,yesterday\n", encoding="utf-8")
    ask_returns(monkeypatch, [bad])
    window.act_delivered.trigger()
    wait_idle(None, window)
    assert window.delivered is None
    problems = window.problems_model.rows()
    assert any(p.file.endswith("bad.csv") or "bad.csv" in p.message for p in problems)
    assert not window.map.track_items


def test_delivered_model_passes_the_tester(qapp, qtmodeltester, tmp_path):
    from tests.plan_fixture import build_small_plan

    plan, graph = build_small_plan()
    path = tmp_path / "tracks.csv"
    write_tracks_csv(synthetic_tracks(plan, graph), path)
    report, _ = delivered_from_files(plan, [path])
    model = DeliveredModel()
    qtmodeltester.check(model)
    model.set_report(report)
    assert model.rowCount() == len(report.hotspot_days)
    qtmodeltester.check(model)
    model.set_report(report, plan.tours[0].date)
    qtmodeltester.check(model)


def test_delivered_work_stops_when_cancelled(tmp_path):
    import threading

    from planner.jobs import delivered_work
    from planner.workers import JobCancelled
    from tests.plan_fixture import build_small_plan

    plan, graph = build_small_plan()
    path = tmp_path / "tracks.csv"
    write_tracks_csv(synthetic_tracks(plan, graph), path)
    cancel = threading.Event()
    cancel.set()
    seen: list[str] = []
    with pytest.raises(JobCancelled):
        delivered_work(plan, [path])(lambda stage, fraction, message: seen.append(stage), cancel)
    assert seen, "progress was reported before the cancel took effect"
