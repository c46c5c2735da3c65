"""A plan to and from plain dicts (plan.json), so a plan folder can be read back."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from solver.domain import Scenario
from solver.plan_model import (
    PLAN_FORMAT_VERSION,
    DosageRow,
    Plan,
    PlannedBreak,
    PlannedTour,
    PlannedVisit,
    RosterChange,
    RosterEntry,
)
from solver.problems import ProblemList, ScenarioError


def _stamp(when: dt.datetime) -> str:
    return when.isoformat()


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The plan's roster, tours, dosage and changes as JSON-ready dicts."""
    return {
        "roster_status": plan.roster_status,
        "roster_notes": list(plan.roster_notes),
        "roster": [
            {"officer_id": e.officer_id, "date": e.date.isoformat(), "shift": e.shift, "start": _stamp(e.start),
             "end": _stamp(e.end), "station_id": e.station_id, "unit_id": e.unit_id}
            for e in plan.roster
        ],
        "tours": [_tour_to_dict(t) for t in plan.tours],
        "dosage": [
            {"date": d.date.isoformat(), "hotspot_id": d.hotspot_id, "target_visits": d.target_visits,
             "planned_visits": d.planned_visits, "planned_min": d.planned_min, "unmet_reason": d.unmet_reason}
            for d in plan.dosage
        ],
        "changes": [
            {"officer_id": c.officer_id, "date": c.date.isoformat(), "old_shift": c.old_shift, "new_shift": c.new_shift}
            for c in plan.changes
        ],
    }


def _tour_to_dict(t: PlannedTour) -> dict[str, Any]:
    brk = t.meal_break
    return {
        "date": t.date.isoformat(), "shift": t.shift, "unit_id": t.unit_id, "officer_ids": list(t.officer_ids),
        "station_id": t.station_id, "start": _stamp(t.start), "end": _stamp(t.end), "station_node": t.station_node,
        "walk_m": t.walk_m, "walk_min": t.walk_min, "value": t.value, "path_nodes": list(t.path_nodes),
        "meal_break": None if brk is None else {"start": _stamp(brk.start), "end": _stamp(brk.end), "node": brk.node, "place": brk.place},
        "visits": [
            {"seq": v.seq, "hotspot_id": v.hotspot_id, "arrive": _stamp(v.arrive), "depart": _stamp(v.depart), "node": v.node,
             "lat": v.lat, "lon": v.lon, "walk_m_from_prev": v.walk_m_from_prev, "value": v.value}
            for v in t.visits
        ],
    }


def plan_from_dict(data: dict[str, Any], scenario: Scenario) -> Plan:
    """Rebuild a `Plan` from a plan.json dict and its (re-read) scenario."""
    parse = dt.datetime.fromisoformat
    day = dt.date.fromisoformat
    tours = []
    for t in data.get("tours", []):
        brk = t.get("meal_break")
        tours.append(PlannedTour(
            date=day(t["date"]), shift=t["shift"], unit_id=t["unit_id"], officer_ids=tuple(t["officer_ids"]),
            station_id=t["station_id"], start=parse(t["start"]), end=parse(t["end"]), station_node=int(t["station_node"]),
            visits=tuple(
                PlannedVisit(seq=v["seq"], hotspot_id=v["hotspot_id"], arrive=parse(v["arrive"]), depart=parse(v["depart"]),
                             node=int(v["node"]), lat=v["lat"], lon=v["lon"], walk_m_from_prev=v["walk_m_from_prev"], value=v.get("value", 0.0))
                for v in t["visits"]
            ),
            meal_break=None if brk is None else PlannedBreak(parse(brk["start"]), parse(brk["end"]), brk.get("node"), brk.get("place", "")),
            walk_m=t["walk_m"], walk_min=t["walk_min"], value=t["value"], path_nodes=tuple(int(n) for n in t.get("path_nodes", ())),
        ))
    return Plan(
        scenario=scenario,
        status=data.get("status", "complete"),
        roster=tuple(
            RosterEntry(e["officer_id"], day(e["date"]), e["shift"], parse(e["start"]), parse(e["end"]), e["station_id"], e["unit_id"])
            for e in data.get("roster", [])
        ),
        tours=tuple(tours),
        dosage=tuple(
            DosageRow(day(d["date"]), d["hotspot_id"], d["target_visits"], d["planned_visits"], d["planned_min"], d.get("unmet_reason", ""))
            for d in data.get("dosage", [])
        ),
        changes=tuple(RosterChange(c["officer_id"], day(c["date"]), c["old_shift"], c["new_shift"]) for c in data.get("changes", [])),
        roster_status=data.get("roster_status", ""),
        roster_notes=tuple(data.get("roster_notes", ())),
        settings=data.get("settings", {}),
        kpis=data.get("kpis", {}),
        created=data.get("created", ""),
    )


def read_plan(folder: Path) -> Plan:
    """Read a plan back from its folder through plan.json (the scenario is re-read).

    Raises
    ------
    ScenarioError
        When plan.json is missing or unreadable, or the scenario it names has problems.
    """
    from solver.scenario import read_scenario

    manifest = folder / "plan.json"
    problems = ProblemList()
    if not manifest.exists():
        problems.add(manifest, None, None, "no plan.json in this folder; give the folder written by 'patrol-plan plan --out'")
        problems.raise_if_any()
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        problems.add(manifest, None, None, f"plan.json cannot be read ({exc}); write the plan again")
        problems.raise_if_any()
        raise
    version = data.get("format_version")
    if version != PLAN_FORMAT_VERSION:
        problems.add(manifest, None, "format_version", f"plan format {version} is not {PLAN_FORMAT_VERSION}; re-plan with this version")
    scenario_path = data.get("scenario")
    if not scenario_path:
        problems.add(manifest, None, "scenario", "plan.json does not name its scenario file")
    problems.raise_if_any()
    try:
        scenario = read_scenario(Path(scenario_path))
    except ScenarioError:
        raise
    return plan_from_dict(data, scenario)
