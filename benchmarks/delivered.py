"""Delivered dosage from GPS tracks: a week of tracks for the demo plan, time, memory, accuracy.

    /work/venv/bin/python benchmarks/delivered.py [--plan DIR] [--step 10] [--seed 1]

Without ``--plan`` the demo is planned first (``patrol-plan plan --demo --time-limit 60``,
1 to 2 minutes, not timed). For every officer on every tour of the plan a synthetic track is
walked along the tour's real street path (`solver.track_synth`: 5 to 15 m correlated GPS
error, 3 % lost fixes, an outage, 0.5 % wild and 0.5 % inaccurate fixes), one fix every
``--step`` seconds. The tracks are written as one CSV location export with one device id per
officer (a week-long track each) and a devices file, as radio systems export them. Then ``patrol-plan delivered``'s work is timed:
read the CSV and the devices file, compute the report, write every output. Peak memory is
measured in a second run under tracemalloc (Python allocations, numpy included).

Side by side: the time against the 10 s target, and the delivered minutes against the truth
(the noise-free walks sampled every second, the same visit rules), the compliance against
100 % (every planned visit was walked).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from solver.delivered import compute_delivered  # noqa: E402
from solver.delivered_model import DeliveredSettings  # noqa: E402
from solver.delivered_write import write_report_folder  # noqa: E402
from solver.geometry import EARTH_RADIUS_M  # noqa: E402
from solver.load import check_network  # noqa: E402
from solver.plan_io import read_plan  # noqa: E402
from solver.problems import ProblemList  # noqa: E402
from solver.track_synth import plan_tracks, write_tracks_csv  # noqa: E402
from solver.tracks_read import read_devices, read_tracks  # noqa: E402

TARGET_S = 10.0


def _plan_demo(folder: Path) -> None:
    from solver.cli import main

    code = main(["plan", "--demo", "--out", str(folder), "--time-limit", "60", "--no-sheets"])
    if code != 0:
        raise SystemExit(f"planning the demo failed ({code})")


def _truth_minutes(plan, walks, settings: DeliveredSettings) -> float:
    """Minutes the noise-free walks spend in hotspots, in visits, meal breaks left out."""
    total = 0.0
    for tour, walk in walks:
        seconds = np.arange(tour.start.timestamp(), tour.end.timestamp(), 1.0)
        lat, lon = walk.position(seconds)
        brk = tour.meal_break
        free = np.ones(seconds.size, dtype=bool)
        if brk is not None:
            free = (seconds < brk.start.timestamp()) | (seconds >= brk.end.timestamp())
        for h in plan.scenario.hotspots:
            p1, p2 = math.radians(h.lat), np.radians(lat)
            a = np.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(np.radians(lon - h.lon) / 2) ** 2
            inside = (2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a)) <= h.radius_m) & free
            if not inside.any():
                continue
            edges = np.diff(np.concatenate(([0], inside.astype(int), [0])))
            runs: list[list[int]] = []
            for s, e in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
                if runs and s - runs[-1][1] <= settings.merge_gap_min * 60:
                    runs[-1][1] = e
                else:
                    runs.append([s, e])
            total += sum(e - s for s, e in runs if e - s >= settings.min_visit_min * 60) / 60.0
    return total


def _process(plan, csv_path: Path, devices_path: Path, out: Path) -> tuple[dict[str, float], object]:
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    problems = ProblemList()
    devices = read_devices(devices_path, problems, plan.scenario.timezone)
    read = read_tracks([csv_path], plan.scenario.timezone, problems)
    problems.raise_if_any()
    t1 = time.perf_counter()
    report = compute_delivered(plan, read.tracks, DeliveredSettings(), devices)
    t2 = time.perf_counter()
    write_report_folder(report, out, hotspot_names={h.id: h.name for h in plan.scenario.hotspots}, title=plan.scenario.name)
    t3 = time.perf_counter()
    timings.update(read=t1 - t0, compute=t2 - t1, write=t3 - t2, total=t3 - t0)
    return timings, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", type=Path, default=None, help="a plan folder (default: plan the demo first)")
    parser.add_argument("--step", type=float, default=10.0, help="seconds between fixes (default 10)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="delivered-bench-"))
    plan_dir = args.plan
    if plan_dir is None:
        plan_dir = work / "plan"
        print(f"planning the demo into {plan_dir} (not timed)...")
        _plan_demo(plan_dir)
    plan = read_plan(plan_dir)
    graph = check_network(plan.scenario).graph
    t0 = time.perf_counter()
    made = list(plan_tracks(list(plan.tours), graph, step_s=args.step, seed=args.seed,
                            walk_speed_kph=plan.scenario.patrol.walk_speed_kph))
    tracks = [track for _, _, track in made]
    ids = {t.track_id: f"RADIO-{i:04d}" for i, t in enumerate(tracks)}
    csv_path, devices_path = work / "avl_week.csv", work / "devices.csv"
    write_tracks_csv(tracks, csv_path, ids=ids)
    devices_path.write_text("device_id,officer_id\n" + "".join(f"{d},{o}\n" for o, d in ids.items()), encoding="utf-8")
    walks = {id(tour): (tour, walk) for tour, walk, _ in made}
    print(f"made {len(tracks)} tracks, {sum(len(t) for t in tracks):,} fixes, CSV {csv_path.stat().st_size / 1e6:.1f} MB "
          f"in {time.perf_counter() - t0:.1f} s (not timed)")

    timings, report = _process(plan, csv_path, devices_path, work / "out1")
    tracemalloc.start()
    _process(plan, csv_path, devices_path, work / "out2")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    totals = report.totals()  # type: ignore[attr-defined]
    truth = _truth_minutes(plan, walks.values(), DeliveredSettings())
    print()
    print(f"plan: {len(plan.tours)} tours, {totals['planned_visits']:.0f} planned visits, {totals['planned_min'] / 60:.1f} planned h")
    print(f"{'step':<34}{'seconds':>10}")
    for name in ("read", "compute", "write", "total"):
        print(f"{name:<34}{timings[name]:>10.2f}")
    print(f"{'target':<34}{TARGET_S:>10.2f}   total / target = {timings['total'] / TARGET_S:.2f}")
    print(f"peak traced memory: {peak / 1e6:.0f} MB")
    print()
    print(f"delivered minutes {totals['delivered_min']:.0f} vs truth {truth:.0f}: ratio {totals['delivered_min'] / truth:.3f}")
    print(f"compliance {totals['compliance'] * 100:.1f}% (every planned visit was walked: 100%); "
          f"matched planned visits {totals['matched_planned_visits']:.0f} of {totals['planned_visits']:.0f}")
    print(f"Koper-effective visits {totals['effective_visits']:.0f} of {totals['delivered_visits']:.0f} delivered; "
          f"fixes dropped {totals['fixes_dropped']:.0f} of {totals['fixes']:.0f}; unmatched tracks {totals['tracks_unmatched']:.0f}")
    print(f"work folder: {work}")


if __name__ == "__main__":
    main()
