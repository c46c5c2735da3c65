"""Routes for every shift of a scenario: build each shift's problem, chain overlapping shifts,
run independent chains behind an executor, and turn the results into dated tours.

Shifts that overlap or touch in time (Late and Night, Night and the next Early) form a
chain solved in start order, each shift given the visits the earlier ones planned, so the
minimum gap, repeat decay and daily targets hold across them; value is counted on the
calendar date a dwell starts. Chains are independent and go to the caller's
`concurrent.futures.Executor` when one is given (a process pool, or a cluster's executor),
else run here one after another.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from solver.domain import Hotspot, Scenario, ShiftTemplate
from solver.plan_model import DosageRow, PlannedBreak, PlannedTour, PlannedVisit
from solver.roster_result import Roster, RosterTour, form_units
from solver.routes_core import PriorVisit, RouteHotspot, RouteProblem, RouteUnit
from solver.routes_plan import REASON_NO_UNIT, REASON_ORDER, ShiftPlan, value_upper_bound
from solver.timeutil import tour_start_end

log = logging.getLogger(__name__)

#: Search weight of a visit past the daily target (no value, but presence in a hotspot
#: beats idling): a small fraction of a first visit.
PRESENCE_SHARE = 0.02
#: Cost per second walked, as a fraction of the median visit's value: walking breaks ties.
TRAVEL_WEIGHT = 1e-5  # x the median value of a visit, per second walked


@dataclass(frozen=True)
class RouteLeg:
    """One walk between consecutive stops, along the streets."""

    from_node: int
    to_node: int
    metres: float
    seconds: int
    streets: tuple[str, ...]
    path_nodes: tuple[int, ...] = ()


@dataclass(frozen=True)
class ShiftRoutes:
    """The routes of one shift on one date, with its measures."""

    date: dt.date
    shift: str
    start: dt.datetime
    end: dt.datetime
    tours: tuple[PlannedTour, ...]
    legs: dict[str, tuple[RouteLeg, ...]]
    value: float
    upper_bound: float
    dwell_min: float
    available_min: float
    unmet: tuple[tuple[str, int, int, str], ...]  # (hotspot id, planned that day, target, reason)
    method: str = ""
    elapsed_s: float = 0.0
    #: The shift's problem (with the earlier shifts' visits) and raw plan, for checking.
    problem: RouteProblem | None = field(default=None, repr=False, compare=False)
    plan: ShiftPlan | None = field(default=None, repr=False, compare=False)

    @property
    def dwell_share(self) -> float:
        """Dwell minutes / (shift minutes - break - briefing - debrief), over all units."""
        return self.dwell_min / self.available_min if self.available_min > 0 else 0.0


@dataclass(frozen=True)
class Routes:
    """Every shift's routes and the per-date dosage against targets."""

    shifts: tuple[ShiftRoutes, ...]
    dosage: tuple[DosageRow, ...]
    status: str = "complete"
    elapsed_s: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def tours(self) -> tuple[PlannedTour, ...]:
        return tuple(t for s in self.shifts for t in s.tours)

    @property
    def value(self) -> float:
        return sum(s.value for s in self.shifts)


# ----------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class ShiftJob:
    """What one shift's solve needs, picklable (no graph)."""

    date: dt.date
    shift: str
    ref: dt.datetime  # local midnight of ``date``; problem time 0
    start: dt.datetime
    end: dt.datetime
    problem: RouteProblem  # without earlier shifts' visits
    unit_officers: tuple[tuple[str, ...], ...]
    unit_stations: tuple[str, ...]
    seed: int
    variety_key: int


def _seconds_since(ref: dt.datetime, when: dt.datetime) -> int:
    return int((when.astimezone(dt.UTC) - ref.astimezone(dt.UTC)).total_seconds())


def _risk_rows(hotspots: Sequence[Hotspot], ref: dt.datetime, n_slots: int) -> np.ndarray:
    """Risk per hour slot from ``ref`` (local time of each slot, across clock changes)."""
    zone = ref.tzinfo
    times = [(ref.astimezone(dt.UTC) + dt.timedelta(hours=k)).astimezone(zone) for k in range(n_slots)]
    return np.array([[h.risk_at(t) for t in times] for h in hotspots], dtype=float)


def units_of(scenario: Scenario, tours: Roster | Iterable[RosterTour]) -> dict[tuple[dt.date, str], list[tuple[str, tuple[str, ...], str]]]:
    """Patrol units per (date, shift): (unit id, officer ids, station id)."""
    items = tours.assignments if isinstance(tours, Roster) else tuple(tours)
    formed = form_units(scenario, [RosterTour(t.officer_id, t.date, t.shift, getattr(t, "station_id", ""), getattr(t, "unit_id", "")) for t in items])
    groups: dict[tuple[dt.date, str], dict[str, list[RosterTour]]] = defaultdict(lambda: defaultdict(list))
    for t in formed:
        try:
            if not scenario.officer(t.officer_id).can_patrol:
                continue
        except KeyError:
            pass
        groups[(t.date, t.shift)][t.unit_id].append(t)
    out: dict[tuple[dt.date, str], list[tuple[str, tuple[str, ...], str]]] = {}
    for key, units in groups.items():
        out[key] = [(uid, tuple(sorted(m.officer_id for m in members)), members[0].station_id) for uid, members in sorted(units.items())]
    return out


def build_shift_jobs(
    scenario: Scenario,
    tours: Roster | Iterable[RosterTour],
    station_node: dict[str, int],
    hotspot_access: dict[str, tuple[int, ...]],
    matrix: Any,
    *,
    seed: int = 0,
) -> tuple[list[ShiftJob], tuple[int, ...]]:
    """One job per (date, shift template), including shifts nobody works (for dosage).

    Returns the jobs and the graph node of each matrix row the problems use.
    """
    patrol = scenario.patrol
    units = units_of(scenario, tours)
    nodes = list(dict.fromkeys([station_node[s.id] for s in scenario.stations if s.id in station_node] + [n for h in scenario.hotspots for n in hotspot_access.get(h.id, ())]))
    idx = [matrix.index[n] for n in nodes]
    sub_s = np.asarray(matrix.seconds)[np.ix_(idx, idx)].astype(np.int64)
    sub_m = np.asarray(matrix.metres)[np.ix_(idx, idx)].astype(float)
    local = {n: i for i, n in enumerate(nodes)}
    jobs = []
    zone = ZoneInfo(scenario.timezone)
    for day in scenario.dates:
        ref = dt.datetime.combine(day, dt.time(0, 0), tzinfo=zone)
        next_ref = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=zone)
        prev_ref = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(0, 0), tzinfo=zone)
        # day index 0 is the day before (earlier shifts' visits), 1 the shift's date, 2 the next
        day_starts = (
            _seconds_since(ref, prev_ref),
            0,
            _seconds_since(ref, next_ref),
            _seconds_since(ref, dt.datetime.combine(day + dt.timedelta(days=2), dt.time(0, 0), tzinfo=zone)),
        )
        risk = _risk_rows(scenario.hotspots, ref, 48)
        for template in scenario.shifts:
            start, end = tour_start_end(template, day, scenario.timezone)
            members = units.get((day, template.name), [])
            route_units = tuple(_route_unit(template, patrol, uid, officers, station, station_node, local, ref, start, end) for uid, officers, station in members if station in station_node)
            hotspots = tuple(
                RouteHotspot(
                    id=h.id,
                    access=tuple(local[n] for n in hotspot_access.get(h.id, ())),
                    dwell=60 * (h.visit_min or patrol.visit_min),
                    per_visit=float(h.weight) * (h.visit_min or patrol.visit_min),
                    min_gap=60 * h.min_gap_min,
                    target_per_day=h.target_visits_per_day,
                )
                for h in scenario.hotspots
            )
            problem = RouteProblem(
                units=route_units,
                hotspots=hotspots,
                travel=sub_s,
                metres=sub_m,
                risk=risk,
                risk_origin=0,
                slot_len=3600,
                day_starts=day_starts,
                travel_weight=TRAVEL_WEIGHT * float(np.median([h.per_visit for h in hotspots])) if hotspots else 0.0,
                presence_share=PRESENCE_SHARE,
            )
            jobs.append(
                ShiftJob(
                    day, template.name, ref, start, end, problem,
                    tuple(m[1] for m in members if m[2] in station_node),
                    tuple(m[2] for m in members if m[2] in station_node),
                    seed, day.toordinal() * 31 + scenario.shifts.index(template),
                )
            )  # fmt: skip
    return jobs, tuple(nodes)


def _route_unit(template: ShiftTemplate, patrol, uid: str, officers: tuple[str, ...], station: str, station_node, local, ref, start, end) -> RouteUnit:
    s = _seconds_since(ref, start)
    e = _seconds_since(ref, end)
    return RouteUnit(
        id=uid,
        depot=local[station_node[station]],
        start=s + 60 * template.briefing_min,
        end=e - 60 * template.debrief_min,
        break_len=60 * template.meal_break_min,
        break_earliest=s + 60 * patrol.break_window_start_min,
        break_latest_end=e - 60 * patrol.break_window_end_min,
        officer_ids=officers,
        station_id=station,
    )


def chains_of(jobs: Sequence[ShiftJob]) -> list[list[int]]:
    """Indices of jobs grouped into chains of shifts that overlap or touch, each in start order."""
    order = sorted(range(len(jobs)), key=lambda i: (jobs[i].start, jobs[i].shift))
    chains: list[list[int]] = []
    chain_end: dt.datetime | None = None
    for i in order:
        if chains and chain_end is not None and jobs[i].start <= chain_end:
            chains[-1].append(i)
            chain_end = max(chain_end, jobs[i].end)
        else:
            chains.append([i])
            chain_end = jobs[i].end
    return chains


def solve_chain(jobs: Sequence[ShiftJob], settings: dict[str, Any]) -> list[tuple[ShiftPlan, float, RouteProblem]]:
    """Solve shifts in order, each given the earlier ones' visits (runs in a worker process)."""
    from solver.routes import plan_shift_routes

    done: list[tuple[dt.datetime, int, int, int]] = []  # (ref, hotspot, start s, end s)
    out = []
    on_shift = settings.get("on_shift")
    for job in jobs:
        if on_shift is not None:
            on_shift(job.date, job.shift)
        prior = []
        opens = min((u.start for u in job.problem.units), default=0)
        for ref, h, s, e in done:
            off = _seconds_since(job.ref, ref)
            spec = job.problem.hotspots[h]
            # A visit before this job's first calendar day counts towards no target here (it
            # falls on day index 0); keep it only while its minimum gap reaches into this shift.
            if s + off < 0 and e + off + spec.min_gap + spec.dwell <= opens:
                continue
            prior.append(PriorVisit(h, s + off, e + off))
        problem = job.problem
        if prior:
            from dataclasses import replace

            problem = replace(problem, prior=tuple(prior))
        t0 = time.perf_counter()
        plan = plan_shift_routes(
            problem,
            iterations=settings.get("iterations"),
            time_limit_s=settings.get("time_limit_s", 60.0),
            effort_s=settings.get("effort_s"),
            seed=job.seed,
            variety_pct=settings.get("variety_pct", 0.0),
            variety_key=job.variety_key,
            progress=settings.get("progress"),
            cancel=settings.get("cancel"),
        )
        out.append((plan, time.perf_counter() - t0, problem))
        done.extend((job.ref, h, s, e) for h, s, e in plan.visit_times())
    return out


# ----------------------------------------------------------------------------- output
def _tours_of(job: ShiftJob, plan: ShiftPlan, graph: Any, matrix: Any, nodes: tuple[int, ...], hotspot_name: dict[str, str]) -> tuple[list[PlannedTour], dict[str, tuple[RouteLeg, ...]]]:
    from solver.matrix import walk_path

    tours = []
    legs_by_unit: dict[str, tuple[RouteLeg, ...]] = {}
    p = job.problem

    def at(t: int) -> dt.datetime:
        return (job.ref.astimezone(dt.UTC) + dt.timedelta(seconds=int(t))).astimezone(job.ref.tzinfo)

    for up in plan.units:
        unit = p.units[up.unit]
        station_node = nodes[unit.depot]
        stops = [station_node] + [nodes[v.node] for v in up.visits] + [station_node]
        legs = []
        path: list[int] = []
        for a, b in zip(stops, stops[1:], strict=False):
            if graph is not None:
                wp = walk_path(graph, matrix, a, b)
                legs.append(RouteLeg(a, b, wp.metres, wp.seconds, tuple(wp.streets), tuple(wp.nodes)))
                path.extend(wp.nodes if not path else wp.nodes[1:])
            else:
                ia, ib = matrix.index[a], matrix.index[b]
                legs.append(RouteLeg(a, b, float(matrix.metres[ia, ib]), int(matrix.seconds[ia, ib]), ()))
        visits = []
        for i, v in enumerate(up.visits):
            n = nodes[v.node]
            lat = float(graph.nodes[n]["y"]) if graph is not None else 0.0
            lon = float(graph.nodes[n]["x"]) if graph is not None else 0.0
            visits.append(PlannedVisit(i + 1, v.hotspot_id, at(v.start), at(v.end), n, lat, lon, legs[i].metres, v.value))
        brk = None
        if up.meal_break is not None:
            b = up.meal_break
            node = nodes[b.node] if b.node is not None else None
            if b.node is None:
                place = "on the way"
            elif b.after == 0 and b.node == unit.depot:
                place = f"station {unit.station_id}"
            elif b.after < len(up.visits) + 1 and b.after > 0 and up.visits[b.after - 1].node == b.node:
                place = f"at {hotspot_name.get(up.visits[b.after - 1].hotspot_id, up.visits[b.after - 1].hotspot_id)}"
            elif b.after < len(up.visits) and up.visits[b.after].node == b.node:
                place = f"at {hotspot_name.get(up.visits[b.after].hotspot_id, up.visits[b.after].hotspot_id)}"
            else:
                place = f"station {unit.station_id}"
            brk = PlannedBreak(at(b.start), at(b.end), node, place)
        walk_m = sum(leg.metres for leg in legs)
        walk_min = sum(leg.seconds for leg in legs) / 60.0
        tours.append(
            PlannedTour(
                date=job.date, shift=job.shift, unit_id=unit.id, officer_ids=job.unit_officers[up.unit],
                station_id=unit.station_id, start=job.start, end=job.end, station_node=station_node,
                visits=tuple(visits), meal_break=brk, walk_m=walk_m, walk_min=walk_min, value=up.value,
                path_nodes=tuple(path),
            )
        )  # fmt: skip
        legs_by_unit[unit.id] = tuple(legs)
    return tours, legs_by_unit


def solve_routes(
    scenario: Scenario,
    tours: Roster | Iterable[RosterTour],
    network: Any,
    *,
    matrix: Any = None,
    executor: Executor | None = None,
    time_limit_s: float | None = None,
    iterations: int | None = None,
    effort_s: float | None = None,
    seed: int | None = None,
    progress: Callable[[float, float], None] | None = None,
    cancel: Any = None,
    with_paths: bool = True,
    on_shift: Callable[[int, int, dt.date, str], None] | None = None,
) -> Routes:
    """Plan walking routes for every shift of the scenario.

    Parameters
    ----------
    scenario
        The scenario (hotspots, shifts, patrol settings: speed, break window, seed, variety).
    tours
        A `Roster` or its tours (officer, date, shift, optional station and unit).
    network
        Object with ``graph`` (walk graph, may be None when ``matrix`` is given) and
        ``snapping`` (`solver.snapping.Snapping`), e.g. `solver.load.LoadedScenario`.
    matrix
        A prebuilt `solver.matrix.WalkMatrix` over the snapped nodes; built when None.
    executor
        Runs independent chains of shifts in parallel (e.g. a ``ProcessPoolExecutor``);
        None runs them here in turn (progress and cancel then reach inside each search).
    time_limit_s
        Safety cap per shift (default ``scenario.patrol.time_limit_s``).
    iterations
        Search iterations per shift (the deterministic stop); default scales with size.
    effort_s
        Deterministic search effort per shift, in seconds of this kind of machine; when
        given it is the stop instead of the default iterations (see
        `solver.routes.plan_shift_routes`).
    seed
        Default ``scenario.patrol.seed``.
    progress
        Called with (value so far over all shifts, elapsed seconds).
    on_shift
        Called as each shift's search starts with (k, total, date, shift name), for progress
        text such as "Routes Wed Late 3/21" (in-process runs only).
    cancel
        `solver.routes.RouteCancel`, ``threading.Event`` or a callable; stops the current
        search keeping its best routes and skips the shifts not yet started.

    Returns
    -------
    Routes
    """
    t0 = time.perf_counter()
    patrol = scenario.patrol
    graph = getattr(network, "graph", None)
    snapping = network.snapping
    if matrix is None:
        from solver.matrix import build_walk_matrix

        matrix = build_walk_matrix(graph, snapping.all_nodes(), walk_speed_kph=patrol.walk_speed_kph)
    jobs, nodes = build_shift_jobs(scenario, tours, snapping.station_node, snapping.hotspot_access, matrix, seed=patrol.seed if seed is None else seed)
    jobs = _with_shift_caps(jobs, scenario)
    chains = chains_of(jobs)
    polled = cancel if cancel is None or callable(cancel) else getattr(cancel, "is_set", None)
    settings: dict[str, Any] = {
        "iterations": iterations,
        "effort_s": effort_s,
        "time_limit_s": patrol.time_limit_s if time_limit_s is None else time_limit_s,
        "variety_pct": patrol.variety_pct,
    }
    results: dict[int, tuple[ShiftPlan, float, RouteProblem]] = {}
    status = "complete"
    done_value = 0.0

    def is_cancelled() -> bool:
        return bool(polled()) if polled is not None else False

    if executor is None:
        for chain in chains:
            if is_cancelled():
                status = "cancelled"
                break
            base = done_value

            def report(best: float, _elapsed: float, base: float = base) -> None:
                if progress:
                    progress(base + best, time.perf_counter() - t0)

            local = dict(settings, progress=report, cancel=cancel, on_shift=_counting(on_shift, len(jobs)))
            for i, res in zip(chain, solve_chain([jobs[i] for i in chain], local), strict=True):
                results[i] = res
                done_value += res[0].value
            if progress:
                progress(done_value, time.perf_counter() - t0)
    else:
        futures = {executor.submit(solve_chain, [jobs[i] for i in chain], settings): chain for chain in chains}
        for fut, chain in futures.items():
            if is_cancelled():
                fut.cancel()
                status = "cancelled"
                continue
            for i, res in zip(chain, fut.result(), strict=True):
                results[i] = res
                done_value += res[0].value
            if progress:
                progress(done_value, time.perf_counter() - t0)
    if is_cancelled():
        status = "cancelled"
    names = {h.id: h.name or h.id for h in scenario.hotspots}
    shifts = []
    for i, job in enumerate(jobs):
        if i not in results:
            continue
        plan, took, problem = results[i]
        tours_i, legs = _tours_of(job, plan, graph if with_paths else None, matrix, nodes, names)
        avail = sum((u.end - u.start - u.break_len) / 60.0 for u in job.problem.units)
        unmet = tuple((u.hotspot_id, u.planned, u.target, u.reason) for u in plan.unmet if _date_of(job, u.day) == job.date)
        shifts.append(
            ShiftRoutes(
                job.date, job.shift, job.start, job.end, tuple(tours_i), legs, plan.value,
                value_upper_bound(problem), plan.dwell / 60.0, avail, unmet, plan.method, took,
                problem, plan,
            )
        )  # fmt: skip
    dosage = _dosage(scenario, jobs, results)
    return Routes(tuple(shifts), tuple(dosage), status, time.perf_counter() - t0)


def _counting(on_shift: Callable[[int, int, dt.date, str], None] | None, total: int) -> Callable[[dt.date, str], None] | None:
    """A per-shift hook numbering the shifts as they start: ``on_shift(k, total, date, shift)``."""
    if on_shift is None:
        return None
    started = [0]

    def hook(date: dt.date, shift: str) -> None:
        started[0] += 1
        on_shift(min(started[0], total), total, date, shift)

    return hook


def _with_shift_caps(jobs: list[ShiftJob], scenario: Scenario) -> list[ShiftJob]:
    """Jobs whose hotspot targets are the shift's cumulative share of the daily target."""
    from dataclasses import replace

    from solver.routes_quota import shift_caps

    caps = shift_caps(jobs, scenario.hotspots)
    out = []
    for job, cap in zip(jobs, caps, strict=True):
        hotspots = tuple(replace(h, target_per_day=c) for h, c in zip(job.problem.hotspots, cap, strict=True))
        out.append(replace(job, problem=replace(job.problem, hotspots=hotspots)))
    return out


def _date_of(job: ShiftJob, day: int) -> dt.date:
    """Calendar date of a problem day index (1 is the shift's date, see `build_shift_jobs`)."""
    return job.date + dt.timedelta(days=day - 1)


def _dosage(scenario: Scenario, jobs: Sequence[ShiftJob], results: dict[int, tuple[ShiftPlan, float, RouteProblem]]) -> list[DosageRow]:
    """Planned visits per date and hotspot against the target, with the reason when short."""
    counts: dict[tuple[dt.date, str], int] = defaultdict(int)
    minutes: dict[tuple[dt.date, str], float] = defaultdict(float)
    reasons: dict[tuple[dt.date, str], list[str]] = defaultdict(list)
    for i, job in enumerate(jobs):
        if i not in results:
            continue
        plan = results[i][0]
        for up in plan.units:
            for v in up.visits:
                when = (job.ref.astimezone(dt.UTC) + dt.timedelta(seconds=v.start)).astimezone(job.ref.tzinfo)
                counts[(when.date(), v.hotspot_id)] += 1
                minutes[(when.date(), v.hotspot_id)] += v.dwell / 60.0
        for u in plan.unmet:
            reasons[(_date_of(job, u.day), u.hotspot_id)].append(u.reason)
    rows = []
    for day in scenario.dates:
        for h in scenario.hotspots:
            got = counts.get((day, h.id), 0)
            reason = ""
            if got < h.target_visits_per_day:
                found = reasons.get((day, h.id)) or [REASON_NO_UNIT]
                reason = max(found, key=REASON_ORDER.index)
            rows.append(DosageRow(day, h.id, h.target_visits_per_day, got, minutes.get((day, h.id), 0.0), reason))
    return rows
