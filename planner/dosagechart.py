"""A small bar chart of planned visits against target per hotspot, drawn with QPainter."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from planner.palette import CONFLICT_COLOUR

MET = QColor("#2e7d32")
SHORT = QColor(CONFLICT_COLOUR)
TARGET = QColor("#222222")


class DosageChart(QWidget):
    """One bar per hotspot: planned visits (green when the target is met, red when short),
    with the target as a tick. Sizes follow the font, so it scales on high-DPI screens."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._bars: list[tuple[str, int, int]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_bars(self, bars: Sequence[tuple[str, int, int]]) -> None:
        """(label, target, planned) per hotspot."""
        self._bars = list(bars)
        self.update()

    def bars(self) -> list[tuple[str, int, int]]:
        return list(self._bars)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        h = QFontMetricsF(self.font()).height()
        return QSize(int(h * 24), int(h * 9))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        h = QFontMetricsF(self.font()).height()
        return QSize(int(h * 10), int(h * 6))

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        metrics = QFontMetricsF(self.font())
        line = metrics.height()
        if not self._bars:
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, "No plan for this day yet")
            painter.end()
            return
        top = max(max(t, p) for _, t, p in self._bars) or 1
        left = metrics.horizontalAdvance(str(top)) + line * 0.6
        plot = QRectF(left, line * 1.4, self.width() - left - line * 0.5, self.height() - line * 3.0)
        painter.setPen(self.palette().text().color())
        painter.drawText(QPointF(line * 0.3, line), "Visits planned vs target (tick)")
        axis = QPen(self.palette().mid().color(), 1)
        painter.setPen(axis)
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        for value in (0, top):
            y = plot.bottom() - plot.height() * value / top
            painter.setPen(self.palette().text().color())
            painter.drawText(QRectF(0, y - line / 2, left - line * 0.3, line), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(value))
        slot = plot.width() / len(self._bars)
        width = slot * 0.7
        step = max(1, int(metrics.horizontalAdvance("H00 ") / slot) + 1)
        for i, (label, target, planned) in enumerate(self._bars):
            x = plot.left() + slot * i + (slot - width) / 2
            height = plot.height() * planned / top
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(MET if planned >= target else SHORT)
            painter.drawRect(QRectF(x, plot.bottom() - height, width, height))
            ty = plot.bottom() - plot.height() * target / top
            painter.setPen(QPen(TARGET, max(1.5, line / 8)))
            painter.drawLine(QPointF(x - slot * 0.1, ty), QPointF(x + width + slot * 0.1, ty))
            if i % step == 0:
                painter.setPen(self.palette().text().color())
                painter.drawText(QRectF(x - slot, plot.bottom() + line * 0.2, width + 2 * slot, line),
                                 Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, label)
        painter.end()
