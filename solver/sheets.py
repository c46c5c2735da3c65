"""Printable PDF route sheets (one or two pages per unit per tour) and the weekly roster grid.

Rendered with reportlab so the engine stays free of Qt; the desktop app prints these PDFs.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, PolyLine, Rect, String
from reportlab.graphics.shapes import Path as DrawingPath
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from solver.atomic import write_bytes_atomic
from solver.directions import directions
from solver.geometry import hotspot_ring
from solver.matrix import walk_path
from solver.plan_model import Plan, PlannedTour

log = logging.getLogger(__name__)

OSM_ATTRIBUTION = "Map data (c) OpenStreetMap contributors, ODbL"
MAJOR_HIGHWAYS = {"trunk", "primary", "secondary", "tertiary", "trunk_link", "primary_link", "secondary_link", "tertiary_link"}
PATH_HIGHWAYS = {"footway", "path", "steps", "pedestrian", "track", "bridleway", "corridor"}
ROUTE_COLOUR = colors.HexColor("#c0392b")
HOTSPOT_FILL = colors.Color(0.95, 0.55, 0.1, alpha=0.25)
HOTSPOT_EDGE = colors.HexColor("#d35400")


@dataclass(frozen=True)
class _Frame:
    """A local metric projection fitted into a drawing box."""

    lat0: float
    lon0: float
    scale: float  # points per metre
    x_off: float
    y_off: float

    def metres(self, lat: float, lon: float) -> tuple[float, float]:
        return (lon - self.lon0) * 111_320.0 * math.cos(math.radians(self.lat0)), (lat - self.lat0) * 110_540.0

    def point(self, lat: float, lon: float) -> tuple[float, float]:
        x, y = self.metres(lat, lon)
        return self.x_off + x * self.scale, self.y_off + y * self.scale


def _fit(points: Sequence[tuple[float, float]], width: float, height: float, margin_m: float = 120.0) -> tuple[_Frame, tuple[float, float, float, float]]:
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    lat0, lon0 = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
    probe = _Frame(lat0, lon0, 1.0, 0.0, 0.0)
    xs, ys = zip(*(probe.metres(lat, lon) for lat, lon in points), strict=True)
    span_x = max(xs) - min(xs) + 2 * margin_m
    span_y = max(ys) - min(ys) + 2 * margin_m
    scale = min(width / span_x, height / span_y)
    frame = _Frame(lat0, lon0, scale, width / 2, height / 2)
    half_w, half_h = width / 2 / scale, height / 2 / scale
    return frame, (-half_w, -half_h, half_w, half_h)


def _tour_points(graph: Any, tour: PlannedTour) -> list[tuple[float, float]]:
    from solver.export import tour_coordinates

    return tour_coordinates(tour, graph)


def tour_map(plan: Plan, graph: Any, tour: PlannedTour, width: float, height: float) -> Drawing:
    """A map of one tour: streets, hotspot areas, the route, numbered visits, station."""
    route = _tour_points(graph, tour)
    station = plan.scenario.station(tour.station_id)
    visited = {v.hotspot_id for v in tour.visits}
    hotspots = [h for h in plan.scenario.hotspots if h.id in visited]
    extent = route + [(station.lat, station.lon)] + [(h.lat, h.lon) for h in hotspots]
    frame, (x0, y0, x1, y1) = _fit(extent, width, height)
    drawing = Drawing(width, height)
    drawing.add(Rect(0, 0, width, height, fillColor=colors.HexColor("#f7f5f0"), strokeColor=colors.grey, strokeWidth=0.5))
    for path in _street_paths(graph, frame, width, height).values():
        drawing.add(path)
    for h in hotspots:
        ring = [c for lon, lat in hotspot_ring(h) for c in frame.point(lat, lon)]
        drawing.add(Polygon(ring, fillColor=HOTSPOT_FILL, strokeColor=HOTSPOT_EDGE, strokeWidth=0.8))
    if len(route) > 1:
        drawing.add(PolyLine([c for lat, lon in route for c in frame.point(lat, lon)], strokeColor=ROUTE_COLOUR, strokeWidth=2.2))
    sx, sy = frame.point(station.lat, station.lon)
    drawing.add(Rect(sx - 5, sy - 5, 10, 10, fillColor=colors.HexColor("#1f3a93"), strokeColor=colors.white))
    drawing.add(String(sx + 7, sy - 3, station.name, fontSize=7, fillColor=colors.HexColor("#1f3a93")))
    for visit in tour.visits:
        vx, vy = frame.point(visit.lat, visit.lon)
        drawing.add(Circle(vx, vy, 6, fillColor=colors.white, strokeColor=ROUTE_COLOUR, strokeWidth=1.2))
        drawing.add(String(vx, vy - 2.5, str(visit.seq), fontSize=7, textAnchor="middle", fontName="Helvetica-Bold"))
    _north_arrow(drawing, width - 18, height - 30)
    _scale_bar(drawing, frame.scale, 10, 10)
    drawing.add(String(width - 4, 4, OSM_ATTRIBUTION, fontSize=6, textAnchor="end", fillColor=colors.HexColor("#555555")))
    return drawing


#: Street styles on the map: (stroke colour, width in points, dash pattern or None).
STREET_STYLES = {
    "major": ("#7a6a50", 1.6, None),
    "minor": ("#9a9a9a", 0.8, None),
    "path": ("#9a9a9a", 0.8, [2, 1.5]),
}
_street_cache: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def _street_lines(graph: Any) -> dict[str, Any]:
    """Each street of the graph once (one direction), as shapely lines in lon/lat, by style."""
    cached = _street_cache.get(graph)
    if cached is not None:
        return cached
    import shapely

    by_style: dict[str, list[Any]] = {name: [] for name in STREET_STYLES}
    for u, v, data in graph.edges(data=True):
        if u > v:
            continue
        highway = data.get("highway")
        highway = highway[0] if isinstance(highway, list) else highway
        style = "major" if highway in MAJOR_HIGHWAYS else "path" if highway in PATH_HIGHWAYS else "minor"
        geometry = data.get("geometry")
        if geometry is None:
            a, b = graph.nodes[u], graph.nodes[v]
            geometry = shapely.LineString([(a["x"], a["y"]), (b["x"], b["y"])])
        by_style[style].append(geometry)
    result = {name: np.array(lines, dtype=object) for name, lines in by_style.items()}
    _street_cache[graph] = result
    return result


def _street_paths(graph: Any, frame: _Frame, width: float, height: float) -> dict[str, DrawingPath]:
    """One reportlab path per street style: the streets clipped to the map box."""
    import shapely

    k_x = 111_320.0 * math.cos(math.radians(frame.lat0)) * frame.scale
    k_y = 110_540.0 * frame.scale

    def to_points(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(((coords[:, 0] - frame.lon0) * k_x + frame.x_off, (coords[:, 1] - frame.lat0) * k_y + frame.y_off))

    box = shapely.box(0, 0, width, height)
    paths: dict[str, DrawingPath] = {}
    for style, lines in _street_lines(graph).items():
        colour, stroke, dash = STREET_STYLES[style]
        path = DrawingPath(strokeColor=colors.HexColor(colour), strokeWidth=stroke, fillColor=None, strokeDashArray=dash)
        if len(lines):
            clipped = shapely.intersection(shapely.transform(lines, to_points), box)
            for geometry in clipped[~shapely.is_empty(clipped)]:
                for part in getattr(geometry, "geoms", [geometry]):
                    coords = list(part.coords) if part.geom_type == "LineString" else []
                    if len(coords) < 2:
                        continue
                    path.moveTo(*coords[0])
                    for x, y in coords[1:]:
                        path.lineTo(x, y)
        paths[style] = path
    return paths


def _north_arrow(drawing: Drawing, x: float, y: float) -> None:
    drawing.add(Polygon([x, y + 18, x - 6, y, x, y + 5, x + 6, y], fillColor=colors.black, strokeColor=colors.black))
    drawing.add(String(x, y - 9, "N", fontSize=8, textAnchor="middle", fontName="Helvetica-Bold"))


def _scale_bar(drawing: Drawing, points_per_m: float, x: float, y: float) -> None:
    target = 100 / points_per_m  # about 100 points long
    nice = max(n for n in (25, 50, 100, 200, 250, 500, 1000, 2000) if n <= max(target, 25))
    length = nice * points_per_m
    drawing.add(Rect(x, y + 8, length, 3, fillColor=colors.black, strokeColor=colors.black))
    drawing.add(Line(x, y + 6, x, y + 14))
    drawing.add(Line(x + length, y + 6, x + length, y + 14))
    drawing.add(String(x + length / 2, y, f"{nice} m", fontSize=7, textAnchor="middle"))


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Heading2"], spaceAfter=2),
        "small": ParagraphStyle("small", parent=base["Normal"], fontSize=8.5, leading=10.5),
        "body": ParagraphStyle("body", parent=base["Normal"], fontSize=9, leading=11.5),
        "head": ParagraphStyle("head", parent=base["Heading4"], spaceBefore=6, spaceAfter=2),
    }


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _hm(when: dt.datetime) -> str:
    return when.strftime("%H:%M")


def tour_story(plan: Plan, graph: Any, tour: PlannedTour, width: float) -> list[Any]:
    """The flowables of one tour's route sheet."""
    styles = _styles()
    scenario = plan.scenario
    station = scenario.station(tour.station_id)
    officers = ", ".join(f"{scenario.officer(o).name or o} ({o})" for o in tour.officer_ids)
    names = {h.id: h for h in scenario.hotspots}
    story: list[Any] = [
        Paragraph(_esc(f"{tour.date:%A %d %B %Y} - {tour.shift} - unit {tour.unit_id}"), styles["title"]),
        Paragraph(_esc(f"Officers: {officers}. Station: {station.name}. On duty {_hm(tour.start)} to {_hm(tour.end)}"
                       f"{(' (' + format(tour.end, '%a %d/%m') + ')') if tour.end.date() != tour.start.date() else ''}. Walk {tour.walk_m / 1000:.1f} km, {len(tour.visits)} hotspot visits, "
                       f"{tour.dwell_min:.0f} min in hotspots."), styles["small"]),
        Spacer(1, 3 * mm),
        tour_map(plan, graph, tour, width, 95 * mm),
        Paragraph("Timed visits", styles["head"]),
    ]
    timed: list[tuple[dt.datetime, list[str]]] = []
    for v in tour.visits:
        hotspot = names.get(v.hotspot_id)
        timed.append((v.arrive, [str(v.seq), _hm(v.arrive), _hm(v.depart), f"{v.hotspot_id} {hotspot.name if hotspot else ''}",
                                 f"{v.dwell_min:.0f} min", f"{v.walk_m_from_prev:.0f} m", hotspot.notes[:60] if hotspot else ""]))
    if tour.meal_break:
        brk = tour.meal_break
        where = f" at {brk.place}" if brk.place else ""
        minutes = (brk.end - brk.start).total_seconds() / 60
        timed.append((brk.start, ["", _hm(brk.start), _hm(brk.end), f"Meal break{where}", f"{minutes:.0f} min", "", ""]))
    rows = [["#", "Arrive", "Leave", "Hotspot", "Dwell", "Walk", "Notes"]] + [row for _, row in sorted(timed, key=lambda item: item[0])]
    table = Table([[Paragraph(_esc(c), styles["small"]) for c in row] for row in rows],
                  colWidths=[8 * mm, 14 * mm, 14 * mm, 62 * mm, 16 * mm, 16 * mm, width - 130 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde3ea")),
        ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]))
    story.append(table)
    story.append(Paragraph("Walking directions", styles["head"]))
    stops = tour.stop_nodes
    labels = [f"{station.name} station"] + [f"{v.seq}. {names[v.hotspot_id].name if v.hotspot_id in names else v.hotspot_id}" for v in tour.visits] + [f"{station.name} station"]
    for i, (a, b) in enumerate(zip(stops, stops[1:], strict=False)):
        lines = directions(walk_path(graph, graph, a, b).legs, origin=labels[i], destination=labels[i + 1])
        block = [Paragraph(f"<b>{_esc(labels[i])} to {_esc(labels[i + 1])}</b>", styles["small"])]
        block += [Paragraph("&bull; " + _esc(line), styles["small"]) for line in lines]
        story.append(KeepTogether(block))
    return story


def write_route_sheets(plan: Plan, graph: Any, path: Path, *, unit: str | None = None, day: dt.date | None = None) -> int:
    """Write route sheets for the plan's tours (filtered by unit and date) to one PDF.

    Returns the number of tours written. The file is written atomically.
    """
    import io

    tours = [t for t in sorted(plan.tours, key=lambda t: (t.date, t.start, t.unit_id))
             if (unit is None or t.unit_id == unit) and (day is None or t.date == day)]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm, bottomMargin=12 * mm,
                            title=f"Route sheets - {plan.scenario.name}", author="patrol-planner")
    story: list[Any] = []
    for i, tour in enumerate(tours):
        if i:
            story.append(PageBreak())
        story.extend(tour_story(plan, graph, tour, doc.width))
    if not story:
        story.append(Paragraph("No tours match.", _styles()["body"]))
    doc.build(story, onFirstPage=_footer(plan), onLaterPages=_footer(plan))
    write_bytes_atomic(path, buffer.getvalue())
    log.info("route sheets: %d tours to %s", len(tours), path)
    return len(tours)


def _footer(plan: Plan):
    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(12 * mm, 6 * mm, f"{plan.scenario.name} - plan {plan.status} - {OSM_ATTRIBUTION}")
        canvas.drawRightString(doc.pagesize[0] - 12 * mm, 6 * mm, f"page {doc.page}")
        canvas.restoreState()
    return draw


def write_roster_pdf(plan: Plan, path: Path) -> None:
    """The weekly roster grid (officers x days) as a landscape PDF."""
    import io

    scenario = plan.scenario
    styles = _styles()
    by_cell = {(e.officer_id, e.date): e.shift for e in plan.roster}
    header = ["Officer", "Role", "Station"] + [f"{d:%a %d/%m}" for d in scenario.dates] + ["Tours", "Nts", "WE"]
    rows: list[list[str]] = [header]
    night_names = {s.name for s in scenario.shifts if s.night}
    for officer in scenario.officers:
        cells = []
        tours = nights = weekend = 0
        for day in scenario.dates:
            shift = by_cell.get((officer.id, day))
            if shift:
                tours += 1
                nights += shift in night_names
                weekend += day.isoweekday() >= 6
                cells.append(shift)
            else:
                away = officer.unavailable_on(day)
                cells.append(away.reason if away else ("no patrol" if not officer.can_patrol else "OFF"))
        label = officer.name if officer.id in officer.name else f"{officer.name} ({officer.id})"
        rows.append([label, officer.role, officer.station_id, *cells, str(tours), str(nights), str(weekend)])
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=10 * mm, rightMargin=10 * mm, topMargin=10 * mm, bottomMargin=12 * mm,
                            title=f"Roster - {scenario.name}")
    day_width = (doc.width - 113 * mm) / max(1, len(scenario.dates))
    table = Table([[Paragraph(_esc(c), styles["small"]) for c in row] for row in rows],
                  colWidths=[45 * mm, 14 * mm, 14 * mm] + [day_width] * len(scenario.dates) + [12 * mm, 10 * mm, 10 * mm], repeatRows=1)
    style = [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde3ea")), ("GRID", (0, 0), (-1, -1), 0.3, colors.grey)]
    palette = [colors.HexColor(c) for c in ("#fff3c4", "#d6eaf8", "#d5d8dc", "#d4efdf", "#f5cba7")]
    shift_colour = {s.name: palette[i % len(palette)] for i, s in enumerate(scenario.shifts)}
    for r, row in enumerate(rows[1:], start=1):
        for c, cell in enumerate(row[3:3 + len(scenario.dates)], start=3):
            if cell in shift_colour:
                style.append(("BACKGROUND", (c, r), (c, r), shift_colour[cell]))
    table.setStyle(TableStyle(style))
    title = f"Roster: {scenario.name}, week of {scenario.week_start:%d %B %Y} (plan {plan.status})"
    doc.build([Paragraph(_esc(title), styles["title"]), table], onFirstPage=_footer(plan), onLaterPages=_footer(plan))
    write_bytes_atomic(path, buffer.getvalue())
