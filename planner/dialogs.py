"""Dialogs, each behind a ``classmethod ask()`` so tests can patch them."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QTime
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from planner.edits import PATROL_LIMITS, RULE_LIMITS, current_settings, validate_settings
from solver.domain import Scenario

SCENARIO_FILTER = "Scenario (*.toml)"
PROJECT_FILTER = "Patrol plan project (*.patrolplan)"
NETWORK_FILTER = "OpenStreetMap (*.osm *.osm.bz2 *.osm.pbf *.pbf)"
TABLE_FILTER = "Tables (*.csv *.xlsx)"
HOTSPOT_FILTER = "Hotspots (*.csv *.xlsx *.geojson *.json *.gpkg *.shp)"

ATTRIBUTIONS = (
    "Street data: derived from OpenStreetMap, © OpenStreetMap contributors, available under the "
    "Open Database Licence (ODbL) 1.0, https://www.openstreetmap.org/copyright",
    "Crime records: contains public sector information from data.police.uk licensed under the "
    "Open Government Licence v3.0 (OGL v3), https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
)


class ErrorDialog:
    """The one place unexpected errors are shown (the traceback is in the log and details)."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, message: str, details: str = "") -> None:
        box = QMessageBox(QMessageBox.Icon.Critical, title, message, QMessageBox.StandardButton.Ok, parent)
        if details:
            box.setDetailedText(details)
        box.exec()


class InfoDialog:
    @classmethod
    def ask(cls, parent: QWidget | None, title: str, message: str) -> None:
        QMessageBox.information(parent, title, message)


class UnsavedChangesDialog:
    """Save, discard or cancel before the work is closed or replaced."""

    @classmethod
    def ask(cls, parent: QWidget | None, what: str = "the project") -> str:
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(
            parent, "Unsaved changes", f"Save the changes to {what} first?",
            buttons.Save | buttons.Discard | buttons.Cancel, buttons.Save,
        )
        return {buttons.Save: "save", buttons.Discard: "discard"}.get(answer, "cancel")


class RecoverDialog:
    @classmethod
    def ask(cls, parent: QWidget | None, path: Path, saved: str) -> bool:
        answer = QMessageBox.question(
            parent, "Recover work",
            f"The planner did not close normally. Recover the work autosaved {saved}?\n({path})",
        )
        return answer == QMessageBox.StandardButton.Yes


class AboutDialog:
    @classmethod
    def ask(cls, parent: QWidget | None, version: str) -> None:
        text = (f"<h3>Patrol planner {html.escape(version)}</h3>"
                "<p>Plans high-visibility foot patrols in crime hotspots: a weekly roster and a walking "
                "route per patrol unit and shift, on real streets, offline.</p>"
                + "".join(f"<p>{html.escape(line)}</p>" for line in ATTRIBUTIONS)
                + "<p>Officers in the demo are made up.</p>")
        QMessageBox.about(parent, "About Patrol planner", text)


class FileDialogs:
    """File choosers; one classmethod per question."""

    @classmethod
    def open_scenario(cls, parent: QWidget | None, start: str = "") -> Path | None:
        name, _ = QFileDialog.getOpenFileName(parent, "Open scenario", start, f"{SCENARIO_FILTER};;All files (*)")
        return Path(name) if name else None

    @classmethod
    def open_project(cls, parent: QWidget | None, start: str = "") -> Path | None:
        name, _ = QFileDialog.getOpenFileName(parent, "Open project", start, f"{PROJECT_FILTER};;{SCENARIO_FILTER}")
        return Path(name) if name else None

    @classmethod
    def save_project(cls, parent: QWidget | None, start: str = "") -> Path | None:
        name, _ = QFileDialog.getSaveFileName(parent, "Save project", start, PROJECT_FILTER)
        if not name:
            return None
        path = Path(name)
        return path if path.suffix == ".patrolplan" else path.with_name(path.name + ".patrolplan")

    @classmethod
    def choose_folder(cls, parent: QWidget | None, title: str, start: str = "") -> Path | None:
        name = QFileDialog.getExistingDirectory(parent, title, start)
        return Path(name) if name else None

    @classmethod
    def save_pdf(cls, parent: QWidget | None, title: str, start: str = "") -> Path | None:
        name, _ = QFileDialog.getSaveFileName(parent, title, start, "PDF (*.pdf)")
        if not name:
            return None
        path = Path(name)
        return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")

    @classmethod
    def open_file(cls, parent: QWidget | None, title: str, file_filter: str, start: str = "") -> Path | None:
        name, _ = QFileDialog.getOpenFileName(parent, title, start, file_filter)
        return Path(name) if name else None


class TrackFilesDialog:
    """Which GPS track files to measure delivered dosage from (GPX, CSV or XLSX)."""

    FILTER = "GPS tracks (*.gpx *.csv *.xlsx);;All files (*)"

    @classmethod
    def ask(cls, parent: QWidget | None, start: str = "") -> list[Path] | None:
        names, _ = QFileDialog.getOpenFileNames(parent, "Delivered from GPS tracks", start, cls.FILTER)
        return [Path(n) for n in names] if names else None


class PrintScopeDialog:
    """What to print: route sheets for a unit, a shift, the whole week, or the roster."""

    @classmethod
    def ask(cls, parent: QWidget | None, unit: str | None, day: dt.date | None, shift: str | None) -> str | None:
        box = QMessageBox(parent)
        box.setWindowTitle("Print")
        box.setText("What do you want to print?")
        choices: dict[Any, str] = {}
        if unit:
            choices[box.addButton(f"Route sheet of {unit}", QMessageBox.ButtonRole.AcceptRole)] = "unit"
        if day and shift:
            choices[box.addButton(f"Route sheets of {day:%a %d/%m} {shift}", QMessageBox.ButtonRole.AcceptRole)] = "shift"
        choices[box.addButton("Route sheets, whole week", QMessageBox.ButtonRole.AcceptRole)] = "week"
        choices[box.addButton("Weekly roster", QMessageBox.ButtonRole.AcceptRole)] = "roster"
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return choices.get(box.clickedButton())


class DropLineEdit(QLineEdit):
    """A path field that accepts a file dropped on it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAcceptDrops(True)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            self.setText(urls[0].toLocalFile())
            event.acceptProposedAction()


class NewFromFilesDialog(QDialog):
    """Pick the network, stations, hotspots and officers files (browse or drop) and a week."""

    FIELDS = (("network", "Street network", NETWORK_FILTER), ("stations", "Stations", TABLE_FILTER),
              ("hotspots", "Hotspots", HOTSPOT_FILTER), ("officers", "Officers", TABLE_FILTER))

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("New plan from files")
        form = QFormLayout()
        self.edits: dict[str, DropLineEdit] = {}
        for key, label, file_filter in self.FIELDS:
            line = DropLineEdit(self)
            line.setPlaceholderText("drop a file here or browse")
            button = QPushButton("Browse…", self)
            button.clicked.connect(lambda _=False, k=key, f=file_filter, t=label: self._browse(k, t, f))
            row = QHBoxLayout()
            row.addWidget(line, 1)
            row.addWidget(button)
            form.addRow(label, row)
            self.edits[key] = line
        self.week = QDateEdit(self)
        self.week.setCalendarPopup(True)
        today = dt.date.today()
        monday = today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)
        self.week.setDate(QDate(monday.year, monday.month, monday.day))
        form.addRow("Week starting (Monday)", self.week)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c0392b")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Or open a scenario file directly with File > Open. Shift templates start as "
                                "Early 07-15, Late 15-23, Night 22-07; change them in Plan > Settings.", self))
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def _browse(self, key: str, title: str, file_filter: str) -> None:
        path = FileDialogs.open_file(self, title, file_filter)
        if path is not None:
            self.edits[key].setText(str(path))

    def values(self) -> dict[str, Any]:
        date = self.week.date()
        return {**{k: Path(e.text().strip()) for k, e in self.edits.items()},
                "week_start": dt.date(date.year(), date.month(), date.day())}

    def problems(self) -> list[str]:
        out = [f"{label}: choose a file" for key, label, _ in self.FIELDS if not self.edits[key].text().strip()]
        out += [f"{label}: {self.edits[key].text()} does not exist" for key, label, _ in self.FIELDS
                if self.edits[key].text().strip() and not Path(self.edits[key].text().strip()).exists()]
        if self.values()["week_start"].isoweekday() != 1:
            out.append("The week must start on a Monday")
        return out

    def _accept(self) -> None:
        problems = self.problems()
        if problems:
            self.message.setText("\n".join(problems))
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None) -> dict[str, Any] | None:
        dialog = cls(parent)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None


class SettingsDialog(QDialog):
    """Walk speed, visit length, gap, time limits, seed, rules and shift times, validated."""

    LABELS = {
        ("patrol", "walk_speed_kph"): ("Walking speed", " km/h"),
        ("patrol", "visit_min"): ("Visit length", " min"),
        ("patrol", "min_gap_min"): ("Minimum gap between visits", " min"),
        ("patrol", "time_limit_s"): ("Route search time limit", " s"),
        ("patrol", "seed"): ("Random seed", ""),
        ("patrol", "variety_pct"): ("Variety between days", " %"),
        ("roster", "time_limit_s"): ("Roster search time limit", " s"),
        ("rules", "min_rest_h"): ("Minimum rest between tours", " h"),
        ("rules", "max_consecutive_days"): ("Most consecutive working days", ""),
        ("rules", "hours_tolerance_h"): ("Contracted hours tolerance", " h"),
    }

    def __init__(self, scenario: Scenario, settings: dict[str, Any], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Plan settings")
        self.scenario = scenario
        values = current_settings(scenario)
        for table, entries in settings.items():
            if isinstance(entries, dict):
                for key, value in entries.items():
                    values.setdefault(table, {})[key] = value
        self.spins: dict[tuple[str, str], QSpinBox | QDoubleSpinBox] = {}
        limits = {"patrol": PATROL_LIMITS, "roster": {"time_limit_s": (1, 3600)}, "rules": RULE_LIMITS}
        layout = QVBoxLayout(self)
        for table, title in (("patrol", "Patrols"), ("roster", "Roster"), ("rules", "Working-time rules")):
            group = QGroupBox(title, self)
            form = QFormLayout(group)
            for (t, key), (label, suffix) in self.LABELS.items():
                if t != table:
                    continue
                lo, hi = limits[table][key]
                value = values[table][key]
                spin: QSpinBox | QDoubleSpinBox
                if isinstance(value, float) and key != "time_limit_s" or key == "walk_speed_kph":
                    spin = QDoubleSpinBox(group)
                    spin.setDecimals(1)
                    spin.setSingleStep(0.1 if key == "walk_speed_kph" else 1.0)
                else:
                    spin = QSpinBox(group)
                spin.setRange(lo, hi) if isinstance(spin, QDoubleSpinBox) else spin.setRange(int(lo), int(hi))
                spin.setValue(value if isinstance(spin, QDoubleSpinBox) else int(value))
                spin.setSuffix(suffix)
                form.addRow(label, spin)
                self.spins[(table, key)] = spin
            layout.addWidget(group)
        shifts = QGroupBox("Shift templates", self)
        self.shift_table = QTableWidget(len(scenario.shifts), 4, shifts)
        self.shift_table.setHorizontalHeaderLabels(["Start", "End", "Meal break (min)", "Unit size"])
        self.shift_table.setVerticalHeaderLabels([s.name for s in scenario.shifts])
        self.shift_widgets: dict[str, tuple[QTimeEdit, QTimeEdit, QSpinBox, QSpinBox]] = {}
        for row, template in enumerate(scenario.shifts):
            own = values["shifts"].get(template.name, {})
            start = QTimeEdit(QTime.fromString(str(own.get("start", template.start.strftime("%H:%M"))), "HH:mm"))
            end = QTimeEdit(QTime.fromString(str(own.get("end", template.end.strftime("%H:%M"))), "HH:mm"))
            for edit in (start, end):
                edit.setDisplayFormat("HH:mm")
            meal = QSpinBox()
            meal.setRange(0, 180)
            meal.setValue(int(own.get("meal_break_min", template.meal_break_min)))
            size = QSpinBox()
            size.setRange(1, 2)
            size.setValue(int(own.get("unit_size", template.unit_size)))
            for column, widget in enumerate((start, end, meal, size)):
                self.shift_table.setCellWidget(row, column, widget)
            self.shift_widgets[template.name] = (start, end, meal, size)
        self.shift_table.resizeColumnsToContents()
        box = QVBoxLayout(shifts)
        box.addWidget(self.shift_table)
        layout.addWidget(shifts)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c0392b")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
                                   | QDialogButtonBox.StandardButton.RestoreDefaults, self)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).setText("Scenario values")
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(self._restore)
        layout.addWidget(buttons)

    def _restore(self) -> None:
        values = current_settings(self.scenario)
        for (table, key), spin in self.spins.items():
            spin.setValue(values[table][key])
        for name, (start, end, meal, size) in self.shift_widgets.items():
            own = values["shifts"][name]
            start.setTime(QTime.fromString(own["start"], "HH:mm"))
            end.setTime(QTime.fromString(own["end"], "HH:mm"))
            meal.setValue(own["meal_break_min"])
            size.setValue(own["unit_size"])

    def settings(self) -> dict[str, Any]:
        """Only the values that differ from the scenario's."""
        base = current_settings(self.scenario)
        out: dict[str, Any] = {}
        for (table, key), spin in self.spins.items():
            value = spin.value()
            if isinstance(spin, QDoubleSpinBox):
                value = round(float(value), 3)
            if value != base[table][key]:
                out.setdefault(table, {})[key] = value
        for name, (start, end, meal, size) in self.shift_widgets.items():
            own = {"start": start.time().toString("HH:mm"), "end": end.time().toString("HH:mm"),
                   "meal_break_min": meal.value(), "unit_size": size.value()}
            changed = {k: v for k, v in own.items() if v != base["shifts"][name][k]}
            if changed:
                out.setdefault("shifts", {})[name] = changed
        return out

    def problems(self) -> list[str]:
        return validate_settings(self.settings(), self.scenario)

    def _accept(self) -> None:
        problems = self.problems()
        if problems:
            self.message.setText("\n".join(problems))
            return
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, scenario: Scenario, settings: dict[str, Any]) -> dict[str, Any] | None:
        dialog = cls(scenario, settings, parent)
        return dialog.settings() if dialog.exec() == QDialog.DialogCode.Accepted else None

