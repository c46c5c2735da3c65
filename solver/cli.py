"""The ``patrol-plan`` command line.

Exit codes: 0 success, 1 invalid input (every problem listed), 2 infeasible roster,
130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from solver.cli_hotspots import add_hotspots_command
from solver.problems import ScenarioError

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_INFEASIBLE = 2
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="patrol-plan",
        description="Plan hotspot foot patrols: roster, walking routes, route sheets.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check", help="load and validate a scenario, its files and its street network"
    )
    _add_scenario_argument(check)
    check.set_defaults(handler=run_check)
    add_hotspots_command(commands)
    return parser


def _add_scenario_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", nargs="?", type=Path, help="scenario TOML file")
    parser.add_argument("--demo", action="store_true", help="use the embedded Leeds demo")


def scenario_path_from(args: argparse.Namespace) -> Path:
    """The scenario path given on the command line, or the embedded demo's."""
    if args.demo:
        from solver.demo import demo_scenario_path

        return demo_scenario_path()
    if args.scenario is None:
        raise SystemExit("patrol-plan: give a SCENARIO.toml or --demo")
    return args.scenario


def print_problems(error: ScenarioError) -> None:
    """Every problem, one per line, on stderr."""
    print(f"{len(error.problems)} problem(s) found:", file=sys.stderr)
    for problem in error.problems:
        print(f"  - {problem}", file=sys.stderr)


def run_check(args: argparse.Namespace) -> int:
    """``patrol-plan check``: validate everything, print counts or every problem."""
    from solver.load import check_network
    from solver.scenario import read_scenario

    path = scenario_path_from(args)
    try:
        scenario = read_scenario(path)
        loaded = check_network(scenario)
    except ScenarioError as error:
        print_problems(error)
        return EXIT_INVALID
    graph = loaded.graph
    print(f"scenario: {scenario.name} ({path})")
    print(f"week: {scenario.week_start} + {scenario.days} days, {scenario.timezone}")
    print(f"stations: {len(scenario.stations)}")
    print(f"hotspots: {len(scenario.hotspots)}")
    print(f"officers: {len(scenario.officers)}")
    print(f"shifts: {len(scenario.shifts)} ({', '.join(s.name for s in scenario.shifts)})")
    print(f"street network: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges")
    print("no problems")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``patrol-plan`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
