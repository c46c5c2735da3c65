"""The route problem on plain arrays, and the exact schedule and value of a set of routes.

Everything here is solver-free: integer times (seconds for patrols, scaled distances for the
TOPTW benchmark) measured from a reference instant, node indices into a travel-time matrix,
and numpy arrays. The search (`solver.routes_search`), the routing model
(`solver.routes`) and the independent checker (`solver.routes_check`) all read this one
problem object.

Conventions
-----------
- A *stop* is ``(hotspot, node)`` for a visit, or ``BREAK`` for the meal break. The break is
  taken where the unit is: at the node of the stop before it (the station when first).
- A visit starts no earlier than it arrives, inside its hotspot's service-start window, and
  lasts the hotspot's dwell. Two visits to a hotspot (any units, any shifts) are at least the
  hotspot's ``min_gap`` apart, end of one to start of the next.
- The value of the visits to a hotspot on one calendar day (the day its dwell starts) is
  ``sum_k per_visit * risk(start_k) * decay[k]`` over the visits in time order, with no value
  for the ``target_per_day``-th visit and later. Visits planned earlier (``prior``) take their
  places in that order; their own value is not counted again.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

#: Value of the k-th visit to a hotspot on a day, as a fraction of the first.
DEFAULT_REPEAT_DECAY: tuple[float, ...] = (1.0, 0.7, 0.5, 0.35, 0.25, 0.18, 0.12, 0.08)

BREAK: tuple[int, int] = (-1, -1)
NO_LIMIT = 2**40

Stop = tuple[int, int]


@dataclass(frozen=True)
class RouteUnit:
    """A patrol unit on one shift, in problem time units.

    ``start`` is when it may leave the station (shift start + briefing) and ``end`` when it
    must be back (shift end - debrief). The break of ``break_len`` starts no earlier than
    ``break_earliest`` and ends no later than ``break_latest_end``; ``break_len`` 0 means
    no break.
    """

    id: str
    depot: int
    start: int
    end: int
    break_len: int = 0
    break_earliest: int = 0
    break_latest_end: int = 0
    officer_ids: tuple[str, ...] = ()
    station_id: str = ""

    @property
    def has_break(self) -> bool:
        return self.break_len > 0


@dataclass(frozen=True)
class RouteHotspot:
    """A hotspot as the route engine sees it.

    ``per_visit`` is the value of a first visit at risk 1 (weight x dwell minutes for
    patrols, the score for TOPTW). ``earliest``/``latest`` bound the start of a dwell.
    """

    id: str
    access: tuple[int, ...]
    dwell: int
    per_visit: float
    min_gap: int = 0
    target_per_day: int = 1
    earliest: int = 0
    latest: int = NO_LIMIT


@dataclass(frozen=True)
class PriorVisit:
    """A visit already planned (by an earlier, overlapping shift)."""

    hotspot: int
    start: int
    end: int


@dataclass(frozen=True)
class RouteProblem:
    """One shift's route problem on plain arrays.

    Parameters
    ----------
    units, hotspots
        The units on the shift and the hotspots.
    travel
        Square integer matrix of walking times between nodes (problem time units).
    metres
        Same shape, walking distances; None when unknown (TOPTW uses ``travel``).
    risk
        Array (n_hotspots, n_slots): relative risk per time slot; slot ``k`` covers
        ``[risk_origin + k * slot_len, risk_origin + (k+1) * slot_len)``; clipped at the ends.
    day_starts
        Ascending times at which calendar days begin (for targets and repeat decay).
    prior
        Visits already planned by earlier shifts.
    travel_weight
        Cost per travel time unit, subtracted from the value (walking is secondary).
    """

    units: tuple[RouteUnit, ...]
    hotspots: tuple[RouteHotspot, ...]
    travel: np.ndarray
    metres: np.ndarray | None = None
    risk: np.ndarray | None = None
    risk_origin: int = 0
    slot_len: int = 3600
    day_starts: tuple[int, ...] = (0,)
    prior: tuple[PriorVisit, ...] = ()
    repeat_decay: tuple[float, ...] = DEFAULT_REPEAT_DECAY
    travel_weight: float = 0.0
    #: Search-only weight of a visit past the daily target, as a fraction of a first visit:
    #: such visits add dwell (presence) but no value, so they only fill otherwise idle time.
    presence_share: float = 0.0
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        travel = np.asarray(self.travel)
        if travel.ndim != 2 or travel.shape[0] != travel.shape[1]:
            raise ValueError("travel must be a square matrix")
        if self.risk is not None and np.asarray(self.risk).shape[0] != len(self.hotspots):
            raise ValueError("risk must have one row per hotspot")

    # -- value ------------------------------------------------------------------------
    def risk_at(self, hotspot: int, t: int) -> float:
        if self.risk is None:
            return 1.0
        row = self.risk[hotspot]
        k = (t - self.risk_origin) // self.slot_len
        k = min(max(k, 0), len(row) - 1)
        return float(row[k])

    def day_of(self, t: int) -> int:
        return max(bisect.bisect_right(self.day_starts, t) - 1, 0)

    def decay(self, k: int, hotspot: int) -> float:
        if k >= self.hotspots[hotspot].target_per_day:
            return 0.0
        d = self.repeat_decay
        return d[k] if k < len(d) else d[-1]

    def separation(self, hotspot: int) -> int:
        """Minimum start-to-start time between two visits to ``hotspot``."""
        h = self.hotspots[hotspot]
        return h.dwell + h.min_gap


def hotspot_value(problem: RouteProblem, hotspot: int, starts: Sequence[int], prior: Sequence[int] = (), *, presence: bool = False) -> float:
    """Value added by visits starting at ``starts`` to ``hotspot``, given earlier-planned ``prior``.

    With ``presence``, visits past the target count ``presence_share`` of a first visit (the
    search's objective; the plan's value never counts them).
    """
    h = problem.hotspots[hotspot]

    def total(items: list[tuple[int, bool]]) -> float:
        per_day: dict[int, int] = {}
        value = 0.0
        for t, counted in sorted(items):
            day = problem.day_of(t)
            k = per_day.get(day, 0)
            per_day[day] = k + 1
            if counted:
                d = problem.decay(k, hotspot)
                if presence and k >= h.target_per_day:
                    d = problem.presence_share
                value += h.per_visit * problem.risk_at(hotspot, t) * d
        return value

    return total([(t, True) for t in starts] + [(t, False) for t in prior])


@dataclass
class RouteSchedule:
    """Times of one route: per stop arrival, start and end (break: start/end of the break)."""

    stops: list[Stop]
    arrive: list[int]
    start: list[int]
    end: list[int]
    back: int  # arrival at the station
    feasible: bool = True

    @property
    def visits(self) -> list[tuple[int, int, int, int, int]]:
        """(hotspot, node, arrive, start, end) of each visit."""
        return [
            (h, n, a, s, e)
            for (h, n), a, s, e in zip(self.stops, self.arrive, self.start, self.end, strict=True)
            if h >= 0
        ]


def earliest_start(t: int, forbidden: list[tuple[int, int]], latest: int) -> int | None:
    """Earliest time >= t outside the merged open intervals ``forbidden``, or None past ``latest``."""
    if forbidden:
        i = bisect.bisect_left(forbidden, (t, -NO_LIMIT)) - 1
        if i >= 0 and t < forbidden[i][1]:
            t = forbidden[i][1]
    return None if t > latest else t


def forbidden_intervals(problem: RouteProblem, hotspot: int, visits: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Open intervals of forbidden dwell starts at ``hotspot`` given visits ``(start, end)`` there."""
    h = problem.hotspots[hotspot]
    out = sorted((s - h.dwell - h.min_gap, e + h.min_gap) for s, e in visits)
    merged: list[tuple[int, int]] = []
    for lo, hi in out:
        if merged and lo < merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def break_times(unit: RouteUnit, t: int) -> tuple[int, int]:
    """Start and end of the unit's break taken where it is at time ``t`` (it waits for the
    window to open); the break is legal when the end is within ``break_latest_end``."""
    s = max(t, unit.break_earliest)
    return s, s + unit.break_len


def schedule_route(
    problem: RouteProblem,
    unit: RouteUnit,
    stops: Sequence[Stop],
    others: dict[int, list[tuple[int, int]]] | None = None,
    forbidden: dict[int, list[tuple[int, int]]] | None = None,
) -> RouteSchedule:
    """Earliest-time schedule of ``stops`` for ``unit``, given other visits ``others[h] = [(start, end)]``.

    ``others`` holds the visits of the other routes and of earlier shifts; the route's own
    earlier visits are added as it goes. The result says whether the route is feasible
    (windows, gaps, break window and length, back at the station in time, exactly one break
    when the unit has one). ``forbidden`` may give ``others`` already merged per hotspot
    (`forbidden_intervals`), which saves the work when many routes are scheduled.
    """
    travel = problem.travel
    others = others or {}
    if forbidden is None:
        forbidden = {}
        for h, lst in others.items():
            if lst:
                forbidden[h] = forbidden_intervals(problem, h, lst)
    own: dict[int, list[tuple[int, int]]] = {}
    t = unit.start
    loc = unit.depot
    arrive: list[int] = []
    start: list[int] = []
    end: list[int] = []
    ok = True
    n_breaks = 0
    for h, node in stops:
        if h < 0:
            n_breaks += 1
            s, e = break_times(unit, t)
            ok = ok and e <= unit.break_latest_end
            arrive.append(t)
            start.append(s)
            end.append(e)
            t = e
            continue
        spec = problem.hotspots[h]
        a = t + int(travel[loc, node])
        if h in own:
            forb = forbidden_intervals(problem, h, others.get(h, []) + own[h])
        else:
            forb = forbidden.get(h, [])
        s0 = earliest_start(max(a, spec.earliest), forb, spec.latest)
        if s0 is None:
            ok = False
            s0 = max(a, spec.earliest)
        e = s0 + spec.dwell
        own.setdefault(h, []).append((s0, e))
        arrive.append(a)
        start.append(s0)
        end.append(e)
        t = e
        loc = node
    back = t + int(travel[loc, unit.depot])
    if back > unit.end:
        ok = False
    if n_breaks != (1 if unit.has_break else 0):
        ok = False
    return RouteSchedule(list(stops), arrive, start, end, back, ok)


def reschedule_tail(problem: RouteProblem, unit: RouteUnit, stops: Sequence[Stop], prev: RouteSchedule, k: int) -> RouteSchedule:
    """`schedule_route` of ``stops`` without gap rules, when its first ``k`` stops are those of
    ``prev`` (the schedule of a route without gap rules): only the rest is walked through."""
    if k <= 0 or k > len(prev.stops):
        return schedule_route(problem, unit, stops)
    travel = problem.travel
    arrive, start, end = prev.arrive[:k], prev.start[:k], prev.end[:k]
    n_breaks = sum(1 for h, _n in prev.stops[:k] if h < 0)
    ok = all(
        (e <= unit.break_latest_end) if h < 0 else (s <= problem.hotspots[h].latest)
        for (h, _n), s, e in zip(prev.stops[:k], start, end, strict=True)
    ) if not prev.feasible else True
    t = end[-1]
    loc = unit.depot
    for h, node in reversed(prev.stops[:k]):
        if h >= 0:
            loc = node
            break
    for h, node in stops[k:]:
        if h < 0:
            n_breaks += 1
            s, e = break_times(unit, t)
            ok = ok and e <= unit.break_latest_end
            arrive.append(t)
            start.append(s)
            end.append(e)
            t = e
            continue
        spec = problem.hotspots[h]
        a = t + int(travel[loc, node])
        s = a if a > spec.earliest else spec.earliest
        if s > spec.latest:
            ok = False
        e = s + spec.dwell
        arrive.append(a)
        start.append(s)
        end.append(e)
        t = e
        loc = node
    back = t + int(travel[loc, unit.depot])
    if back > unit.end or n_breaks != (1 if unit.has_break else 0):
        ok = False
    return RouteSchedule(list(stops), arrive, start, end, back, ok)


def routes_value(problem: RouteProblem, schedules: Sequence[RouteSchedule], *, presence: bool = False) -> float:
    """Total value of the visits in ``schedules`` (earlier-planned visits take their places first)."""
    starts: dict[int, list[int]] = {}
    for sched in schedules:
        for h, _n, _a, s, _e in sched.visits:
            starts.setdefault(h, []).append(s)
    prior: dict[int, list[int]] = {}
    for p in problem.prior:
        prior.setdefault(p.hotspot, []).append(p.start)
    return sum(hotspot_value(problem, h, ss, prior.get(h, []), presence=presence) for h, ss in starts.items())


def route_travel(problem: RouteProblem, unit: RouteUnit, stops: Sequence[Stop]) -> int:
    """Total travel time of a route (station to station)."""
    loc = unit.depot
    total = 0
    for h, node in stops:
        if h < 0:
            continue
        total += int(problem.travel[loc, node])
        loc = node
    return total + int(problem.travel[loc, unit.depot])
