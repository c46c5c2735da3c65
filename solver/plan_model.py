"""The assembled plan: what exports, route sheets, the app and later tools read.

A `Plan` is built once by `solver.plan.plan()` (or read back from a plan folder by
`solver.plan_io.read_plan`) and never changed. Date-times are aware, local to the scenario's
time zone. A tour's ``date`` is the date it starts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from solver.domain import Scenario

PLAN_FORMAT_VERSION = 1
STATUSES = ("complete", "partial", "cancelled")


@dataclass(frozen=True)
class RosterEntry:
    """One officer on one tour: a row of roster.csv."""

    officer_id: str
    date: dt.date
    shift: str
    start: dt.datetime
    end: dt.datetime
    station_id: str
    unit_id: str


@dataclass(frozen=True)
class PlannedVisit:
    """A dwell at one access point of a hotspot."""

    seq: int
    hotspot_id: str
    arrive: dt.datetime
    depart: dt.datetime
    node: int
    lat: float
    lon: float
    walk_m_from_prev: float
    value: float = 0.0

    @property
    def dwell_min(self) -> float:
        """Real minutes at the hotspot (UTC difference: right across a clock change)."""
        return (self.depart.astimezone(dt.UTC) - self.arrive.astimezone(dt.UTC)).total_seconds() / 60.0


@dataclass(frozen=True)
class PlannedBreak:
    """The meal break of a tour: where (a graph node, the station's or a stop's) and when."""

    start: dt.datetime
    end: dt.datetime
    node: int | None = None
    place: str = ""


@dataclass(frozen=True)
class PlannedTour:
    """One patrol unit's tour: from its station, through its visits, back to the station."""

    date: dt.date
    shift: str
    unit_id: str
    officer_ids: tuple[str, ...]
    station_id: str
    start: dt.datetime
    end: dt.datetime
    station_node: int
    visits: tuple[PlannedVisit, ...]
    meal_break: PlannedBreak | None
    walk_m: float
    walk_min: float
    value: float
    #: Every graph node walked, station to station (for maps, GPX, directions).
    path_nodes: tuple[int, ...] = ()

    @property
    def dwell_min(self) -> float:
        return sum(v.dwell_min for v in self.visits)

    @property
    def stop_nodes(self) -> tuple[int, ...]:
        """Station, each visit's access point, station."""
        return (self.station_node, *(v.node for v in self.visits), self.station_node)


@dataclass(frozen=True)
class DosageRow:
    """Planned visits and minutes for a hotspot on a calendar date, against its target."""

    date: dt.date
    hotspot_id: str
    target_visits: int
    planned_visits: int
    planned_min: float
    unmet_reason: str = ""


@dataclass(frozen=True)
class RosterChange:
    """A tour that changed on a re-plan (who must be told). ``None`` means off."""

    officer_id: str
    date: dt.date
    old_shift: str | None
    new_shift: str | None


@dataclass(frozen=True)
class Plan:
    """A week's roster and routes with their KPIs."""

    scenario: Scenario
    status: str
    roster: tuple[RosterEntry, ...]
    tours: tuple[PlannedTour, ...]
    dosage: tuple[DosageRow, ...]
    changes: tuple[RosterChange, ...] = ()
    roster_status: str = ""
    roster_notes: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)
    kpis: dict[str, Any] = field(default_factory=dict)
    created: str = ""

    def tours_on(self, day: dt.date, shift: str | None = None) -> tuple[PlannedTour, ...]:
        return tuple(t for t in self.tours if t.date == day and (shift is None or t.shift == shift))

    def unmet(self) -> tuple[DosageRow, ...]:
        return tuple(d for d in self.dosage if d.unmet_reason)
