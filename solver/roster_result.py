"""What the roster step returns: frozen result objects and the words used to describe them.

No solver here: the app, the reports and the rule checker read these objects.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from solver.domain import Officer, Scenario, Tour

#: Result statuses. ``unknown``: the time ran out before any roster was found.
STATUSES = ("optimal", "feasible", "infeasible", "cancelled", "unknown")


#: One officer on one tour (the date it starts, the shift, the station, the unit): the same
#: record as a fixed rota's `solver.domain.Tour`, so rota, history and results mix freely.
RosterTour = Tour


@dataclass(frozen=True)
class RosterChange:
    """An officer-day that a re-plan changed; ``old``/``new`` are shift names or None (off)."""

    officer_id: str
    date: dt.date
    old: str | None
    new: str | None

    def __str__(self) -> str:
        return (
            f"{self.officer_id} {day_label(self.date)}: {self.old or 'OFF'} -> {self.new or 'OFF'}"
        )


@dataclass(frozen=True)
class RuleViolation:
    """A hard rule a roster breaks, located by officer, date and shift where that applies."""

    rule: str
    message: str
    officer_id: str | None = None
    date: dt.date | None = None
    shift: str | None = None

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Penalty:
    """One soft cost the roster pays, and why (a refused request, a shift under target...)."""

    part: str
    points: float
    message: str
    officer_id: str | None = None
    date: dt.date | None = None
    shift: str | None = None


@dataclass(frozen=True)
class Roster:
    """The roster step's result.

    ``objective`` is minimised: the penalty parts minus the patrol value, in points.
    ``parts`` names each term (``patrol_value`` counts positively there, it is subtracted in
    the objective). ``bound`` is the best proven lower bound of the objective.
    ``explanation`` says why no roster exists (status ``infeasible``) or what went wrong;
    ``violations`` lists broken hard rules when a fixed rota was checked.
    """

    status: str
    assignments: tuple[RosterTour, ...] = ()
    objective: float | None = None
    bound: float | None = None
    parts: Mapping[str, float] = field(default_factory=dict)
    penalties: tuple[Penalty, ...] = ()
    explanation: tuple[str, ...] = ()
    changes: tuple[RosterChange, ...] = ()
    violations: tuple[RuleViolation, ...] = ()
    wall_s: float = 0.0
    deterministic_s: float = 0.0
    mode: str = ""

    @property
    def has_roster(self) -> bool:
        """True when ``assignments`` hold a roster (optimal, feasible, or cancelled with one)."""
        return bool(self.assignments) or self.status in ("optimal", "feasible")

    def shift_of(self, officer_id: str, day: dt.date) -> str | None:
        """The shift ``officer_id`` works on ``day``, or None when off."""
        for tour in self.assignments:
            if tour.officer_id == officer_id and tour.date == day:
                return tour.shift
        return None

    def tours_on(self, day: dt.date, shift: str) -> tuple[RosterTour, ...]:
        """Tours of ``shift`` on ``day``."""
        return tuple(t for t in self.assignments if t.date == day and t.shift == shift)

    def summary(self) -> str:
        """One line: status, tours, objective and bound."""
        text = f"{self.status}: {len(self.assignments)} tours"
        if self.objective is not None:
            text += f", objective {self.objective:.1f}"
        if self.bound is not None:
            text += f", bound {self.bound:.1f}"
        return text


def day_label(day: dt.date) -> str:
    """``Wednesday 2026-12-02``."""
    return f"{day.strftime('%A')} {day.isoformat()}"


def officer_label(officer: Officer) -> str:
    """How officers are named in messages: ``PC 2041`` (role and id)."""
    role = officer.role.strip()
    if role and not officer.id.upper().startswith(role.upper()):
        return f"{role} {officer.id}"
    return officer.id


def label_of(scenario: Scenario, officer_id: str) -> str:
    """`officer_label` for an id, or the id itself when it is not in the scenario."""
    try:
        return officer_label(scenario.officer(officer_id))
    except KeyError:
        return officer_id


def form_units(scenario: Scenario, tours: Iterable[RosterTour]) -> tuple[RosterTour, ...]:
    """Give every tour a station and a unit id, deterministically.

    Tours that already carry a unit id keep it. For a template of unit size 2 the officers
    of each station on the same date and shift are paired in officer-id order; otherwise
    each officer is a unit. Unit ids look like ``CHA-Late-2026-12-01-U3`` (numbered per date
    and shift, unique there).
    """
    groups: dict[tuple[dt.date, str], list[RosterTour]] = defaultdict(list)
    for tour in tours:
        groups[(tour.date, tour.shift)].append(tour)
    out: list[RosterTour] = []
    for (day, shift), members in sorted(groups.items()):
        try:
            size = scenario.shift(shift).unit_size
        except KeyError:
            size = 1
        used = {t.unit_id for t in members if t.unit_id}
        numbers = iter(range(1, 10 * len(members) + len(used) + 2))
        by_station: dict[str, list[RosterTour]] = defaultdict(list)
        for tour in members:
            station = tour.station_id
            if not station:
                try:
                    station = scenario.officer(tour.officer_id).station_id
                except KeyError:
                    station = ""
            tour = RosterTour(tour.officer_id, tour.date, tour.shift, station, tour.unit_id)
            if tour.unit_id:
                out.append(tour)
            else:
                by_station[station].append(tour)
        step = max(1, size)
        for station in sorted(by_station):
            pending = sorted(by_station[station], key=lambda t: t.officer_id)
            for i in range(0, len(pending), step):
                unit = f"{station}-{shift}-{day.isoformat()}-U{next(numbers)}"
                while unit in used:
                    unit = f"{station}-{shift}-{day.isoformat()}-U{next(numbers)}"
                used.add(unit)
                for tour in pending[i : i + step]:
                    out.append(
                        RosterTour(tour.officer_id, tour.date, tour.shift, tour.station_id, unit)
                    )
    out.sort(key=lambda t: (t.date, t.shift, t.unit_id, t.officer_id))
    return tuple(out)


#: A lock: a tour the planner fixed, or (officer id, date, shift name or None for OFF).
Lock = "Tour | RosterTour | tuple[str, dt.date, str | None]"


def normalise_locks(locks: Iterable[object]) -> dict[tuple[str, dt.date], str | None]:
    """Locks as {(officer id, date): shift or None (off)}.

    Accepts `solver.domain.Tour` / `RosterTour` objects (the officer works that tour) and
    ``(officer_id, date, shift_or_None)`` tuples. A later lock on the same officer-day wins.
    """
    out: dict[tuple[str, dt.date], str | None] = {}
    for lock in locks:
        if isinstance(lock, tuple):
            officer_id, day, shift = lock
        else:
            officer_id, day, shift = lock.officer_id, lock.date, lock.shift  # type: ignore[attr-defined]
        out[(str(officer_id), day)] = shift or None
    return out
