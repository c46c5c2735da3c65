"""Benchmark: our roster engine on the Curtois & Qu shift-scheduling instances.

Each instance is mapped into our own roster model (`benchmarks.curtois.to_scenario`), solved
by `solver.roster.solve_roster`, re-checked twice (our rule checker, and the instance's own
rules and objective in `benchmarks.curtois.evaluate`) and compared with the best-known value.

Usage (from the repository root)::

    .venv/bin/python -m benchmarks.roster_curtois --instances 1-12 --time 60
    .venv/bin/python -m benchmarks.roster_curtois --instances 5,8,12 --det 40 --seed 1

``--time`` stops each instance on the wall clock (the benchmark's 60 s; a run then depends on
the machine's speed and load, so the same seed can end differently). ``--det`` stops it on
CP-SAT's deterministic time instead, as the planner does: the same seed gives the same roster,
which makes two versions of the engine comparable run for run (about 40 deterministic s take
60 s of wall clock on Instance12 on the 2-core benchmark machine).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

from benchmarks.curtois import BENCH_DIR, BEST_KNOWN, evaluate, read_instance, to_scenario
from solver.roster import solve_roster
from solver.roster_check import check_roster


def _numbers(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            out.extend(range(int(a), int(b) + 1))
        elif part:
            out.append(int(part))
    return out


def run(number: int, time_limit_s: float, seed: int, *, deterministic: bool = False) -> dict:
    """Solve, re-check and price one instance; ``time_limit_s`` is wall-clock seconds, or
    deterministic seconds with ``deterministic``."""
    inst = read_instance(BENCH_DIR / f"Instance{number}.txt")
    scenario = to_scenario(inst, time_limit_s=time_limit_s, seed=seed)
    start = time.monotonic()
    if deterministic:
        roster = solve_roster(scenario, time_limit_s=time_limit_s)
    else:
        roster = solve_roster(scenario, wall_limit_s=time_limit_s)
    wall = time.monotonic() - start
    index = {d: i for i, d in enumerate(scenario.dates)}
    solution = {(t.officer_id, index[t.date]): t.shift for t in roster.assignments}
    penalty, errors = evaluate(inst, solution) if roster.assignments else (None, ["no roster"])
    ours = check_roster(scenario, roster.assignments) if roster.assignments else []
    best = BEST_KNOWN[number]
    return {
        "instance": number,
        "status": roster.status,
        "objective": roster.objective,
        "checked": penalty,
        "bound": roster.bound,
        "best": best,
        "gap": None if penalty is None else 100.0 * (penalty - best) / best,
        "errors": len(errors) + len(ours),
        "wall": wall,
        "det": roster.deterministic_s,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", default="1-12")
    parser.add_argument("--time", type=float, default=60.0, help="wall-clock seconds per instance")
    parser.add_argument(
        "--det",
        type=float,
        default=None,
        help="deterministic seconds per instance instead of --time (reproducible per seed)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    if not BENCH_DIR.is_dir():
        print(f"Benchmark data not found at {BENCH_DIR}", file=sys.stderr)
        return 1
    print(
        "| instance | status | objective (checked) | best-known | gap | bound | "
        "hard-rule breaches | wall s | det s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for number in _numbers(args.instances):
        if args.det is not None:
            r = run(number, args.det, args.seed, deterministic=True)
        else:
            r = run(number, args.time, args.seed)
        gap = "-" if r["gap"] is None else f"{r['gap']:+.1f}%"
        bound = "-" if r["bound"] is None else f"{r['bound']:.0f}"
        print(
            f"| {r['instance']} | {r['status']} | {r['checked']} | {r['best']} | {gap} | "
            f"{bound} | {r['errors']} | {r['wall']:.1f} | {r['det']:.1f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
