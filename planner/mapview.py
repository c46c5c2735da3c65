"""The offline map: streets from the walk graph, hotspots, stations and the day's routes.

A `QGraphicsScene` in local metres (`planner.mapdata.Projection`); markers and labels ignore
the view's zoom so they stay readable at any scale; line widths are cosmetic (screen pixels,
scaled with the device pixel ratio). Wheel zooms about the cursor, dragging pans, and a
scale bar and the OpenStreetMap attribution are drawn over the view.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
)

from planner.mapdata import Projection, StreetLines, nice_length_m, project_path
from planner.palette import harm_colour, unit_colour
from solver.domain import Hotspot, Scenario, Station
from solver.geometry import hotspot_ring
from solver.plan_model import PlannedTour

log = logging.getLogger(__name__)

OSM_CREDIT = "Streets © OpenStreetMap contributors (ODbL)"

Z_TRACKS = 22

Z_STREETS, Z_HOTSPOTS, Z_ROUTES, Z_ROUTE_SELECTED, Z_STATIONS, Z_VISITS, Z_SELECTION = 0, 10, 20, 25, 30, 40, 50


def _cosmetic_pen(colour: str | QColor, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(QColor(colour), width)
    pen.setCosmetic(True)
    pen.setStyle(style)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _polyline(points: Sequence[tuple[float, float]]) -> QPainterPath:
    path = QPainterPath()
    if points:
        path.moveTo(QPointF(*points[0]))
        for point in points[1:]:
            path.lineTo(QPointF(*point))
    return path


class HotspotItem(QGraphicsPathItem):
    """A hotspot's area, shaded by harm weight, with a tooltip of its plan for the day."""

    def __init__(self, hotspot: Hotspot, path: QPainterPath, fraction: float):
        super().__init__(path)
        self.hotspot = hotspot
        self.setBrush(QBrush(harm_colour(fraction)))
        self.setPen(_cosmetic_pen(harm_colour(fraction, 255).darker(130), 1.2))
        self.setZValue(Z_HOTSPOTS)
        self.setAcceptHoverEvents(True)
        self.set_planned(None)

    def set_planned(self, visits: int | None, minutes: float | None = None, day_label: str = "") -> None:
        h = self.hotspot
        lines = [f"<b>{h.id} {h.name}</b>", f"Harm weight: {h.weight:g}",
                 f"Target: {h.target_visits_per_day} visits a day of {h.visit_min} min"]
        if visits is not None:
            lines.append(f"Planned {day_label}: {visits} visit(s), {minutes or 0:.0f} min")
        if h.notes:
            lines.append(f"<i>{h.notes}</i>")
        self.setToolTip("<br>".join(lines))


class MapView(QGraphicsView):
    """The map widget. Feed it streets, a scenario, then the routes of a day and shift."""

    unit_clicked = Signal(str)

    ZOOM_STEP = 1.2

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setBackgroundBrush(QColor("#f7f5f0"))
        self.setMouseTracking(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.projection: Projection | None = None
        self.area = QRectF()
        self.hotspot_items: dict[str, HotspotItem] = {}
        self.station_items: dict[str, QGraphicsItem] = {}
        self.route_items: dict[str, QGraphicsPathItem] = {}
        self.visit_items: dict[str, list[QGraphicsItem]] = {}
        self.street_items: list[QGraphicsPathItem] = []
        self.track_items: list[QGraphicsPathItem] = []
        self._scenario_items: list[QGraphicsItem] = []
        self._selection: QGraphicsItem | None = None
        self.selected_unit: str | None = None
        self._fitted = False

    # --- content -------------------------------------------------------------------------

    def clear_all(self) -> None:
        self.scene().clear()
        self.hotspot_items.clear()
        self.station_items.clear()
        self.route_items.clear()
        self.visit_items.clear()
        self.street_items.clear()
        self.track_items.clear()
        self._scenario_items.clear()
        self._selection = None
        self.projection = None
        self.area = QRectF()
        self._fitted = False

    def set_streets(self, streets: StreetLines) -> None:
        """Draw the street network (replaces everything on the map)."""
        self.clear_all()
        self.projection = streets.projection
        styles = {
            "foot": _cosmetic_pen("#9a9a9a", 1.0, Qt.PenStyle.DashLine),
            "minor": _cosmetic_pen("#b9b4aa", 1.6),
            "major": _cosmetic_pen("#e8a33d", 3.2),
        }
        for name, pen in styles.items():
            path = QPainterPath()
            for line in streets.lines.get(name, []):
                path.addPath(_polyline(line))
            item = self.scene().addPath(path, pen)
            item.setZValue(Z_STREETS + len(self.street_items))
            item.setToolTip("")
            self.street_items.append(item)
        min_x, min_y, max_x, max_y = streets.bounds
        self.area = QRectF(min_x, min_y, max_x - min_x, max_y - min_y)
        margin = max(self.area.width(), self.area.height()) * 0.05
        self.scene().setSceneRect(self.area.adjusted(-margin, -margin, margin, margin))
        log.info("map: %d street lines", streets.count())

    def set_scenario(self, scenario: Scenario, projection: Projection | None = None) -> None:
        """Draw hotspots and stations (keeps the streets)."""
        for item in self._scenario_items:
            self.scene().removeItem(item)
        self._scenario_items.clear()
        self.hotspot_items.clear()
        self.station_items.clear()
        self.clear_routes()
        if self.projection is None:
            self.projection = projection or Projection.around(
                [(h.lat, h.lon) for h in scenario.hotspots] + [(s.lat, s.lon) for s in scenario.stations])
        top = max((h.weight for h in scenario.hotspots), default=1.0) or 1.0
        for hotspot in scenario.hotspots:
            ring = [self.projection.to_xy(lat, lon) for lon, lat in hotspot_ring(hotspot)]
            path = QPainterPath()
            path.addPolygon(QPolygonF([QPointF(x, y) for x, y in ring]))
            item = HotspotItem(hotspot, path, hotspot.weight / top)
            self.scene().addItem(item)
            self._scenario_items.append(item)
            self.hotspot_items[hotspot.id] = item
            label = self._label(hotspot.id, item.boundingRect().center(), QColor("#5a0000"))
            label.setZValue(Z_ROUTES - 1)  # under routes, visits and station names
            self._scenario_items.append(label)
        for station in scenario.stations:
            self._add_station(station)
        if self.area.isNull() and self._scenario_items:
            self.area = self.scene().itemsBoundingRect()
            self.scene().setSceneRect(self.area.adjusted(-200, -200, 200, 200))

    def _marker_size(self) -> float:
        return QFontMetricsF(self.font()).height()

    def _label(self, text: str, at: QPointF, colour: QColor, bold: bool = True) -> QGraphicsSimpleTextItem:
        label = QGraphicsSimpleTextItem(text)
        font = QFont(self.font())
        font.setBold(bold)
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.85))
        label.setFont(font)
        label.setBrush(colour)
        label.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        rect = label.boundingRect()
        label.setPos(at)
        label.setTransformOriginPoint(rect.center())
        label.setZValue(Z_VISITS)
        label.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        label.setAcceptHoverEvents(False)
        self.scene().addItem(label)
        return label

    def _add_station(self, station: Station) -> None:
        assert self.projection is not None
        x, y = self.projection.to_xy(station.lat, station.lon)
        size = self._marker_size()
        item = QGraphicsRectItem(QRectF(-size / 2, -size / 2, size, size))
        item.setPos(x, y)
        item.setBrush(QColor("#1b3a6b"))
        item.setPen(QPen(QColor("white"), 1.5))
        item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        item.setZValue(Z_STATIONS)
        item.setToolTip(f"<b>Station {station.id}</b><br>{station.name}")
        self.scene().addItem(item)
        self.station_items[station.id] = item
        self._scenario_items.append(item)
        text = QGraphicsSimpleTextItem(station.name, item)
        font = QFont(self.font())
        font.setBold(True)
        text.setFont(font)
        text.setBrush(QColor("#1b3a6b"))
        text.setPos(size * 0.7, -size * 0.6)

    def update_hotspot_dosage(self, planned: Mapping[str, tuple[int, float]] | None, day_label: str = "") -> None:
        """Tooltips: planned visits and minutes per hotspot for the shown day (None: no plan)."""
        for hotspot_id, item in self.hotspot_items.items():
            if planned is None:
                item.set_planned(None)
            else:
                visits, minutes = planned.get(hotspot_id, (0, 0.0))
                item.set_planned(visits, minutes, day_label)

    def clear_routes(self) -> None:
        for item in self.route_items.values():
            self.scene().removeItem(item)
        for items in self.visit_items.values():
            for item in items:
                self.scene().removeItem(item)
        self.route_items.clear()
        self.visit_items.clear()

    def clear_tracks(self) -> None:
        for item in self.track_items:
            self.scene().removeItem(item)
        self.track_items.clear()

    def set_tracks(self, tracks: Sequence[tuple[str, QColor | str, Sequence[tuple[float, float]]]]) -> None:
        """Draw delivered GPS tracks as thin dashed lines: (tooltip, colour, (lat, lon) points)."""
        self.clear_tracks()
        if self.projection is None:
            return
        for label, colour, coordinates in tracks:
            points = project_path(self.projection, coordinates)
            if len(points) < 2:
                continue
            item = QGraphicsPathItem(_polyline(points))
            item.setPen(_cosmetic_pen(colour, 1.5, Qt.PenStyle.DashLine))
            item.setZValue(Z_TRACKS)
            item.setToolTip(label)
            self.scene().addItem(item)
            self.track_items.append(item)

    def set_routes(self, tours: Sequence[PlannedTour], coordinates: Mapping[str, Sequence[tuple[float, float]]]) -> None:
        """Draw ``tours`` (one colour per unit, in the given order) with numbered visits.

        ``coordinates`` maps a unit id to its walked (lat, lon) points along the streets.
        """
        self.clear_routes()
        if self.projection is None:
            return
        size = self._marker_size()
        for index, tour in enumerate(tours):
            colour = unit_colour(index)
            points = project_path(self.projection, coordinates.get(tour.unit_id, ()))
            route = QGraphicsPathItem(_polyline(points))
            route.setPen(_cosmetic_pen(colour, 3.0))
            route.setZValue(Z_ROUTES)
            route.setToolTip(f"{tour.unit_id}: {len(tour.visits)} visits, {tour.walk_m / 1000:.1f} km")
            route.setData(0, tour.unit_id)
            self.scene().addItem(route)
            self.route_items[tour.unit_id] = route
            markers: list[QGraphicsItem] = []
            for visit in tour.visits:
                x, y = self.projection.to_xy(visit.lat, visit.lon)
                dot = QGraphicsEllipseItem(QRectF(-size / 2, -size / 2, size, size))
                dot.setPos(x, y)
                dot.setBrush(colour)
                dot.setPen(QPen(QColor("white"), 1.2))
                dot.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
                dot.setZValue(Z_VISITS)
                dot.setToolTip(f"{tour.unit_id} visit {visit.seq}: {visit.hotspot_id}, "
                               f"{visit.arrive:%H:%M}-{visit.depart:%H:%M}")
                dot.setData(0, tour.unit_id)
                number = QGraphicsSimpleTextItem(str(visit.seq), dot)
                font = QFont(self.font())
                font.setBold(True)
                font.setPointSizeF(max(5.0, font.pointSizeF() * 0.75))
                number.setFont(font)
                number.setBrush(QColor("white"))
                rect = number.boundingRect()
                number.setPos(-rect.width() / 2, -rect.height() / 2)
                self.scene().addItem(dot)
                markers.append(dot)
            self.visit_items[tour.unit_id] = markers
        self.highlight_unit(self.selected_unit if self.selected_unit in self.route_items else None)

    def highlight_unit(self, unit_id: str | None) -> None:
        """Emphasise one unit's route (None: all routes equal)."""
        self.selected_unit = unit_id
        for uid, route in self.route_items.items():
            pen = route.pen()
            colour = pen.color()
            if unit_id is None or uid == unit_id:
                colour.setAlpha(255)
                pen.setWidthF(5.0 if uid == unit_id else 3.0)
                route.setZValue(Z_ROUTE_SELECTED if uid == unit_id else Z_ROUTES)
            else:
                colour.setAlpha(60)
                pen.setWidthF(2.0)
                route.setZValue(Z_ROUTES)
            pen.setColor(colour)
            route.setPen(pen)
            for marker in self.visit_items.get(uid, []):
                marker.setOpacity(1.0 if unit_id is None or uid == unit_id else 0.3)

    def select_place(self, kind: str, ident: str) -> bool:
        """Ring and centre a station or hotspot; False when it is not on the map."""
        item = (self.hotspot_items if kind == "hotspot" else self.station_items).get(ident)
        if item is None:
            return False
        if self._selection is not None:
            self.scene().removeItem(self._selection)
        rect = item.sceneBoundingRect()
        centre = rect.center()
        radius = max(rect.width(), rect.height(), 60.0) * 0.75
        ring = QGraphicsEllipseItem(QRectF(centre.x() - radius, centre.y() - radius, 2 * radius, 2 * radius))
        ring.setPen(_cosmetic_pen("#0066ff", 3.0, Qt.PenStyle.DashLine))
        ring.setZValue(Z_SELECTION)
        ring.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.scene().addItem(ring)
        self._selection = ring
        self.centerOn(centre)
        return True

    # --- navigation ------------------------------------------------------------------------

    def fit_to_area(self) -> None:
        if not self.area.isNull():
            self.fitInView(self.area, Qt.AspectRatioMode.KeepAspectRatio)
            self._fitted = True

    def zoom(self, factor: float) -> None:
        self.scale(factor, factor)

    def metres_per_pixel(self) -> float:
        scale = self.transform().m11()
        return 1.0 / scale if scale > 0 else 0.0

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt API
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom(self.ZOOM_STEP ** steps)
        event.accept()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if not self._fitted:
            self.fit_to_area()

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.LeftButton:
            for item in self.items(event.position().toPoint()):
                unit = item.data(0)
                if isinstance(unit, str) and unit:
                    self.unit_clicked.emit(unit)
                    break
        super().mousePressEvent(event)

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802 - Qt API
        super().drawForeground(painter, rect)
        per_px = self.metres_per_pixel()
        viewport = self.viewport().rect()
        if per_px <= 0 or self.projection is None:
            return
        painter.save()
        painter.resetTransform()
        metrics = QFontMetricsF(self.font())
        pad = metrics.height() * 0.6
        length_m = nice_length_m(viewport.width() * 0.2 * per_px)
        length_px = length_m / per_px
        x0 = pad
        y0 = viewport.height() - pad
        label = f"{length_m / 1000:g} km" if length_m >= 1000 else f"{length_m:g} m"
        box = QRectF(x0 - pad / 2, y0 - metrics.height() * 1.6, length_px + pad + metrics.horizontalAdvance(label), metrics.height() * 1.9)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 200))
        painter.drawRect(box)
        pen = QPen(QColor("#222222"), max(1.0, metrics.height() / 8))
        painter.setPen(pen)
        tick = metrics.height() * 0.35
        painter.drawLine(QPointF(x0, y0 - tick), QPointF(x0, y0))
        painter.drawLine(QPointF(x0, y0), QPointF(x0 + length_px, y0))
        painter.drawLine(QPointF(x0 + length_px, y0 - tick), QPointF(x0 + length_px, y0))
        painter.drawText(QPointF(x0 + length_px + pad / 2, y0), label)
        credit_w = metrics.horizontalAdvance(OSM_CREDIT)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRect(QRectF(viewport.width() - credit_w - pad * 1.5, viewport.height() - metrics.height() - pad, credit_w + pad, metrics.height() + pad / 2))
        painter.setPen(QColor("#333333"))
        painter.drawText(QPointF(viewport.width() - credit_w - pad, viewport.height() - pad * 0.9), OSM_CREDIT)
        painter.restore()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt API
        super().scrollContentsBy(dx, dy)
        self.viewport().update()


def route_coordinates(graph: Any, tours: Sequence[PlannedTour]) -> dict[str, list[tuple[float, float]]]:
    """(lat, lon) points of each tour's walk along the streets (the solver's export helper)."""
    from solver.export import tour_coordinates

    return {t.unit_id: tour_coordinates(t, graph) for t in tours}
