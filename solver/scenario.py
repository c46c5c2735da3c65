"""Read ``scenario.toml`` and the files it names into a validated, frozen `Scenario`.

Every problem in every file is collected, then raised once as a `ScenarioError`.
The keys, their defaults and their meaning are documented in docs/scenario.md.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from solver.domain import CoverTarget, PatrolSettings, RosterWeights, Rules, Scenario, ShiftTemplate
from solver.officers import read_officers, read_tours
from solver.parse import parse_date_text, parse_time_text
from solver.problems import ProblemList
from solver.readers import apply_risk, read_hotspots, read_risk, read_stations

log = logging.getLogger(__name__)

TABLES = {"scenario", "files", "shifts", "rules", "patrol", "roster"}
SCENARIO_KEYS = {"name", "week_start", "days", "timezone", "rota_complete"}
FILE_KEYS = {"network", "hotspots", "officers", "stations", "risk", "rota", "history", "crimes"}
REQUIRED_FILES = ("network", "hotspots", "officers", "stations")
SHIFT_KEYS = {"name", "start", "end", "meal_break_min", "briefing_min", "debrief_min", "unit_size", "roles", "night"}
RULE_KEYS = {"min_rest_h", "max_consecutive_days", "hours_tolerance_h", "min_units", "forbidden_after", "cover_targets"}
COVER_KEYS = {"shift", "units", "date", "under_weight", "over_weight"}
MAX_DAYS = 56


class _Toml:
    """The TOML text and data, with a line finder so problems can name the line of a key."""

    def __init__(self, path: Path, text: str, data: dict[str, Any]):
        self.path = path
        self.lines = text.splitlines()
        self.data = data

    def line_of(self, key: str, table: str | None = None) -> int | None:
        start = 0
        if table:
            for i, line in enumerate(self.lines):
                if line.strip().strip("[]").strip() == table:
                    start = i
                    break
        for i in range(start, len(self.lines)):
            stripped = self.lines[i].strip()
            if stripped.startswith(key) and stripped[len(key):].lstrip().startswith("="):
                return i + 1
        return None


def read_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML and every file it names.

    Raises
    ------
    ScenarioError
        With every problem found (file, line, field, what to do).
    """
    path = Path(path).resolve()
    problems = ProblemList()
    toml = _load_toml(path, problems)
    problems.raise_if_any()
    assert toml is not None
    data = toml.data
    for table in data:
        if table not in TABLES:
            problems.add(path, toml.line_of(table), table, f"unknown table or key '{table}'; known: {', '.join(sorted(TABLES))}")
    head = _table(toml, "scenario", SCENARIO_KEYS, problems)
    name = str(head.get("name", path.stem))
    week_start = _week_start(toml, head, problems)
    days = _int(toml, "scenario", head, "days", 7, 1, MAX_DAYS, problems)
    timezone = str(head.get("timezone", "Europe/London"))
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.add(path, toml.line_of("timezone"), "scenario.timezone", f"unknown time zone '{timezone}'; use an IANA name like Europe/London")
        timezone = "Europe/London"

    rota_complete = head.get("rota_complete", False)
    if not isinstance(rota_complete, bool):
        problems.add(path, toml.line_of("rota_complete", "scenario"), "scenario.rota_complete", "rota_complete must be true or false")
        rota_complete = False
    files = _table(toml, "files", FILE_KEYS, problems)
    base = path.parent
    file_paths: dict[str, Path] = {}
    for key in FILE_KEYS - {"crimes"}:
        if key in files:
            file_paths[key] = (base / str(files[key])).resolve()
        elif key in REQUIRED_FILES:
            problems.add(path, None, f"files.{key}", f"missing '{key}' in [files]; name the {key} file (path relative to the scenario file)")
    crimes = files.get("crimes", [])
    crime_paths = tuple((base / str(c)).resolve() for c in ([crimes] if isinstance(crimes, str) else crimes))
    network = file_paths.get("network")
    if network is not None and not network.exists():
        problems.add(network, None, None, "network file not found; check [files] network in the scenario file")

    patrol = _settings(toml, "patrol", PatrolSettings, problems)
    weights = _settings(toml, "roster", RosterWeights, problems)
    shifts = _shifts(toml, problems)
    shift_names = [s.name for s in shifts]
    rules = _rules(toml, shift_names, problems)

    declared_stations: set[str] = set()
    stations = read_stations(file_paths["stations"], problems, declared_stations) if "stations" in file_paths else []
    hotspots = read_hotspots(file_paths["hotspots"], patrol, problems) if "hotspots" in file_paths else []
    if "risk" in file_paths:
        assumed_risk: set[str] = set()
        profiles = read_risk(file_paths["risk"], {h.id for h in hotspots}, problems, assumed_risk)
        hotspots = apply_risk(hotspots, profiles, assumed_risk)
    officers = []
    if "officers" in file_paths:
        officers = read_officers(file_paths["officers"], declared_stations, shift_names, problems)
    officer_ids = {o.id for o in officers}
    rota = read_tours(file_paths["rota"], officer_ids, shift_names, problems, what="rota") if "rota" in file_paths else []
    history = read_tours(file_paths["history"], officer_ids, shift_names, problems, what="history") if "history" in file_paths else []
    if rota_complete and "rota" not in file_paths:
        problems.add(path, toml.line_of("rota_complete", "scenario"), "scenario.rota_complete", "rota_complete = true needs a rota file in [files]")
    problems.raise_if_any()
    assert week_start is not None
    scenario = Scenario(
        name=name,
        week_start=week_start,
        days=days,
        timezone=timezone,
        stations=tuple(stations),
        hotspots=tuple(hotspots),
        officers=tuple(officers),
        shifts=tuple(shifts),
        rules=rules,
        patrol=patrol,
        roster_weights=weights,
        network_path=file_paths["network"],
        rota=tuple(rota),
        history=tuple(history),
        crime_paths=crime_paths,
        rota_complete=rota_complete,
        source_path=path,
        input_paths=(path, *sorted(file_paths.values()), *crime_paths),
    )
    log.info(
        "scenario %s: %d stations, %d hotspots, %d officers, %d shifts, %d days",
        name, len(stations), len(hotspots), len(officers), len(shifts), days,
    )
    return scenario


def _load_toml(path: Path, problems: ProblemList) -> _Toml | None:
    if not path.exists():
        problems.add(path, None, None, "scenario file not found; check the path")
        return None
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.add(path, None, None, "the scenario file is not UTF-8 text; save it as UTF-8")
        return None
    try:
        return _Toml(path, text, tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = getattr(exc, "lineno", None) or (int(match.group(1)) if match else None)
        problems.add(path, line, None, f"not valid TOML: {exc}; fix the syntax on that line")
        return None


def _table(toml: _Toml, name: str, known: set[str], problems: ProblemList) -> dict[str, Any]:
    table = toml.data.get(name, {})
    if not isinstance(table, dict):
        problems.add(toml.path, toml.line_of(name), name, f"'{name}' must be a table [{name}]")
        return {}
    for key in table:
        if key not in known:
            problems.add(toml.path, toml.line_of(key, name), f"{name}.{key}", f"unknown key '{key}' in [{name}]; known keys: {', '.join(sorted(known))}")
    return table


def _week_start(toml: _Toml, head: dict[str, Any], problems: ProblemList) -> dt.date | None:
    raw = head.get("week_start")
    line = toml.line_of("week_start", "scenario")
    if raw is None:
        problems.add(toml.path, None, "scenario.week_start", "missing week_start in [scenario]; give the Monday the plan starts, e.g. 2026-11-30")
        return None
    value = raw if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime) else parse_date_text(str(raw))
    if value is None:
        problems.add(toml.path, line, "scenario.week_start", f"'{raw}' is not a date; write YYYY-MM-DD")
        return None
    if value.isoweekday() != 1:
        problems.add(toml.path, line, "scenario.week_start", f"{value} is a {value:%A}; week_start must be a Monday")
        return None
    return value


def _int(toml: _Toml, table: str, data: dict[str, Any], key: str, default: int, lo: int, hi: int, problems: ProblemList) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        problems.add(toml.path, toml.line_of(key, table), f"{table}.{key}", f"'{value}' must be a whole number from {lo} to {hi}")
        return default
    return value


def _settings(toml: _Toml, table: str, cls: type, problems: ProblemList) -> Any:
    """Build a settings dataclass from a table, checking names and types of every key."""
    known = {f.name: f for f in fields(cls)}
    data = _table(toml, table, set(known), problems)
    defaults = cls()
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            continue
        default = getattr(defaults, key)
        line = toml.line_of(key, table)
        if isinstance(default, tuple):
            if not isinstance(value, list) or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
                problems.add(toml.path, line, f"{table}.{key}", f"'{value}' must be a list of numbers")
                continue
            values[key] = tuple(float(v) for v in value)
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.add(toml.path, line, f"{table}.{key}", f"'{value}' must be a number (default {default})")
            continue
        if isinstance(default, int) and not float(value).is_integer():
            problems.add(toml.path, line, f"{table}.{key}", f"'{value}' must be a whole number (default {default})")
            continue
        if value < 0:
            problems.add(toml.path, line, f"{table}.{key}", f"'{value}' must not be negative (default {default})")
            continue
        values[key] = type(default)(value)
    if table == "patrol":
        if values.get("walk_speed_kph", 1.0) <= 0:
            problems.add(toml.path, toml.line_of("walk_speed_kph", table), "patrol.walk_speed_kph", "walking speed must be more than 0 km/h (default 4.5)")
            values.pop("walk_speed_kph")
        if values.get("visit_min", 1) < 1:
            problems.add(toml.path, toml.line_of("visit_min", table), "patrol.visit_min", "visit length must be at least 1 minute (default 15)")
            values.pop("visit_min")
        if values.get("variety_pct", 0) > 50:
            problems.add(toml.path, toml.line_of("variety_pct", table), "patrol.variety_pct", "variety above 50% would give poor routes; use 0 to 10")
            values.pop("variety_pct")
    return cls(**values)


def _shifts(toml: _Toml, problems: ProblemList) -> list[ShiftTemplate]:
    raw = toml.data.get("shifts", [])
    if not isinstance(raw, list) or not raw:
        problems.add(toml.path, None, "shifts", "no [[shifts]] given; add at least one shift template with name, start and end")
        return []
    shifts: list[ShiftTemplate] = []
    names: set[str] = set()
    for number, item in enumerate(raw, start=1):
        where = f"shifts[{number}]"
        if not isinstance(item, dict):
            problems.add(toml.path, None, where, "each [[shifts]] entry must be a table")
            continue
        for key in item:
            if key not in SHIFT_KEYS:
                problems.add(toml.path, toml.line_of(key), f"{where}.{key}", f"unknown key '{key}'; known keys: {', '.join(sorted(SHIFT_KEYS))}")
        name = str(item.get("name", "")).strip()
        if not name:
            problems.add(toml.path, None, f"{where}.name", "shift has no name; give it one, e.g. name = \"Late\"")
            continue
        if name in names:
            problems.add(toml.path, toml.line_of("name"), f"{where}.name", f"shift name '{name}' is used twice; names must be unique")
            continue
        names.add(name)
        start = parse_time_text(str(item.get("start", "")))
        end = parse_time_text(str(item.get("end", "")))
        if start is None or end is None:
            problems.add(toml.path, None, f"{where}.start/end", f"shift '{name}': start and end must be \"HH:MM\" (24-hour)")
            continue
        ints: dict[str, int] = {}
        bad = False
        for key, default in (("meal_break_min", 45), ("briefing_min", 0), ("debrief_min", 0), ("unit_size", 1)):
            value = item.get(key, default)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                problems.add(toml.path, None, f"{where}.{key}", f"shift '{name}': {key} must be a whole number, 0 or more")
                bad = True
            ints[key] = value if isinstance(value, int) else default
        if ints["unit_size"] not in (1, 2):
            problems.add(toml.path, None, f"{where}.unit_size", f"shift '{name}': unit_size must be 1 (single crewed) or 2 (pairs)")
            bad = True
        roles_raw = item.get("roles")
        roles = None
        if roles_raw is not None:
            if isinstance(roles_raw, str):
                roles_raw = [roles_raw]
            roles = frozenset(str(r).upper() for r in roles_raw) or None
        template = ShiftTemplate(name=name, start=start, end=end, roles=roles, **ints)
        length = template.nominal_minutes
        if ints["meal_break_min"] + ints["briefing_min"] + ints["debrief_min"] >= length:
            problems.add(toml.path, None, where, f"shift '{name}': break, briefing and debrief fill the whole {length} min tour")
            bad = True
        night = item.get("night")
        if night is None:
            night = _covers_small_hours(template)
        elif not isinstance(night, bool):
            problems.add(toml.path, None, f"{where}.night", f"shift '{name}': night must be true or false")
            bad = True
        if not bad:
            shifts.append(ShiftTemplate(name=name, start=start, end=end, roles=roles, night=bool(night), **ints))
    return shifts


def _covers_small_hours(template: ShiftTemplate) -> bool:
    """True when the tour covers any of 00:00-04:00 (the default of the ``night`` flag)."""
    start = template.start.hour * 60 + template.start.minute
    for minute in range(0, 240, 15):
        if (minute - start) % 1440 < template.nominal_minutes:
            return True
    return False


def _rules(toml: _Toml, shift_names: list[str], problems: ProblemList) -> Rules:
    data = _table(toml, "rules", RULE_KEYS, problems)
    defaults = Rules()
    values: dict[str, Any] = {}
    for key in ("min_rest_h", "hours_tolerance_h"):
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                problems.add(toml.path, toml.line_of(key, "rules"), f"rules.{key}", f"'{value}' must be a number of hours, 0 or more (default {getattr(defaults, key)})")
            else:
                values[key] = float(value)
    if "max_consecutive_days" in data:
        values["max_consecutive_days"] = _int(toml, "rules", data, "max_consecutive_days", 6, 1, 28, problems)
    min_units = data.get("min_units", {})
    checked_units: dict[str, int] = {}
    if not isinstance(min_units, dict):
        problems.add(toml.path, toml.line_of("min_units", "rules"), "rules.min_units", "min_units must be a table: shift name = units")
    else:
        for shift, units in min_units.items():
            if shift not in shift_names:
                problems.add(toml.path, toml.line_of(shift, "rules.min_units"), f"rules.min_units.{shift}", f"unknown shift '{shift}'; use one of {', '.join(shift_names)}")
            elif isinstance(units, bool) or not isinstance(units, int) or units < 0:
                problems.add(toml.path, toml.line_of(shift, "rules.min_units"), f"rules.min_units.{shift}", f"'{units}' must be a whole number of units, 0 or more")
            else:
                checked_units[shift] = units
    values["min_units"] = checked_units
    forbidden = data.get("forbidden_after", {})
    checked_forbidden: dict[str, tuple[str, ...]] = {}
    if not isinstance(forbidden, dict):
        problems.add(toml.path, toml.line_of("forbidden_after", "rules"), "rules.forbidden_after", "forbidden_after must be a table: shift name = [shift names]")
    else:
        for shift, followers in forbidden.items():
            followers = [followers] if isinstance(followers, str) else followers
            unknown = [s for s in [shift, *followers] if s not in shift_names]
            if unknown:
                problems.add(toml.path, toml.line_of(shift, "rules.forbidden_after"), f"rules.forbidden_after.{shift}", f"unknown shift(s) {', '.join(map(str, unknown))}; use {', '.join(shift_names)}")
            else:
                checked_forbidden[shift] = tuple(followers)
    values["forbidden_after"] = checked_forbidden
    values["cover_targets"] = _cover_targets(toml, data.get("cover_targets", []), shift_names, problems)
    return Rules(**values)


def _cover_targets(toml: _Toml, items: Any, shift_names: list[str], problems: ProblemList) -> tuple[CoverTarget, ...]:
    """``[[rules.cover_targets]]``: soft staffing targets (units wanted, cost per unit short/over)."""
    header = "rules.cover_targets"
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        problems.add(toml.path, toml.line_of("cover_targets", "rules"), header, "cover_targets must be [[rules.cover_targets]] tables with shift and units")
        return ()
    starts = [i + 1 for i, line in enumerate(toml.lines) if line.strip().replace(" ", "") == f"[[{header}]]"]
    targets: list[CoverTarget] = []
    for k, item in enumerate(items):
        line = starts[k] if k < len(starts) else None
        where = f"{header}[{k + 1}]"
        before = len(problems)
        for key in sorted(set(item) - COVER_KEYS):
            problems.add(toml.path, line, f"{where}.{key}", f"unknown key '{key}'; use {', '.join(sorted(COVER_KEYS))}")
        shift = item.get("shift")
        if shift not in shift_names:
            problems.add(toml.path, line, f"{where}.shift", f"'{shift}' is not a shift; use one of {', '.join(shift_names)}")
        units = item.get("units")
        if isinstance(units, bool) or not isinstance(units, int) or units < 0:
            problems.add(toml.path, line, f"{where}.units", f"'{units}' must be a whole number of units, 0 or more")
        weights = {}
        for key, default in (("under_weight", 1.0), ("over_weight", 0.0)):
            value = item.get(key, default)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                problems.add(toml.path, line, f"{where}.{key}", f"'{value}' must be a number, 0 or more (default {default:g})")
            weights[key] = float(value) if isinstance(value, int | float) else default
        day = item.get("date")
        if isinstance(day, dt.datetime):
            day = day.date()
        if day is not None and not isinstance(day, dt.date):
            day = parse_date_text(str(day))
            if day is None:
                problems.add(toml.path, line, f"{where}.date", f"'{item.get('date')}' is not a date; write 2026-12-04 (or leave it out for every day)")
        if len(problems) == before:
            targets.append(CoverTarget(shift=shift, units=units, date=day, **weights))
    return tuple(targets)
