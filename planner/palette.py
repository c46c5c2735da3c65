"""Colours and small drawn icons shared by the views (no image files needed)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

#: Shift colours in the roster grid (light, text stays readable), by template order.
SHIFT_COLOURS = ("#fff3c4", "#d6eaf8", "#d5d8dc", "#d4efdf", "#f5cba7", "#e8daef")
AWAY_COLOUR = "#f2f2f2"
CONFLICT_COLOUR = "#c0392b"
CHANGED_COLOUR = "#8e44ad"

#: Route colours, one per unit (a qualitative palette that prints well).
UNIT_COLOURS = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#393b79", "#637939",
)


def shift_colour(index: int) -> QColor:
    return QColor(SHIFT_COLOURS[index % len(SHIFT_COLOURS)])


def unit_colour(index: int) -> QColor:
    return QColor(UNIT_COLOURS[index % len(UNIT_COLOURS)])


def harm_colour(fraction: float, alpha: int = 150) -> QColor:
    """Light orange to dark red as the harm weight goes from low to the highest."""
    f = max(0.0, min(1.0, fraction))
    low, high = QColor("#fdd49e"), QColor("#b30000")
    colour = QColor(
        round(low.red() + (high.red() - low.red()) * f),
        round(low.green() + (high.green() - low.green()) * f),
        round(low.blue() + (high.blue() - low.blue()) * f),
    )
    colour.setAlpha(alpha)
    return colour


def lock_icon(size: int = 32) -> QIcon:
    """A padlock drawn with QPainter (scales cleanly on high-DPI screens)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = float(size)
    pen = QPen(QColor("#444444"), s * 0.09)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    shackle = QPainterPath()
    shackle.moveTo(QPointF(s * 0.3, s * 0.5))
    shackle.lineTo(QPointF(s * 0.3, s * 0.32))
    shackle.arcTo(QRectF(s * 0.3, s * 0.12, s * 0.4, s * 0.4), 180, -180)
    shackle.lineTo(QPointF(s * 0.7, s * 0.5))
    painter.drawPath(shackle)
    painter.setBrush(QColor("#e0a800"))
    painter.drawRoundedRect(QRectF(s * 0.18, s * 0.46, s * 0.64, s * 0.44), s * 0.06, s * 0.06)
    painter.end()
    return QIcon(pixmap)
