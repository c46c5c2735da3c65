"""The patrol-planning domain: plain, frozen Python objects, no solver words.

Every stage of the pipeline takes these objects in and returns new ones; nothing here is
mutated after it is built. Times are local wall-clock times in the scenario's time zone;
`solver.timeutil` turns a (date, shift) into aware datetimes with zoneinfo.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

HOURS_PER_WEEK = 168

#: Restrictions an officer may carry (officers file, ``restrictions`` column).
RESTRICTIONS = frozenset({"no_nights", "must_pair", "no_patrol"})

#: Unavailability reasons that mean "rest day": they do not count towards contracted hours.
REST_DAY_REASONS = frozenset({"rest", "rest day", "rd", "off", "day off"})


@dataclass(frozen=True)
class Station:
    """A police station: where patrol units brief, start, end and debrief."""

    id: str
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Hotspot:
    """A small area where harm concentrates, to be visited in short repeated patrols.

    The area is either a polygon (``polygon``: a ring of (lon, lat) pairs) or a circle of
    ``radius_m`` metres around (``lat``, ``lon``). For a polygon, (``lat``, ``lon``) is a
    representative point inside it.
    """

    id: str
    name: str
    lat: float
    lon: float
    weight: float
    radius_m: float | None = None
    polygon: tuple[tuple[float, float], ...] | None = None
    #: Relative risk for each hour of the week, index (isoweekday - 1) * 24 + hour.
    risk: tuple[float, ...] = (1.0,) * HOURS_PER_WEEK
    #: True when ``risk`` is a flat or default profile, not measured from records.
    risk_assumed: bool = True
    target_visits_per_day: int = 4
    visit_min: int = 15
    min_gap_min: int = 60
    notes: str = ""

    def risk_at(self, when: dt.datetime) -> float:
        """Relative risk at a local date-time (its hour of the week)."""
        return self.risk[(when.isoweekday() - 1) * 24 + when.hour]


@dataclass(frozen=True)
class Unavailability:
    """A date on which an officer cannot start a tour, with the reason (leave, court...)."""

    date: dt.date
    reason: str = "unavailable"

    @property
    def is_rest_day(self) -> bool:
        """True for rest days, which do not count towards contracted hours."""
        return self.reason.strip().lower() in REST_DAY_REASONS


@dataclass(frozen=True)
class ShiftRequest:
    """An officer's wish: a given tour on a date, or the day off (``shift`` is None).

    With ``avoid`` True the wish is the opposite: not to work ``shift`` on that date (any
    other tour, or the day off, honours it). ``weight`` is the penalty when the wish is
    refused; None means the scenario's ``[roster] request`` weight.
    """

    date: dt.date
    shift: str | None
    weight: float | None = None
    avoid: bool = False

    @property
    def wants_off(self) -> bool:
        return self.shift is None


@dataclass(frozen=True)
class Officer:
    """A PC, PCSO or sergeant who can be rostered for foot patrol."""

    id: str
    name: str
    role: str
    station_id: str
    contracted_hours: float
    team: str = ""
    unavailable: tuple[Unavailability, ...] = ()
    requests: tuple[ShiftRequest, ...] = ()
    restrictions: frozenset[str] = frozenset()
    #: Most tours of a given shift over the planning horizon, as (shift name, max) pairs;
    #: 0 forbids that shift for this officer. Shifts not listed are unlimited.
    max_tours: tuple[tuple[str, int], ...] = ()
    #: Explicit bounds on minutes worked over the horizon. When either is set, the
    #: contracted-hours band of `Rules` is not applied to this officer; these bounds are.
    min_minutes: int | None = None
    max_minutes: int | None = None
    #: Overrides of `Rules.max_consecutive_days` for this officer (None: the rule's value).
    max_consecutive_days: int | None = None
    #: Shortest run of working days, and of days off, between two others inside the
    #: horizon (1 means no rule). Runs touching the first or last planning day are exempt.
    min_consecutive_days: int = 1
    min_consecutive_days_off: int = 1
    #: Most weekends (Saturday or Sunday worked) over the horizon; None means no limit.
    max_weekends: int | None = None

    def max_tours_of(self, shift: str) -> int | None:
        """The most tours of ``shift`` this officer may work over the horizon, or None."""
        for name, limit in self.max_tours:
            if name == shift:
                return limit
        return None

    def unavailable_on(self, day: dt.date) -> Unavailability | None:
        """The unavailability on ``day``, or None when the officer is available."""
        for item in self.unavailable:
            if item.date == day:
                return item
        return None

    @property
    def can_patrol(self) -> bool:
        return "no_patrol" not in self.restrictions


@dataclass(frozen=True)
class ShiftTemplate:
    """A tour of duty: local start and end (an end at or before the start is next day)."""

    name: str
    start: dt.time
    end: dt.time
    meal_break_min: int = 45
    briefing_min: int = 0
    debrief_min: int = 0
    unit_size: int = 1
    #: Roles allowed on this tour; None means every role.
    roles: frozenset[str] | None = None
    night: bool = False

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    @property
    def nominal_minutes(self) -> int:
        """Length in minutes on a day without a clock change."""
        start = self.start.hour * 60 + self.start.minute
        end = self.end.hour * 60 + self.end.minute
        return (end - start) % (24 * 60) or 24 * 60

    def allows_role(self, role: str) -> bool:
        return self.roles is None or role.upper() in {r.upper() for r in self.roles}


@dataclass(frozen=True)
class CoverTarget:
    """A soft staffing target: ``units`` patrol units on ``shift`` (every day, or one date).

    Each unit short costs ``under_weight``, each unit above costs ``over_weight``. Hard
    minimum staffing is `Rules.min_units`; targets say what the planner would like.
    """

    shift: str
    units: int
    date: dt.date | None = None
    under_weight: float = 1.0
    over_weight: float = 0.0


@dataclass(frozen=True)
class Rules:
    """Working-time rules every roster obeys."""

    min_rest_h: float = 11.0
    max_consecutive_days: int = 6
    hours_tolerance_h: float = 8.0
    #: Shift name -> patrol units needed each day over the whole area.
    min_units: Mapping[str, int] = field(default_factory=dict)
    #: Shift name -> shift names that may not follow it the next day.
    forbidden_after: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: Soft staffing targets (see `CoverTarget`).
    cover_targets: tuple[CoverTarget, ...] = ()


@dataclass(frozen=True)
class RosterWeights:
    """Weights of the roster's soft goals (``[roster]`` table of the scenario).

    Keys (all optional, these defaults apply):

    - ``risk``: weight of patrol value; a unit on a shift is worth the sum over hotspots of
      harm weight x risk in the shift's hours (`solver.roster_value`), normalised so the
      best single shift of the horizon is worth 100 points.
    - ``diminishing``: value of the k-th unit on the same shift and day as a fraction of the
      first; units beyond the list are worth nothing more.
    - ``fairness_nights`` / ``fairness_weekends``: penalty per tour of spread (most minus
      fewest) in night / weekend tours among the officers who may work them.
    - ``request``: penalty for each refused request without its own weight.
    - ``change``: penalty for each officer-day changed from the previous roster on re-plan.
    - ``time_limit_s``: search effort in seconds (deterministic time, see `solver.roster`).
    - ``seed``: random seed of the search.
    - ``workers``: search threads (fixed, so that results do not depend on the machine).
    """

    risk: float = 1.0
    #: Value of the k-th unit on the same shift and day, as a fraction of the first.
    diminishing: tuple[float, ...] = (1.0, 0.7, 0.5, 0.35, 0.25, 0.18, 0.12, 0.08)
    fairness_nights: float = 50.0
    fairness_weekends: float = 30.0
    request: float = 40.0
    change: float = 100.0
    time_limit_s: float = 20.0
    seed: int = 0
    workers: int = 2


@dataclass(frozen=True)
class PatrolSettings:
    """How units walk and visit (``[patrol]`` table of the scenario)."""

    walk_speed_kph: float = 4.5
    visit_min: int = 15
    min_gap_min: int = 60
    break_window_start_min: int = 120
    break_window_end_min: int = 120
    max_snap_m: float = 250.0
    time_limit_s: float = 120.0
    seed: int = 0
    variety_pct: float = 0.0

    @property
    def walk_speed_mps(self) -> float:
        return self.walk_speed_kph / 3.6


@dataclass(frozen=True)
class Tour:
    """One officer working one shift template on one date (a fixed rota or history row)."""

    officer_id: str
    date: dt.date
    shift: str
    station_id: str = ""
    unit_id: str = ""


@dataclass(frozen=True)
class Scenario:
    """Everything needed to plan a week: what the scenario TOML and its files describe."""

    name: str
    week_start: dt.date
    days: int
    timezone: str
    stations: tuple[Station, ...]
    hotspots: tuple[Hotspot, ...]
    officers: tuple[Officer, ...]
    shifts: tuple[ShiftTemplate, ...]
    rules: Rules = Rules()
    patrol: PatrolSettings = PatrolSettings()
    roster_weights: RosterWeights = RosterWeights()
    network_path: Path = Path()
    rota: tuple[Tour, ...] = ()
    history: tuple[Tour, ...] = ()
    crime_paths: tuple[Path, ...] = ()
    #: True when ``rota`` is the whole roster (a shift pattern fixed weeks ahead): the roster
    #: step then plans nothing, checks the rota against the rules, and routes are planned
    #: within it. False: the rota's tours are locks and the rest is planned.
    rota_complete: bool = False
    #: The scenario TOML this came from (None when built in code).
    source_path: Path | None = None
    #: Every input file read, for hashing into the plan manifest.
    input_paths: tuple[Path, ...] = ()

    @property
    def dates(self) -> tuple[dt.date, ...]:
        """The planning days, from ``week_start``."""
        return tuple(self.week_start + dt.timedelta(days=i) for i in range(self.days))

    def station(self, station_id: str) -> Station:
        for station in self.stations:
            if station.id == station_id:
                return station
        raise KeyError(station_id)

    def shift(self, name: str) -> ShiftTemplate:
        for template in self.shifts:
            if template.name == name:
                return template
        raise KeyError(name)

    def officer(self, officer_id: str) -> Officer:
        for officer in self.officers:
            if officer.id == officer_id:
                return officer
        raise KeyError(officer_id)

    def hotspot(self, hotspot_id: str) -> Hotspot:
        for hotspot in self.hotspots:
            if hotspot.id == hotspot_id:
                return hotspot
        raise KeyError(hotspot_id)
