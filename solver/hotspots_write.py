"""Write derived hotspots: CSV and GeoJSON hotspot files and the hour-of-week risk CSV.

The hotspot CSV columns are ``id,name,lat,lon,radius_m,weight,target_visits_per_day,
visit_min,min_gap_min,notes``; the GeoJSON has one Point feature per hotspot with the same
properties; the risk CSV has ``hotspot_id,weekday,hour,risk`` rows (ISO weekday 1 = Monday,
hour 0-23), 168 per hotspot. Files are written atomically (temporary file, then rename).
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from solver.domain import Hotspot

HOTSPOT_COLUMNS = (
    "id",
    "name",
    "lat",
    "lon",
    "radius_m",
    "weight",
    "target_visits_per_day",
    "visit_min",
    "min_gap_min",
    "notes",
)
RISK_COLUMNS = ("hotspot_id", "weekday", "hour", "risk", "assumed")


def _safe_cell(value: object) -> object:
    """Neutralise text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _row(h: Hotspot) -> dict[str, object]:
    return {
        "id": h.id,
        "name": h.name,
        "lat": f"{h.lat:.6f}",
        "lon": f"{h.lon:.6f}",
        "radius_m": f"{h.radius_m:g}" if h.radius_m is not None else "",
        "weight": f"{h.weight:g}",
        "target_visits_per_day": h.target_visits_per_day,
        "visit_min": h.visit_min,
        "min_gap_min": h.min_gap_min,
        "notes": h.notes,
    }


def write_hotspots_csv(hotspots: Sequence[Hotspot], path: str | Path) -> Path:
    """Write the hotspots CSV (UTF-8, one row per hotspot). Returns the path."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HOTSPOT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for h in hotspots:
        row = _row(h)
        for key in ("id", "name", "notes"):
            row[key] = _safe_cell(row[key])
        writer.writerow(row)
    _atomic_write(Path(path), buffer.getvalue())
    return Path(path)


def write_hotspots_geojson(hotspots: Sequence[Hotspot], path: str | Path) -> Path:
    """Write the hotspots as GeoJSON: Points with ``radius_m``, or Polygons. Returns the path."""
    features = []
    for h in hotspots:
        props = _row(h)
        props.update(
            lat=h.lat,
            lon=h.lon,
            weight=h.weight,
            radius_m=h.radius_m if h.radius_m is not None else None,
        )
        if h.polygon:
            ring = [list(p) for p in h.polygon]
            if ring[0] != ring[-1]:
                ring.append(ring[0])
            geometry = {"type": "Polygon", "coordinates": [ring]}
        else:
            geometry = {"type": "Point", "coordinates": [h.lon, h.lat]}
        features.append({"type": "Feature", "id": h.id, "geometry": geometry, "properties": props})
    text = json.dumps(
        {"type": "FeatureCollection", "features": features}, indent=1, ensure_ascii=False
    )
    _atomic_write(Path(path), text + "\n")
    return Path(path)


def write_risk_csv(hotspots: Sequence[Hotspot], path: str | Path) -> Path:
    """Write every hotspot's 168-hour risk (``hotspot_id,weekday,hour,risk``). Returns the path."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(RISK_COLUMNS)
    for h in hotspots:
        for index, value in enumerate(h.risk):
            writer.writerow([h.id, index // 24 + 1, index % 24, f"{value:.4g}", "yes" if h.risk_assumed else "no"])
    _atomic_write(Path(path), buffer.getvalue())
    return Path(path)
