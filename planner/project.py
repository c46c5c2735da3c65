"""The ``.patrolplan`` project file: inputs (paths and hashes), edits and the last plan.

A JSON document, written atomically (temporary file + rename). Reopening reads the scenario
again from its files, applies the saved edits and rebuilds the saved plan from its dict, so
the same plan shows without re-solving. When an input file changed since the save, the
project still opens and the changed files are listed so the app can say the plan is stale.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.edits import Absence, Edits
from solver.atomic import atomic_write
from solver.domain import Scenario
from solver.export import file_sha256
from solver.plan_io import plan_from_dict, plan_to_dict
from solver.plan_model import Plan
from solver.problems import ProblemList, ScenarioError

log = logging.getLogger(__name__)

PROJECT_SUFFIX = ".patrolplan"
PROJECT_FORMAT = "patrolplan"
PROJECT_VERSION = 1


@dataclass(frozen=True)
class ProjectFile:
    """What a project file holds, read back (the scenario itself is read from its files)."""

    scenario_path: Path
    edits: Edits
    plan_data: dict[str, Any] | None
    changed_inputs: tuple[Path, ...] = ()
    replan_from: dt.date | None = None


def input_hashes(scenario: Scenario) -> dict[str, str]:
    """SHA-256 of every input file of the scenario that exists."""
    return {str(p): file_sha256(p) for p in scenario.input_paths if p.exists()}


def plan_record(plan: Plan) -> dict[str, Any]:
    """The plan as a JSON-ready dict, with its status, settings and KPIs."""
    return {"status": plan.status, "settings": plan.settings, "kpis": plan.kpis, "created": plan.created, **plan_to_dict(plan)}


def project_dict(scenario_path: Path, scenario: Scenario | None, edits: Edits, plan: Plan | None,
                 *, replan_from: dt.date | None = None, project_path: Path | None = None) -> dict[str, Any]:
    """The project as a JSON-ready dict (see `save_project`)."""
    relative = None
    if project_path is not None:
        try:
            relative = os.path.relpath(scenario_path, project_path.parent)
        except ValueError:  # another drive on Windows
            relative = None
    return {
        "format": PROJECT_FORMAT,
        "version": PROJECT_VERSION,
        "saved": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scenario": str(scenario_path),
        "scenario_relative": relative,
        "inputs_sha256": input_hashes(scenario) if scenario is not None else {},
        "settings": dict(edits.settings),
        "locks": [[o, d.isoformat(), s] for o, d, s in edits.lock_tuples()],
        "absences": [[a.officer_id, a.date.isoformat(), a.reason] for a in edits.absences],
        "replan_from": replan_from.isoformat() if replan_from else None,
        "plan": plan_record(plan) if plan is not None else None,
    }


def save_project(path: Path, scenario_path: Path, scenario: Scenario | None, edits: Edits, plan: Plan | None,
                 *, replan_from: dt.date | None = None) -> Path:
    """Write the project file atomically; returns its path."""
    data = project_dict(scenario_path, scenario, edits, plan, replan_from=replan_from, project_path=path)
    with atomic_write(path) as stream:
        json.dump(data, stream, indent=1, default=str)
    log.info("project saved to %s", path)
    return path


def read_project(path: Path) -> ProjectFile:
    """Read a project file.

    Raises
    ------
    ScenarioError
        When the file is missing, not a project file, or from a newer version.
    """
    problems = ProblemList()
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.add(path, None, None, "project file not found; check the path")
        problems.raise_if_any()
        raise
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.add(path, None, None, f"not a readable project file ({exc}); open a .patrolplan file saved by the app")
        problems.raise_if_any()
        raise
    if not isinstance(data, dict) or data.get("format") != PROJECT_FORMAT:
        problems.add(path, None, "format", "not a patrol-planner project file; open a .patrolplan file saved by the app")
        problems.raise_if_any()
    if data.get("version") != PROJECT_VERSION:
        problems.add(path, None, "version", f"project version {data.get('version')} is not {PROJECT_VERSION}; open it with the version that saved it")
    scenario_path = _scenario_path(Path(path), data)
    if scenario_path is None:
        problems.add(path, None, "scenario", "the scenario file named in the project is missing; put it back or start a new project from files")
    locks: dict[tuple[str, dt.date], str | None] = {}
    absences: list[Absence] = []
    try:
        for officer_id, day, shift in data.get("locks", []):
            locks[(str(officer_id), dt.date.fromisoformat(day))] = shift
        for officer_id, day, reason in data.get("absences", []):
            absences.append(Absence(str(officer_id), dt.date.fromisoformat(day), str(reason)))
        replan_from = dt.date.fromisoformat(data["replan_from"]) if data.get("replan_from") else None
    except (TypeError, ValueError) as exc:
        problems.add(path, None, "locks", f"locks or absences cannot be read ({exc}); the file is damaged")
        replan_from = None
    problems.raise_if_any()
    assert scenario_path is not None
    changed = tuple(
        Path(p) for p, digest in data.get("inputs_sha256", {}).items()
        if not Path(p).exists() or file_sha256(Path(p)) != digest
    )
    edits = Edits(locks=locks, absences=tuple(absences), settings=data.get("settings", {}) or {})
    return ProjectFile(scenario_path, edits, data.get("plan"), changed, replan_from)


def _scenario_path(path: Path, data: dict[str, Any]) -> Path | None:
    """The scenario file: the absolute path, else the path relative to the project file."""
    candidates = []
    if data.get("scenario"):
        candidates.append(Path(data["scenario"]))
    if data.get("scenario_relative"):
        candidates.append((path.parent / data["scenario_relative"]).resolve())
    for candidate in candidates:
        if candidate.exists():
            return candidate
    return None


def restore_plan(project: ProjectFile, scenario: Scenario) -> Plan | None:
    """The saved plan rebuilt over ``scenario`` (the scenario with the edits applied)."""
    if not project.plan_data:
        return None
    try:
        return plan_from_dict(project.plan_data, scenario)
    except (KeyError, TypeError, ValueError) as exc:
        raise ScenarioError([_damaged(exc)]) from exc


def _damaged(exc: Exception):
    from solver.problems import Problem

    return Problem("project", None, "plan", f"the saved plan cannot be read ({exc}); re-plan")
