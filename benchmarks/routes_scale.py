"""Scale benchmark: 150 hotspots, 20 units on one Late shift, short vs long run.

Hotspots are the busiest crime places in the real West Yorkshire records inside the Leeds
extract (../shared/data), radius 50 m (`solver.hotspots_derive`, counts as harm), padded with
points on the network if fewer are found; stations, shifts and patrol settings come from the
demo scenario. Reports value, value / upper bound and dwell share for each time budget
(the search is stopped by the wall clock here, to show what a longer budget buys).

Usage::

    python benchmarks/routes_scale.py --times 60 600
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from solver.crimes import read_crimes  # noqa: E402
from solver.demo import demo_scenario_path  # noqa: E402
from solver.domain import Hotspot  # noqa: E402
from solver.harm import counts_only  # noqa: E402
from solver.hotspots_derive import HotspotSettings, derive_hotspots, network_area  # noqa: E402
from solver.matrix import build_walk_matrix  # noqa: E402
from solver.network import load_walk_graph  # noqa: E402
from solver.roster_result import RosterTour  # noqa: E402
from solver.routes_check import check_shift_plan  # noqa: E402
from solver.routes_scenario import solve_routes  # noqa: E402
from solver.scenario import read_scenario  # noqa: E402
from solver.snapping import snap_scenario  # noqa: E402

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@dataclasses.dataclass(frozen=True)
class _Net:
    graph: object
    snapping: object


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--times", type=float, nargs="+", default=[60.0, 600.0])
    ap.add_argument("--hotspots", type=int, default=150)
    ap.add_argument("--units", type=int, default=20)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    osm = DATA / "osm" / "leeds_chapeltown_harehills.osm"
    graph = load_walk_graph(osm)
    crimes = read_crimes(sorted((DATA / "crime").glob("*west-yorkshire*.csv")), weights=counts_only(), area=network_area(graph))
    found = derive_hotspots(crimes.records, graph, counts_only(), HotspotSettings(top_n=args.hotspots, radius_m=50.0, min_radius_m=50.0))
    hotspots = list(found.hotspots)
    rng = np.random.default_rng(0)
    nodes = list(graph.nodes)
    low = min((h.weight for h in hotspots), default=1.0)
    while len(hotspots) < args.hotspots:
        n = nodes[int(rng.integers(0, len(nodes)))]
        k = len(hotspots) + 1
        hotspots.append(Hotspot(f"P{k:03d}", f"padding point {k}", float(graph.nodes[n]["y"]), float(graph.nodes[n]["x"]), low, radius_m=50.0))
    base = read_scenario(demo_scenario_path())
    scenario = dataclasses.replace(base, hotspots=tuple(hotspots), network_path=osm)
    snapping = snap_scenario(graph, scenario)
    matrix = build_walk_matrix(graph, snapping.all_nodes(), walk_speed_kph=scenario.patrol.walk_speed_kph)
    day = scenario.dates[0]
    officers = [o for o in scenario.officers if o.can_patrol][: args.units]
    tours = [RosterTour(o.id, day, "Late", o.station_id, f"U{i + 1:02d}") for i, o in enumerate(officers)]
    print(f"# Scale: {len(found.hotspots)} derived + {len(hotspots) - len(found.hotspots)} padding hotspots, {len(tours)} units, Late {day}\n")
    print("| budget | value | value / upper bound | dwell share | visits | unmet (hotspot-days) | checker | wall s |")
    print("|---|---|---|---|---|---|---|---|")
    for budget in args.times:
        t0 = time.perf_counter()
        routes = solve_routes(scenario, tours, _Net(graph, snapping), matrix=matrix, time_limit_s=budget, iterations=10**9, with_paths=False)
        took = time.perf_counter() - t0
        late = [s for s in routes.shifts if s.tours][0]
        rep = check_shift_plan(late.problem, late.plan)
        visits = sum(len(t.visits) for t in late.tours)
        print(
            f"| {budget:.0f} s | {late.value:,.0f} | {late.value / late.upper_bound:.1%} | {late.dwell_share:.1%} | {visits} | "
            f"{len(late.unmet)} | {'ok' if rep.ok else rep.violations[:2]} | {took:.0f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
