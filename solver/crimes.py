"""Read crime records: data.police.uk street-level CSVs and forces' own exports (CSV/XLSX).

data.police.uk files carry a month only (no time of day) and coordinates snapped to anonymised
points; rows without coordinates are legal there and are counted, not rejected. A force export
needs a date-time per record (one column, or a date and a time column), coordinates as
latitude/longitude or British National Grid easting/northing (EPSG:27700), and an offence type.

Every problem in every file is collected and raised once (`ScenarioError`), each naming the
file, line and field. Records outside the network's area are counted and reported, not
silently dropped.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from solver.harm import HarmWeights
from solver.problems import ProblemList
from solver.tabular import read_table

logger = logging.getLogger(__name__)

#: Header aliases (normalised: lower case, ``_ - /`` read as spaces).
_ALIASES: dict[str, tuple[str, ...]] = {
    "datetime": (
        "datetime",
        "date time",
        "occurred",
        "occurred at",
        "occurred datetime",
        "offence datetime",
        "incident datetime",
        "committed",
        "committed datetime",
        "start datetime",
        "from datetime",
        "reported datetime",
    ),
    "date": (
        "date",
        "occurred date",
        "offence date",
        "incident date",
        "committed date",
        "from date",
        "start date",
        "date committed",
    ),
    "time": (
        "time",
        "occurred time",
        "offence time",
        "incident time",
        "committed time",
        "from time",
        "start time",
        "time committed",
    ),
    "month": ("month",),
    "lat": ("latitude", "lat"),
    "lon": ("longitude", "lon", "lng", "long"),
    "easting": ("easting", "eastings", "x", "grid x", "os x", "x coordinate", "bng easting"),
    "northing": ("northing", "northings", "y", "grid y", "os y", "y coordinate", "bng northing"),
    "type": (
        "crime type",
        "offence type",
        "offence",
        "crime",
        "category",
        "crime category",
        "offence category",
        "offence description",
        "type",
        "offence group",
    ),
    "location": ("location", "street", "address", "street name", "location description"),
    "id": ("crime id", "id", "crime reference", "crime ref", "reference", "urn", "occurrence id"),
}

_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%y")
_TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%H%M", "%H.%M")
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
#: Problems reported one by one per file before the rest are summarised.
_MAX_ROW_PROBLEMS = 30


@dataclass(frozen=True)
class CrimeRecord:
    """One crime or ASB record, in WGS84, with its source file and line."""

    lat: float
    lon: float
    crime_type: str
    #: "YYYY-MM" of the record (from the month column or the date).
    month: str
    #: Local date-time of the offence when the source gives one, else None.
    when: dt.datetime | None
    location: str
    source: str
    line: int


@dataclass(frozen=True)
class CrimeSet:
    """The records kept (inside the area) and counts of what was left out."""

    records: tuple[CrimeRecord, ...]
    files: tuple[Path, ...]
    rows_read: int
    #: Rows with valid coordinates outside the area.
    outside_area: int = 0
    #: Rows without coordinates (legal in data.police.uk files).
    no_location: int = 0
    area: tuple[float, float, float, float] | None = None
    per_file: tuple[tuple[str, int, int, int, int], ...] = field(default=())

    @property
    def timed(self) -> bool:
        """True when every kept record has a time of day."""
        return bool(self.records) and all(r.when is not None for r in self.records)

    @property
    def months(self) -> tuple[str, ...]:
        return tuple(sorted({r.month for r in self.records}))

    def within(self, area: tuple[float, float, float, float]) -> CrimeSet:
        """The records inside ``area`` (min_lat, min_lon, max_lat, max_lon); the others are
        added to the outside counts."""
        south, west, north, east = area
        kept = tuple(r for r in self.records if south <= r.lat <= north and west <= r.lon <= east)
        dropped = Counter(r.source for r in self.records) - Counter(r.source for r in kept)
        per_file = tuple(
            (name, read, kept_n - dropped[name], out + dropped[name], missing)
            for name, read, kept_n, out, missing in self.per_file
        )
        return replace(
            self,
            records=kept,
            outside_area=self.outside_area + len(self.records) - len(kept),
            area=area,
            per_file=per_file,
        )

    def summary_lines(self) -> list[str]:
        """Human-readable counts: read, kept, outside the area, without location, per file."""
        lines = []
        for name, read, kept, outside, missing in self.per_file:
            lines.append(
                f"{name}: {read} rows, {kept} inside the area, {outside} outside it, "
                f"{missing} without a location"
            )
        area = ""
        if self.area is not None:
            s, w, n, e = self.area
            area = f" (area lat {s:.4f} to {n:.4f}, lon {w:.4f} to {e:.4f})"
        lines.append(
            f"total: {self.rows_read} rows, {len(self.records)} kept{area}, "
            f"{self.outside_area} outside the area, {self.no_location} without a location"
        )
        return lines


def read_crimes(
    paths: Iterable[str | Path],
    *,
    weights: HarmWeights,
    area: tuple[float, float, float, float] | None = None,
) -> CrimeSet:
    """Read and validate crime records from one or more files.

    Parameters
    ----------
    paths
        data.police.uk street-level CSVs and/or force exports (CSV or XLSX).
    weights
        The harm weights: every record's crime type must be known to them (any type is
        accepted in counts-only mode).
    area
        (min_lat, min_lon, max_lat, max_lon); records outside are counted, not kept.

    Returns
    -------
    CrimeSet

    Raises
    ------
    ScenarioError
        With every problem in every file (missing columns, bad coordinates or dates, unknown
        crime types), each naming the file, line and field.
    """
    problems = ProblemList()
    kept: list[CrimeRecord] = []
    per_file = []
    rows_read = outside = missing = 0
    files = tuple(Path(p) for p in paths)
    if not files:
        problems.add("(crime records)", None, None, "no crime files given")
    for path in files:
        result = _read_one(path, weights, area, problems)
        if result is None:
            continue
        records, n_read, n_out, n_missing = result
        kept.extend(records)
        rows_read += n_read
        outside += n_out
        missing += n_missing
        per_file.append((path.name, n_read, len(records), n_out, n_missing))
    problems.raise_if_any()
    crimes = CrimeSet(
        records=tuple(kept),
        files=files,
        rows_read=rows_read,
        outside_area=outside,
        no_location=missing,
        area=area,
        per_file=tuple(per_file),
    )
    for line in crimes.summary_lines():
        logger.info("crimes: %s", line)
    return crimes


def _normalise_header(name: str) -> str:
    name = name.strip().lstrip("\ufeff").lower()
    return " ".join(re.sub(r"[_\-/.]+", " ", name).split())


def _find_columns(header: Sequence[str]) -> dict[str, int]:
    index = {_normalise_header(h): i for i, h in enumerate(header)}
    found: dict[str, int] = {}
    for key, aliases in _ALIASES.items():
        for alias in aliases:
            if alias in index:
                found[key] = index[alias]
                break
    return found


class _RowProblems:
    """Adds row problems one by one up to a cap, then summarises the rest per field."""

    def __init__(self, path: Path, problems: ProblemList):
        self.path = path
        self.problems = problems
        self.count = 0
        self.overflow: dict[str, list[int]] = defaultdict(list)

    def add(self, line: int, field_name: str, message: str) -> None:
        self.count += 1
        if self.count <= _MAX_ROW_PROBLEMS:
            self.problems.add(self.path, line, field_name, message)
        else:
            self.overflow[field_name].append(line)

    def finish(self) -> None:
        for field_name, lines in self.overflow.items():
            shown = ", ".join(str(n) for n in lines[:10])
            more = f" and {len(lines) - 10} more" if len(lines) > 10 else ""
            self.problems.add(
                self.path,
                None,
                field_name,
                f"{len(lines)} more rows with a problem in this field "
                f"(lines {shown}{more}); fix the ones listed above the same way",
            )


def _read_one(
    path: Path,
    weights: HarmWeights,
    area: tuple[float, float, float, float] | None,
    problems: ProblemList,
) -> tuple[list[CrimeRecord], int, int, int] | None:
    table = read_table(path, problems)
    if table is None:
        return None
    header, body = table
    cols = _find_columns(header)
    missing_cols = []
    if "type" not in cols:
        missing_cols.append(
            (
                "Crime type",
                "the crime or offence type of each record (e.g. 'Crime type' or 'Offence type')",
            )
        )
    has_latlon = "lat" in cols and "lon" in cols
    has_bng = "easting" in cols and "northing" in cols
    if not has_latlon and not has_bng:
        missing_cols.append(
            (
                "Latitude/Longitude",
                "coordinates: 'Latitude' and 'Longitude' "
                "(WGS84) or 'Easting' and 'Northing' (British National Grid)",
            )
        )
    if "month" not in cols and "datetime" not in cols and "date" not in cols:
        missing_cols.append(
            (
                "Month",
                "when: 'Month' (YYYY-MM, data.police.uk) or a date-time "
                "('Date' and 'Time', or 'DateTime')",
            )
        )
    for field_name, what in missing_cols:
        problems.add(
            path,
            1,
            field_name,
            f"missing column for {what}; the header has: "
            f"{', '.join(h for h in header if h) or '(nothing)'}",
        )
    if missing_cols:
        return None
    to_wgs84 = None
    if not has_latlon:
        from pyproj import Transformer

        to_wgs84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    row_problems = _RowProblems(path, problems)
    unknown_types: dict[str, list[int]] = defaultdict(list)
    records: list[CrimeRecord] = []
    n_out = n_missing = 0

    def cell(row: list[str], key: str) -> str:
        i = cols.get(key)
        return row[i].strip() if i is not None and i < len(row) else ""

    for line, row in body:
        ok = True
        crime_type = cell(row, "type")
        if not crime_type:
            row_problems.add(line, header[cols["type"]], "empty crime type; give the offence type")
            ok = False
        elif not weights.knows(crime_type):
            unknown_types[crime_type].append(line)
            ok = False
        when, month, when_ok = _parse_when(row, cols, header, line, cell, row_problems)
        ok = ok and when_ok
        coords, coord_ok = _parse_coords(row, cols, header, line, cell, row_problems, to_wgs84)
        ok = ok and coord_ok
        if coords is None:
            if coord_ok:
                n_missing += 1
            continue
        if not ok:
            continue
        lat, lon = coords
        if area is not None and not (area[0] <= lat <= area[2] and area[1] <= lon <= area[3]):
            n_out += 1
            continue
        records.append(
            CrimeRecord(
                lat=lat,
                lon=lon,
                crime_type=weights.canonical(crime_type),
                month=month,
                when=when,
                location=cell(row, "location"),
                source=path.name,
                line=line,
            )
        )
    for crime_type, lines in sorted(unknown_types.items()):
        shown = ", ".join(str(n) for n in lines[:5])
        more = f" and {len(lines) - 5} more" if len(lines) > 5 else ""
        known = "; ".join(weights.weights) if len(weights.weights) <= 20 else "see the weights file"
        problems.add(
            path,
            lines[0],
            header[cols["type"]],
            f"unknown crime type '{crime_type}' on {len(lines)} row(s) (lines {shown}"
            f"{more}); known types: {known}. Fix the spelling, add it to your weights "
            "file (--weights), or use --counts",
        )
    row_problems.finish()
    timed = [r for r in records if r.when is not None]
    if len(timed) >= 10 and all(r.when.hour == 0 and r.when.minute == 0 for r in timed):
        # every time is midnight: a date column formatted as date-time, not real times
        logger.warning("%s: every time is 00:00; the records are treated as having no time", path)
        records = [replace(r, when=None) for r in records]
    return records, len(body), n_out, n_missing


def _parse_coords(row, cols, header, line, cell, row_problems, to_wgs84):
    """((lat, lon) or None, ok). None with ok=True means 'no location given' (legal)."""
    if to_wgs84 is None:
        raw_lat, raw_lon = cell(row, "lat"), cell(row, "lon")
        if not raw_lat and not raw_lon:
            return None, True
        try:
            lat, lon = float(raw_lat), float(raw_lon)
        except ValueError:
            bad = "lat" if not _is_number(raw_lat) else "lon"
            value = raw_lat if bad == "lat" else raw_lon
            row_problems.add(
                line,
                header[cols[bad]],
                f"'{value}' is not a number; give decimal degrees (e.g. 53.81)",
            )
            return None, False
        if not (math.isfinite(lat) and -90 <= lat <= 90):
            row_problems.add(
                line, header[cols["lat"]], f"latitude {raw_lat} is out of range (-90 to 90)"
            )
            return None, False
        if not (math.isfinite(lon) and -180 <= lon <= 180):
            row_problems.add(
                line, header[cols["lon"]], f"longitude {raw_lon} is out of range (-180 to 180)"
            )
            return None, False
        if lat == 0 and lon == 0:
            row_problems.add(
                line,
                header[cols["lat"]],
                "coordinates 0, 0 are a placeholder, "
                "not a place; leave both cells empty when the location is unknown",
            )
            return None, False
        return (lat, lon), True
    raw_e, raw_n = cell(row, "easting"), cell(row, "northing")
    if not raw_e and not raw_n:
        return None, True
    try:
        easting, northing = float(raw_e), float(raw_n)
    except ValueError:
        bad = "easting" if not _is_number(raw_e) else "northing"
        value = raw_e if bad == "easting" else raw_n
        row_problems.add(
            line,
            header[cols[bad]],
            f"'{value}' is not a number; give metres on the British National Grid",
        )
        return None, False
    if not (0 < easting < 700_000 and 0 < northing < 1_300_000):
        row_problems.add(
            line,
            header[cols["easting"]],
            f"easting/northing {raw_e}, {raw_n} is outside the British National "
            "Grid (easting 0-700000, northing 0-1300000)",
        )
        return None, False
    lon, lat = to_wgs84.transform(easting, northing)
    return (float(lat), float(lon)), True


def _parse_when(row, cols, header, line, cell, row_problems):
    """(datetime or None, 'YYYY-MM', ok)."""
    when = None
    if "datetime" in cols or "date" in cols:
        key = "datetime" if "datetime" in cols else "date"
        raw = cell(row, key)
        raw_time = cell(row, "time") if key == "date" else ""
        when = _parse_datetime(raw, raw_time)
        if when is None:
            shown = f"{raw} {raw_time}".strip() or "(empty)"
            field_name = header[cols[key]]
            row_problems.add(
                line,
                field_name,
                f"'{shown}' is not a date-time; use e.g. 2018-07-14 21:30 or 14/07/2018 21:30",
            )
            return None, "", False
        if not (raw_time or _has_time(raw)):
            # a date without a time of day: keep the month, not the hour
            return None, f"{when.year:04d}-{when.month:02d}", True
        return when, f"{when.year:04d}-{when.month:02d}", True
    raw = cell(row, "month")
    match = _MONTH_RE.match(raw)
    if not match or not 1 <= int(match.group(2)) <= 12:
        row_problems.add(
            line,
            header[cols["month"]],
            f"'{raw or '(empty)'}' is not a month; use YYYY-MM, e.g. 2018-07",
        )
        return None, "", False
    return None, raw, True


def _has_time(raw: str) -> bool:
    return bool(re.search(r"\d{1,2}:\d{2}", raw))


def _parse_datetime(raw: str, raw_time: str = "") -> dt.datetime | None:
    raw = raw.strip()
    if not raw:
        return None
    text = f"{raw} {raw_time}".strip() if raw_time else raw
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return value.replace(tzinfo=None) if value.tzinfo is None else value
    except ValueError:
        pass
    parts = text.replace("T", " ").split()
    date_part = parts[0]
    time_part = parts[1] if len(parts) > 1 else ""
    date = None
    for fmt in _DATE_FORMATS:
        try:
            date = dt.datetime.strptime(date_part, fmt).date()
            break
        except ValueError:
            continue
    if date is None:
        return None
    if not time_part:
        return dt.datetime.combine(date, dt.time(0, 0))
    for fmt in _TIME_FORMATS:
        try:
            return dt.datetime.combine(date, dt.datetime.strptime(time_part, fmt).time())
        except ValueError:
            continue
    return None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
