"""One shift's planned routes in problem time units, and why targets were not met.

Solver-free. `build_shift_plan` turns stop sequences, visit times and break intervals (from
the routing model or the search) into `ShiftPlan`, with the value of each visit recomputed
from the problem and every short target explained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from solver.routes_core import NO_LIMIT, RouteProblem, Stop, forbidden_intervals

#: Reasons a hotspot's daily target is not met.
REASON_NO_UNIT = "no unit on shift"
REASON_OUT_OF_REACH = "beyond walking reach within the shift"
REASON_MIN_GAP = "min gap"
REASON_CAPACITY = "target above capacity"
#: Order used when several shifts give different reasons for one day (most basic first).
REASON_ORDER = (REASON_NO_UNIT, REASON_OUT_OF_REACH, REASON_MIN_GAP, REASON_CAPACITY)


@dataclass(frozen=True)
class PlannedVisit:
    """A dwell at one access node of a hotspot."""

    hotspot: int
    hotspot_id: str
    node: int
    arrive: int
    start: int
    end: int
    value: float

    @property
    def dwell(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class PlannedBreak:
    """The meal break: ``after`` visits have been made when it starts; ``node`` is where it is
    taken (None when it falls part-way along a walk)."""

    start: int
    end: int
    after: int
    node: int | None


@dataclass(frozen=True)
class UnitPlan:
    """One unit's route on the shift."""

    unit_id: str
    unit: int
    leave: int
    back: int
    visits: tuple[PlannedVisit, ...]
    meal_break: PlannedBreak | None
    travel: int
    metres: float
    dwell: int
    value: float


@dataclass(frozen=True)
class UnmetTarget:
    """A hotspot whose daily target is short after this shift, and why."""

    hotspot: int
    hotspot_id: str
    day: int
    planned: int
    target: int
    reason: str


@dataclass(frozen=True)
class ShiftPlan:
    """Every unit's route on one shift, with totals and unmet targets."""

    units: tuple[UnitPlan, ...]
    unmet: tuple[UnmetTarget, ...]
    value: float
    travel: int
    metres: float
    dwell: int
    method: str = ""

    def visit_times(self) -> list[tuple[int, int, int]]:
        """(hotspot, start, end) of every visit, for the next shift's ``prior``."""
        return [(v.hotspot, v.start, v.end) for u in self.units for v in u.visits]


def visit_values(problem: RouteProblem, visits: Sequence[tuple[int, int]]) -> list[float]:
    """Value of each visit ``(hotspot, start)``: its place among the day's visits (prior ones first in time)."""
    items: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for i, (h, s) in enumerate(visits):
        items.setdefault((h, problem.day_of(s)), []).append((s, i))
    for pv in problem.prior:
        items.setdefault((pv.hotspot, problem.day_of(pv.start)), []).append((pv.start, -1))
    out = [0.0] * len(visits)
    for (h, _day), lst in items.items():
        for k, (s, i) in enumerate(sorted(lst)):
            if i >= 0:
                out[i] = problem.hotspots[h].per_visit * problem.risk_at(h, s) * problem.decay(k, h)
    return out


def build_shift_plan(
    problem: RouteProblem,
    routes: Sequence[Sequence[Stop]],
    times: Sequence[Sequence[tuple[int, int, int]]],
    breaks: Sequence[tuple[int, int] | None],
    backs: Sequence[int],
    *,
    leaves: Sequence[int] | None = None,
    method: str = "",
) -> ShiftPlan:
    """Assemble a `ShiftPlan`.

    Parameters
    ----------
    routes
        Per unit the stops (the break marker, if any, is ignored here).
    times
        Per unit, per visit (arrive, start, end), in the visit order of ``routes``.
    breaks
        Per unit the break interval (start, end), or None.
    backs
        Per unit the time it is back at its station.
    """
    travel_m = problem.travel
    metres_m = problem.metres
    flat: list[tuple[int, int]] = []
    per_unit_visits: list[list[tuple[int, int, tuple[int, int, int]]]] = []
    for r, stops in enumerate(routes):
        vs = [(h, n) for h, n in stops if h >= 0]
        lst = []
        for (h, n), tm in zip(vs, times[r], strict=True):
            lst.append((h, n, tm))
            flat.append((h, tm[1]))
        per_unit_visits.append(lst)
    values = visit_values(problem, flat)
    out_units = []
    i = 0
    tot_value = 0.0
    tot_travel = 0
    tot_metres = 0.0
    tot_dwell = 0
    for r, lst in enumerate(per_unit_visits):
        unit = problem.units[r]
        visits = []
        loc = unit.depot
        trav = 0
        met = 0.0
        for h, n, (a, s, e) in lst:
            visits.append(PlannedVisit(h, problem.hotspots[h].id, n, a, s, e, values[i]))
            i += 1
            trav += int(travel_m[loc, n])
            met += float(metres_m[loc, n]) if metres_m is not None else 0.0
            loc = n
        trav += int(travel_m[loc, unit.depot])
        met += float(metres_m[loc, unit.depot]) if metres_m is not None else 0.0
        brk = None
        if breaks[r] is not None:
            bs, be = breaks[r]
            after = sum(1 for v in visits if v.end <= bs)
            prev_end = visits[after - 1].end if after else (leaves[r] if leaves else unit.start)
            prev_node = visits[after - 1].node if after else unit.depot
            nxt_node = visits[after].node if after < len(visits) else unit.depot
            nxt_time = visits[after].arrive if after < len(visits) else backs[r]
            walk = int(travel_m[prev_node, nxt_node])
            if be + walk <= nxt_time:
                node: int | None = prev_node
            elif bs >= prev_end + walk:
                node = nxt_node
            else:
                node = None
            brk = PlannedBreak(bs, be, after, node)
        dwell = sum(v.dwell for v in visits)
        value = sum(v.value for v in visits)
        leave = leaves[r] if leaves else unit.start
        out_units.append(UnitPlan(unit.id, r, leave, backs[r], tuple(visits), brk, trav, met, dwell, value))
        tot_value += value
        tot_travel += trav
        tot_metres += met
        tot_dwell += dwell
    plan = ShiftPlan(tuple(out_units), (), tot_value, tot_travel, tot_metres, tot_dwell, method)
    return ShiftPlan(plan.units, tuple(explain_unmet(problem, plan)), tot_value, tot_travel, tot_metres, tot_dwell, method)


def reachable(problem: RouteProblem, hotspot: int) -> bool:
    """Whether any unit can walk out, dwell once and walk back within its shift."""
    spec = problem.hotspots[hotspot]
    for unit in problem.units:
        for node in spec.access:
            out = unit.start + int(problem.travel[unit.depot, node])
            s = max(out, spec.earliest)
            if s > spec.latest:
                continue
            if s + spec.dwell + int(problem.travel[node, unit.depot]) + unit.break_len <= unit.end:
                return True
    return False


def explain_unmet(problem: RouteProblem, plan: ShiftPlan) -> list[UnmetTarget]:
    """Hotspots whose daily target is short on the shift's days, each with a reason."""
    if not problem.units:
        days = sorted({problem.day_of(0)})
    else:
        lo = min(u.start for u in problem.units)
        hi = max(u.end for u in problem.units)
        days = sorted({problem.day_of(lo), problem.day_of(hi)})
    counts: dict[tuple[int, int], int] = {}
    visits_at: dict[int, list[tuple[int, int]]] = {}
    for pv in problem.prior:
        counts[(pv.hotspot, problem.day_of(pv.start))] = counts.get((pv.hotspot, problem.day_of(pv.start)), 0) + 1
        visits_at.setdefault(pv.hotspot, []).append((pv.start, pv.end))
    for u in plan.units:
        for v in u.visits:
            counts[(v.hotspot, problem.day_of(v.start))] = counts.get((v.hotspot, problem.day_of(v.start)), 0) + 1
            visits_at.setdefault(v.hotspot, []).append((v.start, v.end))
    out = []
    for h, spec in enumerate(problem.hotspots):
        for day in days:
            got = counts.get((h, day), 0)
            if got >= spec.target_per_day:
                continue
            if not problem.units:
                reason = REASON_NO_UNIT
            elif not reachable(problem, h):
                reason = REASON_OUT_OF_REACH
            elif _gap_blocks(problem, h, visits_at.get(h, [])):
                reason = REASON_MIN_GAP
            else:
                reason = REASON_CAPACITY
            out.append(UnmetTarget(h, spec.id, day, got, spec.target_per_day, reason))
    return out


def _gap_blocks(problem: RouteProblem, hotspot: int, visits: list[tuple[int, int]]) -> bool:
    """True when no dwell could start in the shift's reachable window without breaking the gap."""
    if not visits:
        return False
    spec = problem.hotspots[hotspot]
    lo = NO_LIMIT
    hi = -NO_LIMIT
    for unit in problem.units:
        for node in spec.access:
            lo = min(lo, unit.start + int(problem.travel[unit.depot, node]))
            hi = max(hi, unit.end - int(problem.travel[node, unit.depot]) - spec.dwell)
    lo, hi = max(lo, spec.earliest), min(hi, spec.latest)
    if lo > hi:
        return True
    forb = forbidden_intervals(problem, hotspot, visits)
    t = lo
    for f_lo, f_hi in forb:
        if f_lo < t < f_hi:
            t = f_hi
        elif f_lo >= t:
            break
    # t is free unless a later interval covers it; scan again from t
    for f_lo, f_hi in forb:
        if f_lo < t < f_hi:
            t = f_hi
    return t > hi


def value_upper_bound(problem: RouteProblem) -> float:
    """A simple upper bound on the shift's value.

    Each unit has its available time (end - start - break) less the shortest round trip to
    any access node; with at least the shortest walk between two different access nodes
    between visits, that bounds its number of visits. The bound is the sum of that many of
    the best visit values: each hotspot offers, per day, its remaining target's worth of
    visits (at most ``floor(shift window / (gap + dwell)) + 1`` of them) at its highest risk in
    the shift, with the repeat decay.
    """
    if not problem.units or not problem.hotspots:
        return 0.0
    T = problem.travel
    access = sorted({n for h in problem.hotspots for n in h.access})
    if not access:
        return 0.0
    sub = T[np.ix_(access, access)].astype(float)
    np.fill_diagonal(sub, np.inf)
    hop = float(sub.min()) if len(access) > 1 else 0.0
    hop = 0.0 if not np.isfinite(hop) else hop
    dwell_min = min(h.dwell for h in problem.hotspots)
    slots = 0
    lo = min(u.start for u in problem.units)
    hi = max(u.end for u in problem.units)
    for u in problem.units:
        trip = min(int(T[u.depot, n]) + int(T[n, u.depot]) for n in access)
        avail = u.end - u.start - u.break_len - trip
        if avail >= dwell_min:
            slots += int((avail + hop) // (dwell_min + hop)) if dwell_min + hop > 0 else 0
    prior_count: dict[tuple[int, int], int] = {}
    for pv in problem.prior:
        key = (pv.hotspot, problem.day_of(pv.start))
        prior_count[key] = prior_count.get(key, 0) + 1
    days = sorted({problem.day_of(lo), problem.day_of(hi)})
    values: list[float] = []
    for h, spec in enumerate(problem.hotspots):
        if not reachable(problem, h):
            continue
        top_risk = max(problem.risk_at(h, t) for t in range(lo, hi + 1, max(problem.slot_len // 2, 1)))
        per_shift = (hi - lo) // max(spec.dwell + spec.min_gap, 1) + 1
        offered = 0
        for day in days:
            done = prior_count.get((h, day), 0)
            for k in range(done, spec.target_per_day):
                if offered >= per_shift:
                    break
                values.append(spec.per_visit * top_risk * problem.decay(k, h))
                offered += 1
    values.sort(reverse=True)
    return float(sum(values[:slots]))
