"""Planning from the window with the real solver on the demo (short time limits).

One window plans the demo once (module fixture); the tests then look at it, re-plan from a
day, save and reopen it. Cancel is tested on a second run.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import time  # noqa: E402

import pytest  # noqa: E402

pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings  # noqa: E402

from planner.edits import Edits  # noqa: E402
from planner.mainwindow import MainWindow  # noqa: E402
from planner.models import RosterModel  # noqa: E402
from planner.rostertable import OFF  # noqa: E402
from solver.plan_io import plan_to_dict  # noqa: E402
from tests.app_helpers import discard_on_close, make_window, no_modal_dialogs, wait_for, wait_idle  # noqa: E402, F401
from tests.conftest import DEMO_DIR  # noqa: E402

pytestmark = pytest.mark.skipif(not (DEMO_DIR / "leeds_walk.osm.pbf").exists(), reason="demo street network not present")

#: Short searches keep the suite quick (the roster gets a quarter: 9 s, enough to find one on a
#: busy 2-core machine); the plan is still a real roster with real routes.
FAST = {"patrol": {"time_limit_s": 36}, "roster": {"time_limit_s": 9}}


@pytest.fixture(scope="module")
def planned(qapp, tmp_path_factory):
    """A window that opened the demo and planned it once; with the progress it reported."""
    folder = tmp_path_factory.mktemp("planned")
    window = MainWindow(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat), folder / "autosave.patrolplan")
    window.resize(1200, 800)
    window.show()
    window.open_demo()
    wait_for(lambda: not window.runner.busy, 60)
    window.edits = Edits(settings=FAST)
    window._edits_changed("fast settings")
    stages: list[str] = []
    window.runner.progress.connect(lambda stage, fraction, message: stages.append(stage))
    window.act_plan.trigger()
    started_busy = window.runner.busy and window.progress_bar.isVisible() and window.cancel_button.isVisible()
    wait_for(lambda: not window.runner.busy, 240)
    yield window, stages, started_busy
    window.setWindowModified(False)
    window.close()


def test_plan_runs_in_the_background_with_progress(planned):
    window, stages, started_busy = planned
    assert started_busy, "Plan returns at once; the work runs in a worker with a progress bar and Cancel"
    assert {"Loading streets", "Roster", "Routes"} <= set(stages)
    assert window.plan is not None
    assert window.plan.status in ("complete", "partial")
    assert not window.progress_bar.isVisible()


def test_roster_grid_shows_the_plan(planned):
    window, _stages, _busy = planned
    plan = window.plan
    officers = [o.id for o in window.scenario.officers]
    for entry in plan.roster:
        index = window.roster_model.index(officers.index(entry.officer_id), window.scenario.dates.index(entry.date))
        assert index.data(RosterModel.ShiftRole) == entry.shift
    worked = {(e.officer_id, e.date) for e in plan.roster}
    for row, officer in enumerate(window.scenario.officers):
        for column, day in enumerate(window.scenario.dates):
            if (officer.id, day) not in worked:
                assert window.roster_model.index(row, column).data(RosterModel.ShiftRole) is None
        totals = window.roster_model.table.totals[row]
        assert totals.tours == sum(1 for e in plan.roster if e.officer_id == officer.id)


def test_map_units_and_dosage_show_the_selected_day_and_shift(planned):
    window, _stages, _busy = planned
    plan = window.plan
    day, shift = window.selected_day(), window.selected_shift()
    tours = plan.tours_on(day, shift)
    assert tours, "the window picks a shift with routes"
    assert set(window.map.route_items) == {t.unit_id for t in tours}
    assert window.units_model.rowCount() == len(tours)
    for tour in tours:
        assert len(window.map.visit_items[tour.unit_id]) == len(tour.visits)
    rows = [d for d in plan.dosage if d.date == day]
    assert window.dosage_model.rowCount() == len(rows)
    assert [b[2] for b in window.dosage_chart.bars()] == [d.planned_visits for d in sorted(rows, key=lambda d: d.hotspot_id)]


def test_dosage_week_view_sums_the_days(planned):
    window, _stages, _busy = planned
    plan = window.plan
    window.dosage_week.setChecked(True)
    try:
        assert window.dosage_model.rowCount() == len({d.hotspot_id for d in plan.dosage})
        bars = {hotspot: (target, visits) for hotspot, target, visits in window.dosage_chart.bars()}
        for hotspot_id, (target, visits) in bars.items():
            rows = [d for d in plan.dosage if d.hotspot_id == hotspot_id]
            assert target == sum(d.target_visits for d in rows)
            assert visits == sum(d.planned_visits for d in rows)
        assert "week" in window.dosage_dock.windowTitle()
    finally:
        window.dosage_week.setChecked(False)
    assert window.dosage_model.rowCount() == len([d for d in plan.dosage if d.date == window.selected_day()])


def test_save_and_reopen_shows_the_same_plan_without_solving(planned, qtbot, tmp_path, monkeypatch):
    window, _stages, _busy = planned
    target = tmp_path / "demo.patrolplan"
    assert window._save_to(target)

    def no_solving(*args, **kwargs):
        raise AssertionError("reopening must not plan again")

    monkeypatch.setattr("planner.jobs.plan_function", no_solving)
    again = make_window(qtbot, tmp_path)
    again.open_path(target)
    wait_idle(qtbot, again)
    assert plan_to_dict(again.plan) == plan_to_dict(window.plan)
    assert again.plan.status == window.plan.status and again.plan.kpis == window.plan.kpis
    assert again.edits.settings == FAST
    discard_on_close(again)


def test_edit_lock_and_replan_keep_the_lock_and_the_days_before(planned):
    window, _stages, _busy = planned
    before = window.plan
    dates = window.scenario.dates
    replan_day, lock_day = dates[3], dates[4]
    on_lock_day = [e for e in before.roster if e.date == lock_day]
    locked = on_lock_day[0]
    sick = next(e for e in before.roster if e.date == replan_day and e.officer_id != locked.officer_id)
    row = [o.id for o in window.scenario.officers].index(locked.officer_id)
    assert window.roster_model.setData(window.roster_model.index(row, dates.index(lock_day)), OFF)
    window.set_sick(sick.officer_id, replan_day, True)
    window.start_replan(replan_day)
    assert window.runner.busy
    wait_for(lambda: not window.runner.busy, 240)
    after = window.plan
    assert after is not before
    kept = {(e.officer_id, e.date, e.shift) for e in before.roster if e.date < replan_day}
    assert kept == {(e.officer_id, e.date, e.shift) for e in after.roster if e.date < replan_day}
    assert (locked.officer_id, lock_day) not in {(e.officer_id, e.date) for e in after.roster}
    assert (sick.officer_id, replan_day) not in {(e.officer_id, e.date) for e in after.roster}
    assert after.changes, "the sick officer's tour at least changed"
    officers = [o.id for o in window.scenario.officers]
    for change in after.changes:
        index = window.roster_model.index(officers.index(change.officer_id), dates.index(change.date))
        assert index.data(RosterModel.ChangedRole)
        assert change.date >= replan_day
    assert window.changes_model.rowCount() == len(after.changes)
    assert window.roster_model.index(row, dates.index(lock_day)).data(RosterModel.LockedRole)
    html = window.changes_html()
    assert all(window.scenario.officer(c.officer_id).name in html for c in after.changes)


def test_cancel_mid_plan_keeps_the_best_plan_marked_cancelled(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path)
    window.open_demo()
    wait_idle(qtbot, window)
    window.edits = Edits(settings={"patrol": {"time_limit_s": 120}, "roster": {"time_limit_s": 30}})
    window._edits_changed("long search")
    seen: list[tuple[str, str]] = []
    window.runner.progress.connect(lambda stage, fraction, message: seen.append((stage, message)))
    window.start_plan()
    # cancel as soon as the roster search has a solution (it would search for 30 s)
    wait_for(lambda: any(stage == "Roster" and "best" in message for stage, message in seen), 120)
    cancelled = []
    window.runner.cancelled.connect(lambda name, result: cancelled.append(name))
    began = time.monotonic()
    window.act_cancel.trigger()
    wait_for(lambda: bool(cancelled), 60)
    assert time.monotonic() - began < 20
    assert window.plan is not None and window.plan.status == "cancelled"
    assert window.plan.roster, "the roster found before the cancel is kept"
    discard_on_close(window)


def test_a_second_plan_cancels_the_first(qtbot, tmp_path, monkeypatch):
    window = make_window(qtbot, tmp_path)
    window.open_demo()
    wait_idle(qtbot, window)
    calls: list[object] = []

    def fake_plan(scenario, settings, *, progress, cancel, previous, replan_from, locks):
        calls.append(cancel)
        cancel.wait(10)
        raise dialogs_error()

    def dialogs_error():
        return RuntimeError("stopped")

    monkeypatch.setattr("planner.jobs.plan_function", lambda: fake_plan)
    window.start_plan()
    qtbot.waitUntil(lambda: len(calls) == 1, timeout=5000)
    window.start_plan()
    qtbot.waitUntil(lambda: len(calls) == 2, timeout=5000)
    assert calls[0].is_set() and not calls[1].is_set()
    window.cancel_job()
    wait_idle(qtbot, window)
    discard_on_close(window)



def test_an_impossible_roster_lists_the_explanation(qtbot, tmp_path, monkeypatch):
    from solver.plan import RosterInfeasible

    window = make_window(qtbot, tmp_path)
    window.open_demo()
    wait_idle(qtbot, window)

    def impossible(*args, **kwargs):
        raise RosterInfeasible(["PC 2039 on Monday: locked to Early but on annual leave."])

    monkeypatch.setattr("planner.jobs.plan_function", lambda: impossible)
    window.start_plan()
    wait_idle(qtbot, window)
    assert window.plan is None
    assert [r.message for r in window.problems_model.rows() if r.kind == "plan"] == [
        "PC 2039 on Monday: locked to Early but on annual leave."]
    discard_on_close(window)


def test_an_unexpected_error_goes_to_one_dialog_and_the_app_lives_on(qtbot, tmp_path, monkeypatch, request):
    errors = request.getfixturevalue("no_modal_dialogs")
    window = make_window(qtbot, tmp_path)
    window.open_demo()
    wait_idle(qtbot, window)

    def broken(*args, **kwargs):
        raise RuntimeError("matrix exploded")

    monkeypatch.setattr("planner.jobs.plan_function", lambda: broken)
    window.start_plan()
    wait_idle(qtbot, window)
    assert len(errors) == 1
    message, details = errors[0]
    assert "matrix exploded" in message and "Traceback" in details
    assert window.act_plan.isEnabled() and window.scenario is not None
    discard_on_close(window)
