"""Independent checker of a shift's routes: re-derives every rule from the problem alone.

It shares no scheduling or value code with the search or the routing model: it reads the
problem's arrays and the plan's times, and lists every violation it finds. Used by the tests
on every route they produce and by the benchmarks on every solution.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from solver.routes_core import RouteProblem
from solver.routes_plan import ShiftPlan


@dataclass
class CheckReport:
    """Violations found (empty when the plan is valid) and the value recomputed from scratch."""

    violations: list[str] = field(default_factory=list)
    value: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.violations


def check_shift_plan(problem: RouteProblem, plan: ShiftPlan, *, tol: float = 1e-6) -> CheckReport:
    """Check every rule of the route model on ``plan``.

    Rules: each visit lies at an access node of its hotspot, lasts its dwell and starts in
    its window, no earlier than it arrives; consecutive stops are at least the matrix
    walking time apart (plus the break when it falls between them); each unit leaves the
    station no earlier than its start (after briefing) and is back no later than its end
    (before debrief); the break has its length and lies in its window, and only units with a
    break take one; visits to a hotspot (all units and earlier shifts) are at least its
    minimum gap apart; the value is recomputed with no value past a daily target, and must
    match the value the plan claims.
    """
    rep = CheckReport()
    bad = rep.violations
    T = problem.travel
    if len(plan.units) != len(problem.units):
        bad.append(f"plan has {len(plan.units)} units, problem {len(problem.units)}")
    all_visits: dict[int, list[tuple[int, int, str]]] = {}
    for pv in problem.prior:
        all_visits.setdefault(pv.hotspot, []).append((pv.start, pv.end, "earlier shift"))
    for up in plan.units:
        unit = problem.units[up.unit]
        who = f"unit {unit.id}"
        if up.leave < unit.start:
            bad.append(f"{who} leaves at {up.leave}, before its start {unit.start}")
        if up.back > unit.end:
            bad.append(f"{who} is back at {up.back}, after its end {unit.end}")
        brk = up.meal_break
        if unit.break_len > 0:
            if brk is None:
                bad.append(f"{who} has no break")
            else:
                if brk.end - brk.start != unit.break_len:
                    bad.append(f"{who} break lasts {brk.end - brk.start}, not {unit.break_len}")
                if brk.start < unit.break_earliest or brk.end > unit.break_latest_end:
                    bad.append(
                        f"{who} break [{brk.start}, {brk.end}] outside its window "
                        f"[{unit.break_earliest}, {unit.break_latest_end}]"
                    )
        elif brk is not None:
            bad.append(f"{who} takes a break it does not have")
        # walk through the stops in time order
        loc, free_at = unit.depot, up.leave
        pending_break = brk if unit.break_len > 0 else None
        for i, v in enumerate(up.visits):
            spec = problem.hotspots[v.hotspot] if 0 <= v.hotspot < len(problem.hotspots) else None
            if spec is None:
                bad.append(f"{who} visit {i}: unknown hotspot {v.hotspot}")
                continue
            if v.node not in spec.access:
                bad.append(f"{who} visit {i} to {spec.id}: node {v.node} is not an access point")
            if v.end - v.start != spec.dwell:
                bad.append(f"{who} visit {i} to {spec.id}: dwell {v.end - v.start}, not {spec.dwell}")
            if v.start < spec.earliest or v.start > spec.latest:
                bad.append(f"{who} visit {i} to {spec.id}: start {v.start} outside [{spec.earliest}, {spec.latest}]")
            walk = int(T[loc, v.node])
            need = walk
            if pending_break is not None and pending_break.start < v.start:
                if pending_break.start < free_at:
                    bad.append(f"{who} break starts at {pending_break.start}, during the stop before visit {i}")
                if pending_break.end > v.start:
                    bad.append(f"{who} break ends at {pending_break.end}, after visit {i} starts")
                need += unit.break_len
                pending_break = None
            if v.arrive < free_at + walk:
                bad.append(f"{who} visit {i} to {spec.id}: arrives {v.arrive}, sooner than the walk from the previous stop allows")
            if v.start < free_at + need:
                bad.append(f"{who} visit {i} to {spec.id}: starts {v.start}, sooner than the walk (and break) from the previous stop allow")
            if v.start < v.arrive:
                bad.append(f"{who} visit {i}: starts before it arrives")
            all_visits.setdefault(v.hotspot, []).append((v.start, v.end, who))
            loc, free_at = v.node, v.end
        need = int(T[loc, unit.depot])
        if pending_break is not None:
            if pending_break.start < free_at:
                bad.append(f"{who} break starts at {pending_break.start}, during its last visit")
            need += unit.break_len
        if up.back < free_at + need:
            bad.append(f"{who} is back at {up.back}, less than the walk from its last stop allows")
    # minimum gap, all units and earlier shifts together
    for h, lst in all_visits.items():
        spec = problem.hotspots[h]
        lst.sort()
        last_end, last_who = None, ""
        for s2, e2, w2 in lst:
            if last_end is not None and s2 - last_end < spec.min_gap:
                bad.append(
                    f"hotspot {spec.id}: visits by {last_who} ending {last_end} and {w2} starting {s2} "
                    f"are {s2 - last_end} apart, less than the minimum gap {spec.min_gap}"
                )
            if last_end is None or e2 > last_end:
                last_end, last_who = e2, w2
    # value, recomputed: per hotspot and calendar day, visits in time order
    value = 0.0
    claimed_by_visit: dict[tuple[int, int], float] = {}
    for up in plan.units:
        for v in up.visits:
            claimed_by_visit[(v.hotspot, v.start)] = claimed_by_visit.get((v.hotspot, v.start), 0.0) + v.value
    for h, lst in all_visits.items():
        spec = problem.hotspots[h]
        per_day: dict[int, int] = {}
        for s, _e, who in sorted(lst):
            day = max(bisect.bisect_right(problem.day_starts, s) - 1, 0)
            k = per_day.get(day, 0)
            per_day[day] = k + 1
            if who == "earlier shift":
                continue
            if k >= spec.target_per_day:
                worth = 0.0
                if claimed_by_visit.get((h, s), 0.0) > tol:
                    bad.append(f"hotspot {spec.id}: value counted for visit {k + 1} of the day, past its target {spec.target_per_day}")
            else:
                decay = problem.repeat_decay[min(k, len(problem.repeat_decay) - 1)]
                risk = 1.0
                if problem.risk is not None:
                    row = problem.risk[h]
                    slot = min(max((s - problem.risk_origin) // problem.slot_len, 0), len(row) - 1)
                    risk = float(row[slot])
                worth = spec.per_visit * risk * decay
            value += worth
    rep.value = value
    if abs(value - plan.value) > tol * max(1.0, abs(value)):
        bad.append(f"plan claims value {plan.value:.6g}, recomputed {value:.6g}")
    return rep
