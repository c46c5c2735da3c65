"""plan() end to end on the demo (a short horizon to stay fast): every rule holds, exports
parse with their exact headers, a plan folder reads back, re-plan keeps earlier days."""

from __future__ import annotations

import csv
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace

import pytest

from solver.export import DOSAGE_COLUMNS, ROSTER_COLUMNS, TOURS_COLUMNS, VISITS_COLUMNS
from solver.load import check_network
from solver.matrix import build_walk_matrix
from solver.plan import PlanSettings, plan, write_plan_folder
from solver.plan_check import check_plan
from solver.plan_io import read_plan
from solver.roster_check import check_roster
from solver.scenario import read_scenario
from tests.conftest import DEMO_DIR, REPO

DAYS = 2
BUDGET_S = 24.0


def short_demo():
    scenario = read_scenario(DEMO_DIR / "scenario.toml")
    return replace(scenario, days=DAYS, rules=replace(scenario.rules, hours_tolerance_h=40.0))


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    scenario = short_demo()
    stages: list[str] = []
    result = plan(scenario, PlanSettings(time_limit_s=BUDGET_S, seed=1), progress=lambda s, f, m: stages.append(s))
    folder = tmp_path_factory.mktemp("plan")
    files = write_plan_folder(result, folder)
    loaded = check_network(scenario)
    matrix = build_walk_matrix(loaded.graph, loaded.snapping.all_nodes(), walk_speed_kph=scenario.patrol.walk_speed_kph)
    return result, folder, files, loaded, matrix, stages


def test_plan_is_complete_with_tours_and_visits(planned) -> None:
    result, _, _, _, _, stages = planned
    assert result.status == "complete"
    assert result.tours and sum(len(t.visits) for t in result.tours) > 20
    assert stages[0] == "Loading streets" and "Roster" in stages and "Routes" in stages
    assert 0 < result.kpis["dwell_share"] <= 1


def test_every_route_rule_holds_by_the_independent_checker(planned) -> None:
    result, _, _, loaded, matrix, _ = planned
    assert check_plan(result, loaded.graph, matrix) == []


def test_checker_catches_a_visit_moved_too_early(planned) -> None:
    result, _, _, loaded, matrix, _ = planned
    tour = next(t for t in result.tours if len(t.visits) >= 2)
    second = tour.visits[1]
    moved = replace(second, arrive=tour.visits[0].arrive, depart=tour.visits[0].depart)
    broken_tour = replace(tour, visits=(tour.visits[0], moved, *tour.visits[2:]))
    broken = replace(result, tours=tuple(broken_tour if t is tour else t for t in result.tours))
    assert check_plan(broken, loaded.graph, matrix)


def test_roster_obeys_every_hard_rule(planned) -> None:
    result, *_ = planned
    assert check_roster(result.scenario, result.roster) == []


def test_exports_parse_with_exact_headers(planned) -> None:
    result, folder, files, *_ = planned
    for name, columns in (("roster.csv", ROSTER_COLUMNS), ("tours.csv", TOURS_COLUMNS), ("visits.csv", VISITS_COLUMNS), ("dosage.csv", DOSAGE_COLUMNS)):
        with (folder / name).open(newline="") as stream:
            assert next(csv.reader(stream)) == list(columns)
    with (folder / "dosage.csv").open(newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == DAYS * len(result.scenario.hotspots)
    assert (folder / "route_sheets.pdf").stat().st_size > 10_000
    assert len(list((folder / "gpx").glob("*.gpx"))) == len(result.tours)


def test_visits_lie_inside_their_hotspots(planned) -> None:
    from solver.geometry import haversine_m

    result, *_ = planned
    hotspots = {h.id: h for h in result.scenario.hotspots}
    for tour in result.tours:
        for visit in tour.visits:
            h = hotspots[visit.hotspot_id]
            assert haversine_m(h.lat, h.lon, visit.lat, visit.lon) <= (h.radius_m or 0) + 150


def test_sheets_command_works_from_the_plan_folder_alone(planned, tmp_path) -> None:
    result, folder, *_ = planned
    unit = result.tours[0].unit_id
    day = result.tours[0].date.isoformat()
    out = tmp_path / "one.pdf"
    code = subprocess.run(
        [sys.executable, "-m", "solver", "sheets", str(folder), "--unit", unit, "--date", day, "--output", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert code.returncode == 0, code.stderr
    assert out.stat().st_size > 5_000


def test_replan_from_second_day_keeps_the_first(planned) -> None:
    result, folder, *_ = planned
    previous = read_plan(folder)
    second = result.scenario.week_start + dt.timedelta(days=1)
    sick = next(e.officer_id for e in previous.roster if e.date == second)
    officer = result.scenario.officer(sick)
    from solver.domain import Unavailability

    ill = replace(officer, unavailable=(*officer.unavailable, Unavailability(second, "sick")))
    scenario = replace(result.scenario, officers=tuple(ill if o.id == sick else o for o in result.scenario.officers))
    again = plan(scenario, PlanSettings(time_limit_s=BUDGET_S, seed=1), previous=previous, replan_from=second)
    before = {(e.officer_id, e.shift) for e in previous.roster if e.date < second}
    after = {(e.officer_id, e.shift) for e in again.roster if e.date < second}
    assert before == after
    assert any(c.officer_id == sick and c.date == second for c in again.changes)
    assert not any(e.officer_id == sick and e.date == second for e in again.roster)


def test_cancel_returns_a_cancelled_plan_quickly() -> None:
    scenario = short_demo()
    cancel = threading.Event()
    timer = threading.Timer(3.0, cancel.set)
    timer.start()
    started = time.perf_counter()
    result = plan(scenario, PlanSettings(time_limit_s=120.0), cancel=cancel)
    timer.cancel()
    assert result.status == "cancelled"
    assert time.perf_counter() - started < 20


@pytest.mark.skipif(os.name != "posix", reason="needs SIGINT")
def test_ctrl_c_writes_the_best_plan_marked_partial_and_exits_130(tmp_path) -> None:
    folder = tmp_path / "plan"
    process = subprocess.Popen(
        [sys.executable, "-m", "solver", "plan", "--demo", "--out", str(folder), "--time-limit", "300", "--no-sheets"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    time.sleep(12)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "partial" in (folder / "plan.json").read_text()
    assert (folder / "roster.csv").exists()


def test_plan_across_the_autumn_clock_change_keeps_every_rule() -> None:
    """Saturday Night 24-25 October 2026 lasts 10 real hours (clocks go back at 02:00)."""
    from solver.timeutil import elapsed_minutes

    scenario = replace(short_demo(), week_start=dt.date(2026, 10, 24))
    result = plan(scenario, PlanSettings(time_limit_s=BUDGET_S, seed=3))
    assert result.status == "complete"
    nights = [t for t in result.tours if t.shift == "Night" and t.date == dt.date(2026, 10, 24)]
    assert nights and all(elapsed_minutes(t.start, t.end) == 600 for t in nights)
    loaded = check_network(scenario)
    matrix = build_walk_matrix(loaded.graph, loaded.snapping.all_nodes(), walk_speed_kph=scenario.patrol.walk_speed_kph)
    assert check_plan(result, loaded.graph, matrix) == []
    assert check_roster(result.scenario, result.roster) == []


def test_complete_rota_is_checked_not_planned_and_routes_follow_it(tmp_path) -> None:
    import shutil

    folder = tmp_path / "rota"
    shutil.copytree(DEMO_DIR, folder)
    toml = folder / "scenario.toml"
    text = toml.read_text().replace("days = 7", "days = 2\nrota_complete = true")
    toml.write_text(text.replace('risk = "risk.csv"', 'risk = "risk.csv"\nrota = "rota.csv"'))
    officers = [line.split(",") for line in (folder / "officers.csv").read_text().splitlines()[1:]]
    pcs = [o for o in officers if o[2] == "PC" and not o[6] and not o[8]]
    first, others = pcs[0], pcs[1:7]
    rows = [f"{first[0]},2026-11-30,Late", f"{first[0]},2026-12-01,Early"]  # 8 h rest: a breach
    rows += [f"{o[0]},2026-11-30,Early" for o in others[:3]] + [f"{o[0]},2026-12-01,Late" for o in others[3:]]
    (folder / "rota.csv").write_text("officer_id,date,shift\n" + "\n".join(rows) + "\n")
    scenario = read_scenario(toml)
    assert scenario.rota_complete
    result = plan(scenario, PlanSettings(time_limit_s=BUDGET_S, seed=2))
    assert result.status == "complete"
    assert {(e.officer_id, e.date.isoformat(), e.shift) for e in result.roster} == {tuple(r.split(",")) for r in rows}
    assert result.kpis["rota_breaches"] >= 1
    assert any(first[0] in note and "rest" in note.lower() for note in result.roster_notes)
    assert {t.officer_ids[0] for t in result.tours} <= {r.split(",")[0] for r in rows}


def test_plan_on_the_real_leeds_file_keeps_every_rule(leeds_osm) -> None:
    """The full OpenStreetMap export (buildings and all), not the demo's derived extract."""
    scenario = replace(short_demo(), days=1, network_path=leeds_osm)
    result = plan(scenario, PlanSettings(time_limit_s=BUDGET_S, seed=4))
    assert result.status == "complete" and result.tours
    loaded = check_network(scenario)
    matrix = build_walk_matrix(loaded.graph, loaded.snapping.all_nodes(), walk_speed_kph=scenario.patrol.walk_speed_kph)
    assert check_plan(result, loaded.graph, matrix) == []
    assert check_roster(result.scenario, result.roster) == []
