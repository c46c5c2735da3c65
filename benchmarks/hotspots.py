"""Hotspots from crime records: hit rate and PAI on held-out data, beside two baselines.

    /work/venv/bin/python benchmarks/hotspots.py [--shared DIR] [--radius 100]

Builds hotspots from the 2016-07 and 2017-07 West Yorkshire data.police.uk records inside the
Leeds OSM extract and scores them on the 2018-07 records (never seen when building). The study
area is the OSM file's bounding box. For the top 10 and top 20 areas it reports the hit rate
(share of 2018-07 crimes, or of their harm, inside the areas) and the PAI (hit rate / share
of the study area covered), by count and harm-weighted, for:

- ``derived (harm)``: `derive_hotspots` with the shipped CCHI harm weights;
- ``derived (counts)``: the same with every record counting 1;
- ``baseline: top snap points``: circles of the same radius around the N data.police.uk snap
  points with the most training records (overlaps count once in the area);
- ``baseline: grid (count)`` and ``baseline: grid (harm)``: a uniform square grid over the
  study area whose cell is 1/N of the harm-derived areas' total, so the N best cells (by
  training count, or by training harm) cover the same total area as the derived hotspots
  (of four grid offsets, the one holding most training weight is used).
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from shapely.geometry import box
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from solver.crimes import read_crimes  # noqa: E402
from solver.harm import counts_only, read_harm_weights  # noqa: E402
from solver.hotspots_derive import HotspotSettings, derive_hotspots, network_area  # noqa: E402
from solver.hotspots_eval import LocalMetres, circles, hotspot_areas, score_areas  # noqa: E402
from solver.network import load_walk_graph  # noqa: E402

TRAIN = ("2016-07", "2017-07")
TEST = ("2018-07",)


def grid_cells(study, cell_m: float, train_xy: np.ndarray, train_w: np.ndarray, n: int):
    """The n grid cells (side cell_m) with most training weight.

    The grid is anchored at the study area's corner shifted by 0 or half a cell in x and y;
    of those four grids the one whose n best cells hold the most training weight is used.
    """
    minx, miny, _, _ = study.bounds
    best = None
    for dx in (0.0, cell_m / 2):
        for dy in (0.0, cell_m / 2):
            held, geom = _grid_at(minx - dx, miny - dy, cell_m, train_xy, train_w, n)
            if best is None or held > best[0]:
                best = (held, geom)
    return best[1]


def _grid_spread(study, cell_m, train_xy, train_w, n, test_xy, test_harm):
    """PAI (by count, by harm) of the n best cells for each of the four grid offsets."""
    minx, miny, _, _ = study.bounds
    by_count, by_harm = [], []
    for dx in (0.0, cell_m / 2):
        for dy in (0.0, cell_m / 2):
            _, geom = _grid_at(minx - dx, miny - dy, cell_m, train_xy, train_w, n)
            by_count.append(score_areas(geom, study, test_xy).pai)
            by_harm.append(score_areas(geom, study, test_xy, test_harm).pai)
    return by_count, by_harm


def _grid_at(minx, miny, cell_m, train_xy, train_w, n):
    ix = np.floor((train_xy[:, 0] - minx) / cell_m).astype(int)
    iy = np.floor((train_xy[:, 1] - miny) / cell_m).astype(int)
    totals: Counter[tuple[int, int]] = Counter()
    for a, b, w in zip(ix, iy, train_w, strict=True):
        totals[(int(a), int(b))] += float(w)
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    cells = [
        box(minx + a * cell_m, miny + b * cell_m, minx + (a + 1) * cell_m, miny + (b + 1) * cell_m)
        for (a, b), _ in ranked
    ]
    return sum(v for _, v in ranked), unary_union(cells)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--radius", type=float, default=100.0, help="largest radius, m")
    parser.add_argument("--train", nargs="+", default=list(TRAIN), help="months to build from")
    parser.add_argument("--test", nargs="+", default=list(TEST), help="months to score on")
    parser.add_argument(
        "--prior",
        type=float,
        default=HotspotSettings().harm_prior_records,
        help="harm_prior_records of the derived hotspots (0: rank by harm held)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    osm = args.shared / "data" / "osm" / "leeds_chapeltown_harehills.osm"
    crime_dir = args.shared / "data" / "crime"
    started = time.perf_counter()
    graph = load_walk_graph(osm)
    bounds = network_area(graph)
    harm = read_harm_weights()
    train = read_crimes(
        [crime_dir / f"{m}-west-yorkshire-street.csv" for m in args.train],
        weights=harm,
        area=bounds,
    )
    test = read_crimes(
        [crime_dir / f"{m}-west-yorkshire-street.csv" for m in args.test], weights=harm, area=bounds
    )
    proj = LocalMetres(bounds)
    study = proj.study_area()
    test_xy = proj.xy([r.lat for r in test.records], [r.lon for r in test.records])
    test_harm = np.array([harm.weight_of(r.crime_type) for r in test.records])
    train_xy = proj.xy([r.lat for r in train.records], [r.lon for r in train.records])
    train_harm = np.array([harm.weight_of(r.crime_type) for r in train.records])

    print("# Hotspots from crime records: held-out hit rate and PAI")
    print()
    s, w, n_, e = bounds
    print(
        f"Study area: bounding box of {osm.name}, lat {s:.4f} to {n_:.4f}, lon {w:.4f} to "
        f"{e:.4f} = {study.area / 1e6:.2f} km2."
    )
    print(
        f"Built from {', '.join(args.train)}: {len(train.records)} records; tested on "
        f"{', '.join(args.test)}: {len(test.records)} records (harm {test_harm.sum():.0f} CCHI days)."
    )
    print(f"Largest radius {args.radius:g} m; harm_prior_records {args.prior:g}.")
    print()
    header = (
        "| N | method | area km2 | area % | hit rate (count) | PAI (count) | "
        "hit rate (harm) | PAI (harm) |"
    )
    print(header)
    print("|---|---|---|---|---|---|---|---|")
    rows = []
    spread = []
    for n in (10, 20):
        settings = HotspotSettings(top_n=n, radius_m=args.radius, harm_prior_records=args.prior)
        derived_harm = derive_hotspots(train.records, graph, harm, settings)
        derived_count = derive_hotspots(train.records, graph, counts_only(), settings)
        area_harm = hotspot_areas(derived_harm.hotspots, proj)
        methods = {
            "derived (harm)": area_harm,
            "derived (counts)": hotspot_areas(derived_count.hotspots, proj),
        }
        snaps = Counter((r.lat, r.lon) for r in train.records)
        top = [p for p, _ in sorted(snaps.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]
        methods["baseline: top snap points"] = circles(
            proj.xy([p[0] for p in top], [p[1] for p in top]), args.radius
        )
        cell = math.sqrt(area_harm.intersection(study).area / n)
        ones = np.ones(len(train_xy))
        methods["baseline: grid (count)"] = grid_cells(study, cell, train_xy, ones, n)
        methods["baseline: grid (harm)"] = grid_cells(study, cell, train_xy, train_harm, n)
        for name, geom in methods.items():
            by_count = score_areas(geom, study, test_xy)
            by_harm = score_areas(geom, study, test_xy, test_harm)
            rows.append((n, name, by_count, by_harm))
            print(
                f"| {n} | {name} | {by_count.area_m2 / 1e6:.3f} | {by_count.area_share:.2%} | "
                f"{by_count.hit_rate:.1%} | {by_count.pai:.2f} | {by_harm.hit_rate:.1%} | "
                f"{by_harm.pai:.2f} |"
            )
        print(f"|  | (grid cell side {cell:.0f} m) |  |  |  |  |  |  |")
        spread.append((n, _grid_spread(study, cell, train_xy, ones, n, test_xy, test_harm)))
    print()
    for n in (10, 20):
        ours = {r[1]: r for r in rows if r[0] == n}
        d = ours["derived (harm)"]
        for metric, idx in (("PAI (count)", 2), ("PAI (harm)", 3)):
            best_base = max(
                (v for k, v in ours.items() if k.startswith("baseline")),
                key=lambda r, i=idx: r[i].pai,
            )
            verdict = "beats" if d[idx].pai > best_base[idx].pai else "does NOT beat"
            print(
                f"- top {n}, {metric}: derived (harm) {d[idx].pai:.2f} {verdict} the best "
                f"baseline ({best_base[1]}, {best_base[idx].pai:.2f})"
            )
    print()
    for n, (pc, ph) in spread:
        print(
            f"- noise: the count grid's top {n} over its four half-cell offsets scores PAI "
            f"{min(pc):.2f} to {max(pc):.2f} by count, {min(ph):.2f} to {max(ph):.2f} by harm"
        )
    print()
    print(f"Run time {time.perf_counter() - started:.1f} s.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
