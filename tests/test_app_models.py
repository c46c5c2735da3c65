"""Qt item models of the app: pytest-qt's model tester on each, with real content."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt  # noqa: E402

import pytest  # noqa: E402

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from planner.edits import Edits, apply_edits  # noqa: E402
from planner.models import (  # noqa: E402
    ChangesModel,
    DosageModel,
    ProblemRow,
    ProblemsModel,
    RosterModel,
    UnitsModel,
)
from planner.rostertable import OFF, build_roster_table  # noqa: E402
from solver.plan_model import RosterChange  # noqa: E402
from solver.scenario import read_scenario  # noqa: E402
from tests.conftest import DEMO_DIR  # noqa: E402


@pytest.fixture(scope="module")
def small_plan():
    from tests.plan_fixture import build_small_plan

    return build_small_plan()[0]


def test_problems_model(qapp, qtmodeltester):
    model = ProblemsModel()
    model.set_rows([ProblemRow("/x/officers.csv", 4, "station", "unknown station 'ZZZ'"),
                    ProblemRow("roster", None, "rest", "too little rest", "conflict", "2039", dt.date(2026, 12, 1))])
    qtmodeltester.check(model)
    assert model.index(0, 0).data() == "officers.csv"
    assert model.index(0, 1).data() == "4"


def test_roster_model_before_a_plan(qapp, qtmodeltester, demo_copy):
    scenario = read_scenario(demo_copy)
    model = RosterModel()
    model.set_table(build_roster_table(scenario, None, {}))
    qtmodeltester.check(model)
    assert model.rowCount() == len(scenario.officers)
    assert model.columnCount() == len(scenario.dates) + len(RosterModel.TOTALS)
    away = next(o for o in scenario.officers if o.unavailable)
    row = scenario.officers.index(away)
    column = scenario.dates.index(away.unavailable[0].date)
    assert model.index(row, column).data() == away.unavailable[0].reason


def test_roster_model_with_plan_locks_and_changes(qapp, qtmodeltester, small_plan):
    scenario = small_plan.scenario
    entry = small_plan.roster[0]
    other = scenario.officers[1]
    day = scenario.dates[2]
    edits = Edits().with_lock(other.id, day, "Early").with_absence(scenario.officers[2].id, day)
    plan = small_plan.__class__(**{**small_plan.__dict__, "changes": (RosterChange(entry.officer_id, entry.date, None, entry.shift),)})
    shown = apply_edits(scenario, edits)
    model = RosterModel()
    model.set_table(build_roster_table(shown, plan, edits.locks))
    qtmodeltester.check(model)
    first = model.index(scenario.officers.index(scenario.officer(entry.officer_id)), scenario.dates.index(entry.date))
    assert first.data() == entry.shift and first.data(RosterModel.ChangedRole)
    locked = model.index(1, 2)
    assert locked.data() == "Early" and locked.data(RosterModel.LockedRole)
    assert locked.data(Qt.ItemDataRole.DecorationRole) is not None
    assert model.index(2, 2).data() == "sick"


def test_roster_model_edit_emits_the_new_cell_and_rejects_unknown_shifts(qtbot, demo_copy):
    scenario = read_scenario(demo_copy)
    model = RosterModel()
    model.set_table(build_roster_table(scenario, None, {}))
    edited = []
    model.cell_edited.connect(lambda *args: edited.append(args))
    assert model.setData(model.index(0, 0), "Late")
    assert model.setData(model.index(0, 1), OFF)
    assert not model.setData(model.index(0, 1), "Brunch")
    assert not model.setData(model.index(0, len(scenario.dates)), "Late")  # totals are not editable
    assert edited == [(scenario.officers[0].id, scenario.dates[0], "Late"), (scenario.officers[0].id, scenario.dates[1], None)]


def test_units_dosage_and_changes_models(qapp, qtmodeltester, small_plan):
    tour = small_plan.tours[0]
    units = UnitsModel()
    units.set_tours(small_plan.tours_on(tour.date, tour.shift), {o.id: o.name for o in small_plan.scenario.officers})
    qtmodeltester.check(units)
    assert units.index(0, 0).data() == tour.unit_id
    assert units.index(0, 3).data() == str(len(tour.visits))
    dosage = DosageModel()
    dosage.set_plan(small_plan, tour.date)
    qtmodeltester.check(dosage)
    assert dosage.rowCount() == len([d for d in small_plan.dosage if d.date == tour.date])
    assert sum(planned for _, _, planned in dosage.bars()) == sum(d.planned_visits for d in small_plan.dosage if d.date == tour.date)
    changes = ChangesModel()
    changes.set_changes([RosterChange(tour.officer_ids[0], tour.date, "Early", None)], {})
    qtmodeltester.check(changes)
    assert changes.index(0, 3).data() == OFF


def test_empty_models_pass_the_tester(qapp, qtmodeltester):
    for model in (ProblemsModel(), RosterModel(), UnitsModel(), DosageModel(), ChangesModel()):
        qtmodeltester.check(model)


def test_demo_dir_is_the_packaged_demo():
    assert (DEMO_DIR / "scenario.toml").exists()


def test_shift_delegate_edits_a_cell_with_a_combo_box(qtbot, demo_copy):
    from PySide6.QtWidgets import QStyleOptionViewItem

    from planner.rosterview import RosterView

    scenario = read_scenario(demo_copy)
    model = RosterModel()
    model.set_table(build_roster_table(scenario, None, {}))
    view = RosterView()
    qtbot.addWidget(view)
    view.setModel(model)
    edited = []
    model.cell_edited.connect(lambda *args: edited.append(args))
    index = model.index(0, 0)
    delegate = view.itemDelegate()
    editor = delegate.createEditor(view.viewport(), QStyleOptionViewItem(), index)
    assert [editor.itemText(i) for i in range(editor.count())] == [OFF, *(s.name for s in scenario.shifts)]
    delegate.setEditorData(editor, index)
    assert editor.currentText() == OFF
    editor.setCurrentText("Night")
    delegate.setModelData(editor, model, index)
    assert edited == [(scenario.officers[0].id, scenario.dates[0], "Night")]
    menu = view.menu_for(model.index(0, len(scenario.dates)))  # totals column: no menu
    assert menu is None
