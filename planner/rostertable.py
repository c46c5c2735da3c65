"""What the roster grid shows, as plain data (no Qt): one cell per officer and day.

The roster shown is the last plan's (or the scenario's fixed rota before any plan) with the
planner's locks laid over it. Rule conflicts come from `solver.roster_check`, the solver's
independent checker, so the grid never judges rules itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from solver.domain import Officer, Scenario, Tour
from solver.plan_model import Plan

OFF = "OFF"


@dataclass(frozen=True)
class Cell:
    """One officer-day: the shift worked (or None), what to show, and its marks."""

    shift: str | None
    text: str
    kind: str  # "shift", "off", "away", "no_patrol"
    locked: bool = False
    changed: bool = False
    conflicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class OfficerTotals:
    tours: int
    nights: int
    weekends: int
    hours: float


@dataclass(frozen=True)
class RosterTable:
    """The grid: ``cells[(row, column)]`` for officers x dates, with totals per officer."""

    officers: tuple[Officer, ...] = ()
    dates: tuple[dt.date, ...] = ()
    cells: Mapping[tuple[int, int], Cell] = field(default_factory=dict)
    totals: tuple[OfficerTotals, ...] = ()
    shift_names: tuple[str, ...] = ()

    def cell(self, row: int, column: int) -> Cell:
        return self.cells[(row, column)]

    def position(self, officer_id: str, day: dt.date) -> tuple[int, int] | None:
        for row, officer in enumerate(self.officers):
            if officer.id == officer_id and day in self.dates:
                return row, self.dates.index(day)
        return None


def effective_tours(scenario: Scenario, plan: Plan | None, locks: Mapping[tuple[str, dt.date], str | None]) -> list[Tour]:
    """The roster the grid shows: the plan's (else the fixed rota) with the locks laid over."""
    base: dict[tuple[str, dt.date], Tour] = {}
    if plan is not None:
        for entry in plan.roster:
            base[(entry.officer_id, entry.date)] = Tour(entry.officer_id, entry.date, entry.shift, entry.station_id, entry.unit_id)
    else:
        for tour in scenario.rota:
            base[(tour.officer_id, tour.date)] = tour
    stations = {o.id: o.station_id for o in scenario.officers}
    for (officer_id, day), shift in locks.items():
        if shift is None:
            base.pop((officer_id, day), None)
        else:
            old = base.get((officer_id, day))
            base[(officer_id, day)] = Tour(officer_id, day, shift, stations.get(officer_id, ""), old.unit_id if old and old.shift == shift else "")
    return sorted(base.values(), key=lambda t: (t.date, t.officer_id))


def build_roster_table(
    scenario: Scenario,
    plan: Plan | None,
    locks: Mapping[tuple[str, dt.date], str | None],
    conflicts: Iterable[object] = (),
) -> RosterTable:
    """The grid for ``scenario`` (with the edits applied) and the current plan.

    ``conflicts`` are rule violations with ``officer_id``, ``date`` and ``message`` (from
    `solver.roster_check.check_roster`); those naming an officer-day mark that cell.
    """
    tours = {(t.officer_id, t.date): t for t in effective_tours(scenario, plan, locks)}
    changed = {(c.officer_id, c.date) for c in plan.changes} if plan is not None else set()
    by_cell: dict[tuple[str, dt.date], list[str]] = {}
    for violation in conflicts:
        officer_id = getattr(violation, "officer_id", None)
        day = getattr(violation, "date", None)
        if officer_id is not None and day is not None:
            by_cell.setdefault((officer_id, day), []).append(str(getattr(violation, "message", violation)))
    templates = {s.name: s for s in scenario.shifts}
    cells: dict[tuple[int, int], Cell] = {}
    totals: list[OfficerTotals] = []
    for row, officer in enumerate(scenario.officers):
        count = nights = weekends = 0
        minutes = 0
        for column, day in enumerate(scenario.dates):
            key = (officer.id, day)
            tour = tours.get(key)
            away = officer.unavailable_on(day)
            marks = {"locked": key in locks, "changed": key in changed, "conflicts": tuple(by_cell.get(key, ()))}
            if tour is not None:
                count += 1
                template = templates.get(tour.shift)
                if template is not None:
                    nights += template.night
                    minutes += template.nominal_minutes
                weekends += day.isoweekday() >= 6
                text = tour.shift if away is None else f"{tour.shift} ({away.reason})"
                cells[(row, column)] = Cell(tour.shift, text, "shift", **marks)
            elif away is not None:
                cells[(row, column)] = Cell(None, away.reason, "away", **marks)
            elif not officer.can_patrol:
                cells[(row, column)] = Cell(None, "no patrol", "no_patrol", **marks)
            else:
                cells[(row, column)] = Cell(None, OFF, "off", **marks)
        totals.append(OfficerTotals(count, nights, weekends, minutes / 60.0))
    return RosterTable(tuple(scenario.officers), tuple(scenario.dates), cells, tuple(totals), tuple(templates))
