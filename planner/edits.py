"""The planner's edits to a loaded scenario, as plain data (no Qt): locks, absences, settings.

A lock fixes an officer-day to a shift (or off) for the next plan; an absence (e.g. sick)
makes an officer unavailable on a day; settings override the scenario's patrol, roster,
rules and shift-template values. `apply_edits` returns a new frozen `Scenario` with the
absences and settings applied; the scenario read from disk is never changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from solver.domain import PatrolSettings, RosterWeights, Rules, Scenario, Unavailability
from solver.parse import parse_time_text

#: Setting keys the settings dialog edits, by table, with (minimum, maximum).
PATROL_LIMITS: dict[str, tuple[float, float]] = {
    "walk_speed_kph": (1.0, 8.0),
    "visit_min": (1, 120),
    "min_gap_min": (0, 480),
    "time_limit_s": (1, 3600),
    "seed": (0, 2**31 - 1),
    "variety_pct": (0, 50),
}
ROSTER_LIMITS: dict[str, tuple[float, float]] = {"time_limit_s": (1, 3600)}
RULE_LIMITS: dict[str, tuple[float, float]] = {
    "min_rest_h": (0, 24),
    "max_consecutive_days": (1, 14),
    "hours_tolerance_h": (0, 40),
}
SHIFT_KEYS = ("start", "end", "meal_break_min", "unit_size")

LockKey = tuple[str, dt.date]


@dataclass(frozen=True)
class Absence:
    """An officer unavailable on a date, entered in the app (e.g. reported sick)."""

    officer_id: str
    date: dt.date
    reason: str = "sick"


@dataclass(frozen=True)
class Edits:
    """Everything the planner changed on top of the scenario files."""

    locks: Mapping[LockKey, str | None] = field(default_factory=dict)
    absences: tuple[Absence, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)

    def lock_tuples(self) -> tuple[tuple[str, dt.date, str | None], ...]:
        """Locks as ``(officer_id, date, shift_or_None)``, the form ``plan()`` takes."""
        return tuple((o, d, s) for (o, d), s in sorted(self.locks.items(), key=lambda kv: (kv[0][1], kv[0][0])))

    def with_lock(self, officer_id: str, day: dt.date, shift: str | None) -> Edits:
        locks = dict(self.locks)
        locks[(officer_id, day)] = shift
        return replace(self, locks=locks)

    def without_lock(self, officer_id: str, day: dt.date) -> Edits:
        locks = dict(self.locks)
        locks.pop((officer_id, day), None)
        return replace(self, locks=locks)

    def with_absence(self, officer_id: str, day: dt.date, reason: str = "sick") -> Edits:
        """The officer is away on ``day``; a lock on that day is dropped (it cannot hold)."""
        kept = tuple(a for a in self.absences if (a.officer_id, a.date) != (officer_id, day))
        return replace(self.without_lock(officer_id, day), absences=(*kept, Absence(officer_id, day, reason)))

    def without_absence(self, officer_id: str, day: dt.date) -> Edits:
        kept = tuple(a for a in self.absences if (a.officer_id, a.date) != (officer_id, day))
        return replace(self, absences=kept)

    def absence(self, officer_id: str, day: dt.date) -> Absence | None:
        for item in self.absences:
            if item.officer_id == officer_id and item.date == day:
                return item
        return None


def validate_settings(settings: Mapping[str, Any], scenario: Scenario) -> list[str]:
    """Every problem with a settings dict, as sentences naming the setting and the fix."""
    problems: list[str] = []
    for table, limits in (("patrol", PATROL_LIMITS), ("roster", ROSTER_LIMITS), ("rules", RULE_LIMITS)):
        values = settings.get(table, {})
        for key, value in values.items():
            if key not in limits:
                problems.append(f"{table}.{key} is not a setting the app can change")
                continue
            lo, hi = limits[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
                problems.append(f"{table}.{key} must be a number from {lo:g} to {hi:g}, not {value!r}")
    names = {s.name for s in scenario.shifts}
    for name, values in settings.get("shifts", {}).items():
        if name not in names:
            problems.append(f"shift '{name}' is not in the scenario; known: {', '.join(sorted(names))}")
            continue
        template = scenario.shift(name)
        start = parse_time_text(str(values.get("start", template.start.strftime("%H:%M"))))
        end = parse_time_text(str(values.get("end", template.end.strftime("%H:%M"))))
        if start is None or end is None:
            problems.append(f"shift '{name}': start and end must be HH:MM (24-hour)")
            continue
        if start == end:
            problems.append(f"shift '{name}': start and end are the same time; a tour needs a length")
            continue
        length = (end.hour * 60 + end.minute - start.hour * 60 - start.minute) % 1440
        meal = values.get("meal_break_min", template.meal_break_min)
        if not isinstance(meal, int) or meal < 0:
            problems.append(f"shift '{name}': meal break must be a whole number of minutes, 0 or more")
        elif meal + template.briefing_min + template.debrief_min >= length:
            problems.append(f"shift '{name}': break, briefing and debrief fill the whole {length} min tour; shorten the break")
        if values.get("unit_size", template.unit_size) not in (1, 2):
            problems.append(f"shift '{name}': unit size must be 1 (single crewed) or 2 (pairs)")
    return problems


def current_settings(scenario: Scenario) -> dict[str, Any]:
    """The scenario's values of every setting the app edits, in the settings-dict form."""
    return {
        "patrol": {k: getattr(scenario.patrol, k) for k in PATROL_LIMITS},
        "roster": {k: getattr(scenario.roster_weights, k) for k in ROSTER_LIMITS},
        "rules": {k: getattr(scenario.rules, k) for k in RULE_LIMITS},
        "shifts": {
            s.name: {"start": s.start.strftime("%H:%M"), "end": s.end.strftime("%H:%M"),
                     "meal_break_min": s.meal_break_min, "unit_size": s.unit_size}
            for s in scenario.shifts
        },
    }


def _typed(cls: type, current: Any, values: Mapping[str, Any]) -> Any:
    kinds = {f.name: type(getattr(current, f.name)) for f in fields(cls)}
    return replace(current, **{k: kinds[k](v) for k, v in values.items() if k in kinds})


def apply_edits(scenario: Scenario, edits: Edits) -> Scenario:
    """The scenario with the edits' settings and absences applied (a new frozen object).

    Hotspots whose visit length or minimum gap equal the scenario's patrol default follow a
    changed default; values set per hotspot in the hotspot file are kept.
    """
    settings = edits.settings
    patrol: PatrolSettings = _typed(PatrolSettings, scenario.patrol, settings.get("patrol", {}))
    weights: RosterWeights = _typed(RosterWeights, scenario.roster_weights, settings.get("roster", {}))
    rules: Rules = _typed(Rules, scenario.rules, settings.get("rules", {}))
    shifts = []
    for template in scenario.shifts:
        values = dict(settings.get("shifts", {}).get(template.name, {}))
        if "start" in values:
            values["start"] = parse_time_text(str(values["start"])) or template.start
        if "end" in values:
            values["end"] = parse_time_text(str(values["end"])) or template.end
        shifts.append(replace(template, **{k: v for k, v in values.items() if k in SHIFT_KEYS}))
    hotspots = tuple(
        replace(
            h,
            visit_min=patrol.visit_min if h.visit_min == scenario.patrol.visit_min else h.visit_min,
            min_gap_min=patrol.min_gap_min if h.min_gap_min == scenario.patrol.min_gap_min else h.min_gap_min,
        )
        for h in scenario.hotspots
    )
    away: dict[str, list[Absence]] = {}
    for absence in edits.absences:
        away.setdefault(absence.officer_id, []).append(absence)
    officers = []
    for officer in scenario.officers:
        extra = away.get(officer.id, [])
        if extra:
            days = {a.date for a in extra}
            kept = tuple(u for u in officer.unavailable if u.date not in days)
            added = tuple(Unavailability(a.date, a.reason) for a in extra)
            officer = replace(officer, unavailable=tuple(sorted((*kept, *added), key=lambda u: u.date)))
        officers.append(officer)
    return replace(
        scenario, patrol=patrol, roster_weights=weights, rules=rules, shifts=tuple(shifts),
        hotspots=hotspots, officers=tuple(officers),
    )
