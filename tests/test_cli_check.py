"""`patrol-plan check`: counts and "no problems" on the demo; every problem on a broken copy."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from solver.cli import main
from tests.conftest import DEMO_DIR, REPO


def test_check_demo_prints_counts_and_no_problems(capsys, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert main(["check", "--demo"]) == 0
    out = capsys.readouterr().out
    assert "officers: 30" in out and "stations: 2" in out
    assert "street network:" in out and "no problems" in out


def test_check_broken_copy_lists_every_problem_and_exits_1(tmp_path, capsys) -> None:
    folder = tmp_path / "broken"
    shutil.copytree(DEMO_DIR, folder)
    officers = folder / "officers.csv"
    lines = officers.read_text().splitlines()
    lines[1] = lines[1].replace(",CHA,", ",NOWHERE,")
    lines[2] = lines[2].replace(",40,", ",forty,")
    officers.write_text("\n".join(lines) + "\n")
    stations = folder / "stations.csv"
    stations.write_text(stations.read_text().replace("53.813500", "93.8135"))
    code = main(["check", str(folder / "scenario.toml")])
    err = capsys.readouterr().err
    assert code == 1
    assert "3 problem(s)" in err
    assert "officers.csv, line 2, field 'station'" in err
    assert "officers.csv, line 3, field 'contracted_hours'" in err
    assert "stations.csv, line 3, field 'lat'" in err
    assert "Traceback" not in err


def test_station_outside_network_area_is_a_problem(tmp_path, capsys) -> None:
    folder = tmp_path / "far"
    shutil.copytree(DEMO_DIR, folder)
    stations = folder / "stations.csv"
    stations.write_text(stations.read_text().replace("53.813500,-1.513000", "53.480000,-2.240000"))
    assert main(["check", str(folder / "scenario.toml")]) == 1
    err = capsys.readouterr().err
    assert "station 'HAR'" in err and "outside the street network's area" in err


def test_python_dash_m_solver_runs_the_same_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "solver", "check", "--demo"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "no problems" in result.stdout


def test_check_without_scenario_gives_usage_not_traceback(capsys) -> None:
    try:
        main(["check"])
    except SystemExit as exit_:
        assert "SCENARIO.toml or --demo" in str(exit_.code)
    else:
        raise AssertionError("check without a scenario must stop with a message")


def test_missing_scenario_file_is_one_clear_problem(capsys, tmp_path: Path) -> None:
    assert main(["check", str(tmp_path / "nope.toml")]) == 1
    assert "scenario file not found" in capsys.readouterr().err


def test_plan_with_impossible_staffing_exits_2_with_the_explanation(tmp_path, capsys) -> None:
    folder = tmp_path / "impossible"
    shutil.copytree(DEMO_DIR, folder)
    scenario = folder / "scenario.toml"
    scenario.write_text(scenario.read_text().replace("Late = 3", "Late = 40"))
    code = main(["plan", str(scenario), "--out", str(tmp_path / "out"), "--time-limit", "20", "--no-sheets"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Late" in err and "40" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out" / "plan.json").exists()
