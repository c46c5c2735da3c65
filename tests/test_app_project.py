"""The app's plain-data parts (no Qt): edits applied to a scenario, settings validation, the
project file's round trip and its checks."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from planner.edits import Edits, apply_edits, current_settings, validate_settings
from planner.mapdata import Projection, nice_length_m, street_class
from planner.project import read_project, save_project
from planner.rostertable import build_roster_table, effective_tours
from solver.problems import ScenarioError
from solver.scenario import read_scenario


@pytest.fixture
def scenario(demo_copy: Path):
    return read_scenario(demo_copy)


def test_apply_edits_changes_a_copy_only(scenario):
    officer = scenario.officers[0]
    day = scenario.dates[3]
    edits = Edits(settings={"patrol": {"walk_speed_kph": 5.0, "visit_min": 12}, "rules": {"min_rest_h": 12},
                            "shifts": {"Late": {"start": "14:00", "end": "22:00"}}}).with_absence(officer.id, day, "sick")
    edited = apply_edits(scenario, edits)
    assert edited.patrol.walk_speed_kph == 5.0 and scenario.patrol.walk_speed_kph == 4.5
    assert edited.rules.min_rest_h == 12
    assert edited.shift("Late").start == dt.time(14, 0) and edited.shift("Late").end == dt.time(22, 0)
    assert edited.shift("Late").meal_break_min == scenario.shift("Late").meal_break_min
    assert edited.officer(officer.id).unavailable_on(day).reason == "sick"
    assert scenario.officer(officer.id).unavailable_on(day) is None
    for before, after in zip(scenario.hotspots, edited.hotspots, strict=True):
        assert after.visit_min == (12 if before.visit_min == scenario.patrol.visit_min else before.visit_min)


def test_an_absence_replaces_a_lock_on_that_day(scenario):
    officer, day = scenario.officers[1].id, scenario.dates[2]
    edits = Edits().with_lock(officer, day, "Early").with_absence(officer, day)
    assert (officer, day) not in edits.locks
    assert edits.absence(officer, day).reason == "sick"
    assert edits.without_absence(officer, day).absence(officer, day) is None


def test_settings_validation_names_the_setting_and_the_range(scenario):
    assert validate_settings(current_settings(scenario), scenario) == []
    problems = validate_settings({"patrol": {"walk_speed_kph": 0.2, "bogus": 1}, "rules": {"max_consecutive_days": 40},
                                  "shifts": {"Early": {"start": "7am"}, "Brunch": {}}}, scenario)
    text = "\n".join(problems)
    assert "patrol.walk_speed_kph must be a number from 1 to 8" in text
    assert "patrol.bogus" in text and "rules.max_consecutive_days" in text
    assert "shift 'Early': start and end must be HH:MM" in text
    assert "shift 'Brunch' is not in the scenario" in text
    long_break = validate_settings({"shifts": {"Early": {"meal_break_min": 470}}}, scenario)
    assert long_break and "break" in long_break[0]


def test_project_round_trip_keeps_edits_and_detects_changed_inputs(scenario, demo_copy, tmp_path):
    edits = (Edits(settings={"patrol": {"seed": 7}})
             .with_lock(scenario.officers[0].id, scenario.dates[0], "Late")
             .with_lock(scenario.officers[1].id, scenario.dates[1], None)
             .with_absence(scenario.officers[2].id, scenario.dates[2], "sick"))
    path = tmp_path / "week.patrolplan"
    save_project(path, demo_copy, scenario, edits, None, replan_from=scenario.dates[2])
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "patrolplan" and data["plan"] is None
    assert set(data["inputs_sha256"]) >= {str(p) for p in scenario.input_paths if p.exists()}
    project = read_project(path)
    assert project.scenario_path == demo_copy
    assert project.edits == edits
    assert project.replan_from == scenario.dates[2]
    assert project.changed_inputs == ()
    officers = demo_copy.parent / "officers.csv"
    officers.write_text(officers.read_text(encoding="utf-8").replace("PC 2039", "PC 2039 (A)"), encoding="utf-8")
    assert read_project(path).changed_inputs == (officers,)


def test_a_moved_project_finds_its_scenario_relative_to_itself(scenario, demo_copy, tmp_path):
    path = demo_copy.parent / "week.patrolplan"
    save_project(path, demo_copy, scenario, Edits(), None)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["scenario"] = "/nowhere/scenario.toml"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert read_project(path).scenario_path == demo_copy.resolve()


@pytest.mark.parametrize(("content", "words"), [
    ("{broken", "not a readable project file"),
    ('{"format": "something else"}', "not a patrol-planner project file"),
    ('{"format": "patrolplan", "version": 99, "scenario": "/nowhere.toml"}', "version 99"),
])
def test_bad_project_files_are_problems_not_tracebacks(tmp_path, content, words):
    path = tmp_path / "bad.patrolplan"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        read_project(path)
    assert any(words in p.message for p in info.value.problems)


def test_roster_table_counts_nights_weekends_and_hours(scenario):
    night = next(s for s in scenario.shifts if s.night)
    officer = next(o for o in scenario.officers if not o.unavailable and night.allows_role(o.role))
    saturday = next(d for d in scenario.dates if d.isoweekday() == 6)
    locks = {(officer.id, saturday): night.name, (officer.id, scenario.dates[0]): scenario.shifts[0].name}
    table = build_roster_table(scenario, None, locks)
    row = scenario.officers.index(officer)
    totals = table.totals[row]
    assert (totals.tours, totals.nights, totals.weekends) == (2, 1, 1)
    assert totals.hours == pytest.approx((night.nominal_minutes + scenario.shifts[0].nominal_minutes) / 60)
    assert table.cell(row, scenario.dates.index(saturday)).locked
    assert {(t.officer_id, t.date) for t in effective_tours(scenario, None, locks)} == set(locks)


def test_map_helpers():
    projection = Projection(53.81, -1.52)
    x, y = projection.to_xy(53.82, -1.51)
    assert x > 0 and y < 0  # east is +x, north is -y on screen
    assert projection.to_latlon(x, y) == pytest.approx((53.82, -1.51))
    assert abs(y) == pytest.approx(1112, rel=0.01)  # 0.01 degree of latitude
    assert [nice_length_m(v) for v in (0.9, 7, 180, 999, 1000)] == [0.5, 5, 100, 500, 1000]
    assert street_class("trunk") == "major" and street_class(["footway", "steps"]) == "foot"
    assert street_class(["residential", "footway"]) == "minor"
