"""Write a plan to a folder: the manifest, CSVs for the duty management system, GeoJSON, GPX.

Schemas are exact (other tools read them); see docs/exports.md. Every file is written to a
temporary name and renamed. Text cells from user data that a spreadsheet would run as a
formula get a leading apostrophe; numeric columns are never touched.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from solver.atomic import atomic_write
from solver.plan_model import PLAN_FORMAT_VERSION, Plan, PlannedTour

log = logging.getLogger(__name__)

ROSTER_COLUMNS = ("officer_id", "officer_name", "date", "shift", "start", "end", "station_id", "unit_id")
TOURS_COLUMNS = (
    "date", "shift", "unit_id", "officer_ids", "station_id", "start", "end", "break_start", "break_end",
    "walk_m", "walk_min", "dwell_min", "visits", "value",
)
VISITS_COLUMNS = (
    "date", "shift", "unit_id", "officer_ids", "seq", "hotspot_id", "hotspot_name", "arrive", "depart",
    "dwell_min", "walk_m_from_prev", "lat", "lon",
)
DOSAGE_COLUMNS = ("date", "hotspot_id", "hotspot_name", "target_visits", "planned_visits", "planned_min", "unmet_reason")
CHANGES_COLUMNS = ("officer_id", "date", "old_shift", "new_shift")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Neutralise a text cell a spreadsheet would run as a formula (leading apostrophe)."""
    return "'" + value if value and value.startswith(FORMULA_PREFIXES) else value


def local_stamp(when: dt.datetime | None) -> str:
    """Local ``YYYY-MM-DDTHH:MM`` (the zone is the scenario's)."""
    return "" if when is None else when.strftime("%Y-%m-%dT%H:%M")


def _minutes(value: float) -> float:
    return round(value, 1)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, text_columns: Iterable[str]) -> None:
    """Write a CSV atomically; cells of ``text_columns`` are formula-neutralised."""
    text_index = {columns.index(c) for c in text_columns}
    with atomic_write(path, newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([safe_text(str(v)) if i in text_index else v for i, v in enumerate(row)])


def write_plan(plan: Plan, folder: Path, graph: Any | None = None) -> list[Path]:
    """Write every export of ``plan`` into ``folder``; returns the files written.

    ``graph`` (the walking graph) gives the street geometry of tour lines in GeoJSON and
    GPX; without it the lines join the walked nodes' positions only if known, else stops.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = [
        _write_roster(plan, folder / "roster.csv"),
        _write_tours(plan, folder / "tours.csv"),
        _write_visits(plan, folder / "visits.csv"),
        _write_dosage(plan, folder / "dosage.csv"),
    ]
    if plan.changes:
        written.append(_write_changes(plan, folder / "changes.csv"))
    written.append(_write_geojson(plan, folder / "plan.geojson", graph))
    written.extend(_write_gpx(plan, folder / "gpx", graph))
    written.append(write_manifest(plan, folder / "plan.json"))
    log.info("wrote %d files to %s", len(written), folder)
    return written


def _officer_names(plan: Plan) -> dict[str, str]:
    return {o.id: o.name for o in plan.scenario.officers}


def _hotspot_names(plan: Plan) -> dict[str, str]:
    return {h.id: h.name for h in plan.scenario.hotspots}


def _write_roster(plan: Plan, path: Path) -> Path:
    names = _officer_names(plan)
    rows = (
        (e.officer_id, names.get(e.officer_id, ""), e.date.isoformat(), e.shift, local_stamp(e.start), local_stamp(e.end), e.station_id, e.unit_id)
        for e in sorted(plan.roster, key=lambda e: (e.date, e.start, e.officer_id))
    )
    write_csv(path, ROSTER_COLUMNS, rows, text_columns=("officer_id", "officer_name", "shift", "station_id", "unit_id"))
    return path


def _write_tours(plan: Plan, path: Path) -> Path:
    rows = []
    for t in _sorted_tours(plan.tours):
        brk = t.meal_break
        rows.append((
            t.date.isoformat(), t.shift, t.unit_id, ";".join(t.officer_ids), t.station_id, local_stamp(t.start), local_stamp(t.end),
            local_stamp(brk.start if brk else None), local_stamp(brk.end if brk else None),
            round(t.walk_m), _minutes(t.walk_min), _minutes(t.dwell_min), len(t.visits), round(t.value, 1),
        ))
    write_csv(path, TOURS_COLUMNS, rows, text_columns=("shift", "unit_id", "officer_ids", "station_id"))
    return path


def _write_visits(plan: Plan, path: Path) -> Path:
    names = _hotspot_names(plan)
    rows = []
    for t in _sorted_tours(plan.tours):
        for v in t.visits:
            rows.append((
                t.date.isoformat(), t.shift, t.unit_id, ";".join(t.officer_ids), v.seq, v.hotspot_id, names.get(v.hotspot_id, ""),
                local_stamp(v.arrive), local_stamp(v.depart), _minutes(v.dwell_min), round(v.walk_m_from_prev), f"{v.lat:.6f}", f"{v.lon:.6f}",
            ))
    write_csv(path, VISITS_COLUMNS, rows, text_columns=("shift", "unit_id", "officer_ids", "hotspot_id", "hotspot_name"))
    return path


def _write_dosage(plan: Plan, path: Path) -> Path:
    names = _hotspot_names(plan)
    rows = (
        (d.date.isoformat(), d.hotspot_id, names.get(d.hotspot_id, ""), d.target_visits, d.planned_visits, _minutes(d.planned_min), d.unmet_reason)
        for d in sorted(plan.dosage, key=lambda d: (d.date, d.hotspot_id))
    )
    write_csv(path, DOSAGE_COLUMNS, rows, text_columns=("hotspot_id", "hotspot_name", "unmet_reason"))
    return path


def _write_changes(plan: Plan, path: Path) -> Path:
    rows = ((c.officer_id, c.date.isoformat(), c.old_shift or "OFF", c.new_shift or "OFF") for c in plan.changes)
    write_csv(path, CHANGES_COLUMNS, rows, text_columns=("officer_id", "old_shift", "new_shift"))
    return path


def _sorted_tours(tours: Iterable[PlannedTour]) -> list[PlannedTour]:
    return sorted(tours, key=lambda t: (t.date, t.start, t.shift, t.unit_id))


def tour_coordinates(tour: PlannedTour, graph: Any | None) -> list[tuple[float, float]]:
    """(lat, lon) points of a tour's walk along the streets (stops only without a graph)."""
    if graph is not None and tour.path_nodes:
        from solver.matrix import path_coordinates

        return list(path_coordinates(graph, list(tour.path_nodes)))
    if graph is not None:
        nodes = tour.stop_nodes
        return [(graph.nodes[n]["y"], graph.nodes[n]["x"]) for n in nodes]
    return [(v.lat, v.lon) for v in tour.visits]


def _write_geojson(plan: Plan, path: Path, graph: Any | None) -> Path:
    from solver.geometry import hotspot_ring

    features: list[dict[str, Any]] = []
    for h in plan.scenario.hotspots:
        ring = hotspot_ring(h)
        features.append({
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [[[round(lon, 7), round(lat, 7)] for lon, lat in ring]]},
            "properties": {"kind": "hotspot", "id": h.id, "name": h.name, "weight": h.weight, "radius_m": h.radius_m,
                           "target_visits_per_day": h.target_visits_per_day},
        })
    for s in plan.scenario.stations:
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
            "properties": {"kind": "station", "id": s.id, "name": s.name},
        })
    for t in _sorted_tours(plan.tours):
        coords = tour_coordinates(t, graph)
        if len(coords) < 2:
            continue
        features.append({
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[round(lon, 7), round(lat, 7)] for lat, lon in coords]},
            "properties": {
                "kind": "tour", "date": t.date.isoformat(), "shift": t.shift, "unit_id": t.unit_id,
                "officer_ids": ";".join(t.officer_ids), "station_id": t.station_id, "start": local_stamp(t.start),
                "end": local_stamp(t.end), "walk_m": round(t.walk_m), "dwell_min": _minutes(t.dwell_min),
                "visits": len(t.visits), "value": round(t.value, 1),
            },
        })
    with atomic_write(path) as stream:
        json.dump({"type": "FeatureCollection", "features": features}, stream)
    return path


def gpx_name(tour: PlannedTour) -> str:
    """File name of a tour's GPX track: ``<date>_<shift>_<unit_id>.gpx`` (safe characters)."""
    raw = f"{tour.date.isoformat()}_{tour.shift}_{tour.unit_id}"
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in raw) + ".gpx"


def _write_gpx(plan: Plan, folder: Path, graph: Any | None) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    names = _hotspot_names(plan)
    written = []
    for t in _sorted_tours(plan.tours):
        buffer = io.StringIO()
        buffer.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        buffer.write('<gpx version="1.1" creator="patrol-planner" xmlns="http://www.topografix.com/GPX/1/1">\n')
        buffer.write(f"  <metadata><name>{escape(t.date.isoformat() + ' ' + t.shift + ' ' + t.unit_id)}</name></metadata>\n")
        for v in t.visits:
            when = v.arrive.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            label = f"{v.seq}. {names.get(v.hotspot_id, v.hotspot_id)}"
            buffer.write(f'  <wpt lat="{v.lat:.6f}" lon="{v.lon:.6f}"><time>{when}</time><name>{escape(label)}</name>'
                         f"<desc>{escape(local_stamp(v.arrive)[11:] + '-' + local_stamp(v.depart)[11:])}</desc></wpt>\n")
        buffer.write(f"  <trk><name>{escape(t.unit_id)}</name><trkseg>\n")
        for lat, lon in tour_coordinates(t, graph):
            buffer.write(f'    <trkpt lat="{lat:.6f}" lon="{lon:.6f}"/>\n')
        buffer.write("  </trkseg></trk>\n</gpx>\n")
        path = folder / gpx_name(t)
        with atomic_write(path) as stream:
            stream.write(buffer.getvalue())
        written.append(path)
    return written


def write_manifest(plan: Plan, path: Path) -> Path:
    """plan.json: format version, status, scenario path, input hashes, settings, KPIs, the plan."""
    from solver.plan_io import plan_to_dict

    scenario = plan.scenario
    hashes = {str(p): file_sha256(p) for p in scenario.input_paths if p.exists()}
    manifest = {
        "format_version": PLAN_FORMAT_VERSION,
        "status": plan.status,
        "scenario": str(scenario.source_path) if scenario.source_path else None,
        "inputs_sha256": hashes,
        "settings": plan.settings,
        "kpis": plan.kpis,
        "created": plan.created,
        **plan_to_dict(plan),
    }
    with atomic_write(path) as stream:
        json.dump(manifest, stream, indent=1, default=str)
    return path
