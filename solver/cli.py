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

from solver.cli_delivered import add_delivered_command
from solver.cli_hotspots import add_hotspots_command
from solver.problems import ScenarioError

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_INFEASIBLE = 2
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="patrol-plan", description="Plan hotspot foot patrols: roster, walking routes, route sheets.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="load and validate a scenario, its files and its street network")
    _add_scenario_argument(check)
    check.set_defaults(handler=run_check)

    plan = commands.add_parser("plan", help="plan the roster and routes and write every export to a folder")
    _add_scenario_argument(plan)
    plan.add_argument("--out", type=Path, required=True, help="folder for the plan and its exports")
    plan.add_argument("--time-limit", type=float, default=None, help="wall-clock budget of the whole plan in seconds (overrides [patrol] time_limit_s)")
    plan.add_argument("--seed", type=int, default=None, help="random seed (overrides [patrol] seed)")
    plan.add_argument("--from", dest="replan_from", type=_date_argument, default=None, help="re-plan from this date (YYYY-MM-DD); days before stay as in --previous")
    plan.add_argument("--previous", type=Path, default=None, help="folder of the previous plan (for --from)")
    plan.add_argument("--no-sheets", action="store_true", help="do not write route_sheets.pdf")
    plan.set_defaults(handler=run_plan)

    sheets = commands.add_parser("sheets", help="write route sheets (PDF) from a plan folder")
    sheets.add_argument("folder", type=Path, help="a folder written by 'patrol-plan plan'")
    sheets.add_argument("--unit", default=None, help="only this unit id")
    sheets.add_argument("--date", type=_date_argument, default=None, help="only tours starting on this date (YYYY-MM-DD)")
    sheets.add_argument("--output", type=Path, default=None, help="PDF file (default FOLDER/route_sheets[_UNIT][_DATE].pdf)")
    sheets.set_defaults(handler=run_sheets)

    add_hotspots_command(commands)
    add_delivered_command(commands)
    return parser


def _date_argument(text: str):
    from solver.parse import parse_date_text

    value = parse_date_text(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; write YYYY-MM-DD")
    return value


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


class _ProgressBar:
    """A one-line terminal progress bar fed by plan()'s progress callback."""

    def __init__(self, stream=sys.stderr, width: int = 30):
        self.stream = stream
        self.width = width
        self.tty = stream.isatty()
        self.last_stage = ""

    def __call__(self, stage: str, fraction: float, message: str) -> None:
        filled = int(self.width * max(0.0, min(1.0, fraction)))
        bar = "#" * filled + "-" * (self.width - filled)
        line = f"[{bar}] {fraction * 100:3.0f}% {stage}: {message}"
        if self.tty:
            self.stream.write("\r" + line[:110].ljust(110))
            self.stream.flush()
        elif stage != self.last_stage:
            self.stream.write(line + "\n")
        self.last_stage = stage

    def done(self) -> None:
        if self.tty:
            self.stream.write("\n")


def run_plan(args: argparse.Namespace) -> int:
    """``patrol-plan plan``: plan, write every export; Ctrl-C writes the best plan, marked partial."""
    import threading

    from solver.plan import PlanSettings, RosterInfeasible, plan, write_plan_folder
    from solver.plan_io import read_plan
    from solver.scenario import read_scenario

    path = scenario_path_from(args)
    try:
        scenario = read_scenario(path)
        previous = read_plan(args.previous) if args.previous else None
    except ScenarioError as error:
        print_problems(error)
        return EXIT_INVALID
    if args.replan_from and previous is None:
        print("patrol-plan: --from needs --previous (the folder of the plan to change)", file=sys.stderr)
        return EXIT_INVALID
    settings = PlanSettings(time_limit_s=args.time_limit, seed=args.seed)
    cancel = threading.Event()
    bar = _ProgressBar()
    outcome: dict[str, object] = {}

    finished = threading.Event()

    def work() -> None:
        try:
            outcome["plan"] = plan(scenario, settings, progress=bar, cancel=cancel, previous=previous, replan_from=args.replan_from)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            outcome["error"] = exc
        finally:
            finished.set()

    worker = threading.Thread(target=work, name="plan", daemon=True)
    worker.start()
    interrupted = False
    while not finished.is_set():
        try:
            finished.wait(0.2)
        except KeyboardInterrupt:
            interrupted = True
            cancel.set()
            print("\ninterrupted: stopping the search and writing the best plan found...", file=sys.stderr)
    bar.done()
    error = outcome.get("error")
    if isinstance(error, ScenarioError):
        print_problems(error)
        return EXIT_INVALID
    if isinstance(error, RosterInfeasible):
        print("The roster cannot be planned within the rules:", file=sys.stderr)
        for line in error.explanation:
            print(f"  - {line}", file=sys.stderr)
        return EXIT_INFEASIBLE
    if error is not None:
        raise error  # type: ignore[misc]
    result = outcome["plan"]
    if interrupted:
        from dataclasses import replace

        result = replace(result, status="partial")  # type: ignore[type-var]
    files = write_plan_folder(result, args.out, sheets=not args.no_sheets)  # type: ignore[arg-type]
    _print_summary(result, args.out, files)
    return EXIT_INTERRUPTED if interrupted else EXIT_OK


def _print_summary(result, folder: Path, files) -> None:
    kpis = result.kpis
    print(f"plan {result.status}: {len(result.roster)} officer tours, {len(result.tours)} unit tours, "
          f"{kpis.get('visits', 0)} hotspot visits, {kpis.get('dwell_min', 0):.0f} min in hotspots, "
          f"dwell share {kpis.get('dwell_share', 0) * 100:.1f}%, walk {kpis.get('walk_km', 0):.1f} km")
    unmet = result.unmet()
    if unmet:
        print(f"{len(unmet)} hotspot-days below target (see dosage.csv)")
    for line in result.roster_notes[:10]:
        print(f"  roster: {line}")
    print(f"wrote {len(files)} files to {folder}")


def run_sheets(args: argparse.Namespace) -> int:
    """``patrol-plan sheets``: route sheets from a plan folder (read back through plan.json)."""
    from solver.load import check_network
    from solver.plan_io import read_plan
    from solver.sheets import write_route_sheets

    try:
        result = read_plan(args.folder)
        loaded = check_network(result.scenario)
    except ScenarioError as error:
        print_problems(error)
        return EXIT_INVALID
    name = "route_sheets" + (f"_{args.unit}" if args.unit else "") + (f"_{args.date.isoformat()}" if args.date else "")
    output = args.output or args.folder / f"{name}.pdf"
    count = write_route_sheets(result, loaded.graph, output, unit=args.unit, day=args.date)
    if count == 0:
        print("no tours match --unit/--date; known units: " + ", ".join(sorted({t.unit_id for t in result.tours})[:20]), file=sys.stderr)
        return EXIT_INVALID
    print(f"wrote {count} route sheet(s) to {output}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``patrol-plan`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
