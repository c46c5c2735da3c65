"""Read patrol tracks: GPX files and CSV or XLSX location exports (radio / AVL / phone).

GPX is parsed with the standard library (expat), so line numbers can name bad points. A CSV
export has one fix per row: ``device_or_officer_id,timestamp,lat,lon[,accuracy_m]`` (common
other header names are accepted, see `CSV_ALIASES`); one file may hold many devices.

Bad rows (unreadable timestamps, coordinates out of range or swapped) are problems naming the
file, line and field. With ``skip_bad_rows`` they are left out and listed as warnings instead.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import math
import xml.parsers.expat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from solver.delivered_model import DeviceAssignment, Track
from solver.problems import Problem, ProblemList
from solver.tables import normalise_header
from solver.tabular import cell_text
from solver.track_time import TIMESTAMP_HELP, localise, parse_timestamp

log = logging.getLogger(__name__)

#: Canonical CSV column -> accepted header names (after `normalise_header`).
CSV_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("device_or_officer_id", "device_id", "officer_id", "id", "device", "officer", "unit_id", "unit",
           "callsign", "collar_number", "collar_no", "radio_id", "issi", "tracker_id"),
    "timestamp": ("timestamp", "time_stamp", "datetime", "date_time", "recorded_at", "fix_time", "time_utc", "utc_time", "time"),
    "date": ("date",),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "lng", "long", "longitude"),
    "accuracy_m": ("accuracy_m", "accuracy", "horizontal_accuracy_m", "horizontal_accuracy", "hacc", "h_acc", "error_m"),
    "hdop": ("hdop",),
}
#: Metres of position error per unit of HDOP (a common rule of thumb for consumer GPS).
HDOP_METRES = 5.0
#: At most this many problems of one kind are listed per file; the rest are counted.
MAX_LISTED = 20


@dataclass
class _Rows:
    """Fixes gathered for one track id while reading a file."""

    stamps: list[dt.datetime] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)

    def add(self, stamp: dt.datetime, lat: float, lon: float, accuracy: float, line: int) -> None:
        self.stamps.append(stamp)
        self.lat.append(lat)
        self.lon.append(lon)
        self.accuracy.append(accuracy)
        self.lines.append(line)


#: Problems that make a whole file unusable; never skipped as bad rows.
FILE_KINDS = frozenset({"header", "unreadable", "empty"})


class _FileProblems:
    """Problems of one file, at most `MAX_LISTED` of each kind listed, the rest counted."""

    def __init__(self, path: Path):
        self.file = str(path)
        self.items: list[tuple[Problem, str]] = []
        self.counts: dict[str, int] = {}

    def add(self, line: int | None, field_name: str | None, message: str, kind: str) -> None:
        count = self.counts.get(kind, 0) + 1
        self.counts[kind] = count
        if count <= MAX_LISTED:
            self.items.append((Problem(self.file, line, field_name, message), kind))

    def finish(self) -> tuple[list[Problem], list[Problem]]:
        """(problems with the whole file, problems with rows), the latter with overflow counts."""
        whole = [p for p, kind in self.items if kind in FILE_KINDS]
        rows = [p for p, kind in self.items if kind not in FILE_KINDS]
        for kind, count in self.counts.items():
            if count > MAX_LISTED and kind not in FILE_KINDS:
                rows.append(Problem(self.file, None, None, f"... and {count - MAX_LISTED} more rows with {kind}"))
        return whole, rows


@dataclass(frozen=True)
class ReadResult:
    """Tracks read from files, and the bad rows left out (when skipping them)."""

    tracks: tuple[Track, ...]
    warnings: tuple[Problem, ...] = ()


def read_tracks(
    paths: Sequence[Path],
    zone: str,
    problems: ProblemList,
    *,
    skip_bad_rows: bool = False,
    area: tuple[float, float, float, float] | None = None,
) -> ReadResult:
    """Read every GPX and CSV track file.

    Parameters
    ----------
    paths
        ``.gpx`` files and ``.csv`` (or ``.txt``) or ``.xlsx`` location exports. A folder is
        searched for them (not recursively).
    zone
        IANA zone of timestamps that do not state one.
    problems
        Where unreadable files and bad rows go.
    skip_bad_rows
        Leave bad rows out (returned as warnings) instead of reporting them as problems.
    area
        (min_lat, min_lon, max_lat, max_lon) of the street network: a fix whose latitude and
        longitude look swapped (the swap falls inside it) is reported as such.
    """
    tz = ZoneInfo(zone)
    tracks: list[Track] = []
    warnings: list[Problem] = []
    for path in _expand(paths, problems):
        found = _FileProblems(path)
        suffix = path.suffix.lower()
        if suffix == ".gpx":
            new = _read_gpx(path, tz, found, area)
        elif suffix in {".csv", ".txt"}:
            new = _read_csv(path, tz, found, area)
        elif suffix in {".xlsx", ".xlsm"}:
            new = _read_xlsx(path, tz, found, area)
        else:
            problems.add(path, None, None, "not a track file; give .gpx files or .csv / .xlsx location exports")
            continue
        whole, rows = found.finish()
        problems.extend(whole)
        if skip_bad_rows:
            warnings.extend(rows)
        else:
            problems.extend(rows)
        tracks.extend(new)
    log.info("read %d tracks, %d fixes", len(tracks), sum(len(t) for t in tracks))
    return ReadResult(tuple(tracks), tuple(warnings))


def _expand(paths: Iterable[Path], problems: ProblemList) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.suffix.lower() in {".gpx", ".csv", ".xlsx"})
            if not inside:
                problems.add(path, None, None, "folder holds no .gpx, .csv or .xlsx track files")
            out.extend(inside)
        elif not path.exists():
            problems.add(path, None, None, "file not found; check the path")
        else:
            out.append(path)
    return out


def _check_position(lat: float, lon: float, line: int, found: _FileProblems, area: tuple[float, float, float, float] | None) -> bool:
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        found.add(line, "lat", f"latitude {lat:g} is outside -90..90; give WGS84 degrees", "bad coordinates")
        return False
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        found.add(line, "lon", f"longitude {lon:g} is outside -180..180; give WGS84 degrees", "bad coordinates")
        return False
    if area is not None:
        min_lat, min_lon, max_lat, max_lon = area
        inside = min_lat - 0.05 <= lat <= max_lat + 0.05 and min_lon - 0.05 <= lon <= max_lon + 0.05
        swapped = min_lat - 0.05 <= lon <= max_lat + 0.05 and min_lon - 0.05 <= lat <= max_lon + 0.05
        if swapped and not inside:
            found.add(line, "lat/lon", f"lat {lat:g}, lon {lon:g} look swapped (the area is near lat {min_lat:.2f}, lon {min_lon:.2f}); "
                      "swap the columns", "swapped coordinates")
            return False
    return True


def _tracks_from(source: Path, gathered: dict[str, _Rows], tz: ZoneInfo, found: _FileProblems, other_ids: dict[str, tuple[str, ...]] | None = None) -> list[Track]:
    tracks = []
    for track_id, rows in gathered.items():
        if not rows.stamps:
            continue
        seconds, ambiguous = localise(rows.stamps, tz)
        if ambiguous:
            log.info("%s [%s]: %d naive fixes in a repeated clock-change hour, read in file order", source, track_id, ambiguous)
        tracks.append(Track(
            source=str(source), track_id=track_id,
            times=np.asarray(seconds, dtype=float), lat=np.asarray(rows.lat, dtype=float), lon=np.asarray(rows.lon, dtype=float),
            accuracy_m=np.asarray(rows.accuracy, dtype=float), lines=np.asarray(rows.lines, dtype=np.int64),
            other_ids=(other_ids or {}).get(track_id, ()),
        ))
    return tracks


# --------------------------------------------------------------------------- CSV


def _read_csv(path: Path, tz: ZoneInfo, found: _FileProblems, area: tuple[float, float, float, float] | None) -> list[Track]:
    """Stream the file (UTF-8, with or without BOM; else Windows-1252), so a week's export of
    hundreds of thousands of rows is never held in memory as text."""
    for encoding in ("utf-8-sig", "cp1252"):
        attempt = _FileProblems(path)
        try:
            with path.open("r", encoding=encoding, newline="") as stream:
                tracks = _parse_csv(path, stream, tz, attempt, area)
        except UnicodeDecodeError:
            continue
        except OSError as exc:
            found.add(None, None, f"cannot read the file: {exc.strerror or exc}", "unreadable")
            return []
        found.items, found.counts = attempt.items, attempt.counts
        if encoding != "utf-8-sig":
            log.info("%s is not UTF-8; read as Windows-1252", path)
        return tracks
    return []


def _parse_csv(path: Path, stream: io.TextIOBase, tz: ZoneInfo, found: _FileProblems,
               area: tuple[float, float, float, float] | None) -> list[Track]:
    sample = stream.read(4096)
    stream.seek(0)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(stream, dialect)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        found.add(None, None, "the file is empty; it needs a header row (device_or_officer_id,timestamp,lat,lon[,accuracy_m])", "empty")
        return []
    try:
        return _parse_rows(path, header, ((reader.line_num, row) for row in reader), tz, found, area)
    except csv.Error as exc:
        found.add(reader.line_num, None, f"not a readable CSV file: {exc}", "unreadable")
        return []


def _read_xlsx(path: Path, tz: ZoneInfo, found: _FileProblems, area: tuple[float, float, float, float] | None) -> list[Track]:
    """The first sheet of an Excel workbook, read like a CSV export (line = spreadsheet row)."""
    try:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a damaged workbook
        found.add(None, None, f"not a readable Excel workbook: {exc}", "unreadable")
        return []
    try:
        rows = (
            (number, [cell_text(v) for v in values])
            for number, values in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1)
        )
        first = next(rows, None)
        if first is None:
            found.add(None, None, "the sheet is empty; it needs a header row (device_or_officer_id,timestamp,lat,lon[,accuracy_m])", "empty")
            return []
        return _parse_rows(path, first[1], rows, tz, found, area)
    finally:
        book.close()


def _parse_rows(path: Path, header: list[str], rows: Iterator[tuple[int, list[str]]], tz: ZoneInfo, found: _FileProblems,
                area: tuple[float, float, float, float] | None) -> list[Track]:
    """Fixes from the rows of a location export (CSV or sheet), grouped by id."""
    names = [normalise_header(h) for h in header]
    column: dict[str, int] = {}
    for canonical, aliases in CSV_ALIASES.items():
        for alias in aliases:
            if alias in names:
                column[canonical] = names.index(alias)
                break
    if "timestamp" in column and column.get("date") == column["timestamp"]:
        column.pop("date")
    missing = [c for c in ("id", "lat", "lon") if c not in column]
    if "timestamp" not in column:
        missing.insert(1, "timestamp")
    if missing:
        found.add(1, None, f"missing column(s) {', '.join(missing)}; the header must be device_or_officer_id,timestamp,lat,lon[,accuracy_m] "
                  f"(found: {', '.join(header)})", "header")
        return []
    i_id, i_time, i_lat, i_lon = column["id"], column["timestamp"], column["lat"], column["lon"]
    i_date = column.get("date")
    i_acc = column.get("accuracy_m")
    i_hdop = column.get("hdop") if i_acc is None else None
    gathered: dict[str, _Rows] = {}
    for line, row in rows:
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(i_id, i_time, i_lat, i_lon):
            found.add(line, None, f"only {len(row)} cells; each row needs id, timestamp, lat and lon", "short rows")
            continue
        track_id = row[i_id].strip()
        if not track_id:
            found.add(line, header[i_id], "the id is empty; give the device or officer id", "empty ids")
            continue
        raw_time = row[i_time].strip()
        if i_date is not None and raw_time and ":" in raw_time and not any(c in raw_time for c in "/-."):
            raw_time = f"{row[i_date].strip().split(' ')[0]} {raw_time}"
        stamp = parse_timestamp(raw_time)
        if stamp is None:
            found.add(line, header[i_time], f"'{raw_time}' is not a timestamp; {TIMESTAMP_HELP}", "bad timestamps")
            continue
        lat = _number(row[i_lat])
        lon = _number(row[i_lon])
        if lat is None or lon is None:
            bad = header[i_lat] if lat is None else header[i_lon]
            value = row[i_lat] if lat is None else row[i_lon]
            found.add(line, bad, f"'{value.strip()}' is not a number; give decimal degrees (WGS84)", "bad coordinates")
            continue
        if not _check_position(lat, lon, line, found, area):
            continue
        accuracy = math.nan
        if i_acc is not None and i_acc < len(row) and row[i_acc].strip():
            value_acc = _number(row[i_acc])
            if value_acc is None or value_acc < 0:
                found.add(line, header[i_acc], f"'{row[i_acc].strip()}' is not an accuracy in metres; give a number >= 0 or leave it empty",
                          "bad accuracy")
                continue
            accuracy = value_acc
        elif i_hdop is not None and i_hdop < len(row) and row[i_hdop].strip():
            hdop = _number(row[i_hdop])
            if hdop is not None and hdop >= 0:
                accuracy = hdop * HDOP_METRES
        gathered.setdefault(track_id, _Rows()).add(stamp, lat, lon, accuracy, line)
    if not gathered and not found.items:
        found.add(None, None, "no fixes in the file", "empty")
    return _tracks_from(path, gathered, tz, found)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        try:
            value = float(text.strip().replace(",", "."))
        except ValueError:
            return None
    return value if math.isfinite(value) else None


# --------------------------------------------------------------------------- GPX


class _GpxHandler:
    """Collects track points with their line numbers; one track per <trk> name."""

    def __init__(self, parser: xml.parsers.expat.XMLParserType):
        self.parser = parser
        self.stack: list[str] = []
        self.text: list[str] = []
        self.metadata_name = ""
        self.trk_index = 0
        self.point: dict[str, object] | None = None
        self.points: list[tuple[str, dict[str, object]]] = []
        self.names: dict[int, str] = {}

    @staticmethod
    def _local(name: str) -> str:
        return name.rsplit(":", 1)[-1]

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = self._local(name)
        self.stack.append(tag)
        self.text = []
        if tag == "trk":
            self.trk_index += 1
        elif tag == "trkpt":
            self.point = {"line": self.parser.CurrentLineNumber, "lat": attrs.get("lat"), "lon": attrs.get("lon")}

    def chars(self, data: str) -> None:
        self.text.append(data)

    def end(self, name: str) -> None:
        tag = self._local(name)
        text = "".join(self.text).strip()
        self.text = []
        parent = self.stack[-2] if len(self.stack) >= 2 else ""
        if tag == "name" and parent == "trk":
            self.names[self.trk_index] = text
        elif tag == "name" and parent == "metadata":
            self.metadata_name = text
        elif self.point is not None and parent == "trkpt" and tag in {"time", "hdop"}:
            self.point[tag] = text
        elif tag == "trkpt" and self.point is not None:
            self.points.append((str(self.trk_index), self.point))
            self.point = None
        self.stack.pop()


def _read_gpx(path: Path, tz: ZoneInfo, found: _FileProblems, area: tuple[float, float, float, float] | None) -> list[Track]:
    parser = xml.parsers.expat.ParserCreate()
    handler = _GpxHandler(parser)
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.chars
    try:
        with path.open("rb") as stream:
            parser.ParseFile(stream)
    except OSError as exc:
        found.add(None, None, f"cannot read the file: {exc.strerror or exc}", "unreadable")
        return []
    except xml.parsers.expat.ExpatError as exc:
        found.add(exc.lineno, None, f"not a readable GPX file ({xml.parsers.expat.ErrorString(exc.code)}); export the track again", "unreadable")
        return []
    if not handler.points:
        found.add(None, None, "no track points (<trkpt>) in the file; give a recorded track, not a route or waypoints", "empty")
        return []
    gathered: dict[str, _Rows] = {}
    untimed = 0
    for index, point in handler.points:
        line = int(point["line"])  # type: ignore[arg-type]
        track_id = handler.names.get(int(index)) or handler.metadata_name or path.stem
        lat, lon = _number(str(point.get("lat") or "")), _number(str(point.get("lon") or ""))
        if lat is None or lon is None:
            found.add(line, "lat" if lat is None else "lon", "a track point without a numeric lat/lon attribute", "bad coordinates")
            continue
        if not _check_position(lat, lon, line, found, area):
            continue
        raw = str(point.get("time") or "")
        if not raw:
            untimed += 1
            if untimed == 1:
                found.add(line, "time", "track points have no <time>: this looks like a planned route, not a recorded track; "
                          "export the device's recorded track with times", "points without a time")
            continue
        stamp = parse_timestamp(raw)
        if stamp is None:
            found.add(line, "time", f"'{raw}' is not a timestamp; {TIMESTAMP_HELP}", "bad timestamps")
            continue
        hdop = _number(str(point.get("hdop") or ""))
        accuracy = hdop * HDOP_METRES if hdop is not None and hdop >= 0 else math.nan
        gathered.setdefault(track_id, _Rows()).add(stamp, lat, lon, accuracy, line)
    others = {tid: tuple(dict.fromkeys(x for x in (handler.metadata_name, path.stem) if x and x != tid)) for tid in gathered}
    return _tracks_from(path, gathered, tz, found, others)


# --------------------------------------------------------------------------- devices


def read_devices(path: Path, problems: ProblemList, zone: str = "Europe/London") -> dict[str, tuple[DeviceAssignment, ...]]:
    """Device id (case-folded) -> who carried it, from a CSV ``device_id,officer_id[,from,to]``.

    Without ``from``/``to`` a device belongs to one officer all week. Pooled devices, issued
    per tour, get a row per issue with ``from`` and ``to`` (a date, meaning that whole local
    day, or a date-time; naive ones are local in ``zone``); a row's ``to`` may be left empty
    (until further notice) and so may its ``from`` (since always). Issues of one device may
    not overlap.
    """
    from solver.tables import read_table

    rows = read_table(path, required=("device_id", "officer_id"), optional=("from", "to"),
                      aliases={"device_id": ("device", "radio_id", "issi", "tracker_id"),
                               "officer_id": ("officer", "collar_number", "collar_no"),
                               "from": ("issued", "valid_from", "start"), "to": ("returned", "valid_to", "end")},
                      problems=problems)
    if rows is None:
        return {}
    tz = ZoneInfo(zone)
    out: dict[str, list[tuple[DeviceAssignment, int]]] = {}
    for row in rows:
        device, officer = row.get("device_id"), row.get("officer_id")
        if not device or not officer:
            problems.add(path, row.line, "device_id" if not device else "officer_id", "empty cell; give both the device id and the officer id")
            continue
        bounds = []
        for column, is_end in (("from", False), ("to", True)):
            text = row.get(column)
            value = _device_time(text, tz, is_end) if text else None
            if text and value is None:
                problems.add(path, row.line, column, f"'{text}' is not a date or date-time; write YYYY-MM-DD or {TIMESTAMP_HELP}")
            bounds.append(value)
        start, end = bounds
        if start is not None and end is not None and end <= start:
            problems.add(path, row.line, "to", "'to' is not after 'from'; give the time the device was handed back")
            continue
        issue = DeviceAssignment(officer, start, end)
        key = device.casefold()
        clash = next(((a, line) for a, line in out.get(key, []) if a.overlaps(issue)), None)
        if clash is not None:
            other, line = clash
            what = "is already given to" if other.officer_id != officer else "is listed twice for"
            problems.add(path, row.line, "device_id", f"device '{device}' {what} officer '{other.officer_id}' at the same time on line {line}; "
                         "give each device one officer at a time (use from/to for pooled devices)")
            continue
        out.setdefault(key, []).append((issue, row.line))
    return {key: tuple(a for a, _ in sorted(items, key=lambda x: x[0].start or -math.inf)) for key, items in out.items()}


def _device_time(text: str, tz: ZoneInfo, is_end: bool) -> float | None:
    from solver.parse import parse_date_text

    if ":" not in text:
        day = parse_date_text(text)
        if day is None:
            return None
        if is_end:
            day += dt.timedelta(days=1)
        return dt.datetime.combine(day, dt.time(), tzinfo=tz).timestamp()
    stamp = parse_timestamp(text)
    if stamp is None:
        return None
    return (stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=tz)).timestamp()
