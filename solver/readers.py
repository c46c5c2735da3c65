"""Readers for stations, hotspots and hotspot risk files, with validation.

Each reader returns its objects and adds every problem it finds to a `ProblemList`; a bad row
is reported (file, line, field, what to do) and left out of the result, never silently.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from solver.domain import HOURS_PER_WEEK, Hotspot, PatrolSettings, Station
from solver.parse import CellReader
from solver.problems import ProblemList
from solver.tables import TableRow, read_table

log = logging.getLogger(__name__)

LATLON_ALIASES = {"lat": ("latitude", "y"), "lon": ("longitude", "lng", "long", "x")}
STATION_ALIASES = {"id": ("station_id", "code"), "name": ("station_name", "station"), **LATLON_ALIASES}
HOTSPOT_ALIASES = {
    "id": ("hotspot_id", "code", "ref"),
    "name": ("hotspot_name", "location", "area"),
    "radius_m": ("radius", "radius_metres", "radius_meters"),
    "weight": ("harm", "harm_weight", "score"),
    "target_visits_per_day": ("target", "target_visits", "visits_per_day"),
    "visit_min": ("visit_length_min", "dwell_min"),
    "min_gap_min": ("gap_min", "min_gap"),
    **LATLON_ALIASES,
}
HOTSPOT_OPTIONAL = ("target_visits_per_day", "visit_min", "min_gap_min", "notes", "radius_m")
GEO_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp"}
DEFAULT_TARGET_VISITS = 4
MAX_RADIUS_M = 2000.0


def read_stations(path: Path, problems: ProblemList, declared: set[str] | None = None) -> list[Station]:
    """Read a stations CSV/XLSX (``id,name,lat,lon``).

    ``declared`` (if given) receives every id in the file, bad rows included, so that other
    files referring to a station with a bad row are not reported a second time.
    """
    rows = read_table(path, required=("id", "name", "lat", "lon"), aliases=STATION_ALIASES, problems=problems)
    if rows is None:
        return []
    cells = CellReader(path, problems)
    stations: list[Station] = []
    seen: dict[str, int] = {}
    for row in rows:
        station_id = cells.text(row, "id")
        if station_id and declared is not None:
            declared.add(station_id)
        name = cells.text(row, "name", required=False) or station_id or ""
        where = cells.latlon(row)
        if station_id is None or where is None:
            continue
        if station_id in seen:
            problems.add(path, row.line, "id", f"duplicate station id '{station_id}' (first on line {seen[station_id]}); give each station its own id")
            continue
        seen[station_id] = row.line
        stations.append(Station(station_id, name, *where))
    return stations


def read_hotspots(path: Path, patrol: PatrolSettings, problems: ProblemList) -> list[Hotspot]:
    """Read hotspots from CSV/XLSX (points + radius) or GeoJSON/GeoPackage/Shapefile.

    Per-hotspot ``target_visits_per_day``, ``visit_min`` and ``min_gap_min`` override the
    scenario's ``[patrol]`` values (default target: 4 visits a day).
    """
    if path.suffix.lower() in GEO_SUFFIXES:
        rows, polygons = _read_geo_rows(path, problems)
        if rows is None:
            return []
    else:
        table = read_table(
            path,
            required=("id", "name", "lat", "lon", "weight"),
            optional=HOTSPOT_OPTIONAL,
            aliases=HOTSPOT_ALIASES,
            problems=problems,
        )
        if table is None:
            return []
        rows, polygons = table, {}
    cells = CellReader(path, problems)
    hotspots: list[Hotspot] = []
    seen: dict[str, int] = {}
    for row in rows:
        hotspot = _hotspot_from_row(row, polygons.get(row.line), cells, patrol)
        if hotspot is None:
            continue
        if hotspot.id in seen:
            problems.add(path, row.line, "id", f"duplicate hotspot id '{hotspot.id}' (first on line {seen[hotspot.id]}); give each hotspot its own id")
            continue
        seen[hotspot.id] = row.line
        hotspots.append(hotspot)
    return hotspots


def _hotspot_from_row(
    row: TableRow,
    polygon: tuple[tuple[float, float], ...] | None,
    cells: CellReader,
    patrol: PatrolSettings,
) -> Hotspot | None:
    problems = cells.problems
    before = len(problems)
    hotspot_id = cells.text(row, "id")
    name = cells.text(row, "name", required=False) or hotspot_id or ""
    where = cells.latlon(row)
    weight = cells.number(row, "weight", minimum=0, what=" (harm weight, 0 or more)")
    radius = None
    if polygon is None:
        radius = cells.number(row, "radius_m", minimum=0.0, maximum=MAX_RADIUS_M, what=" (metres around the point)")
        if radius is not None and radius <= 0:
            problems.add(cells.file, row.line, "radius_m", f"radius {radius:g} m must be more than 0 for a point hotspot")
    target = cells.number(row, "target_visits_per_day", default=DEFAULT_TARGET_VISITS, minimum=0, maximum=48, integer=True)
    visit_min = cells.number(row, "visit_min", default=patrol.visit_min, minimum=1, maximum=240, integer=True)
    gap = cells.number(row, "min_gap_min", default=patrol.min_gap_min, minimum=0, maximum=24 * 60, integer=True)
    if len(problems) > before or None in (hotspot_id, where, weight, target, visit_min, gap):
        return None
    if polygon is None and (radius is None or radius <= 0):
        return None
    assert hotspot_id is not None and where is not None and weight is not None
    return Hotspot(
        id=hotspot_id,
        name=name,
        lat=where[0],
        lon=where[1],
        weight=weight,
        radius_m=radius if polygon is None else None,
        polygon=polygon,
        target_visits_per_day=int(target or 0),
        visit_min=int(visit_min or patrol.visit_min),
        min_gap_min=int(gap if gap is not None else patrol.min_gap_min),
        notes=row.get("notes"),
    )


def _read_geo_rows(path: Path, problems: ProblemList) -> tuple[list[TableRow] | None, dict[int, tuple[tuple[float, float], ...]]]:
    """Features of a GeoJSON/GPKG/Shapefile as rows; polygons by row line (feature number)."""
    label = str(path)
    if not path.exists():
        problems.add(label, None, None, "file not found; check the path in the scenario file")
        return None, {}
    try:
        import pyogrio

        frame = pyogrio.read_dataframe(path)
    except Exception as exc:  # noqa: BLE001 - an unreadable file is one clear problem
        problems.add(label, None, None, f"cannot read the file as GeoJSON/GeoPackage/Shapefile ({exc})")
        return None, {}
    if len(frame) == 0:
        problems.add(label, None, None, "the file has no features; it needs one feature per hotspot")
        return None, {}
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    from solver.tables import normalise_header

    columns = {c: normalise_header(c) for c in frame.columns if c != "geometry"}
    lookup = {normalise_header(a): canon for canon, aliases in HOTSPOT_ALIASES.items() for a in (canon, *aliases)}
    rows: list[TableRow] = []
    polygons: dict[int, tuple[tuple[float, float], ...]] = {}
    for number, (_, record) in enumerate(frame.iterrows(), start=1):
        cells = {lookup.get(norm, norm): ("" if _is_missing(record[col]) else str(record[col])) for col, norm in columns.items()}
        geometry = record.geometry
        line = number  # "feature N" in messages
        if geometry is None or geometry.is_empty:
            problems.add(label, line, "geometry", "feature has no geometry; draw the hotspot area or give a point and radius_m")
            continue
        if geometry.geom_type in {"Polygon", "MultiPolygon"}:
            if geometry.geom_type == "MultiPolygon":
                largest = max(geometry.geoms, key=lambda g: g.area)
                log.warning("%s feature %d: multipolygon, using its largest part", path.name, number)
                geometry = largest
            polygons[line] = tuple((float(x), float(y)) for x, y in geometry.exterior.coords)
            point = geometry.representative_point()
        elif geometry.geom_type == "Point":
            point = geometry
        else:
            problems.add(label, line, "geometry", f"{geometry.geom_type} is not a hotspot shape; use a polygon or a point with radius_m")
            continue
        cells["lat"], cells["lon"] = f"{point.y:.7f}", f"{point.x:.7f}"
        rows.append(TableRow(line=line, cells=cells))
    for required in ("id", "weight"):
        if required not in set(lookup.get(n, n) for n in columns.values()):
            problems.add(label, None, required, f"missing property '{required}' on the features; add it to every feature")
            return None, {}
    return rows, polygons


def _is_missing(value: object) -> bool:
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def read_risk(
    path: Path, hotspot_ids: set[str], problems: ProblemList, assumed: set[str] | None = None
) -> dict[str, tuple[float, ...]]:
    """Read a risk CSV (``hotspot_id,weekday,hour,risk[,assumed]``; ISO weekday 1 = Monday).

    Hours not listed for a hotspot that has rows get risk 0; hotspots without rows keep
    a flat profile (not returned here). Hotspots whose rows say ``assumed`` = yes (a default
    profile, not measured from timed records) are added to ``assumed`` when given.
    """
    rows = read_table(
        path,
        required=("hotspot_id", "weekday", "hour", "risk"),
        optional=("assumed",),
        aliases={"hotspot_id": ("id", "hotspot"), "weekday": ("day", "iso_weekday"), "risk": ("value", "weight")},
        problems=problems,
    )
    if rows is None:
        return {}
    cells = CellReader(path, problems)
    profiles: dict[str, list[float]] = {}
    seen: dict[tuple[str, int], int] = {}
    for row in rows:
        hotspot_id = cells.text(row, "hotspot_id")
        weekday = cells.number(row, "weekday", minimum=1, maximum=7, integer=True, what=" (ISO weekday: 1 = Monday .. 7 = Sunday)")
        hour = cells.number(row, "hour", minimum=0, maximum=23, integer=True, what=" (hour 0-23)")
        risk = cells.number(row, "risk", minimum=0, what=" (relative risk, 0 or more)")
        if hotspot_id is not None and hotspot_id not in hotspot_ids:
            problems.add(path, row.line, "hotspot_id", f"unknown hotspot '{hotspot_id}'; use an id from the hotspots file")
            continue
        if hotspot_id is None or weekday is None or hour is None or risk is None:
            continue
        slot = (int(weekday) - 1) * 24 + int(hour)
        if (hotspot_id, slot) in seen:
            problems.add(path, row.line, "hour", f"hotspot '{hotspot_id}' weekday {int(weekday)} hour {int(hour)} is given twice (also line {seen[(hotspot_id, slot)]})")
            continue
        seen[(hotspot_id, slot)] = row.line
        profiles.setdefault(hotspot_id, [0.0] * HOURS_PER_WEEK)[slot] = risk
        if assumed is not None and row.get("assumed").lower() in {"yes", "y", "true", "1"}:
            assumed.add(hotspot_id)
    for hotspot_id, profile in profiles.items():
        if not any(profile):
            problems.add(path, None, "risk", f"hotspot '{hotspot_id}' has risk 0 in every hour; it would never be visited")
    return {k: tuple(v) for k, v in profiles.items()}


def apply_risk(
    hotspots: list[Hotspot], profiles: Mapping[str, tuple[float, ...]], assumed: set[str] = frozenset()
) -> list[Hotspot]:
    """Hotspots with their risk profiles set (others keep the flat profile, marked assumed)."""
    from dataclasses import replace

    return [replace(h, risk=profiles[h.id], risk_assumed=h.id in assumed) if h.id in profiles else h for h in hotspots]
