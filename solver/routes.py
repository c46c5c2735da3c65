"""Walking routes per unit and shift with OR-Tools (routing, and CP-SAT to recombine routes):
the only route module that imports it.

Pipeline for one shift (`plan_shift_routes`):

1. A ruin-and-recreate search (`solver.routes_search`, numpy) builds and improves the
   visit sequences under the exact rules (windows, minimum gap across units and earlier
   shifts, break window, return in time), starting from the better of its own greedy
   construction and a beat plan (`solver.routes_beats`: each unit cycling a compact group of
   hotspots). It stops after a fixed number of iterations or a deterministic effort
   (``effort_s``, what a plan uses), so the same inputs and seed give the same routes
   whatever the machine's load (the wall clock is only a safety cap). Where any unit could
   walk any other's route and a visit's value depends on its hotspot alone (TOPTW: one
   station, the same hours, no break, one valued visit per hotspot), the search also
   recombines every route it has seen at each tenth of its budget: a set packing by CP-SAT
   (`_route_packer`, at most one route per unit, no hotspot twice; first screened by its LP
   relaxation, `solver.routes_pack_lp`) picks the best set, and the search goes on from it
   when it is worth more.
2. The routing model with the chosen sequences fixed (each visit at the start time the
   search gave it) places every unit's meal break with the routing library's break
   intervals (`RoutingDimension.SetBreakIntervalsOfVehicle`, read back from the assignment's
   `IntervalVarContainer`) and sets when each unit leaves and is back. Should the model
   find no solution, the search's own break placement (checked by the same rules) is kept and
   the plan's ``method`` says so.

A full routing search over the whole model (optional copies per visit, the minimum gap as a
disjunctive constraint) was measured weaker than this search at equal time (see
../shared/bench/CALIBRATION.md), and polishing the search's TOPTW routes with the routing
library's tabu or guided local search (started from them with
``ReadAssignmentFromRoutes``) found no improvement in 5 s on the instances tried, so neither is
part of the pipeline.

`solve_routes` (in `solver.routes_scenario`) does this for every shift of a scenario.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.sat.python import cp_model

from solver.routes_beats import BeatStart, beat_start
from solver.routes_core import BREAK, RouteProblem, RouteSchedule, Stop, routes_value
from solver.routes_pack_lp import screen_routes
from solver.routes_plan import ShiftPlan, build_shift_plan
from solver.routes_search import SearchParams, SearchResult, effort_for_seconds, search_routes

log = logging.getLogger(__name__)


class RouteCancel:
    """A cancel hook that works from any thread.

    ``cancel()`` sets the flag polled by the search and stops any routing model or CP-SAT
    solve currently running, so the call returns quickly with the best routes.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._stops: list[Callable[[], None]] = []

    def cancel(self) -> None:
        self._event.set()
        with self._lock:
            for stop in self._stops:
                stop()

    def __call__(self) -> bool:
        return self._event.is_set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def _attach(self, stop: Callable[[], None]) -> None:
        with self._lock:
            self._stops.append(stop)
            if self._event.is_set():
                stop()

    def _detach(self, stop: Callable[[], None]) -> None:
        with self._lock:
            if stop in self._stops:
                self._stops.remove(stop)


CancelLike = RouteCancel | threading.Event | Callable[[], bool] | None


def _poll(cancel: CancelLike) -> Callable[[], bool] | None:
    if cancel is None:
        return None
    if isinstance(cancel, threading.Event):
        return cancel.is_set
    return cancel


class _Watch:
    """Calls ``stop`` (a routing model's ``CancelSearch``, a CP-SAT solver's ``stop_search``)
    when a polled cancel hook fires while the ``with`` block runs."""

    def __init__(self, stop: Callable[[], None], cancel: CancelLike):
        self.stop = stop
        self.cancel = cancel
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> _Watch:
        if isinstance(self.cancel, RouteCancel):
            self.cancel._attach(self.stop)
        elif self.cancel is not None:
            poll = _poll(self.cancel)

            def run() -> None:
                while not self._stop.wait(0.05):
                    if poll is not None and poll():
                        self.stop()
                        return

            self._thread = threading.Thread(target=run, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if isinstance(self.cancel, RouteCancel):
            self.cancel._detach(self.stop)
        if self._thread is not None:
            self._thread.join(timeout=1.0)


@dataclass(frozen=True)
class _Fixed:
    """Result of timing fixed sequences with the routing model."""

    starts: list[list[int]]
    breaks: list[tuple[int, int] | None]
    leaves: list[int]
    backs: list[int]


def time_fixed_routes(problem: RouteProblem, routes: Sequence[Sequence[Stop]], schedules: Sequence[RouteSchedule], *, time_limit_s: float = 10.0, cancel: CancelLike = None) -> _Fixed | None:
    """Time fixed visit sequences and place each unit's break with routing break intervals.

    The visits keep the start times the search gave them (so gaps and values stay as
    found); the routing model places the breaks in the slack between stops, inside their
    windows, and sets when each unit leaves and gets back. Returns None when the model finds
    no solution.
    """
    units = problem.units
    R = len(units)
    visit_nodes: list[tuple[int, int, int]] = []  # (unit, hotspot, matrix node)
    visit_start: list[int] = []
    per_unit_idx: list[list[int]] = []
    for r, stops in enumerate(routes):
        idx = []
        sched = schedules[r]
        for k, (h, node) in enumerate(stops):
            if h < 0:
                continue
            idx.append(2 * R + len(visit_nodes))
            visit_nodes.append((r, h, node))
            visit_start.append(sched.start[k])
        per_unit_idx.append(idx)
    n = 2 * R + len(visit_nodes)
    mat_node = [u.depot for u in units] + [u.depot for u in units] + [v[2] for v in visit_nodes]
    service = [0] * (2 * R) + [problem.hotspots[v[1]].dwell for v in visit_nodes]
    T = problem.travel
    matrix = [[int(T[mat_node[a], mat_node[b]]) + service[a] if a != b else 0 for b in range(n)] for a in range(n)]
    manager = pywrapcp.RoutingIndexManager(n, R, list(range(R)), list(range(R, 2 * R)))
    routing = pywrapcp.RoutingModel(manager)
    transit = routing.RegisterTransitMatrix(matrix)
    routing.SetArcCostEvaluatorOfAllVehicles(transit)
    horizon = max([u.end for u in units] + [0]) + 1
    routing.AddDimension(transit, horizon, horizon, False, "time")
    tdim = routing.GetDimensionOrDie("time")
    solver = routing.solver()
    for r, u in enumerate(units):
        tdim.CumulVar(routing.Start(r)).SetRange(u.start, u.end)
        tdim.CumulVar(routing.End(r)).SetRange(u.start, u.end)
    try:
        for j, s in enumerate(visit_start):
            tdim.CumulVar(manager.NodeToIndex(2 * R + j)).SetRange(s, s)
    except Exception:  # the solver fails at once when a time lies outside the horizon
        log.warning("fixed visit times do not fit the routing model's horizon")
        return None
    node_visit_transits = [service[manager.IndexToNode(i)] for i in range(routing.Size() + R)]
    break_vars: list[pywrapcp.IntervalVar | None] = []
    for r, u in enumerate(units):
        if u.break_len > 0:
            iv = solver.FixedDurationIntervalVar(u.break_earliest, u.break_latest_end - u.break_len, u.break_len, False, f"break_{r}")
            tdim.SetBreakIntervalsOfVehicle([iv], r, node_visit_transits)
            break_vars.append(iv)
        else:
            break_vars.append(None)
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    params.solution_limit = 1
    params.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    routing.CloseModelWithParameters(params)
    for r in range(R):
        chain = [routing.Start(r)] + [manager.NodeToIndex(i) for i in per_unit_idx[r]] + [routing.End(r)]
        for a, b in zip(chain, chain[1:], strict=False):
            solver.Add(routing.NextVar(a) == b)
    with _Watch(routing.CancelSearch, cancel):
        sol = routing.SolveWithParameters(params)
    if sol is None:
        log.warning("routing model found no timing for the fixed routes (status %s)", routing.status())
        return None
    starts = []
    leaves, backs = [], []
    for r in range(R):
        starts.append([sol.Value(tdim.CumulVar(manager.NodeToIndex(i))) for i in per_unit_idx[r]])
        leaves.append(sol.Min(tdim.CumulVar(routing.Start(r))))
        backs.append(sol.Min(tdim.CumulVar(routing.End(r))))
    found: dict[str, tuple[int, int]] = {}
    container = sol.IntervalVarContainer()
    for i in range(container.Size()):
        el = container.Element(i)
        if el.PerformedValue():
            found[el.Var().Name()] = (el.StartValue(), el.StartValue() + el.DurationValue())
    breaks = [found.get(f"break_{r}") if break_vars[r] is not None else None for r in range(R)]
    # leave as late as the first stop allows, given the break: the unit waits at the station
    return _Fixed(starts, breaks, leaves, backs)


def _plan_from_search(problem: RouteProblem, res: SearchResult, fixed: _Fixed | None, method: str) -> ShiftPlan:
    T = problem.travel
    times = []
    breaks: list[tuple[int, int] | None] = []
    leaves, backs = [], []
    for r, stops in enumerate(res.routes):
        unit = problem.units[r]
        sched = res.schedules[r]
        visits = [(k, h, n) for k, (h, n) in enumerate(stops) if h >= 0]
        if fixed is not None:
            starts = fixed.starts[r]
            brk = fixed.breaks[r]
        else:
            starts = [sched.start[k] for k, _h, _n in visits]
            bk = [k for k, (h, _n) in enumerate(stops) if h < 0]
            brk = (sched.start[bk[0]], sched.end[bk[0]]) if bk else None
        loc, free = unit.depot, unit.start
        tm = []
        for (_k, h, n), s in zip(visits, starts, strict=True):
            walk = int(T[loc, n])
            arrive = free + walk
            if brk is not None and free <= brk[0] and brk[1] + walk <= s:
                arrive = brk[1] + walk  # break where the unit is, then walk on
            tm.append((arrive, s, s + problem.hotspots[h].dwell))
            loc, free = n, s + problem.hotspots[h].dwell
        back = free + int(T[loc, unit.depot])
        if brk is not None and brk[0] >= free:
            back = max(back, brk[1] + int(T[loc, unit.depot]))
        times.append(tm)
        breaks.append(brk)
        leaves.append(unit.start)
        backs.append(back)
    return build_shift_plan(problem, res.routes, times, breaks, backs, leaves=leaves, method=method)


#: Deterministic seconds of CP-SAT for one recombination of the routes seen by the search
#: (about 1 s of wall clock for 9,000 routes on the benchmark machine).
PACK_LIMIT_S = 2.0
#: Work counted for the packing's LP screen per route screened (seconds on the benchmark
#: machine: 0.08-0.13 s for 5,000-7,400 routes), so that the effort stays deterministic.
PACK_LP_SECONDS_PER_ROUTE = 2e-5


def _screened(
    problem: RouteProblem,
    items: list[tuple[frozenset[int], int, list[Stop]]],
    current: set[frozenset[int]],
    n_units: int,
) -> tuple[list[tuple[frozenset[int], int, list[Stop]]], list[float], set[frozenset[int]], float]:
    """The routes worth packing (`solver.routes_pack_lp.screen_routes`) with their worths,
    the set to start from and the screen's work in seconds; every route when the LP fails."""
    worth = [sum(problem.hotspots[h].per_visit for h in key) for key, _walked, _stops in items]
    incumbent = [k for k, (key, _walked, _stops) in enumerate(items) if key in current]
    keys = [sorted(key) for key, _walked, _stops in items]
    screen = screen_routes(keys, worth, incumbent, n_units)
    work = PACK_LP_SECONDS_PER_ROUTE * len(items)
    if screen is None:
        return items, worth, current, work
    log.debug(
        "packing LP: bound %.1f, start %.1f, %d of %d routes kept",
        screen.bound, screen.floor_worth, len(screen.keep), len(items),
    )
    start = {items[k][0] for k in screen.start}
    return [items[k] for k in screen.keep], [worth[k] for k in screen.keep], start, work


def _route_packer(problem: RouteProblem, seed: int, cancel: CancelLike):
    """A recombiner for the search (`search_routes`' ``recombine``): the best set of at most
    one route per unit with no hotspot twice, among the routes the search has seen, worth
    first and walking second. The LP relaxation first leaves out the routes that cannot be
    part of a set worth the best in hand (`solver.routes_pack_lp`: by their reduced costs;
    its rounding may also be that best set); the rest is a set packing solved by CP-SAT (one
    worker, deterministic time, no presolve: its clique merging alone took over 2
    deterministic seconds on 6,000 routes), started from the best set in hand; a cancel
    stops it at once."""

    def pack(items: list[tuple[frozenset[int], int, list[Stop]]], incumbent: list[list[Stop]], wall_s: float) -> tuple[list[list[Stop]] | None, float]:
        n_units = len(problem.units)
        if len(items) <= n_units or wall_s <= 0.05:
            return None, 0.0
        current = {frozenset(h for h, _n in stops) for stops in incumbent}
        items, worths, current, lp_work = _screened(problem, items, current, n_units)
        model = cp_model.CpModel()
        scale = n_units * (max(walked for _key, walked, _stops in items) + 1) + 1
        chosen, terms = [], []
        by_hotspot: dict[int, list[cp_model.IntVar]] = {}
        for k, ((key, walked, _stops), worth) in enumerate(zip(items, worths, strict=True)):
            var = model.new_bool_var(f"route{k}")
            chosen.append(var)
            model.add_hint(var, key in current)
            terms.append(var * (round(1000 * worth) * scale - walked))
            for h in key:
                by_hotspot.setdefault(h, []).append(var)
        for routes_with in by_hotspot.values():
            if len(routes_with) > 1:
                model.add_at_most_one(routes_with)
        model.add(sum(chosen) <= n_units)
        model.maximize(sum(terms))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = int(seed)
        solver.parameters.cp_model_presolve = False
        solver.parameters.max_deterministic_time = min(PACK_LIMIT_S, wall_s)
        solver.parameters.max_time_in_seconds = max(0.05, wall_s)
        solver.parameters.catch_sigint_signal = False
        with _Watch(solver.stop_search, cancel):
            status = solver.solve(model)
        log.debug("route packing: %d routes, %s, %.2f s", len(items), solver.status_name(status), solver.wall_time)
        work = solver.deterministic_time + lp_work
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, work
        routes = [list(stops) for var, (_key, _walked, stops) in zip(chosen, items, strict=True) if solver.boolean_value(var)]
        return routes + [[] for _ in range(n_units - len(routes))], work

    return pack


def _search_share(problem: RouteProblem) -> float:
    """Share of the time limit the search may use; the rest is for the routing model, which
    has breaks to place only when some unit takes one (else it times fixed visits in
    milliseconds: 13 ms for 4 routes over 288 hotspots)."""
    return 0.9 if any(u.has_break for u in problem.units) else 0.97


#: Wall-clock cap of a shift whose search is cancelled before it starts (seconds).
CANCELLED_LIMIT_S = 1.0
#: Iteration limit when the effort is the stop (never reached first in practice).
_UNBOUNDED_ITERATIONS = 10**7


def plan_shift_routes(
    problem: RouteProblem,
    *,
    iterations: int | None = None,
    time_limit_s: float = 60.0,
    effort_s: float | None = None,
    seed: int = 0,
    variety_pct: float = 0.0,
    variety_key: int = 0,
    progress: Callable[[float, float], None] | None = None,
    cancel: CancelLike = None,
    search: SearchParams | None = None,
) -> ShiftPlan:
    """Plan one shift's routes: search, then breaks and times through the routing model.

    Parameters
    ----------
    problem
        The shift's route problem (units, hotspots, matrix, earlier visits).
    iterations
        Improvement iterations (the deterministic stop); default scales with the problem.
    time_limit_s
        Wall-clock safety cap for the whole shift.
    effort_s
        Search effort in seconds of this kind of machine, counted deterministically
        (`solver.routes_search.effort_for_seconds`); when given, the search stops on it instead
        of the default iteration count, so a busy or a quiet machine gives the same routes.
    seed
        Random seed; the same inputs and seed give the same routes.
    variety_pct
        When > 0, pick among distinct plans within this percentage of the best found, by
        ``seed`` and ``variety_key`` (e.g. the date's ordinal), so days differ.
    progress
        Called with (best value so far, elapsed seconds).
    cancel
        `RouteCancel`, `threading.Event` or a callable; stops the search and keeps the best.
    search
        Search settings (`solver.routes_search.SearchParams`); its iterations, time cap,
        effort, seed and variety pool are set here from the arguments above.

    Returns
    -------
    ShiftPlan
        Per unit the visits, break and totals, and the unmet targets with reasons.
    """
    t0 = time.perf_counter()
    polled = _poll(cancel)
    cancelled = polled is not None and polled()
    if cancelled:
        # a cancelled plan still gets routes for the shifts not yet planned, at once: the
        # greedy construction only (it stops at the first check), no beat start, a short cap
        time_limit_s = min(time_limit_s, CANCELLED_LIMIT_S)
    if iterations is None and effort_s is not None:
        iterations = _UNBOUNDED_ITERATIONS
    elif iterations is None:
        n = len(problem.hotspots) + 10 * len(problem.units)
        iterations = int(min(max(2 * n, 100), 1000))
    mixed_seed = seed if variety_pct <= 0 else (seed * 1_000_003 + variety_key) % (2**31)
    beats = BeatStart(None, 0.0) if cancelled else beat_start(problem, seed=mixed_seed)
    base = search or SearchParams()
    # the beat start's work is part of the shift's effort (at least a tenth is left to search)
    effort = effort_for_seconds(max(effort_s - beats.work_s, 0.1 * effort_s)) if effort_s is not None else 0.0
    # the caller's search settings, with this shift's stops, seed and variety pool
    params = dataclasses.replace(
        base,
        iterations=iterations,
        time_cap_s=max(time_limit_s * _search_share(problem) - (time.perf_counter() - t0), 0.05),
        effort=effort,
        seed=mixed_seed,
        pool_within=variety_pct / 100.0,
    )
    res = search_routes(
        problem,
        params,
        alternatives=[beats.routes] if beats.routes else [],
        progress=progress,
        cancel=polled,
        recombine=_route_packer(problem, mixed_seed, cancel),
    )
    method = "search"
    if variety_pct > 0 and len(res.pool) > 1:
        import numpy as np

        pick = int(np.random.default_rng(mixed_seed).integers(0, len(res.pool)))
        _f, routes, scheds = res.pool[pick]
        res = dataclasses.replace(res, routes=routes, schedules=scheds, value=routes_value(problem, scheds))
        method = "search (variety)"
    if not problem.units:
        return _plan_from_search(problem, res, None, method)
    remaining = max(time_limit_s - (time.perf_counter() - t0), 1.0)
    fixed = time_fixed_routes(problem, res.routes, res.schedules, time_limit_s=remaining, cancel=None)
    if fixed is None:
        log.warning("breaks kept as placed by the search")
        return _plan_from_search(problem, res, None, method + ", breaks by search")
    return _plan_from_search(problem, res, fixed, method + ", breaks by routing")


__all__ = ["BREAK", "RouteCancel", "plan_shift_routes", "time_fixed_routes"]

