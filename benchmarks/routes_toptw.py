"""TOPTW benchmark: our route engine vs PyVRP, side by side, every solution re-checked.

Each Solomon (100 customers) and Cordeau (pr01-pr10) instance becomes a route problem:
tours = units at the depot, customers = hotspots with one window each, service = dwell,
score = value, no breaks. Distances are Euclidean rounded down to 1 (Solomon) or 2
(Cordeau) decimals, as the instance format says, and scaled by 10 / 100 to integers.

Usage (one line per instance, m and solver is appended to --out as JSON; --report prints the
tables from that file)::

    python benchmarks/routes_toptw.py --m 1 2 4 --time 10 --out bench_toptw.jsonl
    python benchmarks/routes_toptw.py --report bench_toptw.jsonl
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.toptw_io import OPT_M1, ToptwInstance, instance_paths, read_toptw, toptw_problem  # noqa: E402
from solver.routes import plan_shift_routes  # noqa: E402
from solver.routes_check import check_shift_plan  # noqa: E402
from solver.routes_core import RouteProblem  # noqa: E402
from solver.routes_plan import ShiftPlan, build_shift_plan  # noqa: E402
from solver.routes_search import SearchParams  # noqa: E402


def run_ours(problem: RouteProblem, time_s: float, seed: int) -> ShiftPlan:
    """Our engine with a wall-clock budget (iterations unbounded) for the side-by-side."""
    return plan_shift_routes(problem, iterations=10**9, time_limit_s=time_s, seed=seed, search=SearchParams())


def run_pyvrp(inst: ToptwInstance, problem: RouteProblem, m: int, time_s: float, seed: int) -> ShiftPlan:
    """PyVRP 0.14 prize-collecting model; its routes are timed earliest-first and re-checked."""
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    big = m * inst.tmax + 1
    model = Model()
    locs = [model.add_location(x=int(round(x * inst.scale)), y=int(round(y * inst.scale))) for x, y in inst.xy]
    depot = model.add_depot(locs[0], tw_early=int(inst.open_[0]), tw_late=int(inst.close[0]))
    model.add_vehicle_type(num_available=m, start_depot=depot, end_depot=depot, tw_early=int(inst.open_[0]), tw_late=inst.tmax)
    for i in range(1, inst.n + 1):
        model.add_client(
            locs[i],
            service_duration=int(inst.service[i]),
            tw_early=int(inst.open_[i]),
            tw_late=int(inst.close[i]),
            prize=int(inst.score[i]) * big,
            required=False,
        )
    for a in range(inst.n + 1):
        for b in range(inst.n + 1):
            if a != b:
                d = int(inst.travel[a, b])
                model.add_edge(locs[a], locs[b], distance=d, duration=d)
    res = model.solve(stop=MaxRuntime(time_s), seed=seed, display=False)
    routes, times, breaks, backs = [], [], [], []
    sol_routes = [list(r) for r in res.best.routes()]
    for k in range(m):
        # activities: depot, clients (idx = 0-based client number), depot
        seq = [act.idx + 1 for act in sol_routes[k] if act.is_client()] if k < len(sol_routes) else []
        loc, t = 0, int(inst.open_[0])
        tm, stops = [], []
        for c in seq:
            a = t + int(inst.travel[loc, c])
            s = max(a, int(inst.open_[c]))
            tm.append((a, s, s + int(inst.service[c])))
            stops.append((c - 1, c))
            loc, t = c, s + int(inst.service[c])
        routes.append(stops)
        times.append(tm)
        breaks.append(None)
        backs.append(t + int(inst.travel[loc, 0]))
    return build_shift_plan(problem, routes, times, breaks, backs, method="pyvrp")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--m", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--time", type=float, default=10.0, help="seconds per instance and solver")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", nargs="*", help="instance names (default: all 39)")
    ap.add_argument("--solvers", nargs="+", default=["ours", "pyvrp"])
    ap.add_argument("--out", type=Path, default=Path("bench_toptw.jsonl"))
    ap.add_argument("--report", type=Path, help="print the tables from a results file and exit")
    args = ap.parse_args(argv)
    if args.report:
        report(args.report)
        return 0
    paths = [p for p in instance_paths() if not args.only or p.stem in args.only]
    if not paths:
        print("no TOPTW instances found under ../shared/bench/toptw", file=sys.stderr)
        return 1
    with args.out.open("a") as out:
        for m in args.m:
            for path in paths:
                inst = read_toptw(path)
                problem = toptw_problem(inst, m)
                row = {"inst": inst.name, "m": m, "time_s": args.time}
                for solver in args.solvers:
                    t0 = time.perf_counter()
                    plan = run_ours(problem, args.time, args.seed) if solver == "ours" else run_pyvrp(inst, problem, m, args.time, args.seed)
                    took = time.perf_counter() - t0
                    rep = check_shift_plan(problem, plan)
                    row[solver] = rep.value if rep.ok else None
                    row[f"{solver}_s"] = round(took, 2)
                    row[f"{solver}_violations"] = rep.violations[:3]
                row["opt"] = OPT_M1.get(inst.name) if m == 1 else None
                out.write(json.dumps(row) + "\n")
                out.flush()
                print(json.dumps(row), flush=True)
    return 0


def report(path: Path) -> None:
    rows = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
    latest = {}
    for r in rows:
        latest[(r["inst"], r["m"])] = r
    for m in sorted({k[1] for k in latest}):
        sel = [r for (_i, mm), r in sorted(latest.items()) if mm == m and r.get("ours") is not None and r.get("pyvrp") is not None]
        if not sel:
            continue
        print(f"\n### m = {m} ({len(sel)} instances)\n")
        print("| set | n | ours mean | PyVRP mean | ours / PyVRP | ours wins | ties | PyVRP wins |" + (" ours % opt | PyVRP % opt | opt reached (ours / PyVRP) |" if m == 1 else ""))
        print("|---|---|---|---|---|---|---|---|" + ("---|---|---|" if m == 1 else ""))
        groups = {
            "Solomon c": [r for r in sel if r["inst"].startswith("c")],
            "Solomon r": [r for r in sel if r["inst"].startswith("r1")],
            "Solomon rc": [r for r in sel if r["inst"].startswith("rc")],
            "Cordeau pr": [r for r in sel if r["inst"].startswith("pr")],
            "all": sel,
        }
        for name, grp in groups.items():
            if not grp:
                continue
            ours = statistics.mean(r["ours"] for r in grp)
            peer = statistics.mean(r["pyvrp"] for r in grp)
            ratio = statistics.mean(r["ours"] / r["pyvrp"] for r in grp if r["pyvrp"])
            wins = sum(r["ours"] > r["pyvrp"] + 1e-9 for r in grp)
            ties = sum(abs(r["ours"] - r["pyvrp"]) <= 1e-9 for r in grp)
            line = f"| {name} | {len(grp)} | {ours:.1f} | {peer:.1f} | {ratio:.4f} | {wins} | {ties} | {len(grp) - wins - ties} |"
            if m == 1:
                wo = [r for r in grp if r.get("opt")]
                if wo:
                    po = statistics.mean(r["ours"] / r["opt"] for r in wo) * 100
                    pp = statistics.mean(r["pyvrp"] / r["opt"] for r in wo) * 100
                    ro = sum(r["ours"] >= r["opt"] - 1e-9 for r in wo)
                    rp = sum(r["pyvrp"] >= r["opt"] - 1e-9 for r in wo)
                    line += f" {po:.2f}% | {pp:.2f}% | {ro} / {rp} of {len(wo)} |"
                else:
                    line += " | | |"
            print(line)
        print("\n| inst | ours | PyVRP |" + (" opt |" if m == 1 else ""))
        print("|---|---|---|" + ("---|" if m == 1 else ""))
        for r in sel:
            print(f"| {r['inst']} | {r['ours']:g} | {r['pyvrp']:g} |" + (f" {r.get('opt') or 'unknown'} |" if m == 1 else ""))


if __name__ == "__main__":
    raise SystemExit(main())
