"""Qt item models: thin adapters over solver objects and `planner.rostertable`.

Each model is replaced wholesale (``beginResetModel``/``endResetModel``) when a new result
arrives on the GUI thread; none of them is mutated from a worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon

from planner.palette import (
    AWAY_COLOUR,
    CHANGED_COLOUR,
    CONFLICT_COLOUR,
    lock_icon,
    shift_colour,
    unit_colour,
)
from planner.rostertable import OFF, RosterTable
from solver.plan_model import Plan, PlannedTour, RosterChange

Index = QModelIndex | QPersistentModelIndex
DISPLAY = Qt.ItemDataRole.DisplayRole
EDIT = Qt.ItemDataRole.EditRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
BACKGROUND = Qt.ItemDataRole.BackgroundRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole
DECORATION = Qt.ItemDataRole.DecorationRole
FONT = Qt.ItemDataRole.FontRole
ALIGN = Qt.ItemDataRole.TextAlignmentRole
USER = Qt.ItemDataRole.UserRole


@dataclass(frozen=True)
class ProblemRow:
    """A row of the problems list: a validation problem, a rule conflict or a plan note."""

    file: str
    row: int | None
    field: str | None
    message: str
    kind: str = "input"  # "input", "conflict", "plan"
    officer_id: str | None = None
    date: dt.date | None = None


class _TableModel(QAbstractTableModel):
    headers: tuple[str, ...] = ()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:  # noqa: N802
        if role == DISPLAY and orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.headers):
            return self.headers[section]
        return None


class ProblemsModel(_TableModel):
    """File, line, field, message: every problem with the input and every rule conflict."""

    headers = ("File", "Line", "Field", "Message")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[ProblemRow] = []

    def set_rows(self, rows: Sequence[ProblemRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[ProblemRow]:
        return list(self._rows)

    def problem(self, row: int) -> ProblemRow:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        column = index.column()
        if role == DISPLAY:
            if column == 0:
                return item.file.rsplit("/", 1)[-1] if item.file else ""
            if column == 1:
                return "" if item.row is None else str(item.row)
            if column == 2:
                return item.field or ""
            if column == 3:
                return item.message
        if role == TOOLTIP:
            return f"{item.file}\n{item.message}" if item.file else item.message
        if role == FOREGROUND and item.kind == "conflict":
            return QColor(CONFLICT_COLOUR)
        return None


class RosterModel(_TableModel):
    """Officers x days; each cell the shift, OFF or the reason away; totals at the right.

    Editing a day cell does not change the model: it emits ``cell_edited`` and the window
    rebuilds the table from the new edits.
    """

    cell_edited = Signal(str, object, object)  # officer id, date, shift or None
    TOTALS = ("Tours", "Nights", "Weekends", "Hours")
    ShiftRole = USER + 1
    LockedRole = USER + 2
    ChangedRole = USER + 3
    ConflictRole = USER + 4
    OfficerRole = USER + 5
    DateRole = USER + 6

    def __init__(self, parent=None):
        super().__init__(parent)
        self.table = RosterTable()
        self._lock_icon: QIcon | None = None

    def set_table(self, table: RosterTable) -> None:
        self.beginResetModel()
        self.table = table
        self.headers = tuple(f"{d:%a %d/%m}" for d in table.dates) + self.TOTALS
        self.endResetModel()

    def choices(self) -> list[str]:
        """What a day cell can be set to: OFF or a shift template."""
        return [OFF, *self.table.shift_names]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.table.officers)

    def is_day(self, index: Index) -> bool:
        return index.isValid() and index.column() < len(self.table.dates)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.is_day(index):
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self.table.officers):
            officer = self.table.officers[section]
            if role == DISPLAY:
                label = officer.name if officer.id in officer.name else f"{officer.name} ({officer.id})"
                return f"{label} · {officer.role} · {officer.station_id}"
            if role == TOOLTIP:
                return f"{officer.name}, {officer.role}, station {officer.station_id}, {officer.contracted_hours:g} h/week"
            return None
        if orientation == Qt.Orientation.Horizontal and role == TOOLTIP and section < len(self.table.dates):
            return f"{self.table.dates[section]:%A %d %B %Y}"
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.table.officers):
            return None
        row, column = index.row(), index.column()
        days = len(self.table.dates)
        officer = self.table.officers[row]
        if role == self.OfficerRole:
            return officer.id
        if column >= days:
            totals = self.table.totals[row]
            values = (totals.tours, totals.nights, totals.weekends, f"{totals.hours:.0f}")
            if role == DISPLAY and column - days < len(values):
                return str(values[column - days])
            if role == ALIGN:
                return int(Qt.AlignmentFlag.AlignCenter)
            return None
        cell = self.table.cell(row, column)
        if role == DISPLAY:
            return ("! " if cell.conflicts else "") + cell.text
        if role == EDIT:
            return cell.shift or OFF
        if role == self.ShiftRole:
            return cell.shift
        if role == self.LockedRole:
            return cell.locked
        if role == self.ChangedRole:
            return cell.changed
        if role == self.ConflictRole:
            return list(cell.conflicts)
        if role == self.DateRole:
            return self.table.dates[column]
        if role == BACKGROUND:
            if cell.shift is not None and cell.shift in self.table.shift_names:
                return shift_colour(self.table.shift_names.index(cell.shift))
            if cell.kind in ("away", "no_patrol"):
                return QColor(AWAY_COLOUR)
            return None
        if role == FOREGROUND:
            if cell.conflicts:
                return QColor(CONFLICT_COLOUR)
            if cell.changed:
                return QColor(CHANGED_COLOUR)
            return QColor("#222222") if cell.shift else QColor("#777777")
        if role == FONT and (cell.changed or cell.conflicts):
            font = QFont()
            font.setBold(True)
            return font
        if role == DECORATION and cell.locked:
            if self._lock_icon is None:
                self._lock_icon = lock_icon()
            return self._lock_icon
        if role == ALIGN:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == TOOLTIP:
            lines = [f"{officer.name}, {self.table.dates[column]:%A %d %B}: {cell.text}"]
            if cell.locked:
                lines.append("Locked: the next plan keeps this.")
            if cell.changed:
                lines.append("Changed by the last re-plan: tell the officer.")
            lines += [f"Conflict: {c}" for c in cell.conflicts]
            return "\n".join(lines)
        return None

    def setData(self, index: Index, value: Any, role: int = EDIT) -> bool:  # noqa: N802
        if role != EDIT or not self.is_day(index):
            return False
        text = str(value) if value is not None else OFF
        if text != OFF and text not in self.table.shift_names:
            return False
        officer = self.table.officers[index.row()]
        self.cell_edited.emit(officer.id, self.table.dates[index.column()], None if text == OFF else text)
        return True


class UnitsModel(_TableModel):
    """The patrol units (tours) of one day and shift, each in its route colour."""

    headers = ("Unit", "Officers", "Station", "Visits", "In hotspots", "Walk")
    TourRole = USER + 1

    def __init__(self, parent=None):
        super().__init__(parent)
        self._tours: list[PlannedTour] = []
        self._names: dict[str, str] = {}

    def set_tours(self, tours: Sequence[PlannedTour], officer_names: dict[str, str]) -> None:
        self.beginResetModel()
        self._tours = sorted(tours, key=lambda t: t.unit_id)
        self._names = dict(officer_names)
        self.endResetModel()

    def tours(self) -> list[PlannedTour]:
        return list(self._tours)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._tours)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._tours):
            return None
        tour = self._tours[index.row()]
        column = index.column()
        if role == self.TourRole:
            return tour.unit_id
        if role == DISPLAY:
            values = (
                tour.unit_id,
                ", ".join(self._names.get(o, o) for o in tour.officer_ids),
                tour.station_id,
                str(len(tour.visits)),
                f"{tour.dwell_min:.0f} min",
                f"{tour.walk_m / 1000:.1f} km",
            )
            return values[column] if column < len(values) else None
        if role == DECORATION and column == 0:
            return unit_colour(index.row())
        if role == TOOLTIP:
            return f"{tour.unit_id}: {tour.start:%H:%M}-{tour.end:%H:%M}, {len(tour.visits)} visits"
        return None


class DosageModel(_TableModel):
    """Per hotspot on one day: target and planned visits and minutes, and why a target is unmet."""

    headers = ("Hotspot", "Weight", "Target", "Visits", "Minutes", "Unmet because")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[tuple[str, str, float, int, int, float, str]] = []

    def set_plan(self, plan: Plan | None, day: dt.date | None, *, week: bool = False) -> None:
        """Rows for ``day``, or summed over the plan's days when ``week`` is true."""
        self.beginResetModel()
        self._rows = []
        if plan is not None and (day is not None or week):
            hotspots = {h.id: h for h in plan.scenario.hotspots}
            rows = [d for d in plan.dosage if week or d.date == day]
            by_hotspot: dict[str, list] = {}
            for row in rows:
                by_hotspot.setdefault(row.hotspot_id, []).append(row)
            for hotspot_id in sorted(by_hotspot):
                group = by_hotspot[hotspot_id]
                hotspot = hotspots.get(hotspot_id)
                short = [r for r in group if r.unmet_reason]
                if week:
                    reason = f"{len(short)} day(s) below target" if short else ""
                else:
                    reason = short[0].unmet_reason if short else ""
                self._rows.append((
                    hotspot_id, hotspot.name if hotspot else hotspot_id, hotspot.weight if hotspot else 0.0,
                    sum(r.target_visits for r in group), sum(r.planned_visits for r in group),
                    sum(r.planned_min for r in group), reason,
                ))
        self.endResetModel()

    def bars(self) -> list[tuple[str, int, int]]:
        """(hotspot id, target, planned visits) for the bar chart."""
        return [(r[0], r[3], r[4]) for r in self._rows]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        hotspot_id, name, weight, target, visits, minutes, reason = self._rows[index.row()]
        column = index.column()
        if role == DISPLAY:
            values = (f"{hotspot_id} {name}", f"{weight:g}", str(target), str(visits), f"{minutes:.0f}", reason)
            return values[column] if column < len(values) else None
        if role == FOREGROUND and reason:
            return QColor(CONFLICT_COLOUR)
        if role == ALIGN and 1 <= column <= 4:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == TOOLTIP and reason:
            return reason
        return None


class ChangesModel(_TableModel):
    """Tours changed by the last re-plan: who must be told."""

    headers = ("Officer", "Day", "Was", "Now")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[RosterChange] = []
        self._names: dict[str, str] = {}

    def set_changes(self, changes: Sequence[RosterChange], officer_names: dict[str, str]) -> None:
        self.beginResetModel()
        self._rows = sorted(changes, key=lambda c: (c.date, c.officer_id))
        self._names = dict(officer_names)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        change = self._rows[index.row()]
        if role == DISPLAY:
            values = (self._names.get(change.officer_id, change.officer_id), f"{change.date:%a %d/%m}",
                      change.old_shift or OFF, change.new_shift or OFF)
            return values[index.column()] if index.column() < len(values) else None
        return None


class DeliveredModel(_TableModel):
    """Planned vs delivered per hotspot and day, from GPS tracks."""

    headers = ("Day", "Hotspot", "Planned visits", "Planned min", "Delivered visits", "Delivered min", "Effective visits")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[Any] = []

    def set_report(self, report: Any, day: dt.date | None = None) -> None:
        """Rows of ``report.hotspot_days`` (only ``day``'s when given); None empties the table."""
        self.beginResetModel()
        rows = list(report.hotspot_days) if report is not None else []
        self._rows = [r for r in rows if day is None or r.date == day]
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        column = index.column()
        short = r.delivered_min + 0.05 < r.planned_min
        if role == DISPLAY:
            values = (f"{r.date:%a %d/%m}", f"{r.hotspot_id} {r.hotspot_name}".strip(), str(r.planned_visits),
                      f"{r.planned_min:.0f}", str(r.delivered_visits), f"{r.delivered_min:.0f}", str(r.effective_visits))
            return values[column] if column < len(values) else None
        if role == FOREGROUND and short and column == 5:
            return QColor(CONFLICT_COLOUR)
        if role == ALIGN and column >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == TOOLTIP and short:
            return f"{r.planned_min - r.delivered_min:.0f} min short of the plan"
        return None
