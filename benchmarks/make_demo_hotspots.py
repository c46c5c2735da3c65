"""Regenerate the embedded demo's hotspots from the real West Yorkshire crime records.

    /work/venv/bin/python benchmarks/make_demo_hotspots.py [--shared DIR] [--out DIR]

Reads the Leeds OSM extract and the 2016-07, 2017-07 and 2018-07 West Yorkshire
data.police.uk files from ../shared/data (beside the repository), keeps the records inside
the OSM file's bounding box, derives the top 25 harm-weighted hotspots (default settings,
shipped CCHI weights) and writes resources/demo/hotspots.csv and resources/demo/risk.csv.
The records carry a month only, so the risk is the assumed evening/weekend profile.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from solver.crimes import read_crimes  # noqa: E402
from solver.harm import read_harm_weights  # noqa: E402
from solver.hotspots_derive import HotspotSettings, derive_hotspots, network_area  # noqa: E402
from solver.hotspots_write import write_hotspots_csv, write_risk_csv  # noqa: E402
from solver.network import load_walk_graph  # noqa: E402

MONTHS = ("2016-07", "2017-07", "2018-07")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared",
        type=Path,
        default=ROOT.parent / "shared",
        help="the shared data directory (default: ../shared)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "demo")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--min-visits", type=int, default=8, help="daily target of the least harmful hotspot")
    parser.add_argument("--max-visits", type=int, default=12, help="daily target of the most harmful hotspot")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    osm = args.shared / "data" / "osm" / "leeds_chapeltown_harehills.osm"
    crime_files = [
        args.shared / "data" / "crime" / f"{m}-west-yorkshire-street.csv" for m in MONTHS
    ]
    graph = load_walk_graph(osm)
    weights = read_harm_weights()
    crimes = read_crimes(crime_files, weights=weights, area=network_area(graph))
    result = derive_hotspots(crimes.records, graph, weights, HotspotSettings(top_n=args.top, min_visits_per_day=args.min_visits, max_visits_per_day=args.max_visits))
    args.out.mkdir(parents=True, exist_ok=True)
    write_hotspots_csv(result.hotspots, args.out / "hotspots.csv")
    write_risk_csv(result.hotspots, args.out / "risk.csv")
    for line in crimes.summary_lines() + result.summary_lines():
        print(line)
    print(f"wrote {args.out / 'hotspots.csv'} and {args.out / 'risk.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
