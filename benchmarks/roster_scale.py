"""Benchmark: the roster engine on the demo week and on a 120-officer fortnight.

1. Demo week (``resources/demo/scenario.toml``: 30 officers, 3 shift templates, 7 days):
   objective vs CP-SAT's proven bound within a 10 s wall-clock budget.
2. Scale: 120 officers at 4 stations, 4 shift templates, 14 days, built in code from the demo's
   real hotspots and risk profiles (officers made up, seeded): time to the first legal roster,
   and the objective at 30 s vs at 300 s of wall clock.

Every roster is re-checked by `solver.roster_check.check_roster`.

Usage (from the repository root)::

    /work/venv/bin/python -m benchmarks.roster_scale            # demo + scale (30 s, 300 s)
    /work/venv/bin/python -m benchmarks.roster_scale --skip-long
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

from solver.domain import Officer, Rules, Scenario, ShiftRequest, ShiftTemplate, Unavailability
from solver.roster import RosterProgress, solve_roster
from solver.roster_check import check_roster
from solver.scenario import read_scenario

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo" / "scenario.toml"


def scale_scenario(
    demo: Scenario, *, officers: int = 120, days: int = 14, seed: int = 7
) -> Scenario:
    """A 120-officer, 4-template, 14-day scenario on the demo's stations and hotspots."""
    rng = random.Random(seed)
    stations = [s.id for s in demo.stations]
    shifts = (
        ShiftTemplate("Early", dt.time(7), dt.time(15), briefing_min=15, debrief_min=15),
        ShiftTemplate("Late", dt.time(15), dt.time(23), briefing_min=15, debrief_min=15),
        ShiftTemplate("Evening", dt.time(18), dt.time(2), briefing_min=15, debrief_min=15),
        ShiftTemplate(
            "Night", dt.time(22), dt.time(7), unit_size=2, night=True, roles=frozenset({"PC"})
        ),
    )
    people = []
    dates = [demo.week_start + dt.timedelta(days=i) for i in range(days)]
    for i in range(officers):
        role = "PCSO" if i % 5 == 4 else "PC"
        unavailable = []
        # two rest days a week at a random pair of consecutive days, leave for a few
        for week in range(days // 7):
            first = rng.randrange(6)
            for k in (first, first + 1):
                unavailable.append(Unavailability(dates[7 * week + k], "rest day"))
        if rng.random() < 0.1:
            start = rng.randrange(days - 3)
            for k in range(3):
                day = dates[start + k]
                if all(u.date != day for u in unavailable):
                    unavailable.append(Unavailability(day, "annual leave"))
        requests = []
        if rng.random() < 0.3:
            day = rng.choice(dates)
            if all(u.date != day for u in unavailable):
                requests.append(ShiftRequest(day, rng.choice([None, "Early", "Late"])))
        restrictions = frozenset()
        if role == "PC" and rng.random() < 0.08:
            restrictions = frozenset({"no_nights"})
        people.append(
            Officer(
                id=str(3001 + i),
                name=f"{role} {3001 + i}",
                role=role,
                station_id=stations[i % len(stations)],
                contracted_hours=37.0 if role == "PCSO" else 40.0,
                unavailable=tuple(sorted(unavailable, key=lambda u: u.date)),
                requests=tuple(requests),
                restrictions=restrictions,
            )
        )
    rules = Rules(
        min_rest_h=11.0,
        max_consecutive_days=6,
        hours_tolerance_h=8.0,
        min_units={"Early": 6, "Late": 8, "Evening": 4, "Night": 3},
        forbidden_after={"Night": ("Early", "Late", "Evening"), "Evening": ("Early",)},
    )
    return replace(
        demo,
        name="scale",
        days=days,
        officers=tuple(people),
        shifts=shifts,
        rules=rules,
        rota=(),
        history=(),
    )


def run(label: str, scenario: Scenario, wall_s: float, seed: int = 0) -> dict:
    first: list[float] = []
    start = time.monotonic()

    def seen(update: RosterProgress) -> None:
        if not first:
            first.append(time.monotonic() - start)

    roster = solve_roster(scenario, wall_limit_s=wall_s, seed=seed, progress=seen)
    wall = time.monotonic() - start
    breaches = check_roster(scenario, roster.assignments) if roster.assignments else []
    gap = None
    if roster.objective is not None and roster.bound is not None and roster.bound != 0:
        gap = 100.0 * (roster.objective - roster.bound) / abs(roster.bound)
    return {
        "label": label,
        "status": roster.status,
        "objective": roster.objective,
        "bound": roster.bound,
        "gap": gap,
        "wall": wall,
        "breaches": len(breaches),
        "tours": len(roster.assignments),
        "first": first[0] if first else None,
        "det": roster.deterministic_s,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-s", type=float, default=10.0)
    parser.add_argument("--short-s", type=float, default=30.0)
    parser.add_argument("--long-s", type=float, default=300.0)
    parser.add_argument("--skip-long", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    demo = read_scenario(DEMO)
    big = scale_scenario(demo)
    runs = [
        ("demo week, 30 officers x 3 shifts x 7 days", demo, args.demo_s),
        ("scale, 120 officers x 4 shifts x 14 days", big, args.short_s),
    ]
    if not args.skip_long:
        runs.append(("scale, 120 officers x 4 shifts x 14 days", big, args.long_s))
    print(
        "| run | budget s | status | tours | first roster s | objective | bound | gap to bound "
        "| wall s | det s | rule breaches |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for label, scenario, budget in runs:
        r = run(label, scenario, budget)
        fmt = lambda v, f="{:.1f}": "-" if v is None else f.format(v)  # noqa: E731
        print(
            f"| {label} | {budget:g} | {r['status']} | {r['tours']} | {fmt(r['first'])} | "
            f"{fmt(r['objective'])} | {fmt(r['bound'])} | {fmt(r['gap'], '{:.2f}%')} | "
            f"{r['wall']:.1f} | {r['det']:.1f} | {r['breaches']} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
