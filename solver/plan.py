"""plan(): the whole pipeline, in order: network, walking times, roster, routes, assembly.

The app runs this in a worker thread; the command line in a thread it can interrupt. Both
pass a ``progress(stage, fraction, message)`` callable and a ``cancel`` event.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from solver.domain import Scenario
from solver.plan_model import Plan, RosterChange, RosterEntry
from solver.timeutil import elapsed_minutes, tour_start_end

log = logging.getLogger(__name__)

Progress = Callable[[str, float, str], None]

#: Share of the wall-clock budget given to the roster step (the rest goes to routes).
ROSTER_SHARE = 0.25
#: Each shift's route search gets an equal share of what the roster leaves of the budget, as
#: deterministic effort (the same routes on a busy or a quiet machine); the wall clock stops
#: a search only at this factor x its share + margin (a safety cap on a very slow machine).
ROUTES_WALL_CAP_FACTOR = 3.0
ROUTES_WALL_CAP_MARGIN_S = 2.0
#: Fractions of the progress bar at which each stage starts.
STAGE_AT = {"Loading streets": 0.0, "Walking times": 0.05, "Roster": 0.08, "Routes": 0.30, "Assembling": 0.97}


@dataclass(frozen=True)
class PlanSettings:
    """Overrides for one plan run (None: take the scenario's ``[patrol]`` value)."""

    time_limit_s: float | None = None
    seed: int | None = None


class RosterInfeasible(Exception):
    """No roster satisfies the hard rules; ``explanation`` says which officer, day and rule."""

    def __init__(self, explanation: Sequence[str]):
        self.explanation = tuple(explanation)
        super().__init__("; ".join(self.explanation) or "the roster is infeasible")


def plan(
    scenario: Scenario,
    settings: PlanSettings | None = None,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    previous: Plan | None = None,
    replan_from: dt.date | None = None,
    locks: Iterable[object] = (),
    executor: Executor | None = None,
    cache_dir: Path | None = None,
) -> Plan:
    """Plan the roster and the walking routes of ``scenario``.

    Parameters
    ----------
    scenario
        A validated scenario (`solver.scenario.read_scenario`).
    settings
        Time budget and seed overrides.
    progress
        Called with (stage, fraction 0..1, message) from the planning thread.
    cancel
        When set, every stage stops as soon as it can and the best plan so far is returned,
        marked ``cancelled``.
    previous, replan_from
        Re-plan: days before ``replan_from`` keep ``previous``'s tours; later changes cost.
    locks
        Officer-days the planner fixed: ``(officer_id, date, shift_or_None)`` or tours.
    executor
        Runs independent shifts' route searches in parallel (e.g. a process pool).

    Raises
    ------
    ScenarioError
        The network or the snapping has problems.
    RosterInfeasible
        No roster satisfies the rules (with the explanation).
    """
    from solver.load import check_network
    from solver.matrix import build_walk_matrix
    from solver.roster import solve_roster
    from solver.roster_check import check_rota
    from solver.routes_scenario import solve_routes

    settings = settings or PlanSettings()
    cancel = cancel or threading.Event()
    budget_s = settings.time_limit_s if settings.time_limit_s is not None else scenario.patrol.time_limit_s
    seed = settings.seed if settings.seed is not None else scenario.patrol.seed
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def report(stage: str, within: float, message: str) -> None:
        if progress is None:
            return
        stages = list(STAGE_AT)
        low = STAGE_AT[stage]
        high = STAGE_AT[stages[stages.index(stage) + 1]] if stage != stages[-1] else 1.0
        progress(stage, low + (high - low) * max(0.0, min(1.0, within)), message)

    report("Loading streets", 0.0, f"reading {scenario.network_path.name}")
    mark = time.perf_counter()
    loaded = check_network(scenario, cache_dir=cache_dir)
    timings["network_s"] = time.perf_counter() - mark
    report("Walking times", 0.0, f"{len(loaded.snapping.all_nodes())} points")
    mark = time.perf_counter()
    matrix = build_walk_matrix(loaded.graph, loaded.snapping.all_nodes(), walk_speed_kph=scenario.patrol.walk_speed_kph)
    timings["matrix_s"] = time.perf_counter() - mark

    report("Roster", 0.0, "searching")
    mark = time.perf_counter()
    roster_budget = max(1.0, min(scenario.roster_weights.time_limit_s, budget_s * ROSTER_SHARE))

    def on_roster(update: Any) -> None:
        report("Roster", min(1.0, (time.perf_counter() - mark) / roster_budget), f"best {getattr(update, 'objective', '')}")

    if scenario.rota_complete:
        # The shift pattern is fixed: check it, explain every breach, plan routes within it.
        roster = check_rota(scenario, locks=tuple(locks))
    else:
        roster = solve_roster(
            scenario,
            previous=_roster_of(previous),
            replan_from=replan_from,
            locks=tuple(locks),
            time_limit_s=roster_budget,
            seed=seed,
            progress=on_roster,
            cancel=cancel,
        )
        if roster.status == "infeasible" or (not roster.assignments and roster.violations):
            raise RosterInfeasible(roster.explanation or tuple(str(v) for v in roster.violations))
    timings["roster_s"] = time.perf_counter() - mark

    routes = None
    if roster.assignments and not cancel.is_set():
        remaining = max(5.0, budget_s - (time.perf_counter() - started))
        mark = time.perf_counter()
        report("Routes", 0.0, "planning walks")

        current = {"label": "", "fraction": 0.0}

        def on_shift(k: int, total: int, day: dt.date, shift: str) -> None:
            current["label"] = f"{day:%a} {shift} {k}/{total}"
            current["fraction"] = (k - 1) / max(total, 1)
            report("Routes", current["fraction"], current["label"])

        def on_routes(value: float, elapsed: float) -> None:
            fraction = max(current["fraction"], min(1.0, elapsed / remaining))
            report("Routes", fraction, f"{current['label']}, value {value:,.0f}".lstrip(", "))

        shifts_to_plan = max(1, len({(t.date, t.shift) for t in roster.assignments}))
        routes = solve_routes(
            scenario, roster.assignments, loaded, matrix=matrix, executor=executor,
            effort_s=remaining / shifts_to_plan,
            time_limit_s=ROUTES_WALL_CAP_FACTOR * remaining / shifts_to_plan + ROUTES_WALL_CAP_MARGIN_S,
            seed=seed, progress=on_routes, cancel=cancel,
            on_shift=on_shift,
        )
        timings["routes_s"] = time.perf_counter() - mark

    report("Assembling", 0.0, "totals")
    result = assemble(scenario, roster, routes, cancelled=cancel.is_set(), seed=seed, budget_s=budget_s)
    timings["total_s"] = time.perf_counter() - started
    result = replace(result, kpis={**result.kpis, "timings_s": {k: round(v, 2) for k, v in timings.items()}})
    report("Assembling", 1.0, f"plan {result.status}")
    log.info("plan %s in %.1f s: %d tours", result.status, timings["total_s"], len(result.tours))
    return result


def _roster_of(previous: Plan | None) -> Any:
    """The previous plan's roster as the roster engine's result type."""
    if previous is None:
        return None
    from solver.roster_result import Roster, RosterTour

    tours = tuple(RosterTour(e.officer_id, e.date, e.shift, e.station_id, e.unit_id) for e in previous.roster)
    return Roster(status="feasible", assignments=tours)


def assemble(scenario: Scenario, roster: Any, routes: Any, *, cancelled: bool, seed: int, budget_s: float) -> Plan:
    """The `Plan` of a roster and its routes, with KPIs (dosage, dwell share, walk km)."""
    entries = []
    for tour in roster.assignments:
        start, end = tour_start_end(scenario.shift(tour.shift), tour.date, scenario.timezone)
        entries.append(RosterEntry(tour.officer_id, tour.date, tour.shift, start, end, tour.station_id, tour.unit_id))
    tours = tuple(routes.tours) if routes is not None else ()
    dosage = tuple(routes.dosage) if routes is not None else ()
    changes = tuple(RosterChange(c.officer_id, c.date, c.old, c.new) for c in roster.changes)
    available = sum(_available_min(scenario, t) for t in tours)
    dwell = sum(t.dwell_min for t in tours)
    kpis: dict[str, Any] = {
        "officer_tours": len(entries),
        "unit_tours": len(tours),
        "visits": sum(len(t.visits) for t in tours),
        "dwell_min": round(dwell, 1),
        "available_min": round(available, 1),
        "dwell_share": round(dwell / available, 4) if available else 0.0,
        "walk_km": round(sum(t.walk_m for t in tours) / 1000.0, 2),
        "value": round(sum(t.value for t in tours), 1),
        "hotspot_days_below_target": sum(1 for d in dosage if d.unmet_reason),
        "roster_status": roster.status,
        "roster_mode": roster.mode or "planned",
        "rota_breaches": len(roster.violations),
        "roster_objective": roster.objective,
        "roster_bound": roster.bound,
        "roster_parts": dict(roster.parts),
    }
    if routes is not None:
        kpis["routes_upper_bound"] = round(sum(s.upper_bound for s in routes.shifts), 1)
        kpis["per_unit"] = [
            {"date": t.date.isoformat(), "shift": t.shift, "unit_id": t.unit_id, "dwell_min": round(t.dwell_min, 1),
             "dwell_share": round(t.dwell_min / minutes, 4) if (minutes := _available_min(scenario, t)) > 0 else 0.0,
             "walk_km": round(t.walk_m / 1000, 2)}
            for t in tours
        ]
    breaches = tuple(f"fixed rota breaks a rule: {v}" for v in roster.violations)
    notes = breaches + tuple(roster.explanation if not breaches else ()) + tuple(str(p.message) for p in roster.penalties[:50])
    if cancelled:
        status = "cancelled"
    elif not roster.assignments:
        status = "partial"
        notes = (f"No roster was found within the time limit (roster status {roster.status}); "
                 "give the plan more time (--time-limit or [patrol] time_limit_s).",) + notes
    else:
        status = "complete" if routes is not None else "partial"
    return Plan(
        scenario=scenario,
        status=status,
        roster=tuple(sorted(entries, key=lambda e: (e.date, e.start, e.officer_id))),
        tours=tours,
        dosage=dosage,
        changes=changes,
        roster_status=roster.status,
        roster_notes=notes,
        settings={"time_limit_s": budget_s, "seed": seed, "walk_speed_kph": scenario.patrol.walk_speed_kph,
                  "visit_min": scenario.patrol.visit_min, "min_gap_min": scenario.patrol.min_gap_min,
                  "variety_pct": scenario.patrol.variety_pct},
        kpis=kpis,
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )


def _available_min(scenario: Scenario, tour: Any) -> float:
    """Minutes a unit can patrol on a tour: its length less break, briefing and debrief."""
    template = scenario.shift(tour.shift)
    return float(elapsed_minutes(tour.start, tour.end) - template.meal_break_min - template.briefing_min - template.debrief_min)


def write_plan_folder(result: Plan, folder: Path, *, sheets: bool = True, cache_dir: Path | None = None) -> list[Path]:
    """Write every export of a plan to ``folder``: CSVs, GeoJSON, GPX, roster and route-sheet PDFs."""
    from solver.export import write_plan
    from solver.load import check_network
    from solver.sheets import write_roster_pdf, write_route_sheets

    graph = check_network(result.scenario, cache_dir=cache_dir).graph
    files = write_plan(result, folder, graph)
    write_roster_pdf(result, folder / "roster.pdf")
    files.append(folder / "roster.pdf")
    if sheets:
        write_route_sheets(result, graph, folder / "route_sheets.pdf")
        files.append(folder / "route_sheets.pdf")
    return files
