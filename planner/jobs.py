"""The work the app runs in the background, as plain callables (no Qt).

Each ``*_work`` function returns ``work(progress, cancel)`` for `planner.workers.JobRunner`.
Validation problems are part of the result (they go to the problems list), never raised.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from planner.mapdata import StreetLines, street_lines
from planner.workers import JobCancelled, Progress
from solver.domain import Scenario
from solver.plan_model import Plan
from solver.problems import Problem, ScenarioError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadResult:
    """A scenario read and checked against its street network, with the map's street lines.

    ``scenario`` is None when the files themselves have problems; ``graph`` is None when the
    network could not be read. ``problems`` lists every problem found.
    """

    path: Path
    scenario: Scenario | None
    graph: Any | None
    snapping: Any | None
    streets: StreetLines | None
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class PlanFailure:
    """The roster cannot be planned within the rules: the solver's explanation, line by line."""

    explanation: tuple[str, ...]


def load_work(path: Path) -> Callable[[Progress, threading.Event], LoadResult]:
    """Read and validate a scenario, build and snap its walk graph, project its streets."""

    def work(progress: Progress, cancel: threading.Event) -> LoadResult:
        from solver.load import check_network
        from solver.network import load_walk_graph
        from solver.scenario import read_scenario

        progress("Reading files", 0.05, path.name)
        try:
            scenario = read_scenario(path)
        except ScenarioError as error:
            return LoadResult(path, None, None, None, None, tuple(error.problems))
        if cancel.is_set():
            raise JobCancelled
        progress("Loading streets", 0.3, scenario.network_path.name)
        problems: tuple[Problem, ...] = ()
        graph = snapping = None
        try:
            loaded = check_network(scenario)
            graph, snapping = loaded.graph, loaded.snapping
        except ScenarioError as error:
            problems = tuple(error.problems)
            try:  # the streets may still be drawable when only the snapping failed
                graph = load_walk_graph(scenario.network_path)
            except (ValueError, OSError):
                graph = None
        if cancel.is_set():
            raise JobCancelled
        progress("Drawing map", 0.8, f"{graph.number_of_edges() if graph is not None else 0} street edges")
        streets = street_lines(graph) if graph is not None else None
        progress("Loaded", 1.0, scenario.name)
        return LoadResult(path, scenario, graph, snapping, streets, problems)

    return work


def plan_function() -> Callable[..., Plan]:
    """The solver's ``plan()``."""
    from solver.plan import plan

    return plan


def plan_work(
    scenario: Scenario,
    *,
    previous: Plan | None = None,
    replan_from: Any = None,
    locks: Sequence[tuple[str, Any, str | None]] = (),
    time_limit_s: float | None = None,
    seed: int | None = None,
) -> Callable[[Progress, threading.Event], Plan | PlanFailure]:
    """Run ``plan()``; the cancel event is the solver's own cancel hook.

    ``time_limit_s`` and ``seed`` override the scenario's ``[patrol]`` values when given.
    A roster that cannot satisfy the rules comes back as a `PlanFailure` with the solver's
    explanation; input problems raise `ScenarioError` (they go to the problems list).
    """

    def work(progress: Progress, cancel: threading.Event) -> Plan | PlanFailure:
        from solver.plan import PlanSettings, RosterInfeasible

        plan = plan_function()
        try:
            return plan(scenario, PlanSettings(time_limit_s=time_limit_s, seed=seed), progress=progress,
                        cancel=cancel, previous=previous, replan_from=replan_from, locks=tuple(locks))
        except RosterInfeasible as exc:
            return PlanFailure(tuple(str(line) for line in exc.explanation))

    return work


def export_work(plan: Plan, graph: Any, folder: Path) -> Callable[[Progress, threading.Event], list[Path]]:
    """Write every export (CSV, GeoJSON, GPX, plan.json) of ``plan`` into ``folder``."""

    def work(progress: Progress, cancel: threading.Event) -> list[Path]:
        from solver.export import write_plan

        progress("Exporting", 0.1, str(folder))
        return write_plan(plan, folder, graph)

    return work


def sheets_work(plan: Plan, graph: Any, path: Path, scope: str, *, unit: str | None = None,
                day: Any = None, shift: str | None = None) -> Callable[[Progress, threading.Event], Path]:
    """Write the solver's PDF: route sheets of a unit, a shift or the week, or the roster."""

    def work(progress: Progress, cancel: threading.Event) -> Path:
        from solver.sheets import write_roster_pdf, write_route_sheets

        progress("Writing PDF", 0.1, path.name)
        if scope == "roster":
            write_roster_pdf(plan, path)
            return path
        chosen = plan
        if scope == "shift":
            chosen = replace(plan, tours=tuple(t for t in plan.tours if t.date == day and t.shift == shift))
        count = write_route_sheets(chosen, graph, path, unit=unit if scope == "unit" else None)
        log.info("%d route sheets written to %s", count, path)
        return path

    return work


@dataclass(frozen=True)
class DeliveredResult:
    """Delivered dosage measured from track files, and the bad rows left out (warnings)."""

    report: Any
    warnings: tuple[Problem, ...]
    paths: tuple[Path, ...]


def delivered_work(plan: Plan, paths: Sequence[Path]) -> Callable[[Progress, threading.Event], DeliveredResult]:
    """Read GPS track files and measure delivered dosage against ``plan``.

    Problems with the files raise `ScenarioError` (they go to the problems list); bad rows
    are skipped and come back as warnings.
    """

    def work(progress: Progress, cancel: threading.Event) -> DeliveredResult:
        from solver.delivered import DeliveredCancelled, delivered_from_files

        progress("Reading tracks", 0.02, f"{len(paths)} file(s)")
        try:
            report, warnings = delivered_from_files(plan, list(paths), skip_bad_rows=True, progress=progress, cancel=cancel)
        except DeliveredCancelled:
            raise JobCancelled from None
        return DeliveredResult(report, tuple(warnings), tuple(paths))

    return work


def delivered_export_work(report: Any, folder: Path, hotspot_names: dict[str, str], title: str) -> Callable[[Progress, threading.Event], list[Path]]:
    """Write the delivered report folder (CSVs, GeoJSON, PDF summary)."""

    def work(progress: Progress, cancel: threading.Event) -> list[Path]:
        from solver.delivered_write import write_report_folder

        progress("Exporting delivered", 0.1, str(folder))
        return write_report_folder(report, folder, hotspot_names=hotspot_names, title=title)

    return work
