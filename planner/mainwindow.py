"""The main window: menus, the map, docks for roster, units, dosage, problems and changes.

The window holds the current state (scenario as read, the planner's edits, the last plan)
and wires views and models to it. Every solver call runs in `JobRunner`; the GUI thread
only reads results.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from planner import __version__
from planner.dialogs import (
    AboutDialog,
    ErrorDialog,
    FileDialogs,
    InfoDialog,
    NewFromFilesDialog,
    PrintScopeDialog,
    RecoverDialog,
    SettingsDialog,
    TrackFilesDialog,
    UnsavedChangesDialog,
)
from planner.dosagechart import DosageChart
from planner.edits import Edits, apply_edits
from planner.jobs import (
    DeliveredResult,
    LoadResult,
    PlanFailure,
    delivered_export_work,
    delivered_work,
    export_work,
    load_work,
    plan_work,
    sheets_work,
)
from planner.mapview import MapView, route_coordinates
from planner.models import (
    ChangesModel,
    DeliveredModel,
    DosageModel,
    ProblemRow,
    ProblemsModel,
    RosterModel,
    UnitsModel,
)
from planner.palette import unit_colour
from planner.printing import PrintService
from planner.project import PROJECT_SUFFIX, ProjectFile, read_project, restore_plan, save_project
from planner.rostertable import build_roster_table, effective_tours
from planner.rosterview import RosterView
from planner.workers import JobFailure, JobRunner
from solver.domain import Scenario
from solver.plan_model import Plan
from solver.problems import ScenarioError

log = logging.getLogger(__name__)

MAX_RECENT = 8
AUTOSAVE_MS = 60_000
CLOSE_WAIT_MS = 5_000


def default_autosave_path() -> Path:
    folder = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation) or tempfile.gettempdir())
    return folder / f"autosave{PROJECT_SUFFIX}"


class MainWindow(QMainWindow):
    """The planner's main window."""

    def __init__(self, settings: QSettings | None = None, autosave_path: Path | None = None):
        super().__init__()
        self.settings = settings or QSettings()
        self.autosave_path = autosave_path or default_autosave_path()
        self.setObjectName("MainWindow")
        self.setAcceptDrops(True)
        # state
        self.scenario_path: Path | None = None
        self.base_scenario: Scenario | None = None
        self.scenario: Scenario | None = None
        self.graph: Any = None
        self.snapping: Any = None
        self.edits = Edits()
        self.plan: Plan | None = None
        self.project_path: Path | None = None
        self.input_problems: list[ProblemRow] = []
        self.plan_problems: list[ProblemRow] = []
        self.conflict_rows: list[ProblemRow] = []
        self.stale_inputs: tuple[Path, ...] = ()
        self._pending_project: ProjectFile | None = None
        self._last_job_error: str = ""
        self.delivered: DeliveredResult | None = None
        # models
        self.problems_model = ProblemsModel(self)
        self.roster_model = RosterModel(self)
        self.units_model = UnitsModel(self)
        self.dosage_model = DosageModel(self)
        self.changes_model = ChangesModel(self)
        self.delivered_model = DeliveredModel(self)
        self.runner = JobRunner(self)
        self.printer = PrintService(self)
        self._build_views()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status()
        self._connect()
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()
        self._restore_layout()
        self._update_actions()
        self._update_title()

    # ------------------------------------------------------------------ building

    def _build_views(self) -> None:
        self.map = MapView(self)
        self.map.setToolTip("")
        self.setCentralWidget(self.map)

        self.roster_view = RosterView(self)
        self.roster_view.setModel(self.roster_model)
        self.roster_view.is_absent = lambda o, d: self.edits.absence(o, d) is not None
        self.roster_dock = self._dock("Roster", "RosterDock", self.roster_view, Qt.DockWidgetArea.BottomDockWidgetArea)

        self.problems_view = QTableView(self)
        self.problems_view.setModel(self.problems_model)
        self._table_defaults(self.problems_view, stretch_last=True)
        self.problems_dock = self._dock("Problems", "ProblemsDock", self.problems_view, Qt.DockWidgetArea.BottomDockWidgetArea)

        self.changes_view = QTableView(self)
        self.changes_view.setModel(self.changes_model)
        self._table_defaults(self.changes_view, stretch_last=True)
        changes = QWidget(self)
        changes_layout = QVBoxLayout(changes)
        changes_layout.setContentsMargins(0, 0, 0, 0)
        changes_layout.addWidget(QLabel("Tours changed by the last re-plan (tell these officers):", changes))
        changes_layout.addWidget(self.changes_view)
        buttons = QToolBar(changes)
        self.changes_print_button = QPushButton("Print changes…", changes)
        self.changes_export_button = QPushButton("Export changes…", changes)
        buttons.addWidget(self.changes_print_button)
        buttons.addWidget(self.changes_export_button)
        changes_layout.addWidget(buttons)
        self.changes_dock = self._dock("Changes", "ChangesDock", changes, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.tabifyDockWidget(self.roster_dock, self.problems_dock)
        self.tabifyDockWidget(self.problems_dock, self.changes_dock)
        self.roster_dock.raise_()

        self.units_view = QTableView(self)
        self.units_view.setModel(self.units_model)
        self._table_defaults(self.units_view, stretch_last=False)
        self.units_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.units_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.units_dock = self._dock("Units", "UnitsDock", self.units_view, Qt.DockWidgetArea.RightDockWidgetArea)

        self.dosage_view = QTableView(self)
        self.dosage_view.setModel(self.dosage_model)
        self._table_defaults(self.dosage_view, stretch_last=True)
        self.dosage_chart = DosageChart(self)
        self.dosage_week = QCheckBox("Whole week", self)
        self.dosage_week.setToolTip("Sum visits and minutes over the week instead of the chosen day")
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.dosage_chart)
        splitter.addWidget(self.dosage_view)
        dosage = QWidget(self)
        dosage_layout = QVBoxLayout(dosage)
        dosage_layout.setContentsMargins(0, 0, 0, 0)
        dosage_layout.addWidget(self.dosage_week)
        dosage_layout.addWidget(splitter, 1)
        self.dosage_dock = self._dock("Dosage", "DosageDock", dosage, Qt.DockWidgetArea.RightDockWidgetArea)

        self.delivered_view = QTableView(self)
        self.delivered_view.setModel(self.delivered_model)
        self._table_defaults(self.delivered_view, stretch_last=False)
        self.delivered_label = QLabel("Measure what was delivered: File > Delivered from GPS tracks…", self)
        self.delivered_label.setWordWrap(True)
        self.delivered_week = QCheckBox("Whole week", self)
        self.delivered_week.setToolTip("List every day of the week instead of the chosen day")
        delivered = QWidget(self)
        delivered_layout = QVBoxLayout(delivered)
        delivered_layout.setContentsMargins(0, 0, 0, 0)
        delivered_layout.addWidget(self.delivered_label)
        delivered_layout.addWidget(self.delivered_week)
        delivered_layout.addWidget(self.delivered_view, 1)
        self.delivered_dock = self._dock("Delivered", "DeliveredDock", delivered, Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.dosage_dock, self.delivered_dock)
        self.dosage_dock.raise_()

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    @staticmethod
    def _table_defaults(view: QTableView, *, stretch_last: bool) -> None:
        view.verticalHeader().setVisible(False)
        view.horizontalHeader().setStretchLastSection(stretch_last)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        if stretch_last:
            view.horizontalHeader().setSectionResizeMode(view.model().columnCount() - 1, QHeaderView.ResizeMode.Stretch)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setWordWrap(False)

    def _action(self, text: str, slot, shortcut: QKeySequence | str | None = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        keys = QKeySequence.StandardKey
        self.act_new = self._action("&New from files…", self.new_from_files, keys.New, "Start a plan from a network, stations, hotspots and officers")
        self.act_open = self._action("&Open…", self.open_dialog, keys.Open, "Open a project (.patrolplan) or a scenario (.toml)")
        self.act_demo = self._action("Open &demo", self.open_demo, None, "Open the embedded Leeds demo")
        self.act_save = self._action("&Save", self.save, keys.Save, "Save the project: inputs, edits, locks and the plan")
        self.act_save_as = self._action("Save &As…", self.save_as, keys.SaveAs, "Save the project under a new name")
        self.act_export = self._action("&Export…", self.export_dialog, "Ctrl+E", "Write CSV, GeoJSON, GPX and plan.json to a folder")
        self.act_print = self._action("&Print…", self.print_dialog, "Ctrl+Shift+P", "Print route sheets or the roster")
        self.act_pdf = self._action("Save route sheets as P&DF…", self.save_pdf_dialog, None, "Save route sheets or the roster as a PDF")
        self.act_delivered = self._action("&Delivered from GPS tracks…", self.delivered_dialog, None,
                                          "Measure the minutes spent in each hotspot from GPS tracks (GPX, CSV, XLSX)")
        self.act_export_delivered = self._action("Export de&livered…", self.export_delivered_dialog, None,
                                                 "Write the delivered report (CSV, GeoJSON, PDF) to a folder")
        self.act_quit = self._action("&Quit", self.close, keys.Quit, "Close the planner")
        self.act_plan = self._action("&Plan", self.start_plan, "Ctrl+P", "Plan the roster and routes for the week")
        self.act_cancel = self._action("&Cancel", self.cancel_job, "Esc", "Stop the search and keep the best plan found")
        self.act_replan = self._action("&Re-plan from day…", self.replan_from_current, "Ctrl+R",
                                       "Keep the days before and the locks; change the rest as little as possible")
        self.act_clear_locks = self._action("Clear all &locks", self.clear_locks, None, "Unlock every cell")
        self.act_settings = self._action("&Settings…", self.settings_dialog, "Ctrl+,", "Walking speed, visits, time limits, rules, shifts")
        self.act_fit = self._action("&Fit map to area", self.map.fit_to_area, "Ctrl+0", "Show the whole area")
        self.act_zoom_in = self._action("Zoom &in", lambda: self.map.zoom(1.25), keys.ZoomIn)
        self.act_zoom_out = self._action("Zoom &out", lambda: self.map.zoom(0.8), keys.ZoomOut)
        self.act_prev_day = self._action("Previous day", lambda: self._step_day(-1), "Ctrl+[")
        self.act_next_day = self._action("Next day", lambda: self._step_day(1), "Ctrl+]")
        self.act_about = self._action("&About", lambda: AboutDialog.ask(self, __version__))

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for action in (self.act_new, self.act_open, self.act_demo):
            file_menu.addAction(action)
        self.recent_menu = QMenu("Open &recent", self)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        for action in (self.act_save, self.act_save_as):
            file_menu.addAction(action)
        file_menu.addSeparator()
        for action in (self.act_export, self.act_print, self.act_pdf):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.act_delivered)
        file_menu.addAction(self.act_export_delivered)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        plan_menu = bar.addMenu("&Plan")
        for action in (self.act_plan, self.act_cancel, self.act_replan, self.act_clear_locks):
            plan_menu.addAction(action)
        plan_menu.addSeparator()
        plan_menu.addAction(self.act_settings)
        view_menu = bar.addMenu("&View")
        for action in (self.act_fit, self.act_zoom_in, self.act_zoom_out, self.act_prev_day, self.act_next_day):
            view_menu.addAction(action)
        view_menu.addSeparator()
        for dock in (self.roster_dock, self.problems_dock, self.changes_dock, self.units_dock, self.dosage_dock,
                     self.delivered_dock):
            view_menu.addAction(dock.toggleViewAction())
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.act_about)
        self._refresh_recent()

    def _build_toolbar(self) -> None:
        bar = QToolBar("Main", self)
        bar.setObjectName("MainToolBar")
        self.addToolBar(bar)
        for action in (self.act_open, self.act_save, self.act_plan, self.act_cancel, self.act_replan):
            bar.addAction(action)
        bar.addSeparator()
        bar.addWidget(QLabel(" Day ", bar))
        self.day_combo = QComboBox(bar)
        self.day_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.day_combo.setToolTip("The day shown on the map, units and dosage (Ctrl+[ and Ctrl+])")
        bar.addWidget(self.day_combo)
        bar.addWidget(QLabel(" Shift ", bar))
        self.shift_combo = QComboBox(bar)
        self.shift_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.shift_combo.setToolTip("The shift whose routes the map shows")
        bar.addWidget(self.shift_combo)
        bar.addSeparator()
        bar.addAction(self.act_fit)

    def _build_status(self) -> None:
        status = self.statusBar()
        self.stage_label = QLabel(self)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setVisible(False)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop the search and keep the best plan found (Esc)")
        self.cancel_button.clicked.connect(self.cancel_job)
        self.cancel_button.setVisible(False)
        self.plan_label = QLabel(self)
        self.plan_label.setToolTip("The plan shown: status, tours, hotspot visits, share of patrol time in hotspots")
        status.addPermanentWidget(self.plan_label)
        status.addPermanentWidget(self.stage_label)
        status.addPermanentWidget(self.progress_bar)
        status.addPermanentWidget(self.cancel_button)

    def _connect(self) -> None:
        self.runner.started.connect(self._job_started)
        self.runner.progress.connect(self._job_progress)
        self.runner.finished.connect(self._job_finished)
        self.runner.failed.connect(self._job_failed)
        self.runner.cancelled.connect(self._job_cancelled)
        self.runner.busy_changed.connect(lambda _busy: self._update_actions())
        self.roster_model.cell_edited.connect(self.set_cell)
        self.roster_view.lock_requested.connect(self.set_lock)
        self.roster_view.sick_requested.connect(self.set_sick)
        self.roster_view.replan_requested.connect(self.start_replan)
        self.roster_view.cell_selected.connect(self._cell_selected)
        self.problems_view.clicked.connect(self._problem_clicked)
        self.problems_view.doubleClicked.connect(self._problem_double_clicked)
        self.units_view.selectionModel().selectionChanged.connect(self._unit_selection_changed)
        self.map.unit_clicked.connect(self.select_unit)
        self.day_combo.currentIndexChanged.connect(lambda _i: self._show_day())
        self.shift_combo.currentIndexChanged.connect(lambda _i: self._show_day())
        self.dosage_week.toggled.connect(lambda _on: self._show_day())
        self.delivered_week.toggled.connect(lambda _on: self._show_day())
        self.changes_print_button.clicked.connect(self.print_changes)
        self.changes_export_button.clicked.connect(self.export_changes)

    # ------------------------------------------------------------------ layout memory

    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if isinstance(geometry, QByteArray | bytes) and geometry:
            self.restoreGeometry(geometry)
        else:
            screen = self.screen().availableGeometry() if self.screen() else None
            if screen is not None:
                self.resize(int(screen.width() * 0.8), int(screen.height() * 0.8))
        if isinstance(state, QByteArray | bytes) and state:
            self.restoreState(state)
        else:
            QTimer.singleShot(0, self._default_dock_sizes)

    def _default_dock_sizes(self) -> None:
        """First run: docks take a sensible share of the window (later runs restore theirs)."""
        self.resizeDocks([self.units_dock], [int(self.width() * 0.32)], Qt.Orientation.Horizontal)
        self.resizeDocks([self.roster_dock], [int(self.height() * 0.36)], Qt.Orientation.Vertical)
        self.resizeDocks([self.units_dock, self.dosage_dock], [int(self.height() * 0.3), int(self.height() * 0.5)],
                         Qt.Orientation.Vertical)

    def _save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.sync()

    def recent_files(self) -> list[str]:
        value = self.settings.value("recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _remember(self, path: Path) -> None:
        recent = [str(path)] + [p for p in self.recent_files() if p != str(path)]
        self.settings.setValue("recent", recent[:MAX_RECENT])
        self._refresh_recent()

    def _refresh_recent(self) -> None:
        self.recent_menu.clear()
        recent = self.recent_files()
        for number, name in enumerate(recent, start=1):
            action = self.recent_menu.addAction(f"&{number} {Path(name).name}")
            action.setToolTip(name)
            action.triggered.connect(lambda _=False, n=name: self.open_path(Path(n)))
        self.recent_menu.setEnabled(bool(recent))

    # ------------------------------------------------------------------ state helpers

    @property
    def dirty(self) -> bool:
        return self.isWindowModified()

    def _set_dirty(self, dirty: bool = True) -> None:
        self.setWindowModified(dirty)
        self._update_title()

    def _update_title(self) -> None:
        name = self.project_path.name if self.project_path else (self.scenario.name if self.scenario else "")
        self.setWindowTitle(f"{name}[*] - Patrol planner" if name else "Patrol planner[*]")

    def plan_blocked_reason(self) -> str:
        """Why Plan cannot run now ('' when it can)."""
        if self.runner.busy and self.runner.current_name == "load":
            return "Loading the scenario…"
        if self.scenario is None and not self.input_problems:
            return "Open a scenario or a project first (File > Open)."
        if self.input_problems:
            return f"The input has {len(self.input_problems)} problem(s); fix them (see the Problems list) and open it again."
        if self.graph is None or self.snapping is None:
            return "The street network is not loaded."
        return ""

    def _update_actions(self) -> None:
        busy = self.runner.busy
        reason = self.plan_blocked_reason()
        self.act_plan.setEnabled(not reason)
        self.act_plan.setToolTip(reason or "Plan the roster and routes for the week (Ctrl+P)")
        self.act_cancel.setEnabled(busy)
        has_plan = self.plan is not None
        self.act_replan.setEnabled(has_plan and not reason)
        self.roster_view.replan_days_enabled = has_plan and not reason
        for action in (self.act_export, self.act_print, self.act_pdf, self.act_delivered):
            action.setEnabled(has_plan and not busy)
        self.act_export_delivered.setEnabled(self.delivered is not None and not busy)
        self.act_save.setEnabled(self.scenario_path is not None)
        self.act_save_as.setEnabled(self.scenario_path is not None)
        self.act_settings.setEnabled(self.base_scenario is not None)
        self.act_clear_locks.setEnabled(bool(self.edits.locks))
        self.changes_print_button.setEnabled(has_plan and bool(self.plan.changes if self.plan else ()))
        self.changes_export_button.setEnabled(self.changes_print_button.isEnabled())
        self.progress_bar.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if not busy:
            self.stage_label.setText(reason if reason and self.scenario is not None else "")

    def selected_day(self) -> dt.date | None:
        data = self.day_combo.currentData()
        return data if isinstance(data, dt.date) else None

    def selected_shift(self) -> str | None:
        return self.shift_combo.currentText() or None

    # ------------------------------------------------------------------ opening

    def confirm_discard(self) -> bool:
        """True when the current work may be replaced (saved, discarded or unchanged)."""
        if not self.dirty:
            return True
        answer = UnsavedChangesDialog.ask(self)
        if answer == "save":
            return self.save()
        return answer == "discard"

    def open_dialog(self) -> None:
        path = FileDialogs.open_project(self, str(self.project_path or self.scenario_path or ""))
        if path is not None:
            self.open_path(path)

    def open_demo(self) -> None:
        from solver.demo import demo_scenario_path

        self.open_path(demo_scenario_path())

    def open_path(self, path: Path) -> None:
        """Open a project file or a scenario TOML (asks first about unsaved changes)."""
        if not self.confirm_discard():
            return
        if path.suffix == PROJECT_SUFFIX:
            self.open_project(path)
        else:
            self.open_scenario(path)

    def open_scenario(self, path: Path, *, project: ProjectFile | None = None) -> None:
        """Start loading a scenario in the background; the map and lists fill when done."""
        self._pending_project = project
        self.scenario_path = Path(path).resolve()
        self.project_path = None
        self.base_scenario = self.scenario = None
        self.graph = self.snapping = None
        self.plan = None
        self.delivered = None
        self.edits = project.edits if project else Edits()
        self.input_problems = []
        self.plan_problems = []
        self.conflict_rows = []
        self.stale_inputs = project.changed_inputs if project else ()
        self.map.clear_all()
        self._refresh_all()
        self.statusBar().showMessage(f"Loading {path.name}…")
        self.runner.start("load", load_work(self.scenario_path))
        self._update_actions()

    def open_project(self, path: Path) -> None:
        try:
            project = read_project(path)
        except ScenarioError as error:
            self._show_input_problems(error.problems)
            self.problems_dock.raise_()
            return
        self.open_scenario(project.scenario_path, project=project)
        self.project_path = Path(path).resolve()
        self._remember(self.project_path)
        self._update_title()

    def new_from_files(self) -> None:
        if not self.confirm_discard():
            return
        values = NewFromFilesDialog.ask(self)
        if values is None:
            return
        target = FileDialogs.save_project(self, str(values["officers"].parent / "plan.patrolplan"))
        if target is None:
            return
        from planner.newscenario import write_scenario_file

        scenario_file = target.with_suffix(".toml")
        write_scenario_file(scenario_file, network=values["network"], stations=values["stations"],
                            hotspots=values["hotspots"], officers=values["officers"], week_start=values["week_start"])
        self.open_scenario(scenario_file)
        self.project_path = target
        self._set_dirty(True)

    def _loaded(self, result: LoadResult) -> None:
        if result.path != self.scenario_path:
            return
        project = self._pending_project
        self._pending_project = None
        self.base_scenario = result.scenario
        self.graph = result.graph
        self.snapping = result.snapping
        if result.streets is not None:
            self.map.set_streets(result.streets)
        self.scenario = apply_edits(result.scenario, self.edits) if result.scenario is not None else None
        if self.scenario is not None:
            self.map.set_scenario(self.scenario)
        self.map.fit_to_area()
        self._show_input_problems(result.problems)
        if project is not None and self.scenario is not None:
            try:
                self.plan = restore_plan(project, self.scenario)
            except ScenarioError as error:
                self._show_input_problems([*result.problems, *error.problems])
        self._fill_day_shift()
        self._refresh_all()
        if project is None:
            self._remember(result.path)
        if result.problems:
            self.problems_dock.raise_()
            self.statusBar().showMessage(f"{len(result.problems)} problem(s) in the input: see the Problems list", 10_000)
        elif self.stale_inputs:
            self.statusBar().showMessage("Input files changed since this project was saved: re-plan to use them", 15_000)
        else:
            self.statusBar().showMessage(f"Loaded {result.scenario.name if result.scenario else result.path.name}", 5_000)
        self._update_title()
        self._update_actions()

    def _show_input_problems(self, problems) -> None:
        self.input_problems = [ProblemRow(p.file, p.row, p.field, p.message) for p in problems]
        self._refresh_problems()

    # ------------------------------------------------------------------ refreshing views

    def _fill_day_shift(self) -> None:
        day, shift = self.selected_day(), self.selected_shift()
        for combo in (self.day_combo, self.shift_combo):
            combo.blockSignals(True)
            combo.clear()
        if self.scenario is not None:
            for date in self.scenario.dates:
                self.day_combo.addItem(f"{date:%a %d %b}", date)
            self.shift_combo.addItems([s.name for s in self.scenario.shifts])
            if day in self.scenario.dates:
                self.day_combo.setCurrentIndex(self.scenario.dates.index(day))
            if shift:
                self.shift_combo.setCurrentText(shift)
            if self.plan is not None and not self.plan.tours_on(self.selected_day(), self.selected_shift()):
                busiest = max(self.scenario.shifts, key=lambda s: len(self.plan.tours_on(self.selected_day(), s.name)))
                self.shift_combo.setCurrentText(busiest.name)
        for combo in (self.day_combo, self.shift_combo):
            combo.blockSignals(False)

    def _step_day(self, step: int) -> None:
        count = self.day_combo.count()
        if count:
            self.day_combo.setCurrentIndex((self.day_combo.currentIndex() + step) % count)

    def plan_summary(self) -> str:
        """One line on the plan shown (empty without a plan)."""
        if self.plan is None:
            return ""
        kpis = self.plan.kpis
        visits = kpis.get("visits", sum(len(t.visits) for t in self.plan.tours))
        text = f"Plan {self.plan.status} · {len(self.plan.roster)} tours · {visits} visits"
        if "dwell_share" in kpis:
            text += f" · {float(kpis['dwell_share']) * 100:.0f}% of patrol time in hotspots"
        below = kpis.get("hotspot_days_below_target")
        if below:
            text += f" · {below} hotspot-days below target"
        if self.stale_inputs:
            text += " · inputs changed since: re-plan"
        return text

    def _refresh_all(self) -> None:
        self.plan_label.setText(self.plan_summary())
        self._refresh_roster()
        self._show_day()
        names = {o.id: o.name for o in self.scenario.officers} if self.scenario else {}
        self.changes_model.set_changes(self.plan.changes if self.plan else (), names)

    def _refresh_roster(self) -> None:
        if self.scenario is None:
            from planner.rostertable import RosterTable

            self.roster_model.set_table(RosterTable())
            self.conflict_rows = []
            self._refresh_problems()
            return
        violations = self._conflicts()
        self.roster_model.set_table(build_roster_table(self.scenario, self.plan, self.edits.locks, violations))
        self.conflict_rows = [
            ProblemRow("roster", None, getattr(v, "rule", None), str(getattr(v, "message", v)), "conflict",
                       getattr(v, "officer_id", None), getattr(v, "date", None))
            for v in violations
        ]
        self._refresh_problems()

    def _conflicts(self) -> list[Any]:
        """Rule conflicts of the shown roster, from the solver's independent checker."""
        if self.scenario is None or (self.plan is None and not self.edits.locks and not self.scenario.rota):
            return []
        try:
            from solver.roster_check import check_roster
        except ImportError:
            return []
        tours = effective_tours(self.scenario, self.plan, self.edits.locks)
        try:
            return list(check_roster(self.scenario, tours, locks=self.edits.lock_tuples(), check_staffing=self.plan is not None))
        except Exception:  # noqa: BLE001 - a checker failure must not break the grid
            log.exception("roster check failed")
            return []

    def _refresh_problems(self) -> None:
        self.problems_model.set_rows([*self.input_problems, *self.plan_problems, *self.conflict_rows])
        count = self.problems_model.rowCount()
        self.problems_dock.setWindowTitle(f"Problems ({count})" if count else "Problems")

    def _show_day(self) -> None:
        day, shift = self.selected_day(), self.selected_shift()
        names = {o.id: o.name for o in self.scenario.officers} if self.scenario else {}
        tours = list(self.plan.tours_on(day, shift)) if self.plan is not None and day and shift else []
        self.units_model.set_tours(tours, names)
        ordered = self.units_model.tours()
        if self.graph is not None:
            self.map.set_routes(ordered, route_coordinates(self.graph, ordered))
        else:
            self.map.clear_routes()
        week = self.dosage_week.isChecked()
        self.dosage_model.set_plan(self.plan, day, week=week)
        self.dosage_chart.set_bars(self.dosage_model.bars())
        if self.plan is not None and day is not None:
            planned = {d.hotspot_id: (d.planned_visits, d.planned_min) for d in self.plan.dosage if d.date == day}
            self.map.update_hotspot_dosage(planned, f"{day:%a %d/%m}")
        else:
            self.map.update_hotspot_dosage(None)
        self._show_delivered(day, shift, ordered)
        self.dosage_dock.setWindowTitle("Dosage, whole week" if week else (f"Dosage {day:%a %d/%m}" if day else "Dosage"))

    # ------------------------------------------------------------------ selection

    def _unit_selection_changed(self, *_args) -> None:
        rows = self.units_view.selectionModel().selectedRows()
        unit = rows[0].data(UnitsModel.TourRole) if rows else None
        self.map.highlight_unit(unit)

    def select_unit(self, unit_id: str) -> None:
        for row in range(self.units_model.rowCount()):
            index = self.units_model.index(row, 0)
            if index.data(UnitsModel.TourRole) == unit_id:
                self.units_view.selectRow(row)
                return

    def _cell_selected(self, officer_id: str, day: dt.date) -> None:
        if self.scenario is not None and day in self.scenario.dates:
            self.day_combo.setCurrentIndex(self.scenario.dates.index(day))
        if self.plan is not None:
            for tour in self.plan.tours_on(day):
                if officer_id in tour.officer_ids:
                    self.shift_combo.setCurrentText(tour.shift)
                    self.select_unit(tour.unit_id)
                    break
        self.act_replan.setText(f"&Re-plan from {day:%a %d/%m}")

    def place_of(self, problem: ProblemRow) -> tuple[str, str] | None:
        """The station or hotspot a problem is about, if the map shows it."""
        if self.scenario is None:
            return None
        hotspots = {h.id for h in self.scenario.hotspots}
        stations = {s.id for s in self.scenario.stations}
        for quoted in re.findall(r"'([^']+)'", problem.message):
            if quoted in hotspots:
                return "hotspot", quoted
            if quoted in stations:
                return "station", quoted
        name = Path(problem.file).name.lower()
        if problem.row is not None and problem.row >= 2:
            if "hotspot" in name and problem.row - 2 < len(self.scenario.hotspots):
                return "hotspot", self.scenario.hotspots[problem.row - 2].id
            if "station" in name and problem.row - 2 < len(self.scenario.stations):
                return "station", self.scenario.stations[problem.row - 2].id
        return None

    def _problem_clicked(self, index) -> None:
        problem = self.problems_model.problem(index.row())
        where = problem.file + (f", line {problem.row}" if problem.row else "")
        self.statusBar().showMessage(where, 10_000)
        if problem.officer_id and problem.date:
            position = self.roster_model.table.position(problem.officer_id, problem.date)
            if position is not None:
                self.roster_view.setCurrentIndex(self.roster_model.index(*position))
                self.roster_dock.raise_()
                return
        place = self.place_of(problem)
        if place is not None:
            self.map.select_place(*place)

    def _problem_double_clicked(self, index) -> None:
        problem = self.problems_model.problem(index.row())
        path = Path(problem.file)
        if path.exists():
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    # ------------------------------------------------------------------ edits

    def _edits_changed(self, message: str) -> None:
        if self.base_scenario is not None:
            self.scenario = apply_edits(self.base_scenario, self.edits)
        self._refresh_roster()
        self._set_dirty(True)
        self._update_actions()
        self.statusBar().showMessage(message, 8_000)

    def set_cell(self, officer_id: str, day: dt.date, shift: str | None) -> None:
        """The planner set an officer-day in the grid: keep it as a lock."""
        self.edits = self.edits.with_lock(officer_id, day, shift)
        self._edits_changed(f"{officer_id} {day:%a %d/%m}: {shift or 'OFF'} (locked)")

    def set_lock(self, officer_id: str, day: dt.date, lock: bool) -> None:
        if lock:
            tours = {(t.officer_id, t.date): t.shift for t in effective_tours(self.scenario, self.plan, self.edits.locks)} if self.scenario else {}
            self.edits = self.edits.with_lock(officer_id, day, tours.get((officer_id, day)))
        else:
            self.edits = self.edits.without_lock(officer_id, day)
        self._edits_changed(f"{officer_id} {day:%a %d/%m} {'locked' if lock else 'unlocked'}")

    def set_sick(self, officer_id: str, day: dt.date, sick: bool) -> None:
        if sick:
            self.edits = self.edits.with_absence(officer_id, day, "sick")
            message = f"{officer_id} sick on {day:%a %d/%m}: re-plan from {day:%a} to cover (Ctrl+R)"
        else:
            self.edits = self.edits.without_absence(officer_id, day)
            message = f"{officer_id} available again on {day:%a %d/%m}"
        self._edits_changed(message)
        self.act_replan.setText(f"&Re-plan from {day:%a %d/%m}")

    def clear_locks(self) -> None:
        self.edits = replace(self.edits, locks={})
        self._edits_changed("All locks cleared")

    def settings_dialog(self) -> None:
        if self.base_scenario is None:
            return
        chosen = SettingsDialog.ask(self, self.base_scenario, dict(self.edits.settings))
        if chosen is None or chosen == dict(self.edits.settings):
            return
        self.edits = replace(self.edits, settings=chosen)
        self._edits_changed("Settings changed: plan again to use them")
        self.map.set_scenario(self.scenario)
        self._show_day()

    # ------------------------------------------------------------------ planning

    def start_plan(self) -> None:
        """Plan the whole week (Ctrl+P)."""
        self._start_plan(None)

    def replan_from_current(self) -> None:
        cell = self.roster_view.current_cell()
        day = cell[1] if cell else self.selected_day()
        if day is not None:
            self.start_replan(day)

    def start_replan(self, day: dt.date) -> None:
        """Re-plan from ``day``: days before stay, locks stay, the rest changes little."""
        if self.plan is None:
            InfoDialog.ask(self, "Re-plan", "There is no plan to change yet: press Plan first.")
            return
        self._start_plan(day)

    def _start_plan(self, replan_from: dt.date | None) -> None:
        reason = self.plan_blocked_reason()
        if reason:
            self.statusBar().showMessage(reason, 10_000)
            return
        assert self.scenario is not None
        self.plan_problems = []
        self._refresh_problems()
        work = plan_work(self.scenario, previous=self.plan if replan_from else None, replan_from=replan_from,
                         locks=self.edits.lock_tuples())
        self.runner.start("replan" if replan_from else "plan", work)
        what = f"Re-planning from {replan_from:%a %d/%m}" if replan_from else "Planning"
        self.statusBar().showMessage(f"{what}…")
        self._update_actions()

    def cancel_job(self) -> None:
        if self.runner.busy:
            self.runner.cancel()
            planning = self.runner.current_name in ("plan", "replan")
            self.stage_label.setText("Stopping: keeping the best plan found…" if planning else "Stopping…")

    def _planned(self, result: Plan | PlanFailure | None, cancelled: bool) -> None:
        if isinstance(result, PlanFailure):
            self.plan_problems = [ProblemRow("roster", None, None, line, "plan") for line in result.explanation]
            self._refresh_problems()
            self.problems_dock.raise_()
            self.statusBar().showMessage("The roster cannot be planned within the rules: see the Problems list", 15_000)
            return
        if result is None:
            self.statusBar().showMessage("Planning cancelled before a plan was found", 10_000)
            return
        self.plan = result
        self.delivered = None
        self.stale_inputs = ()
        self.plan_problems = [ProblemRow("plan", None, None, note, "plan") for note in result.roster_notes]
        self._fill_day_shift()
        self._refresh_all()
        if result.changes:
            self.changes_dock.raise_()
        else:
            self.roster_dock.raise_()
        self._set_dirty(True)
        kpis = result.kpis
        summary = (f"Plan {result.status}: {len(result.roster)} tours, {len(result.tours)} unit routes, "
                   f"{kpis.get('visits', sum(len(t.visits) for t in result.tours))} visits")
        if result.changes:
            summary += f", {len(result.changes)} change(s) to tell"
        if cancelled or result.status != "complete":
            summary += " (search stopped early: best plan found)"
        self.statusBar().showMessage(summary, 20_000)
        self._update_actions()

    # ------------------------------------------------------------------ job signals

    def _job_started(self, name: str) -> None:
        self.progress_bar.setValue(0)
        self.stage_label.setText({"load": "Loading…", "plan": "Planning…", "replan": "Re-planning…"}.get(name, "Working…"))
        self._update_actions()

    def _job_progress(self, stage: str, fraction: float, message: str) -> None:
        self.progress_bar.setValue(int(max(0.0, min(1.0, fraction)) * 1000))
        self.stage_label.setText(f"{stage} {message}".strip())

    def _job_finished(self, name: str, result: object) -> None:
        self.stage_label.setText("")
        if name == "load" and isinstance(result, LoadResult):
            self._loaded(result)
        elif name in ("plan", "replan"):
            self._planned(result, cancelled=False)  # type: ignore[arg-type]
        elif name == "export":
            self.statusBar().showMessage(f"Exported {len(result)} files", 10_000)  # type: ignore[arg-type]
        elif name in ("pdf", "print"):
            self._pdf_written(name, result)  # type: ignore[arg-type]
        elif name == "delivered" and isinstance(result, DeliveredResult):
            self._delivered_measured(result)
        elif name == "delivered_export":
            self.statusBar().showMessage(f"Delivered report: {len(result)} files written", 10_000)  # type: ignore[arg-type]
        self._update_actions()

    def _job_cancelled(self, name: str, result: object) -> None:
        self.stage_label.setText("")
        if name in ("plan", "replan"):
            self._planned(result, cancelled=True)  # type: ignore[arg-type]
        else:
            self.statusBar().showMessage(f"{name} cancelled", 5_000)
        self._update_actions()

    def _job_failed(self, name: str, failure: object) -> None:
        self.stage_label.setText("")
        assert isinstance(failure, JobFailure)
        error = failure.error
        if isinstance(error, ScenarioError):
            if name == "load":
                self._show_input_problems(error.problems)
            else:
                self.plan_problems = [ProblemRow(p.file, p.row, p.field, p.message, "plan") for p in error.problems]
                self._refresh_problems()
            self.problems_dock.raise_()
            self.statusBar().showMessage(f"{len(error.problems)} problem(s): see the Problems list", 10_000)
        else:
            self._last_job_error = failure.traceback
            what = {"load": "Opening the files", "plan": "Planning", "replan": "Re-planning",
                    "export": "Exporting", "pdf": "Writing the PDF", "print": "Printing",
                    "delivered": "Measuring delivered dosage", "delivered_export": "Exporting the delivered report"}.get(name, name)
            ErrorDialog.ask(self, "Something went wrong", f"{what} failed: {error}", failure.traceback)
        self._update_actions()

    # ------------------------------------------------------------------ saving

    def save(self) -> bool:
        if self.project_path is None:
            return self.save_as()
        return self._save_to(self.project_path)

    def save_as(self) -> bool:
        if self.scenario_path is None:
            return False
        start = str(self.project_path or self.scenario_path.with_suffix(PROJECT_SUFFIX))
        path = FileDialogs.save_project(self, start)
        if path is None:
            return False
        return self._save_to(path)

    def _save_to(self, path: Path) -> bool:
        assert self.scenario_path is not None
        try:
            save_project(path, self.scenario_path, self.base_scenario, self.edits, self.plan)
        except OSError as exc:
            ErrorDialog.ask(self, "Save failed", f"Could not save {path}: {exc}")
            return False
        self.project_path = Path(path).resolve()
        self._remember(self.project_path)
        self._set_dirty(False)
        self.autosave_path.unlink(missing_ok=True)
        self.statusBar().showMessage(f"Saved {path}", 5_000)
        return True

    def autosave(self) -> Path | None:
        """Write the work to the autosave file when there are unsaved changes."""
        if not self.dirty or self.scenario_path is None:
            return None
        try:
            save_project(self.autosave_path, self.scenario_path, self.base_scenario, self.edits, self.plan)
        except OSError as exc:
            log.warning("autosave failed: %s", exc)
            return None
        return self.autosave_path

    def offer_recovery(self) -> bool:
        """After a crash: offer the autosaved work; True when it is being reopened."""
        path = self.autosave_path
        if not path.exists():
            return False
        saved = dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%a %d %b %H:%M")
        if not RecoverDialog.ask(self, path, saved):
            path.unlink(missing_ok=True)
            return False
        try:
            project = read_project(path)
        except ScenarioError as error:
            self._show_input_problems(error.problems)
            return False
        self.open_scenario(project.scenario_path, project=project)
        self._set_dirty(True)
        return True

    # ------------------------------------------------------------------ export and print

    def export_dialog(self) -> None:
        if self.plan is None:
            return
        folder = FileDialogs.choose_folder(self, "Export the plan to a folder", str(self.settings.value("last_export", "")))
        if folder is None:
            return
        self.settings.setValue("last_export", str(folder))
        self.runner.start("export", export_work(self.plan, self.graph, folder))

    def save_pdf_dialog(self) -> None:
        scope = self._ask_scope()
        if scope is None:
            return
        path = FileDialogs.save_pdf(self, "Save as PDF", f"{'roster' if scope == 'roster' else 'route_sheets'}.pdf")
        if path is not None:
            self._write_pdf(scope, path, "pdf")

    def print_dialog(self) -> None:
        scope = self._ask_scope()
        if scope is None:
            return
        handle, name = tempfile.mkstemp(prefix="patrol-", suffix=".pdf")
        import os

        os.close(handle)
        self._write_pdf(scope, Path(name), "print")

    def _ask_scope(self) -> str | None:
        if self.plan is None:
            return None
        rows = self.units_view.selectionModel().selectedRows()
        unit = rows[0].data(UnitsModel.TourRole) if rows else None
        return PrintScopeDialog.ask(self, unit, self.selected_day(), self.selected_shift())

    def _write_pdf(self, scope: str, path: Path, name: str) -> None:
        assert self.plan is not None
        rows = self.units_view.selectionModel().selectedRows()
        unit = rows[0].data(UnitsModel.TourRole) if rows else None
        self.runner.start(name, sheets_work(self.plan, self.graph, path, scope, unit=unit,
                                            day=self.selected_day(), shift=self.selected_shift()))

    def _pdf_written(self, name: str, path: Path) -> None:
        if name == "print":
            self.printer.print_pdf(path)
        else:
            self.statusBar().showMessage(f"Saved {path}", 10_000)

    def changes_html(self) -> str:
        assert self.plan is not None
        names = {o.id: o.name for o in self.plan.scenario.officers}
        rows = "".join(
            f"<tr><td>{names.get(c.officer_id, c.officer_id)}</td><td>{c.date:%a %d %b}</td>"
            f"<td>{c.old_shift or 'OFF'}</td><td>{c.new_shift or 'OFF'}</td></tr>"
            for c in sorted(self.plan.changes, key=lambda c: (c.date, c.officer_id))
        )
        return (f"<h2>Roster changes: {self.plan.scenario.name}</h2><p>Tell these officers.</p>"
                "<table border='1' cellpadding='4' cellspacing='0'><tr><th>Officer</th><th>Day</th><th>Was</th><th>Now</th></tr>"
                f"{rows}</table>")

    def print_changes(self) -> None:
        if self.plan is not None and self.plan.changes:
            self.printer.print_html(self.changes_html(), "Roster changes")

    def export_changes(self) -> None:
        if self.plan is None or not self.plan.changes:
            return
        path = FileDialogs.save_pdf(self, "Export changes", "changes.pdf")
        if path is None:
            return
        from solver.export import write_csv

        csv_path = path.with_suffix(".csv")
        names = {o.id: o.name for o in self.plan.scenario.officers}
        write_csv(csv_path, ["officer_id", "name", "date", "old_shift", "new_shift"],
                  [(c.officer_id, names.get(c.officer_id, ""), c.date.isoformat(), c.old_shift or "OFF", c.new_shift or "OFF")
                   for c in self.plan.changes], text_columns=["officer_id", "name"])
        self.printer.html_to_pdf(self.changes_html(), path)
        self.statusBar().showMessage(f"Saved {path} and {csv_path.name}", 10_000)

    # ------------------------------------------------------------------ delivered

    def delivered_dialog(self) -> None:
        """Ask for GPS track files and measure delivered dosage against the plan shown."""
        if self.plan is None:
            return
        paths = TrackFilesDialog.ask(self, str(self.settings.value("last_tracks", "")))
        if not paths:
            return
        self.settings.setValue("last_tracks", str(paths[0].parent))
        self.plan_problems = [p for p in self.plan_problems if p.kind != "delivered"]
        self._refresh_problems()
        self.runner.start("delivered", delivered_work(self.plan, paths))
        self.statusBar().showMessage(f"Reading {len(paths)} track file(s)…")
        self._update_actions()

    def _delivered_measured(self, result: DeliveredResult) -> None:
        self.delivered = result
        self.plan_problems = [p for p in self.plan_problems if p.kind != "delivered"]
        self.plan_problems += [ProblemRow(w.file, w.row, w.field, w.message, "delivered") for w in result.warnings]
        self.plan_problems += [ProblemRow(t.source, None, None, f"track {t.track_id}: matched no tour", "delivered")
                               for t in result.report.unmatched_tracks]
        self._refresh_problems()
        self._show_day()
        self.delivered_dock.show()
        self.delivered_dock.raise_()
        totals = result.report.totals()
        self.statusBar().showMessage(
            f"Delivered: {totals['delivered_min']:.0f} of {totals['planned_min']:.0f} planned hotspot minutes "
            f"from {int(totals['tracks'])} track(s)", 20_000)

    def delivered_summary(self) -> str:
        """The week's planned vs delivered totals, one line ('' before tracks are read)."""
        if self.delivered is None:
            return ""
        t = self.delivered.report.totals()
        return (f"Week: {int(t['delivered_visits'])} of {int(t['planned_visits'])} visits, "
                f"{t['delivered_min']:.0f} of {t['planned_min']:.0f} min delivered "
                f"({t['compliance'] * 100:.0f}% of plan), {int(t['effective_visits'])} effective visits · "
                f"{int(t['tours_tracked'])} of {int(t['tours'])} tours tracked")

    def _show_delivered(self, day: dt.date | None, shift: str | None, ordered: list) -> None:
        report = self.delivered.report if self.delivered is not None else None
        self.delivered_model.set_report(report, None if self.delivered_week.isChecked() else day)
        if report is None:
            self.delivered_label.setText("Measure what was delivered: File > Delivered from GPS tracks…")
            self.map.clear_tracks()
            return
        self.delivered_label.setText(self.delivered_summary())
        colours = {tour.unit_id: unit_colour(i) for i, tour in enumerate(ordered)}
        lines = []
        if day is not None and shift:
            prefix = f"{day.isoformat()} {shift} "
            for key, pieces in report.tour_tracks.items():
                if not key.startswith(prefix):
                    continue
                unit = key[len(prefix):]
                for piece in pieces:
                    coordinates = list(zip(piece.lat.tolist(), piece.lon.tolist(), strict=True))
                    lines.append((f"{unit}: GPS track {piece.track.label}", colours.get(unit, "#222222"), coordinates))
        self.map.set_tracks(lines)

    def export_delivered_dialog(self) -> None:
        if self.delivered is None or self.plan is None:
            return
        folder = FileDialogs.choose_folder(self, "Export the delivered report to a folder",
                                           str(self.settings.value("last_delivered_export", "")))
        if folder is None:
            return
        self.settings.setValue("last_delivered_export", str(folder))
        names = {h.id: h.name for h in self.plan.scenario.hotspots}
        self.runner.start("delivered_export", delivered_export_work(self.delivered.report, folder, names,
                                                                    f"Delivered: {self.plan.scenario.name}"))

    # ------------------------------------------------------------------ drag and drop, close

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt API
        for url in event.mimeData().urls():
            path = Path(url.toLocalFile())
            if path.suffix in (PROJECT_SUFFIX, ".toml"):
                self.open_path(path)
                event.acceptProposedAction()
                return
        self.statusBar().showMessage("Drop a .patrolplan project or a scenario .toml here; use File > New from files for single files", 10_000)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        if not self.confirm_discard():
            event.ignore()
            return
        self.autosave_timer.stop()
        self.runner.shutdown(CLOSE_WAIT_MS)
        self._save_layout()
        self.autosave_path.unlink(missing_ok=True)
        event.accept()

