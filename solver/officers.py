"""Readers for officers (CSV/XLSX) and tour lists (rota and history, roster.csv schema)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from pathlib import Path

from solver.domain import RESTRICTIONS, Officer, ShiftRequest, Tour, Unavailability
from solver.parse import CellReader, parse_date_text
from solver.problems import ProblemList
from solver.tables import TableRow, read_table

OFFICER_ALIASES = {
    "id": ("collar_no", "collar_number", "collar", "officer_id", "officer", "warrant_no", "shoulder_number", "pay_no", "staff_id"),
    "name": ("officer_name", "full_name", "surname"),
    "role": ("rank", "grade", "job"),
    "station": ("station_id", "base", "home_station"),
    "contracted_hours": ("hours", "contracted_hrs", "weekly_hours", "hours_per_week", "contract_hours"),
    "unavailable": ("unavailability", "absences", "leave", "not_available"),
    "requests": ("request", "shift_requests"),
    "restrictions": ("restriction", "restricted"),
    "max_tours": ("max_shifts", "shift_limits"),
    "max_weekends": ("weekends_max",),
}
#: Optional per-officer working-pattern limits: column -> (Officer field, what, lowest, highest).
LIMIT_COLUMNS = {
    "max_consecutive_days": ("max_consecutive_days", "working days in a row", 1, 28),
    "min_consecutive_days": ("min_consecutive_days", "working days in a row", 1, 28),
    "min_consecutive_days_off": ("min_consecutive_days_off", "days off in a row", 1, 28),
    "max_weekends": ("max_weekends", "weekends worked over the planning period", 0, 53),
}
TOUR_ALIASES = {"officer_id": ("id", "collar_no", "officer"), "shift": ("shift_name", "tour")}
OFF_WORDS = frozenset({"off", "day off", "rest", "none"})


def read_officers(
    path: Path, station_ids: Collection[str], shift_names: Collection[str], problems: ProblemList
) -> list[Officer]:
    """Read officers (``id,name,role,station,contracted_hours,unavailable`` [+ team, requests,
    restrictions, and the working-pattern limits ``max_tours``, ``min_hours``, ``max_hours``,
    ``max_consecutive_days``, ``min_consecutive_days``, ``min_consecutive_days_off``,
    ``max_weekends``; see docs/scenario.md])."""
    rows = read_table(
        path,
        required=("id", "name", "role", "station", "contracted_hours", "unavailable"),
        optional=("team", "requests", "restrictions", "max_tours", "min_hours", "max_hours", *LIMIT_COLUMNS),
        aliases=OFFICER_ALIASES,
        problems=problems,
    )
    if rows is None:
        return []
    cells = CellReader(path, problems)
    officers: list[Officer] = []
    seen: dict[str, int] = {}
    for row in rows:
        before = len(problems)
        officer_id = cells.text(row, "id")
        name = cells.text(row, "name", required=False) or ""
        role = (cells.text(row, "role") or "").upper()
        station = cells.text(row, "station")
        if station is not None and station not in station_ids:
            known = ", ".join(sorted(station_ids)) or "none"
            problems.add(path, row.line, "station", f"unknown station '{station}'; use a station id from the stations file ({known})")
        hours = cells.number(row, "contracted_hours", minimum=0, maximum=60, what=" (hours per week)")
        unavailable = _parse_unavailable(row, cells)
        requests = _parse_requests(row, cells, shift_names)
        restrictions = _parse_restrictions(row, cells)
        limits = _parse_limits(row, cells, shift_names)
        if officer_id is not None and officer_id in seen:
            problems.add(path, row.line, "id", f"duplicate officer id '{officer_id}' (first on line {seen[officer_id]}); give each officer their own id")
            continue
        if len(problems) > before or officer_id is None or station is None or hours is None:
            continue
        seen[officer_id] = row.line
        officers.append(
            Officer(
                id=officer_id,
                name=name,
                role=role,
                station_id=station,
                contracted_hours=hours,
                team=row.get("team"),
                unavailable=unavailable,
                requests=requests,
                restrictions=restrictions,
                **limits,
            )
        )
    return officers


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.replace("\n", ";").split(";") if item.strip()]


def _parse_unavailable(row: TableRow, cells: CellReader) -> tuple[Unavailability, ...]:
    result: list[Unavailability] = []
    for item in _items(row.get("unavailable")):
        when, _, reason = item.partition(":")
        reason = reason.strip() or "unavailable"
        first_text, sep, last_text = when.partition("..")
        first = parse_date_text(first_text)
        last = parse_date_text(last_text) if sep else first
        if first is None or last is None:
            cells.problems.add(
                cells.file, row.line, "unavailable",
                f"'{item}' is not a date or range; write e.g. 2026-12-01:court;2026-12-03..2026-12-04:annual leave",
            )
            continue
        if last < first:
            cells.problems.add(cells.file, row.line, "unavailable", f"range '{when}' ends before it starts; swap the dates")
            continue
        if (last - first).days > 366:
            cells.problems.add(cells.file, row.line, "unavailable", f"range '{when}' is longer than a year; check the dates")
            continue
        day = first
        while day <= last:
            result.append(Unavailability(day, reason))
            day += dt.timedelta(days=1)
    return tuple(result)


def _parse_requests(row: TableRow, cells: CellReader, shift_names: Collection[str]) -> tuple[ShiftRequest, ...]:
    result: list[ShiftRequest] = []
    lookup = {name.lower(): name for name in shift_names}
    for item in _items(row.get("requests")):
        when, sep, what = item.partition(":")
        day = parse_date_text(when)
        if day is None or not sep:
            cells.problems.add(cells.file, row.line, "requests", f"'{item}' is not a request; write DATE:SHIFT or DATE:off, e.g. 2026-12-02:Late")
            continue
        what = what.strip()
        if what.lower() in OFF_WORDS:
            result.append(ShiftRequest(day, None))
        elif what.lower() in lookup:
            result.append(ShiftRequest(day, lookup[what.lower()]))
        else:
            cells.problems.add(
                cells.file, row.line, "requests",
                f"unknown shift '{what}' in '{item}'; use one of {', '.join(shift_names)} or 'off'",
            )
    return tuple(result)


def _optional_number(row: TableRow, cells: CellReader, column: str, **kwargs) -> float | None:
    """The number in ``column``, or None when the cell is empty (problems recorded as usual)."""
    if not row.get(column):
        return None
    return cells.number(row, column, **kwargs)


def _parse_limits(row: TableRow, cells: CellReader, shift_names: Collection[str]) -> dict[str, object]:
    """Per-officer limits as `Officer` keyword arguments (only those the row sets)."""
    limits: dict[str, object] = {}
    for column, (name, what, lowest, highest) in LIMIT_COLUMNS.items():
        value = _optional_number(row, cells, column, minimum=lowest, maximum=highest, integer=True, what=f" ({what})")
        if value is not None:
            limits[name] = int(value)
    bounds = {}
    for column in ("min_hours", "max_hours"):
        value = _optional_number(row, cells, column, minimum=0, maximum=24 * 7 * 8, what=" (hours over the planning period)")
        if value is not None:
            bounds[column] = value
    if "min_hours" in bounds and "max_hours" in bounds and bounds["min_hours"] > bounds["max_hours"]:
        cells.problems.add(cells.file, row.line, "min_hours", f"min_hours {bounds['min_hours']:g} is above max_hours {bounds['max_hours']:g}; swap them")
    else:
        for column, value in bounds.items():
            limits[column.replace("hours", "minutes")] = int(round(60 * value))
    lookup = {name.lower(): name for name in shift_names}
    tours: list[tuple[str, int]] = []
    for item in _items(row.get("max_tours").replace("|", ";").replace(",", ";")):
        shift, sep, most = item.partition("=")
        name = lookup.get(shift.strip().lower())
        if not sep or name is None or not most.strip().isdigit():
            cells.problems.add(
                cells.file, row.line, "max_tours",
                f"'{item}' is not a limit; write SHIFT=MOST with a shift of {', '.join(shift_names)}, e.g. Night=2;Late=3 (0 forbids the shift)",
            )
            continue
        tours.append((name, int(most)))
    if tours:
        limits["max_tours"] = tuple(tours)
    return limits


def _parse_restrictions(row: TableRow, cells: CellReader) -> frozenset[str]:
    text = row.get("restrictions").replace(",", ";").replace(" ", ";")
    found: set[str] = set()
    for item in _items(text):
        key = item.lower().replace("-", "_")
        if key not in RESTRICTIONS:
            cells.problems.add(cells.file, row.line, "restrictions", f"unknown restriction '{item}'; use any of {', '.join(sorted(RESTRICTIONS))}")
            continue
        found.add(key)
    return frozenset(found)


def read_tours(
    path: Path, officer_ids: Collection[str], shift_names: Collection[str], problems: ProblemList, *, what: str
) -> list[Tour]:
    """Read tours in the roster.csv schema (``officer_id,date,shift`` [+ station_id, unit_id])."""
    rows = read_table(
        path,
        required=("officer_id", "date", "shift"),
        optional=("officer_name", "start", "end", "station_id", "unit_id"),
        aliases=TOUR_ALIASES,
        problems=problems,
    )
    if rows is None:
        return []
    cells = CellReader(path, problems)
    tours: list[Tour] = []
    seen: dict[tuple[str, dt.date], int] = {}
    for row in rows:
        officer_id = cells.text(row, "officer_id")
        day = cells.date(row, "date")
        shift = cells.text(row, "shift")
        if officer_id is None or day is None or shift is None:
            continue
        if officer_id not in officer_ids:
            problems.add(path, row.line, "officer_id", f"unknown officer '{officer_id}' in the {what}; use an id from the officers file")
            continue
        if shift not in shift_names:
            problems.add(path, row.line, "shift", f"unknown shift '{shift}' in the {what}; use one of {', '.join(shift_names)}")
            continue
        if (officer_id, day) in seen:
            problems.add(path, row.line, "date", f"officer '{officer_id}' has two tours on {day} (also line {seen[(officer_id, day)]}); keep one")
            continue
        seen[(officer_id, day)] = row.line
        tours.append(Tour(officer_id, day, shift, row.get("station_id"), row.get("unit_id")))
    return tours
