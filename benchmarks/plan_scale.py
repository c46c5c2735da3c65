"""Plan at scale: a large team's week on the real Leeds network, end to end, timed.

    /work/venv/bin/python benchmarks/plan_scale.py [--shared DIR] [--time-limit S] [--keep DIR]

Builds a scenario in a temporary folder (CSV files and a TOML, read back with
`solver.scenario.read_scenario` so the readers are exercised):

- the real Leeds OSM extract (``leeds_chapeltown_harehills.osm``) as the street network;
- the demo's two stations and its Early / Late / Night shift templates and rules, with the
  minimum units per shift doubled for a team twice the demo's size;
- 150 hotspots of radius 50 m derived from the 2016-07, 2017-07 and 2018-07 West Yorkshire
  data.police.uk records inside the extract (`solver.hotspots_derive.derive_hotspots`,
  shipped CCHI weights, 2 to 4 visits a day by harm); padded with points on the network if
  the records give fewer;
- 60 made-up officers (40 PCs, 20 PCSOs, four teams, both stations) with leave, training,
  court days, requests and restrictions in the proportions of the demo's officers.csv;
- 7 days from the demo's week start; the scenario's default time budget
  (``[patrol] time_limit_s = 120``) unless ``--time-limit`` is given.

Then runs `solver.plan.plan` once, writes every export with `solver.plan.write_plan_folder`
(route sheets included, as the command line does), and checks the result with the
independent checkers `solver.plan_check.check_plan` and `solver.roster_check.check_roster`.

Reports: machine load (before and after), wall time, CPU time, peak memory (ru_maxrss, and the
peak RSS reached by the end of each stage), time per stage, dwell share, value against the
routes' upper bound, roster objective against its bound, and every problem the checkers find.
Targets: a complete plan under 5 minutes and 2 GB.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import logging
import math
import os
import random
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from solver.crimes import read_crimes  # noqa: E402
from solver.domain import Hotspot  # noqa: E402
from solver.harm import read_harm_weights  # noqa: E402
from solver.hotspots_derive import HotspotSettings, derive_hotspots, network_area  # noqa: E402
from solver.hotspots_write import write_hotspots_csv, write_risk_csv  # noqa: E402
from solver.network import load_walk_graph  # noqa: E402

MONTHS = ("2016-07", "2017-07", "2018-07")
DEMO = ROOT / "resources" / "demo"
N_OFFICERS = 60
N_PCSO = 20
N_HOTSPOTS = 150
RADIUS_M = 50.0
MIN_UNITS = {"Early": 4, "Late": 6, "Night": 2}
TARGET_WALL_S = 300.0
TARGET_MEMORY_MB = 2048.0


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (VmHWM), MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def uptime_text() -> str:
    """The machine's load averages (1, 5, 15 min) and core count."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def derive_scale_hotspots(shared: Path, seed: int) -> tuple[list[Hotspot], int, list[str]]:
    """The top hotspots of radius 50 m from the real records, padded to 150 if needed.

    Returns the hotspots, how many came from the records, and the derivation's summary lines.
    """
    osm = shared / "data" / "osm" / "leeds_chapeltown_harehills.osm"
    crime_files = [shared / "data" / "crime" / f"{m}-west-yorkshire-street.csv" for m in MONTHS]
    graph = load_walk_graph(osm)
    weights = read_harm_weights()
    crimes = read_crimes(crime_files, weights=weights, area=network_area(graph))
    settings = HotspotSettings(top_n=N_HOTSPOTS, radius_m=RADIUS_M, min_radius_m=RADIUS_M)
    result = derive_hotspots(crimes.records, graph, weights, settings)
    hotspots = list(result.hotspots)
    derived = len(hotspots)
    if derived < N_HOTSPOTS:
        hotspots += _padding(graph, hotspots, N_HOTSPOTS - derived, seed)
    return hotspots, derived, crimes.summary_lines() + result.summary_lines()


def _padding(graph: Any, hotspots: list[Hotspot], count: int, seed: int) -> list[Hotspot]:
    """``count`` extra hotspots on network nodes at least 150 m from every other hotspot."""
    rng = random.Random(seed)
    nodes = sorted(graph.nodes)
    rng.shuffle(nodes)
    template = hotspots[-1]
    weight = round(min(h.weight for h in hotspots) * 0.5, 1)
    placed = [(h.lat, h.lon) for h in hotspots]
    extra: list[Hotspot] = []
    for node in nodes:
        if len(extra) == count:
            break
        lat, lon = graph.nodes[node]["y"], graph.nodes[node]["x"]
        if all(_metres(lat, lon, a, b) >= 150.0 for a, b in placed):
            placed.append((lat, lon))
            n = len(hotspots) + len(extra) + 1
            extra.append(replace(template, id=f"P{n:03d}", name=f"Padding point {n}", lat=round(lat, 6), lon=round(lon, 6),
                                 weight=weight, target_visits_per_day=2, notes="padding: a point on the network, not from the records"))
    return extra


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = (lat2 - lat1) * 111_320.0
    dx = (lon2 - lon1) * 111_320.0 * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, dy)


def write_officers(path: Path, week_start: dt.date, days: int, seed: int) -> dict[str, int]:
    """60 made-up officers with leave, requests and restrictions; returns counts of each."""
    rng = random.Random(seed)
    numbers = sorted(rng.sample(range(3001, 6999), N_OFFICERS))
    pcso = set(rng.sample(range(N_OFFICERS), N_PCSO))
    dates = [week_start + dt.timedelta(days=d) for d in range(days)]
    counts = {"unavailable": 0, "requests": 0, "must_pair": 0, "no_nights": 0, "no_patrol": 0, "part_time": 0}
    rows = []
    for i, number in enumerate(numbers):
        role = "PCSO" if i in pcso else "PC"
        hours = 37 if role == "PCSO" else 40
        if rng.random() < 0.1:
            hours = 24
            counts["part_time"] += 1
        unavailable: list[str] = []
        draw = rng.random()
        if draw < 0.12:
            unavailable.append(f"{rng.choice(dates).isoformat()}:annual leave")
        elif draw < 0.20:
            start = rng.randrange(days - 1)
            unavailable.append(f"{dates[start].isoformat()}..{dates[start + 1].isoformat()}:training")
        elif draw < 0.27:
            unavailable.append(f"{rng.choice(dates).isoformat()}:court")
        requests = ""
        if rng.random() < 0.3:
            day = rng.choice(dates)
            if day.isoformat() not in ";".join(unavailable):
                requests = f"{day.isoformat()}:{rng.choice(['off', 'off', 'Late', 'Early'])}"
        restriction = ""
        draw = rng.random()
        if role == "PC" and draw < 0.07:
            restriction = "must_pair"
        elif role == "PC" and draw < 0.14:
            restriction = "no_nights"
        elif 0.14 <= draw < 0.175:
            restriction = "no_patrol"
        counts["unavailable"] += bool(unavailable)
        counts["requests"] += bool(requests)
        if restriction:
            counts[restriction] += 1
        rows.append([str(number), f"{role} {number}", role, "CHA" if i % 2 == 0 else "HAR", str(hours), "ABCD"[i % 4],
                     ";".join(unavailable), requests, restriction])
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "name", "role", "station", "contracted_hours", "team", "unavailable", "requests", "restrictions"])
        writer.writerows(rows)
    return counts


def write_scenario(folder: Path, shared: Path, hotspots: list[Hotspot], seed: int, time_limit_s: float | None) -> tuple[Path, dict[str, int]]:
    """The scenario TOML and its CSV files in ``folder``: the demo's shifts and rules, scaled."""
    import tomllib

    demo_text = (DEMO / "scenario.toml").read_text(encoding="utf-8")
    demo = tomllib.loads(demo_text)
    week_start = demo["scenario"]["week_start"]
    days = int(demo["scenario"]["days"])
    write_hotspots_csv(hotspots, folder / "hotspots.csv")
    write_risk_csv(hotspots, folder / "risk.csv")
    (folder / "stations.csv").write_text((DEMO / "stations.csv").read_text(encoding="utf-8"), encoding="utf-8")
    counts = write_officers(folder / "officers.csv", week_start, days, seed)
    osm = (shared / "data" / "osm" / "leeds_chapeltown_harehills.osm").resolve()
    lines = []
    table = ""
    for line in demo_text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            table = stripped.strip("[]")
        key = stripped.split("=")[0].strip() if "=" in stripped else ""
        if table == "scenario" and key == "name":
            line = 'name = "Leeds NE at scale: 60 officers, 150 hotspots"'
        elif table == "files" and key == "network":
            line = f'network = "{osm.as_posix()}"'
        elif table == "rules.min_units" and key in MIN_UNITS:
            line = f"{key} = {MIN_UNITS[key]}"
        elif table == "patrol" and key == "time_limit_s" and time_limit_s is not None:
            line = f"time_limit_s = {time_limit_s:g}"
        lines.append(line)
    path = folder / "scenario.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="the shared data directory (default: ../shared)")
    parser.add_argument("--time-limit", type=float, default=None, help="plan budget in seconds (default: the scenario's 120)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the made-up officers and of the plan")
    parser.add_argument("--keep", type=Path, default=None, help="write the scenario and the plan folder here instead of a temporary folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    osm = args.shared / "data" / "osm" / "leeds_chapeltown_harehills.osm"
    if not osm.exists():
        print(f"missing {osm}: pass --shared DIR (the folder holding data/osm and data/crime)")
        return 1

    from solver.load import check_network
    from solver.matrix import build_walk_matrix
    from solver.plan import PlanSettings, plan, write_plan_folder
    from solver.plan_check import check_plan
    from solver.roster_check import check_roster
    from solver.scenario import read_scenario

    load_before = uptime_text()
    print(f"machine before: {load_before}")
    with tempfile.TemporaryDirectory(prefix="plan_scale_") as tmp:
        base = args.keep or Path(tmp)
        scenario_dir, out_dir, cache_dir = base / "scenario", base / "plan", base / "cache"
        for d in (scenario_dir, out_dir, cache_dir):
            d.mkdir(parents=True, exist_ok=True)
        mark = time.perf_counter()
        hotspots, derived, summary = derive_scale_hotspots(args.shared, args.seed)
        toml, counts = write_scenario(scenario_dir, args.shared, hotspots, args.seed, args.time_limit)
        scenario = read_scenario(toml)
        setup_s = time.perf_counter() - mark
        for line in summary:
            print(f"  {line}")
        print(f"scenario {toml}: {len(scenario.officers)} officers "
              f"({sum(o.role == 'PCSO' for o in scenario.officers)} PCSOs), {len(scenario.hotspots)} hotspots "
              f"({derived} from the records, {len(scenario.hotspots) - derived} padding), {len(scenario.stations)} stations, "
              f"{len(scenario.shifts)} shifts, {scenario.days} days; officers with leave/training/court {counts['unavailable']}, "
              f"requests {counts['requests']}, must_pair {counts['must_pair']}, no_nights {counts['no_nights']}, "
              f"no_patrol {counts['no_patrol']}, 24 h contracts {counts['part_time']}; budget {scenario.patrol.time_limit_s:g} s; "
              f"setup {setup_s:.1f} s (not timed below)")

        stage_peaks: dict[str, float] = {}
        last_stage = [""]

        def progress(stage: str, fraction: float, message: str) -> None:
            if stage != last_stage[0]:
                if last_stage[0]:
                    stage_peaks[last_stage[0]] = peak_rss_mb()
                last_stage[0] = stage

        rss_start = peak_rss_mb()
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        result = plan(scenario, PlanSettings(seed=args.seed), progress=progress, cache_dir=cache_dir)
        plan_s = time.perf_counter() - t0
        stage_peaks[last_stage[0]] = peak_rss_mb()
        mark = time.perf_counter()
        files = write_plan_folder(result, out_dir, cache_dir=cache_dir)
        export_s = time.perf_counter() - mark
        stage_peaks["Export"] = peak_rss_mb()
        wall_s = time.perf_counter() - t0
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_s = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

        mark = time.perf_counter()
        loaded = check_network(result.scenario, cache_dir=cache_dir)
        matrix = build_walk_matrix(loaded.graph, loaded.snapping.all_nodes(), walk_speed_kph=scenario.patrol.walk_speed_kph)
        plan_problems = check_plan(result, loaded.graph, matrix)
        roster_problems = check_roster(result.scenario, result.roster)
        check_s = time.perf_counter() - mark
        load_after = uptime_text()

        k = result.kpis
        t = k.get("timings_s", {})
        size_mb = sum(f.stat().st_size for f in out_dir.rglob("*") if f.is_file()) / 1e6
        upper = k.get("routes_upper_bound") or 0.0
        print()
        print(f"plan status {result.status}, roster {k['roster_status']}")
        print("| stage | wall s | peak RSS by its end, MB |")
        print("|---|---|---|")
        for label, key, stage in (("network (load + snap)", "network_s", "Loading streets"), ("walking matrix", "matrix_s", "Walking times"),
                                  ("roster (CP-SAT)", "roster_s", "Roster"), ("routes", "routes_s", "Routes")):
            print(f"| {label} | {t.get(key, 0.0):.2f} | {stage_peaks.get(stage, float('nan')):.0f} |")
        other = t.get("total_s", plan_s) - sum(t.get(x, 0.0) for x in ("network_s", "matrix_s", "roster_s", "routes_s"))
        print(f"| assembly and rest | {other:.2f} | {stage_peaks.get('Assembling', float('nan')):.0f} |")
        print(f"| plan() total | {t.get('total_s', plan_s):.2f} | |")
        print(f"| export (write_plan_folder: CSV, GeoJSON, GPX, roster.pdf, route_sheets.pdf) | {export_s:.2f} | {stage_peaks['Export']:.0f} |")
        print(f"| **plan + export** | **{wall_s:.2f}** | **{peak_mb:.0f}** (ru_maxrss) |")
        print()
        print(f"wall {wall_s:.1f} s (target {TARGET_WALL_S:.0f} s: {'met' if wall_s <= TARGET_WALL_S and result.status == 'complete' else 'NOT met'}); "
              f"CPU {cpu_s:.1f} s in this process ({cpu_s / wall_s:.2f} cores on average), children {children.ru_utime + children.ru_stime:.1f} s")
        print(f"peak memory {peak_mb:.0f} MB ru_maxrss (target {TARGET_MEMORY_MB:.0f} MB: {'met' if peak_mb <= TARGET_MEMORY_MB else 'NOT met'}); "
              f"{rss_start:.0f} MB before plan()")
        print(f"exports: {len(files)} files listed, {size_mb:.1f} MB in {out_dir if args.keep else 'a temporary folder'}")
        print(f"officer tours {k['officer_tours']}, unit tours {k['unit_tours']}, visits {k['visits']}, walk {k['walk_km']} km")
        print(f"dwell share {k['dwell_share']:.4f} ({k['dwell_min']:.0f} of {k['available_min']:.0f} available unit-minutes)")
        ratio = f"{k['value'] / upper:.4f}" if upper else "n/a"
        print(f"value {k['value']:,.1f} vs routes upper bound {upper:,.1f}: ratio {ratio}")
        bound = k.get("roster_bound")
        obj = k.get("roster_objective")
        print(f"roster objective {obj} vs bound {bound}")
        print(f"hotspot-days below target {k['hotspot_days_below_target']} of {len(scenario.hotspots) * scenario.days}")
        print(f"check_plan: {len(plan_problems)} problems; check_roster: {len(roster_problems)} problems (checks took {check_s:.1f} s)")
        for p in plan_problems:
            print(f"  plan: {p}")
        for p in roster_problems:
            print(f"  roster: {p}")
        print(f"machine after: {load_after}")
    return 0 if not plan_problems and not roster_problems else 3


if __name__ == "__main__":
    raise SystemExit(main())
