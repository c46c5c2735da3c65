"""``patrol-plan delivered``: planned vs delivered hotspot dosage from GPS tracks.

    patrol-plan delivered PLAN_DIR TRACKS... --out DIR [--devices FILE] [--tz ZONE]
                          [--skip-bad-rows] [--koper-min M] [--koper-max M] [--min-visit M] ...

Reads the plan back through PLAN_DIR/plan.json, the tracks (GPX files, CSV location exports,
or folders of them) and writes delivered.csv, delivered_visits.csv, delivered_planned.csv,
delivered_tours.csv, tracks.csv and delivered_summary.pdf into DIR. Exit codes: 0 written,
1 invalid input (every problem listed).
"""

from __future__ import annotations

import argparse
import sys
import zoneinfo
from pathlib import Path

from solver.delivered_model import DeliveredSettings
from solver.problems import ScenarioError

EXIT_OK = 0
EXIT_INVALID = 1


def add_delivered_command(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``delivered`` subcommand to the ``patrol-plan`` parser."""
    d = DeliveredSettings()
    parser = subparsers.add_parser(
        "delivered",
        help="measure the time officers spent in each hotspot from GPS tracks, against the plan",
        description=(
            "Planned vs delivered: read GPX tracks and CSV location exports "
            "(device_or_officer_id,timestamp,lat,lon[,accuracy_m]), match them to the plan's tours, "
            "and report delivered visits and minutes per hotspot and day, per tour and for the week."
        ),
    )
    parser.add_argument("plan", type=Path, metavar="PLAN_DIR", help="a folder written by 'patrol-plan plan'")
    parser.add_argument("tracks", nargs="+", type=Path, metavar="TRACKS", help="GPX tracks and CSV / XLSX location exports, or folders of them")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--devices", type=Path, help="CSV device_id,officer_id when tracks carry device ids")
    parser.add_argument("--tz", default=None, help="time zone of timestamps that do not state one (default: the scenario's)")
    parser.add_argument("--skip-bad-rows", action="store_true", help="leave out unreadable rows (listed as warnings) instead of stopping")
    parser.add_argument("--koper-min", type=float, default=d.koper_min, help=f"shortest Koper-effective visit, min (default {d.koper_min:g})")
    parser.add_argument("--koper-max", type=float, default=d.koper_max, help=f"longest Koper-effective visit, min (default {d.koper_max:g})")
    parser.add_argument("--min-visit", type=float, default=d.min_visit_min, help=f"shorter stays are passes, min (default {d.min_visit_min:g})")
    parser.add_argument("--max-accuracy", type=float, default=d.max_accuracy_m, help=f"drop fixes less accurate than this, m (default {d.max_accuracy_m:g})")
    parser.add_argument("--max-speed", type=float, default=d.max_speed_kph, help=f"fastest plausible speed on foot, km/h (default {d.max_speed_kph:g})")
    parser.add_argument("--max-gap", type=float, default=d.max_gap_s / 60.0, help=f"bridge gaps up to this long, min (default {d.max_gap_s / 60:g})")
    parser.add_argument("--exit-margin", type=float, default=d.exit_margin_m, help=f"a visit goes on while within this of the area, m (default {d.exit_margin_m:g})")
    parser.add_argument("--merge-gap", type=float, default=d.merge_gap_min, help=f"stays this close are one visit, min (default {d.merge_gap_min:g})")
    parser.add_argument("--slack", type=float, default=d.match_slack_min, help=f"match planned visits this early or late, min (default {d.match_slack_min:g})")
    parser.add_argument("--count-breaks", action="store_true", help="count time in hotspots during the planned meal break")
    parser.set_defaults(handler=run_delivered)
    return parser


def _settings(args: argparse.Namespace) -> DeliveredSettings:
    return DeliveredSettings(
        max_accuracy_m=args.max_accuracy, max_speed_kph=args.max_speed, max_gap_s=args.max_gap * 60.0, exit_margin_m=args.exit_margin,
        merge_gap_min=args.merge_gap, min_visit_min=args.min_visit, koper_min=args.koper_min, koper_max=args.koper_max,
        match_slack_min=args.slack, exclude_breaks=not args.count_breaks,
    )


def _print_problems(error: ScenarioError) -> None:
    print(f"{len(error.problems)} problem(s) found:", file=sys.stderr)
    for problem in error.problems:
        print(f"  - {problem}", file=sys.stderr)


def run_delivered(args: argparse.Namespace) -> int:
    """Handler of ``patrol-plan delivered``: read, measure, write, print a summary."""
    from solver.delivered import delivered_from_files
    from solver.delivered_write import write_report_folder
    from solver.plan_io import read_plan

    settings = _settings(args)
    messages = settings.check()
    if args.out.exists() and not args.out.is_dir():
        messages.append(f"--out {args.out}: exists and is not a folder")
    if messages:
        for line in messages:
            print(f"patrol-plan delivered: {line}", file=sys.stderr)
        return EXIT_INVALID
    try:
        plan = read_plan(args.plan)
    except ScenarioError as error:
        _print_problems(error)
        return EXIT_INVALID
    zone = args.tz or plan.scenario.timezone
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        print(f"patrol-plan delivered: --tz {zone}: not a known time zone (e.g. Europe/London)", file=sys.stderr)
        return EXIT_INVALID
    try:
        report, warnings = delivered_from_files(plan, args.tracks, devices_path=args.devices, tz=zone, settings=settings,
                                                skip_bad_rows=args.skip_bad_rows)
    except ScenarioError as error:
        _print_problems(error)
        if not args.skip_bad_rows and any(p.row is not None for p in error.problems):
            print("(fix the rows, or give --skip-bad-rows to leave them out)", file=sys.stderr)
        return EXIT_INVALID
    if warnings:
        print(f"{len(warnings)} bad row(s) left out (--skip-bad-rows):", file=sys.stderr)
        for problem in warnings:
            print(f"  - {problem}", file=sys.stderr)
    names = {h.id: h.name for h in plan.scenario.hotspots}
    files = write_report_folder(report, args.out, hotspot_names=names, title=plan.scenario.name)
    t = report.totals()
    print(f"{t['tracks']:.0f} tracks, {t['fixes']:.0f} fixes ({t['fixes_dropped']:.0f} dropped); "
          f"{t['tours_tracked']:.0f} of {t['tours']:.0f} tours tracked")
    print(f"planned {t['planned_visits']:.0f} visits, {t['planned_min'] / 60:.1f} h in hotspots; "
          f"delivered {t['delivered_visits']:.0f} visits, {t['delivered_min'] / 60:.1f} h "
          f"({t['effective_visits']:.0f} of Koper length)")
    print(f"compliance {t['compliance'] * 100:.0f}% of all planned hotspot minutes, "
          f"{t['compliance_tracked'] * 100:.0f}% of those on tracked tours")
    for track in report.unmatched_tracks:
        print(f"  unmatched: {track.source} [{track.track_id}]: {track.unmatched}", file=sys.stderr)
    print(f"wrote {len(files)} files to {args.out}")
    return EXIT_OK
