"""``patrol-plan hotspots``: derive hotspots and hour-of-week risk from crime records.

    patrol-plan hotspots CRIMES... --network FILE --out DIR [--top N] [--weights FILE]
                         [--min-harm X] [--counts] [--radius M] [--min-radius M]
                         [--profile evening_weekend|flat|FILE]

Writes DIR/hotspots.csv, DIR/hotspots.geojson and DIR/risk.csv for the planner to review and
edit before planning. Exit codes: 0 written, 1 invalid input (every problem listed) or no
hotspot found.
"""

from __future__ import annotations

import argparse
import sys
import zoneinfo
from pathlib import Path

from solver.problems import ScenarioError
from solver.risk_profile import ASSUMED_PROFILES

EXIT_OK = 0
EXIT_INVALID = 1


def add_hotspots_command(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``hotspots`` subcommand to the ``patrol-plan`` parser."""
    parser = subparsers.add_parser(
        "hotspots",
        help="derive harm-weighted hotspots and hour-of-week risk from crime records",
        description=(
            "Find the top-N compact high-harm areas on the street network from crime records "
            "(data.police.uk street-level CSVs, or a force export CSV/XLSX with a date-time "
            "per record) and write hotspots.csv, hotspots.geojson and risk.csv."
        ),
    )
    parser.add_argument("crimes", nargs="+", type=Path, metavar="CRIMES", help="crime files")
    parser.add_argument(
        "--network", type=Path, required=True, help="OpenStreetMap extract (.osm/.osm.bz2/.pbf)"
    )
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--top", type=int, default=25, help="number of hotspots (default 25)")
    parser.add_argument(
        "--weights",
        type=Path,
        help="your own harm weights CSV (crime_type,weight); default: the shipped CCHI table",
    )
    parser.add_argument(
        "--min-harm",
        type=float,
        default=0.0,
        help="leave out areas holding less harm than this (records, with --counts)",
    )
    parser.add_argument(
        "--counts", action="store_true", help="count records instead of weighting by harm"
    )
    parser.add_argument(
        "--radius", type=float, default=100.0, help="largest hotspot radius, m (default 100)"
    )
    parser.add_argument(
        "--min-radius", type=float, default=50.0, help="smallest hotspot radius, m (default 50)"
    )
    parser.add_argument(
        "--profile",
        default="evening_weekend",
        help=(
            "risk profile assumed when the records have no time of day: "
            f"{' or '.join(ASSUMED_PROFILES)}, or a CSV weekday,hour,risk (default "
            "evening_weekend)"
        ),
    )
    parser.add_argument(
        "--timezone", default="Europe/London", help="local time zone of the records"
    )
    parser.set_defaults(handler=run_hotspots)
    return parser


def run_hotspots(args: argparse.Namespace) -> int:
    """Handler of ``patrol-plan hotspots``: read, derive, write, print a summary."""
    from solver.crimes import read_crimes
    from solver.harm import counts_only, read_harm_weights
    from solver.hotspots_derive import HotspotSettings, derive_hotspots, network_area
    from solver.hotspots_write import write_hotspots_csv, write_hotspots_geojson, write_risk_csv
    from solver.network import NetworkFileError, load_walk_graph
    from solver.risk_profile import read_profile_csv

    problems = _check_options(args)
    if problems:
        for line in problems:
            print(f"patrol-plan hotspots: {line}", file=sys.stderr)
        return EXIT_INVALID
    try:
        weights = counts_only() if args.counts else read_harm_weights(args.weights)
        profile_values = None
        profile_label = ""
        if args.profile not in ASSUMED_PROFILES:
            profile_values = tuple(read_profile_csv(args.profile))
            profile_label = f"from {Path(args.profile).name}"
        crimes = read_crimes(args.crimes, weights=weights)
        graph = load_walk_graph(args.network)
        crimes = crimes.within(network_area(graph))
    except ScenarioError as error:
        print(f"{len(error.problems)} problem(s) found:", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_INVALID
    except NetworkFileError as error:
        print(f"patrol-plan hotspots: {error}", file=sys.stderr)
        return EXIT_INVALID
    settings = HotspotSettings(
        top_n=args.top,
        radius_m=args.radius,
        min_radius_m=args.min_radius,
        min_harm=args.min_harm,
        default_profile=args.profile if profile_values is None else "flat",
        profile_values=profile_values,
        profile_label=profile_label,
        timezone=args.timezone,
    )
    result = derive_hotspots(crimes.records, graph, weights, settings)
    for line in crimes.summary_lines():
        print(line)
    if not result.hotspots:
        print(
            "patrol-plan hotspots: no area holds enough harm: "
            f"{len(crimes.records)} records inside the network's area"
            + (f", minimum harm {args.min_harm:g}" if args.min_harm else "")
            + ". Check that the crime files cover the network's area, or lower --min-harm.",
            file=sys.stderr,
        )
        return EXIT_INVALID
    args.out.mkdir(parents=True, exist_ok=True)
    written = [
        write_hotspots_csv(result.hotspots, args.out / "hotspots.csv"),
        write_hotspots_geojson(result.hotspots, args.out / "hotspots.geojson"),
        write_risk_csv(result.hotspots, args.out / "risk.csv"),
    ]
    for line in result.summary_lines():
        print(line)
    for h in result.hotspots[:5]:
        print(f"  {h.id} {h.name}: weight {h.weight:g}, radius {h.radius_m:g} m")
    if len(result.hotspots) > 5:
        print(f"  ... and {len(result.hotspots) - 5} more")
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK


def _check_options(args: argparse.Namespace) -> list[str]:
    problems = []
    if args.top < 1:
        problems.append(f"--top {args.top}: give at least 1")
    if not 0 < args.min_radius <= args.radius:
        problems.append(
            f"--min-radius {args.min_radius:g} and --radius {args.radius:g}: need "
            "0 < min-radius <= radius (walkable areas are usually 50 to 150 m)"
        )
    if args.min_harm < 0:
        problems.append(f"--min-harm {args.min_harm:g}: give 0 or more")
    if args.counts and args.weights:
        problems.append("--counts and --weights together: choose one")
    if args.profile not in ASSUMED_PROFILES and not Path(args.profile).is_file():
        problems.append(
            f"--profile {args.profile}: not {' or '.join(ASSUMED_PROFILES)}, and no such file"
        )
    try:
        zoneinfo.ZoneInfo(args.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems.append(f"--timezone {args.timezone}: not a known time zone (e.g. Europe/London)")
    if args.out.exists() and not args.out.is_dir():
        problems.append(f"--out {args.out}: exists and is not a folder")
    return problems
