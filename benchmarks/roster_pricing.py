"""Benchmark: time of one column-generation pricing solve, with and without our CP-SAT tuning.

The column phase of the roster engine (`solver.roster_columns`) spends most of its time in
thousands of small CP-SAT solves, one per officer and iteration: the officer's own week
priced against the duals of the master LP. This script takes the duals a real root reaches
on Curtois & Qu instances (after a given number of column-generation iterations), then prices
every officer at those duals twice, once with CP-SAT's default presolve, probing and symmetry
settings and once with `roster_columns.PRICING_PARAMETERS`, both without and with cutting
planes (the engine's two attempts), and prints wall-clock and deterministic time per solve
and how many were proven optimal, side by side with the ratio tuned / default.

Usage (from the repository root)::

    .venv/bin/python -m benchmarks.roster_pricing --instances 5,8,9,12 --iterations 5,30

Each solve runs alone on one worker (as each of the engine's pricing lanes does), so the
figures measure the solve, not the machine's two cores.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from benchmarks.curtois import BENCH_DIR, read_instance, to_scenario
from benchmarks.roster_curtois import _numbers
from solver import roster_columns
from solver.roster import _build, _columns_apply, _count_rows, _prepare, _pricing_model, _solver


def _duals_at(number: int, iterations: list[int], seed: int):
    """The officers' pricing models and the master's rounded duals after each of
    ``iterations`` column-generation iterations of the root."""
    scenario = to_scenario(
        read_instance(BENCH_DIR / f"Instance{number}.txt"), time_limit_s=60.0, seed=seed
    )
    prep = _prepare(scenario, None, None, ())
    built = _build(prep, explain=False)
    if not _columns_apply(built):
        raise SystemExit(f"Instance{number} is not solved by column generation")
    officers = {o.id: _pricing_model(prep, o) for o in prep.scenario.officers}
    solving = roster_columns.Solving(_solver, lambda solver, model, cb: solver.solve(model, cb))
    snapshots: dict[int, dict] = {}
    with ThreadPoolExecutor(max_workers=2) as executor:
        gen = roster_columns._Generator(officers, _count_rows(prep), seed, 2, solving, executor)
        for done in range(1, max(iterations) + 1):
            if done in iterations:
                snapshots[done] = dict(gen.solve_master().rounded)
            if gen.iterate() == 0:
                break
    return officers, solving, snapshots


def _time_pricing(officers, solving, duals, seed: int, cuts: bool) -> tuple[float, float, int]:
    """Mean wall ms and deterministic ms per officer's pricing, and how many proved optimal."""
    walls, dets, optimal = [], [], 0
    for officer in officers.values():
        roster_columns._set_duals(officer, duals)
        start = time.perf_counter()
        status, _best, det = roster_columns._solve_pricing(
            officer, seed, roster_columns.PRICE_LIMIT_S, solving, [], cuts=cuts
        )
        walls.append(1000 * (time.perf_counter() - start))
        dets.append(1000 * det)
        optimal += status == roster_columns.cp_model.OPTIMAL
    return statistics.fmean(walls), statistics.fmean(dets), optimal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", default="5,8,9,12")
    parser.add_argument("--iterations", default="5,30", help="root iterations to take duals at")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not BENCH_DIR.is_dir():
        print(f"Benchmark data not found at {BENCH_DIR}", file=sys.stderr)
        return 1
    tuned = dict(roster_columns.PRICING_PARAMETERS)
    print(f"tuned = {tuned}")
    print(
        "| instance | iteration | cuts | officers | default wall ms | tuned wall ms | ratio | "
        "default det ms | tuned det ms | ratio | optimal default | optimal tuned |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for number in _numbers(args.instances):
        officers, solving, snapshots = _duals_at(number, _numbers(args.iterations), args.seed)
        for iteration, duals in sorted(snapshots.items()):
            for cuts in (False, True):
                figures = {}
                for label, parameters in (("default", {}), ("tuned", tuned)):
                    roster_columns.PRICING_PARAMETERS = parameters
                    # once to warm up, then measured
                    _time_pricing(officers, solving, duals, args.seed, cuts)
                    figures[label] = _time_pricing(officers, solving, duals, args.seed, cuts)
                roster_columns.PRICING_PARAMETERS = tuned
                (dw, dd, do), (tw, td, to) = figures["default"], figures["tuned"]
                print(
                    f"| {number} | {iteration} | {'yes' if cuts else 'no'} | {len(officers)} | "
                    f"{dw:.1f} | {tw:.1f} | {tw / dw:.2f} | {dd:.1f} | {td:.1f} | {td / dd:.2f} | "
                    f"{do} | {to} |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
