"""A small, real plan built by hand on the demo network, for exporter and sheet tests.

One Late tour from Chapeltown Road through four hotspots and back, walking real shortest
paths; the times follow the walking times. It exercises the writers without the solvers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from solver.load import check_network
from solver.matrix import walk_path
from solver.plan_model import DosageRow, Plan, PlannedBreak, PlannedTour, PlannedVisit, RosterEntry
from solver.scenario import read_scenario
from solver.timeutil import tour_start_end
from tests.conftest import DEMO_DIR


def build_small_plan(hotspot_name: str | None = None):
    """(plan, graph): one hand-made Late tour on the demo; optionally rename the first hotspot."""
    scenario = read_scenario(DEMO_DIR / "scenario.toml")
    if hotspot_name is not None:
        first = replace(scenario.hotspots[0], name=hotspot_name)
        scenario = replace(scenario, hotspots=(first, *scenario.hotspots[1:]))
    loaded = check_network(scenario)
    graph, snapping = loaded.graph, loaded.snapping
    day = scenario.week_start
    start, end = tour_start_end(scenario.shift("Late"), day, scenario.timezone)
    station = snapping.station_node["CHA"]
    clock = start + dt.timedelta(minutes=15)
    visits, walked, previous, total_m = [], [station], station, 0.0
    for seq, hotspot in enumerate(scenario.hotspots[:4], start=1):
        node = snapping.hotspot_access[hotspot.id][0]
        path = walk_path(graph, graph, previous, node)
        clock += dt.timedelta(seconds=path.seconds)
        visits.append(PlannedVisit(seq, hotspot.id, clock, clock + dt.timedelta(minutes=15), node,
                                   graph.nodes[node]["y"], graph.nodes[node]["x"], path.metres, 10.0))
        clock += dt.timedelta(minutes=15)
        walked += list(path.nodes[1:])
        total_m += path.metres
        previous = node
    home = walk_path(graph, graph, previous, station)
    walked += list(home.nodes[1:])
    total_m += home.metres
    meal = PlannedBreak(start + dt.timedelta(hours=4), start + dt.timedelta(hours=4, minutes=45), station, "Chapeltown Road station")
    officer = scenario.officers[0].id
    tour = PlannedTour(day, "Late", "CHA-L1", (officer,), "CHA", start, end, station, tuple(visits), meal,
                       total_m, total_m / (4.5 / 0.06), 40.0, tuple(walked))
    roster = (RosterEntry(officer, day, "Late", start, end, "CHA", "CHA-L1"),)
    dosage = tuple(
        DosageRow(day, h.id, h.target_visits_per_day, int(i < 4), 15.0 if i < 4 else 0.0, "" if i < 4 else "no unit reached it")
        for i, h in enumerate(scenario.hotspots)
    )
    return Plan(scenario, "complete", roster, (tour,), dosage, kpis={"visits": 4}), graph
