"""The main window offscreen: open the demo, bad files, problems, edits, save and reopen."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt  # noqa: E402
import shutil  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

pytest.importorskip("pytestqt")

from planner import dialogs  # noqa: E402
from planner.models import RosterModel  # noqa: E402
from planner.project import read_project  # noqa: E402
from solver.demo import demo_scenario_path  # noqa: E402
from solver.plan_io import plan_to_dict  # noqa: E402
from tests.app_helpers import discard_on_close, make_window, no_modal_dialogs, wait_idle  # noqa: E402, F401
from tests.conftest import DEMO_DIR  # noqa: E402

NETWORK = DEMO_DIR / "leeds_walk.osm.pbf"
needs_network = pytest.mark.skipif(not NETWORK.exists(), reason="demo street network not present")


@pytest.fixture
def demo_folder(tmp_path: Path) -> Path:
    """A writable copy of the demo with its real street network; returns scenario.toml."""
    folder = tmp_path / "demo"
    shutil.copytree(DEMO_DIR, folder, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    return folder / "scenario.toml"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@needs_network
def test_open_demo_fills_map_roster_and_an_empty_problems_list(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    window.open_demo()
    wait_idle(qtbot, window)
    scenario = window.scenario
    assert scenario is not None and window.graph is not None
    assert window.problems_model.rowCount() == 0
    assert window.roster_model.rowCount() == len(scenario.officers)
    assert set(window.map.hotspot_items) == {h.id for h in scenario.hotspots}
    assert set(window.map.station_items) == {s.id for s in scenario.stations}
    assert sum(not item.path().isEmpty() for item in window.map.street_items) == 3
    assert window.day_combo.count() == scenario.days
    assert window.plan_blocked_reason() == ""
    assert window.act_plan.isEnabled()
    assert str(demo_scenario_path()) in window.recent_files()
    # the scale bar's length is a round number of metres below a fifth of the view
    assert window.map.metres_per_pixel() > 0
    discard_on_close(window)


def test_broken_officers_file_lists_its_problems_and_blocks_planning(qtbot, tmp_path, demo_copy):
    officers = demo_copy.parent / "officers.csv"
    edit(officers, "2050,PC 2050,PC,HAR,40", "2050,PC 2050,PC,NOWHERE,forty")
    window = make_window(qtbot, tmp_path)
    window.open_path(demo_copy)
    wait_idle(qtbot, window)
    rows = window.problems_model.rows()
    assert rows, "the problems list should show the officers file's problems"
    mine = [r for r in rows if r.file.endswith("officers.csv")]
    assert {r.field for r in mine} >= {"station", "contracted_hours"}
    assert all(r.row == 3 for r in mine)  # the header is line 1, PC 2050 is line 3
    assert window.problems_model.index(0, 0).data() == "officers.csv"
    assert not window.act_plan.isEnabled()
    assert "problem" in window.plan_blocked_reason()
    assert "problem" in window.act_plan.toolTip()
    window.start_plan()  # says why, starts nothing
    assert not window.runner.busy
    discard_on_close(window)


def test_missing_scenario_file_is_a_problem_not_a_crash(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    window.open_path(tmp_path / "nope.toml")
    wait_idle(qtbot, window)
    assert any("not found" in r.message for r in window.problems_model.rows())
    window.open_path(tmp_path / "nope.patrolplan")
    assert any("not found" in r.message for r in window.problems_model.rows())
    damaged = tmp_path / "damaged.patrolplan"
    damaged.write_text("{not json", encoding="utf-8")
    window.open_path(damaged)
    assert any("project file" in r.message for r in window.problems_model.rows())
    discard_on_close(window)


@needs_network
def test_clicking_a_hotspot_problem_selects_it_on_the_map(qtbot, tmp_path, demo_folder):
    hotspots = demo_folder.parent / "hotspots.csv"
    text = hotspots.read_text(encoding="utf-8").splitlines()
    parts = text[5].split(",")  # H05
    parts[2] = "53.900000"
    text[5] = ",".join(parts)
    hotspots.write_text("\n".join(text) + "\n", encoding="utf-8")
    window = make_window(qtbot, tmp_path)
    window.open_path(demo_folder)
    wait_idle(qtbot, window)
    rows = window.problems_model.rows()
    assert any("H05" in r.message for r in rows)
    assert window.graph is not None and "H05" in window.map.hotspot_items
    assert not window.act_plan.isEnabled()
    row = next(i for i, r in enumerate(rows) if "H05" in r.message)
    window._problem_clicked(window.problems_model.index(row, 3))
    assert window.map._selection is not None
    ring = window.map._selection.sceneBoundingRect()
    assert ring.contains(window.map.hotspot_items["H05"].sceneBoundingRect().center())
    discard_on_close(window)


def _load_small_plan(qtbot, tmp_path):
    from tests.plan_fixture import build_small_plan

    window = make_window(qtbot, tmp_path)
    window.open_demo()
    wait_idle(qtbot, window)
    plan, _graph = build_small_plan()
    window._planned(plan, cancelled=False)
    return window, plan


@needs_network
def test_a_plan_shows_in_grid_units_map_and_dosage(qtbot, tmp_path):
    window, plan = _load_small_plan(qtbot, tmp_path)
    tour = plan.tours[0]
    assert window.selected_day() == tour.date and window.selected_shift() == tour.shift
    assert window.units_model.rowCount() == 1
    assert set(window.map.route_items) == {tour.unit_id}
    assert len(window.map.visit_items[tour.unit_id]) == len(tour.visits)
    assert not window.map.route_items[tour.unit_id].path().isEmpty()
    officer = plan.roster[0].officer_id
    row = [o.id for o in window.scenario.officers].index(officer)
    column = window.scenario.dates.index(tour.date)
    assert window.roster_model.index(row, column).data().endswith(tour.shift)
    assert sum(p for _, _, p in window.dosage_chart.bars()) == len(tour.visits)
    # selecting the unit highlights its route
    window.units_view.selectRow(0)
    assert window.map.selected_unit == tour.unit_id
    # hovering a visited hotspot tells its planned visits
    visited = tour.visits[0].hotspot_id
    assert "Planned" in window.map.hotspot_items[visited].toolTip()
    assert window.act_export.isEnabled()
    assert window.plan_label.text().startswith(f"Plan {plan.status} · {len(plan.roster)} tours")
    discard_on_close(window)


@needs_network
def test_edit_lock_and_sick_mark_the_grid(qtbot, tmp_path):
    window, plan = _load_small_plan(qtbot, tmp_path)
    scenario = window.scenario
    officer = scenario.officers[3]
    day = scenario.dates[1]
    index = window.roster_model.index(3, 1)
    assert window.roster_model.setData(index, "Early")
    assert window.edits.locks[(officer.id, day)] == "Early"
    assert window.roster_model.index(3, 1).data(RosterModel.LockedRole)
    assert window.dirty
    menu = window.roster_view.menu_for(window.roster_model.index(3, 1))
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts[0] == "Unlock" and "Officer sick" in texts and any(t.startswith("Re-plan from") for t in texts)
    window.set_lock(officer.id, day, False)
    assert (officer.id, day) not in window.edits.locks
    window.set_sick(officer.id, day, True)
    assert window.scenario.officer(officer.id).unavailable_on(day).reason == "sick"
    assert window.roster_model.index(3, 1).data() == "sick"
    assert window.roster_view.is_absent(officer.id, day)
    window.set_sick(officer.id, day, False)
    assert window.scenario.officer(officer.id).unavailable_on(day) is None
    discard_on_close(window)


@needs_network
def test_save_and_reopen_shows_the_same_plan_without_solving(qtbot, tmp_path, monkeypatch):
    window, plan = _load_small_plan(qtbot, tmp_path)
    scenario = window.scenario
    window.set_cell(scenario.officers[5].id, scenario.dates[4], "Late")
    window.set_sick(scenario.officers[6].id, scenario.dates[2], True)
    target = tmp_path / "week.patrolplan"
    monkeypatch.setattr(dialogs.FileDialogs, "save_project", classmethod(lambda cls, parent, start="": target))
    assert window.save()
    assert target.exists() and not window.dirty
    assert not list(tmp_path.glob(".week.patrolplan.*"))  # no temporary file left behind
    saved = read_project(target)
    assert saved.changed_inputs == ()
    window.close()

    def no_solving(*args, **kwargs):
        raise AssertionError("reopening must not plan again")

    monkeypatch.setattr("planner.jobs.plan_function", no_solving)
    again = make_window(qtbot, tmp_path)
    again.open_path(target)
    wait_idle(qtbot, again)
    assert again.plan is not None
    assert plan_to_dict(again.plan) == plan_to_dict(plan)
    assert again.plan.status == plan.status
    assert again.edits.locks == window.edits.locks
    assert again.edits.absences == window.edits.absences
    assert again.scenario.officer(scenario.officers[6].id).unavailable_on(scenario.dates[2]).reason == "sick"
    assert again.project_path == target.resolve()
    assert not again.dirty
    discard_on_close(again)


@needs_network
def test_autosave_and_recovery(qtbot, tmp_path, monkeypatch):
    window, plan = _load_small_plan(qtbot, tmp_path)
    assert window.autosave() == window.autosave_path
    assert window.autosave_path.exists()
    monkeypatch.setattr(dialogs.RecoverDialog, "ask", classmethod(lambda cls, parent, path, saved: True))
    other = make_window(qtbot, tmp_path)
    assert other.offer_recovery()
    wait_idle(qtbot, other)
    assert other.plan is not None and plan_to_dict(other.plan) == plan_to_dict(plan)
    assert other.dirty
    discard_on_close(other)
    discard_on_close(window)


@needs_network
def test_close_with_unsaved_changes_asks(qtbot, tmp_path, monkeypatch):
    window, _plan = _load_small_plan(qtbot, tmp_path)
    answers = ["cancel"]
    monkeypatch.setattr(dialogs.UnsavedChangesDialog, "ask", classmethod(lambda cls, parent, what="": answers[0]))
    assert window.dirty
    assert not window.close()
    assert window.isVisible()
    answers[0] = "discard"
    assert window.close()


def test_closing_cancels_running_work_and_waits_a_bounded_time(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    stopped = []

    def work(progress, cancel):
        while not cancel.wait(0.01):
            progress("Roster", 0.5, "searching")
        stopped.append(True)
        return None

    with qtbot.waitSignal(window.runner.started, timeout=5000):
        window.runner.start("plan", work)
    assert window.cancel_button.isVisible()
    began = time.monotonic()
    assert window.close()
    assert time.monotonic() - began < 5.0
    assert stopped == [True]


@needs_network
def test_settings_are_validated_and_applied(qtbot, tmp_path, monkeypatch):
    window = make_window(qtbot, tmp_path)
    window.open_demo()
    wait_idle(qtbot, window)
    dialog = dialogs.SettingsDialog(window.base_scenario, {}, window)
    qtbot.addWidget(dialog)
    assert dialog.problems() == [] and dialog.settings() == {}
    dialog.shift_widgets["Early"][2].setValue(170)
    start, end = dialog.shift_widgets["Early"][0], dialog.shift_widgets["Early"][1]
    end.setTime(start.time().addSecs(3 * 3600))
    assert any("Early" in p and "break" in p for p in dialog.problems())
    chosen = {"patrol": {"walk_speed_kph": 5.0, "visit_min": 10}, "rules": {"min_rest_h": 12}}
    monkeypatch.setattr(dialogs.SettingsDialog, "ask", classmethod(lambda cls, parent, scenario, settings: chosen))
    window.settings_dialog()
    assert window.scenario.patrol.walk_speed_kph == 5.0
    assert window.scenario.rules.min_rest_h == 12
    assert all(h.visit_min == 10 for h in window.scenario.hotspots)
    assert window.base_scenario.patrol.walk_speed_kph != 5.0 or window.base_scenario is not window.scenario
    assert window.dirty
    discard_on_close(window)


def test_about_names_the_data_licences():
    text = " ".join(dialogs.ATTRIBUTIONS)
    assert "OpenStreetMap contributors" in text and "ODbL" in text
    assert "Open Government Licence v3.0" in text and "data.police.uk" in text


def test_day_shift_pickers_follow_the_dates(qtbot, tmp_path, demo_copy):
    window = make_window(qtbot, tmp_path)
    window.open_path(demo_copy)
    wait_idle(qtbot, window)
    assert window.scenario is not None
    assert window.day_combo.count() == window.scenario.days
    window._step_day(1)
    assert window.selected_day() == window.scenario.week_start + dt.timedelta(days=1)
    discard_on_close(window)


@needs_network
def test_a_rule_conflict_shows_in_the_cell_and_the_problems_list(qtbot, tmp_path):
    window, _plan = _load_small_plan(qtbot, tmp_path)
    scenario = window.scenario
    officer = next(o for o in scenario.officers if o.role == "PC" and not o.unavailable)
    row = scenario.officers.index(officer)
    window.set_cell(officer.id, scenario.dates[1], "Night")
    window.set_cell(officer.id, scenario.dates[2], "Early")  # Early straight after a Night: too little rest
    marked = [window.roster_model.index(row, c) for c in (1, 2) if window.roster_model.index(row, c).data(RosterModel.ConflictRole)]
    assert marked, "the conflict shows in the officer's cells"
    assert marked[0].data().startswith("! ")
    conflicts = [r for r in window.problems_model.rows()
                 if r.kind == "conflict" and r.officer_id == officer.id and r.date is not None]
    assert conflicts and {r.date for r in conflicts} <= {scenario.dates[1], scenario.dates[2]}
    assert any("rest" in r.message for r in conflicts)
    # clicking the conflict selects its cell in the grid
    index = window.problems_model.rows().index(conflicts[0])
    window._problem_clicked(window.problems_model.index(index, 3))
    assert window.roster_view.current_cell() == (officer.id, conflicts[0].date)
    window.set_cell(officer.id, scenario.dates[2], None)
    assert not window.roster_model.index(row, 2).data(RosterModel.ConflictRole)
    discard_on_close(window)


@needs_network
def test_export_and_pdfs_from_the_window(qtbot, tmp_path, monkeypatch):
    from planner import printing

    window, plan = _load_small_plan(qtbot, tmp_path)
    folder = tmp_path / "export"
    monkeypatch.setattr(dialogs.FileDialogs, "choose_folder", classmethod(lambda cls, parent, title, start="": folder))
    window.export_dialog()
    wait_idle(qtbot, window)
    names = {p.name for p in folder.iterdir()}
    assert {"roster.csv", "tours.csv", "visits.csv", "dosage.csv", "plan.json", "plan.geojson"} <= names
    window.units_view.selectRow(0)
    for scope in ("unit", "shift", "week", "roster"):
        target = tmp_path / f"{scope}.pdf"
        monkeypatch.setattr(dialogs.PrintScopeDialog, "ask", classmethod(lambda cls, parent, unit, day, shift, s=scope: s))
        monkeypatch.setattr(dialogs.FileDialogs, "save_pdf", classmethod(lambda cls, parent, title, start="", t=target: t))
        window.save_pdf_dialog()
        wait_idle(qtbot, window)
        assert target.read_bytes()[:5] == b"%PDF-", scope
    # printing to a PDF file through the print dialog copies the solver's PDF there
    printed = tmp_path / "printed.pdf"

    def pdf_printer(cls, parent, title):
        printer = printing.QPrinter()
        printer.setOutputFormat(printing.QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        return printer

    monkeypatch.setattr(printing.PrintDialog, "ask", classmethod(pdf_printer))
    monkeypatch.setattr(dialogs.PrintScopeDialog, "ask", classmethod(lambda cls, parent, unit, day, shift: "unit"))
    window.print_dialog()
    wait_idle(qtbot, window)
    assert printed.read_bytes()[:5] == b"%PDF-"
    discard_on_close(window)


def test_new_from_files_writes_a_scenario_and_opens_it(qtbot, tmp_path, monkeypatch, demo_copy):
    import datetime as dt

    folder = demo_copy.parent
    values = {"network": folder / "leeds_walk.osm.pbf", "stations": folder / "stations.csv",
              "hotspots": folder / "hotspots.csv", "officers": folder / "officers.csv",
              "week_start": dt.date(2026, 11, 30)}
    monkeypatch.setattr(dialogs.NewFromFilesDialog, "ask", classmethod(lambda cls, parent: values))
    target = tmp_path / "new" / "week.patrolplan"
    monkeypatch.setattr(dialogs.FileDialogs, "save_project", classmethod(lambda cls, parent, start="": target))
    window = make_window(qtbot, tmp_path)
    window.new_from_files()
    wait_idle(qtbot, window)
    assert target.with_suffix(".toml").exists()
    assert window.scenario is not None
    assert [s.name for s in window.scenario.shifts] == ["Early", "Late", "Night"]
    assert len(window.scenario.officers) == 30
    assert window.project_path == target
    discard_on_close(window)


def test_new_from_files_dialog_names_what_is_missing(qtbot):
    dialog = dialogs.NewFromFilesDialog()
    qtbot.addWidget(dialog)
    problems = dialog.problems()
    assert any("Officers" in p for p in problems) and any("Street network" in p for p in problems)


def test_window_layout_is_remembered_between_runs(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    window.resize(700, 500)  # inside the offscreen screen (800 x 600), so nothing is clamped
    window.units_dock.hide()
    size = (window.width(), window.height())
    assert window.close()
    from PySide6.QtCore import QSettings

    from planner.mainwindow import MainWindow

    again = MainWindow(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat), tmp_path / "autosave.patrolplan")
    qtbot.addWidget(again)
    assert again.units_dock.isHidden()
    assert (again.width(), again.height()) == size != (1200, 800)


@needs_network
def test_wheel_zooms_and_fit_shows_the_whole_area(qtbot, tmp_path):
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent

    window = make_window(qtbot, tmp_path)
    window.open_demo()
    wait_idle(qtbot, window)
    view = window.map
    view.fit_to_area()
    fitted = view.metres_per_pixel()
    centre = QPointF(view.viewport().rect().center())
    event = QWheelEvent(centre, view.mapToGlobal(centre), QPoint(), QPoint(0, 240), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    view.wheelEvent(event)
    assert view.metres_per_pixel() == pytest.approx(fitted / view.ZOOM_STEP ** 2)
    view.fit_to_area()
    assert view.metres_per_pixel() == pytest.approx(fitted)
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(view.area.adjusted(1, 1, -1, -1))
    discard_on_close(window)


def test_a_garbage_network_file_is_a_problem_and_the_app_carries_on(qtbot, tmp_path, demo_copy, request):
    errors = request.getfixturevalue("no_modal_dialogs")
    (demo_copy.parent / "leeds_walk.osm.pbf").write_bytes(b"\x00\x01 this is not OpenStreetMap data" * 50)
    window = make_window(qtbot, tmp_path)
    window.open_path(demo_copy)
    wait_idle(qtbot, window)
    rows = window.problems_model.rows()
    assert any(r.file.endswith("leeds_walk.osm.pbf") for r in rows)
    assert errors == []  # a bad input is a problem in the list, not an error dialog
    assert window.graph is None and not window.map.street_items
    assert not window.act_plan.isEnabled()
    window.open_demo()  # and the next file opens normally
    wait_idle(qtbot, window)
    if (DEMO_DIR / "leeds_walk.osm.pbf").exists():
        assert window.graph is not None and window.problems_model.rowCount() == 0
    discard_on_close(window)
