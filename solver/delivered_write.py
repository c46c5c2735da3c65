"""Write a delivered-dosage report: delivered.csv and its companion CSVs (see docs/delivered.md).

``delivered.csv`` has exactly ``date,hotspot_id,hotspot_name,planned_visits,planned_min,
delivered_visits,delivered_min,effective_visits``. Files are written atomically; text cells a
spreadsheet would run as a formula get a leading apostrophe.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np

from solver.atomic import atomic_write
from solver.delivered_model import DeliveredReport
from solver.export import write_csv

DELIVERED_COLUMNS = (
    "date", "hotspot_id", "hotspot_name", "planned_visits", "planned_min", "delivered_visits", "delivered_min", "effective_visits",
)
VISITS_COLUMNS = (
    "date", "shift", "unit_id", "hotspot_id", "hotspot_name", "kind", "enter", "exit", "minutes", "koper_effective", "planned_seqs",
)
PLANNED_COLUMNS = (
    "date", "shift", "unit_id", "seq", "hotspot_id", "hotspot_name", "arrive", "depart", "planned_min", "delivered_min", "status",
)
TOURS_COLUMNS = (
    "date", "shift", "unit_id", "officer_ids", "planned_visits", "planned_min", "delivered_visits", "delivered_min",
    "effective_visits", "matched_planned_visits", "compliance", "tour_min", "tracked_min", "hotspot_min", "break_min",
    "elsewhere_min", "untracked_min", "tracks",
)
TRACKS_COLUMNS = (
    "file", "track_id", "officer_id", "first", "last", "fixes", "kept", "dropped_accuracy", "dropped_no_fix", "dropped_duplicate",
    "dropped_wild", "dropped_not_on_foot", "off_duty", "bridged_gaps", "bridged_min", "unbridged_gaps", "unbridged_min", "tours",
    "unmatched",
)


def _min(value: float) -> float:
    return round(value, 1)


def _stamp(when: dt.datetime | None) -> str:
    return "" if when is None else when.strftime("%Y-%m-%dT%H:%M:%S")


def write_delivered_csv(report: DeliveredReport, path: Path) -> Path:
    """delivered.csv: one row per hotspot per date (zero rows included)."""
    rows = (
        (d.date.isoformat(), d.hotspot_id, d.hotspot_name, d.planned_visits, _min(d.planned_min), d.delivered_visits,
         _min(d.delivered_min), d.effective_visits)
        for d in report.hotspot_days
    )
    write_csv(path, DELIVERED_COLUMNS, rows, text_columns=("hotspot_id", "hotspot_name"))
    return path


def write_tracks_geojson(report: DeliveredReport, path: Path) -> Path:
    """The cleaned tracks as GeoJSON: a MultiLineString per tour and track, cut at unbridged gaps."""
    tours = {t.tour_key: t for t in report.tours}
    features: list[str] = []
    for key, pieces in report.tour_tracks.items():
        tour = tours.get(key)
        for piece in pieces:
            points = [f"[{x:.6f},{y:.6f}]" for x, y in zip(piece.lon.tolist(), piece.lat.tolist(), strict=True)]
            cuts = [0, *(int(i) + 1 for i in np.flatnonzero(~piece.bridged)), len(points)]
            lines = ["[" + ",".join(points[a:b]) + "]" for a, b in zip(cuts, cuts[1:], strict=False) if b - a >= 2]
            if not lines:
                continue
            properties = {
                "kind": "track", "tour": key, "unit_id": tour.unit_id if tour else "", "shift": tour.shift if tour else "",
                "officer_ids": ";".join(tour.officer_ids) if tour else "", "track": piece.track.label,
                "start": _stamp(dt.datetime.fromtimestamp(float(piece.times[0]), dt.UTC)) + "Z",
                "end": _stamp(dt.datetime.fromtimestamp(float(piece.times[-1]), dt.UTC)) + "Z",
            }
            features.append('{"type":"Feature","geometry":{"type":"MultiLineString","coordinates":[' + ",".join(lines)
                            + ']},"properties":' + json.dumps(properties) + "}")
    with atomic_write(path) as stream:
        stream.write('{"type":"FeatureCollection","features":[' + ",\n".join(features) + "]}\n")
    return path


def write_report_folder(report: DeliveredReport, folder: Path, *, hotspot_names: dict[str, str], title: str = "") -> list[Path]:
    """Write delivered.csv, the visit, planned-visit, tour and track CSVs, and the PDF summary."""
    from solver.delivered_pdf import write_delivered_pdf

    folder.mkdir(parents=True, exist_ok=True)
    written = [write_delivered_csv(report, folder / "delivered.csv")]

    tours = {t.tour_key: t for t in report.tours}
    visit_rows = []
    for v in sorted(report.visits, key=lambda v: (v.enter, v.unit_id)):
        visit_rows.append((
            v.enter.date().isoformat(), v.shift, v.unit_id, v.hotspot_id, hotspot_names.get(v.hotspot_id, ""),
            "pass" if v.is_pass else ("planned" if v.planned_seqs else "unplanned"), _stamp(v.enter), _stamp(v.exit),
            _min(v.minutes), int(v.koper_effective), ";".join(str(s) for s in v.planned_seqs),
        ))
    path = folder / "delivered_visits.csv"
    write_csv(path, VISITS_COLUMNS, visit_rows, text_columns=("shift", "unit_id", "hotspot_id", "hotspot_name"))
    written.append(path)

    planned_rows = []
    for p in report.planned:
        tour = tours[p.tour_key]
        if not tour.tracks or not p.tracked:
            status = "no track"
        elif p.delivered_min >= p.planned_min - 0.05:
            status = "delivered"
        elif p.delivered_min > 0:
            status = "part"
        else:
            status = "missed"
        planned_rows.append((
            p.arrive.date().isoformat(), tour.shift, tour.unit_id, p.seq, p.hotspot_id, hotspot_names.get(p.hotspot_id, ""),
            _stamp(p.arrive), _stamp(p.depart), _min(p.planned_min), _min(p.delivered_min), status,
        ))
    path = folder / "delivered_planned.csv"
    write_csv(path, PLANNED_COLUMNS, planned_rows, text_columns=("shift", "unit_id", "hotspot_id", "hotspot_name"))
    written.append(path)

    tour_rows = []
    for t in report.tours:
        compliance = "" if t.compliance is None or not t.tracks else round(t.compliance, 3)
        tour_rows.append((
            t.date.isoformat(), t.shift, t.unit_id, ";".join(t.officer_ids), t.planned_visits, _min(t.planned_min), t.delivered_visits,
            _min(t.delivered_min), t.effective_visits, t.matched_planned_visits, compliance, _min(t.tour_min), _min(t.tracked_min),
            _min(t.hotspot_min), _min(t.break_min), _min(t.elsewhere_min), _min(t.untracked_min), len(t.tracks),
        ))
    path = folder / "delivered_tours.csv"
    write_csv(path, TOURS_COLUMNS, tour_rows, text_columns=("shift", "unit_id", "officer_ids"))
    written.append(path)

    track_rows = []
    for r in report.tracks:
        track_rows.append((
            r.source, r.track_id, r.officer_id, _stamp(r.first), _stamp(r.last), r.fixes, r.kept, r.dropped_accuracy, r.dropped_no_fix,
            r.dropped_duplicate, r.dropped_wild, r.dropped_not_on_foot, r.off_duty, r.bridged_gaps, _min(r.bridged_min),
            r.unbridged_gaps, _min(r.unbridged_min), ";".join(r.tours), r.unmatched,
        ))
    path = folder / "tracks.csv"
    write_csv(path, TRACKS_COLUMNS, track_rows, text_columns=("file", "track_id", "officer_id", "tours", "unmatched"))
    written.append(path)

    written.append(write_tracks_geojson(report, folder / "delivered_tracks.geojson"))

    path = folder / "delivered_summary.pdf"
    write_delivered_pdf(report, path, hotspot_names=hotspot_names, title=title)
    written.append(path)
    return written
