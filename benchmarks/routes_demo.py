"""Demo routes benchmark: dwell share and value vs a simple upper bound, every shift re-checked.

Rosters the embedded demo week (CP-SAT, `solver.roster.solve_roster`), then plans every
shift's routes on the real Leeds streets with `solver.routes_scenario.solve_routes` and
prints, per shift: units, dwell share = dwell minutes / (shift minutes - break - briefing -
debrief), value / upper bound (`solver.routes_plan.value_upper_bound`), unmet targets, and
the independent checker's verdict. The search stops on its iteration count, so the figures
do not depend on the machine's load (only the seconds do).

Usage::

    python benchmarks/routes_demo.py [--iterations N] [--shift Late] [--units-from-min]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from solver.demo import demo_scenario_path  # noqa: E402
from solver.load import check_network  # noqa: E402
from solver.matrix import build_walk_matrix  # noqa: E402
from solver.roster_result import RosterTour  # noqa: E402
from solver.routes_check import check_shift_plan  # noqa: E402
from solver.routes_scenario import solve_routes  # noqa: E402
from solver.scenario import read_scenario  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iterations", type=int, default=None, help="search iterations per shift (default: by size)")
    ap.add_argument("--shift", nargs="*", default=None, help="only these shift templates")
    ap.add_argument("--roster-s", type=float, default=20.0)
    ap.add_argument("--units-from-min", action="store_true", help="use rules.min_units officers per shift instead of the roster")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    scenario = read_scenario(demo_scenario_path())
    net = check_network(scenario)
    matrix = build_walk_matrix(net.graph, net.snapping.all_nodes(), walk_speed_kph=scenario.patrol.walk_speed_kph)
    if args.units_from_min:
        tours = []
        pcs = [o for o in scenario.officers if o.can_patrol]
        for day in scenario.dates:
            for k, template in enumerate(scenario.shifts):
                need = scenario.rules.min_units.get(template.name, 1) * max(1, template.unit_size)
                chosen = pcs[(k * 7) % len(pcs) :] + pcs[: (k * 7) % len(pcs)]
                tours += [RosterTour(o.id, day, template.name, o.station_id) for o in chosen[:need]]
        source = "rules.min_units officers per shift"
    else:
        from solver.roster import solve_roster

        roster = solve_roster(scenario, time_limit_s=args.roster_s, seed=0)
        tours = list(roster.assignments)
        source = f"CP-SAT roster ({roster.status})"
    if args.shift:
        tours = [t for t in tours if t.shift in args.shift]
    t0 = time.perf_counter()
    routes = solve_routes(scenario, tours, net, matrix=matrix, iterations=args.iterations)
    took = time.perf_counter() - t0
    print(f"# Demo routes ({scenario.name}), units from {source}; {took:.0f} s for {len(routes.shifts)} shifts\n")
    print("| date | shift | units | dwell share | per-unit share (min-max) | value / upper bound | unmet hotspots | checker | s |")
    print("|---|---|---|---|---|---|---|---|---|")
    shares: dict[str, list[float]] = {}
    for s in routes.shifts:
        if not s.tours:
            continue
        rep = check_shift_plan(s.problem, s.plan)
        per_unit = []
        for up in s.plan.units:
            u = s.problem.units[up.unit]
            per_unit.append(up.dwell / (u.end - u.start - u.break_len))
        shares.setdefault(s.shift, []).append(s.dwell_share)
        print(
            f"| {s.date} | {s.shift} | {len(s.tours)} | {s.dwell_share:.1%} | {min(per_unit):.0%}-{max(per_unit):.0%} | "
            f"{(s.value / s.upper_bound) if s.upper_bound else float('nan'):.1%} | {len(s.unmet)} | {'ok' if rep.ok else '; '.join(rep.violations[:2])} | {s.elapsed_s:.1f} |"
        )
    print()
    for shift, vals in shares.items():
        print(f"- {shift}: mean dwell share {statistics.mean(vals):.1%} over {len(vals)} shifts (min {min(vals):.1%})")
    short = sum(1 for d in routes.dosage if d.unmet_reason)
    print(f"- dosage rows short of target: {short} of {len(routes.dosage)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
