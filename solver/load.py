"""Load a scenario with its street network: read, validate, build/snap, all problems at once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from solver.domain import Scenario
from solver.problems import ProblemList, ScenarioError

log = logging.getLogger(__name__)

#: Margin around the network's extent inside which points still count as "in the area".
AREA_MARGIN_DEG = 0.003


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with its walking graph and the snapped stations and hotspots."""

    scenario: Scenario
    graph: Any  # networkx.MultiDiGraph
    snapping: Any  # solver.snapping.Snapping


def check_network(scenario: Scenario, *, cache_dir: Path | None = None) -> LoadedScenario:
    """Build the walking network and snap the scenario to it.

    Raises
    ------
    ScenarioError
        A bad network file, points outside the network's area, or points too far from any
        walkable street; every such problem at once.
    """
    from solver.network import graph_bounds, load_walk_graph
    from solver.snapping import snap_scenario

    problems = ProblemList()
    try:
        graph = load_walk_graph(scenario.network_path, cache_dir=cache_dir)
    except ValueError as exc:
        problems.add(scenario.network_path, None, None, str(exc))
        problems.raise_if_any()
        raise AssertionError("unreachable") from exc
    min_lat, min_lon, max_lat, max_lon = graph_bounds(graph)
    files = _source_files(scenario)
    for label, things in (("stations", scenario.stations), ("hotspots", scenario.hotspots)):
        for thing in things:
            if not (min_lat - AREA_MARGIN_DEG <= thing.lat <= max_lat + AREA_MARGIN_DEG and min_lon - AREA_MARGIN_DEG <= thing.lon <= max_lon + AREA_MARGIN_DEG):
                problems.add(
                    files.get(label, label), None, "lat/lon",
                    f"{label[:-1]} '{thing.id}' at {thing.lat:.5f}, {thing.lon:.5f} is outside the street network's area "
                    f"(lat {min_lat:.4f} to {max_lat:.4f}, lon {min_lon:.4f} to {max_lon:.4f}); check the coordinates or use a larger OSM extract",
                )
    problems.raise_if_any()
    snapping = snap_scenario(graph, scenario)
    if snapping.problems:
        raise ScenarioError(list(snapping.problems))
    return LoadedScenario(scenario, graph, snapping)


def _source_files(scenario: Scenario) -> dict[str, str]:
    """Best guess of which input file holds stations and hotspots, for messages."""
    result: dict[str, str] = {}
    for path in scenario.input_paths:
        name = path.name.lower()
        for label in ("stations", "hotspots"):
            if label[:-1] in name and label not in result:
                result[label] = str(path)
    return result
