"""The roster grid: a QTableView over `RosterModel` with a shift combo box and a context menu."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QMenu,
    QStyledItemDelegate,
    QTableView,
)

from planner.models import RosterModel
from planner.palette import lock_icon


class ShiftDelegate(QStyledItemDelegate):
    """Edits a day cell with a combo box of OFF and the shift templates."""

    def createEditor(self, parent, option, index):  # noqa: N802 - Qt API
        model = index.model()
        combo = QComboBox(parent)
        if isinstance(model, RosterModel):
            combo.addItems(model.choices())
        combo.setToolTip("Set this officer-day; the cell is locked so the next plan keeps it")
        return combo

    def setEditorData(self, editor, index):  # noqa: N802 - Qt API
        value = index.data(Qt.ItemDataRole.EditRole)
        position = editor.findText(str(value))
        editor.setCurrentIndex(max(0, position))

    def setModelData(self, editor, model, index):  # noqa: N802 - Qt API
        if editor.currentText() != index.data(Qt.ItemDataRole.EditRole):
            model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


class RosterView(QTableView):
    """Officers down, days across. Right-click a day cell to lock it, mark the officer sick
    or re-plan from that day."""

    lock_requested = Signal(str, object, bool)  # officer id, date, lock (True) or unlock
    sick_requested = Signal(str, object, bool)  # officer id, date, sick (True) or back
    replan_requested = Signal(object)  # date
    cell_selected = Signal(str, object)  # officer id, date

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setItemDelegate(ShiftDelegate(self))
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.SelectedClicked)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setAlternatingRowColors(False)
        self.setWordWrap(False)
        self.replan_days_enabled = True
        #: Set by the window: True when the app marked the officer absent on that day.
        self.is_absent = lambda officer_id, day: False

    def setModel(self, model) -> None:  # noqa: N802 - Qt API
        super().setModel(model)
        self.selectionModel().currentChanged.connect(self._current_changed)
        model.modelReset.connect(self._size_columns)

    def _size_columns(self) -> None:
        model = self.model()
        if not isinstance(model, RosterModel):
            return
        header = self.horizontalHeader()
        days = len(model.table.dates)
        for column in range(model.columnCount()):
            mode = QHeaderView.ResizeMode.Stretch if column < days else QHeaderView.ResizeMode.ResizeToContents
            header.setSectionResizeMode(column, mode)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        model = self.model()
        if isinstance(model, RosterModel) and model.is_day(current):
            self.cell_selected.emit(current.data(RosterModel.OfficerRole), current.data(RosterModel.DateRole))

    def current_cell(self) -> tuple[str, dt.date] | None:
        index = self.currentIndex()
        model = self.model()
        if isinstance(model, RosterModel) and model.is_day(index):
            return index.data(RosterModel.OfficerRole), index.data(RosterModel.DateRole)
        return None

    def menu_for(self, index: QModelIndex) -> QMenu | None:
        """The context menu of a day cell (None elsewhere); built here so tests can use it."""
        model = self.model()
        if not isinstance(model, RosterModel) or not model.is_day(index):
            return None
        officer_id = index.data(RosterModel.OfficerRole)
        day = index.data(RosterModel.DateRole)
        locked = bool(index.data(RosterModel.LockedRole))
        menu = QMenu(self)
        lock = QAction(lock_icon(), "Unlock" if locked else "Lock", menu)
        lock.setToolTip("A locked cell is kept as it is by the next plan")
        lock.triggered.connect(lambda: self.lock_requested.emit(officer_id, day, not locked))
        menu.addAction(lock)
        sick = self.is_absent(officer_id, day)
        absent = QAction("Officer back (not sick)" if sick else "Officer sick", menu)
        absent.triggered.connect(lambda: self.sick_requested.emit(officer_id, day, not sick))
        menu.addAction(absent)
        menu.addSeparator()
        replan = QAction(f"Re-plan from {day:%a %d/%m}", menu)
        replan.setEnabled(self.replan_days_enabled)
        replan.setToolTip("Keep the days before and the locks; change the rest as little as possible")
        replan.triggered.connect(lambda: self.replan_requested.emit(day))
        menu.addAction(replan)
        return menu

    def _menu(self, position) -> None:
        index = self.indexAt(position)
        menu = self.menu_for(index)
        if menu is not None:
            self.setCurrentIndex(index)
            menu.exec(self.viewport().mapToGlobal(position))
