"""Reading and validating scenario files: the demo reads; each bad input is named precisely."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from solver.problems import Problem, ScenarioError
from solver.scenario import read_scenario


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        read_scenario(path)
    return info.value.problems


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def find(problems: list[Problem], file_part: str, field: str) -> Problem:
    for problem in problems:
        if file_part in problem.file and problem.field == field:
            return problem
    raise AssertionError(f"no problem for {file_part}/{field} in {[str(p) for p in problems]}")


def test_demo_scenario_reads_with_all_counts(demo_copy: Path) -> None:
    scenario = read_scenario(demo_copy)
    assert scenario.week_start.isoweekday() == 1
    assert len(scenario.officers) == 30
    assert 20 <= len(scenario.hotspots) <= 30
    assert {s.id for s in scenario.stations} == {"CHA", "HAR"}
    assert [s.name for s in scenario.shifts] == ["Early", "Late", "Night"]
    night = scenario.shift("Night")
    assert night.night and night.crosses_midnight and night.unit_size == 2
    assert not scenario.shift("Early").night
    assert scenario.rules.min_units == {"Early": 2, "Late": 3, "Night": 1}
    assert all(o.station_id in {"CHA", "HAR"} for o in scenario.officers)
    assert scenario.dates[-1] == scenario.week_start + dt.timedelta(days=6)


def test_officer_items_parse_dates_ranges_reasons_and_requests(demo_copy: Path) -> None:
    officers = demo_copy.parent / "officers.csv"
    officers.write_text(
        "Collar No,Name,Rank,Station,Hours,Unavailable,Requests,Restrictions\n"
        "9001,PC 9001,pc,CHA,40,2026-12-01:court;2026-12-03..2026-12-04:annual leave,2026-12-02:late;05/12/2026:off,no_nights;must_pair\n",
        encoding="utf-8",
    )
    officer = read_scenario(demo_copy).officer("9001")
    assert officer.role == "PC"
    assert [(u.date.day, u.reason) for u in officer.unavailable] == [(1, "court"), (3, "annual leave"), (4, "annual leave")]
    assert [(r.date.day, r.shift) for r in officer.requests] == [(2, "Late"), (5, None)]
    assert officer.restrictions == {"no_nights", "must_pair"}


def test_cp1252_and_bom_files_are_read(demo_copy: Path) -> None:
    stations = demo_copy.parent / "stations.csv"
    stations.write_bytes("id,name,lat,lon\r\nCHA,Chapeltown Caf\xe9,53.819,-1.5322\r\nHAR,Harehills,53.8135,-1.513\r\n".encode("latin-1"))
    assert read_scenario(demo_copy).station("CHA").name == "Chapeltown Café"
    stations.write_bytes("\ufeffid,name,lat,lon\nCHA,Chapeltown,53.819,-1.5322\nHAR,Harehills,53.8135,-1.513\n".encode())
    assert read_scenario(demo_copy).station("CHA").name == "Chapeltown"


def test_unknown_station_names_file_line_and_field(demo_copy: Path) -> None:
    edit(demo_copy.parent / "officers.csv", ",CHA,", ",XYZ,")
    problem = find(problems_of(demo_copy), "officers.csv", "station")
    assert problem.row == 2 and "XYZ" in problem.message and "CHA" in problem.message


def test_duplicate_hotspot_id_is_reported_with_first_line(demo_copy: Path) -> None:
    edit(demo_copy.parent / "hotspots.csv", "H02,", "H01,")
    problem = find(problems_of(demo_copy), "hotspots.csv", "id")
    assert problem.row == 3 and "line 2" in problem.message


def test_latitude_out_of_range_and_negative_radius(demo_copy: Path) -> None:
    path = demo_copy.parent / "hotspots.csv"
    lines = path.read_text().splitlines()
    fields = lines[1].split(",")
    fields[2] = "95.0"
    lines[1] = ",".join(fields)
    fields = lines[2].split(",")
    fields[4] = "-5"
    lines[2] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")
    problems = problems_of(demo_copy)
    assert find(problems, "hotspots.csv", "lat").row == 2
    assert find(problems, "hotspots.csv", "radius_m").row == 3


def test_bad_date_in_unavailable_names_the_row(demo_copy: Path) -> None:
    path = demo_copy.parent / "officers.csv"
    lines = path.read_text().splitlines()
    lines[4] = lines[4].replace("2026-12-02..2026-12-03:training", "2026-13-45:training")
    path.write_text("\n".join(lines) + "\n")
    problem = find(problems_of(demo_copy), "officers.csv", "unavailable")
    assert problem.row == 5 and "2026-13-45" in problem.message


def test_unknown_shift_in_requests_and_rules(demo_copy: Path) -> None:
    edit(demo_copy.parent / "officers.csv", ":Late", ":Evening")
    edit(demo_copy, "Late = 3", "Lates = 3")
    problems = problems_of(demo_copy)
    assert "Evening" in find(problems, "officers.csv", "requests").message
    rule = find(problems, "scenario.toml", "rules.min_units.Lates")
    assert rule.row is not None and "Lates" in rule.message


def test_missing_column_and_empty_file_are_reported_together(demo_copy: Path) -> None:
    (demo_copy.parent / "stations.csv").write_text("id,name,lat\nCHA,x,53.8\n")
    (demo_copy.parent / "hotspots.csv").write_text("")
    problems = problems_of(demo_copy)
    missing = find(problems, "stations.csv", "lon")
    assert missing.row == 1 and "missing column" in missing.message
    assert any("hotspots.csv" in p.file and "empty" in p.message for p in problems)


def test_week_start_must_be_a_monday(demo_copy: Path) -> None:
    edit(demo_copy, "week_start = 2026-11-30", 'week_start = "2026-12-01"')
    problem = find(problems_of(demo_copy), "scenario.toml", "scenario.week_start")
    assert "Monday" in problem.message and problem.row == 6


def test_unknown_keys_and_bad_types_in_toml(demo_copy: Path) -> None:
    edit(demo_copy, "walk_speed_kph = 4.5", 'walk_speed_kph = "fast"\nwalk_sped = 4')
    problems = problems_of(demo_copy)
    assert find(problems, "scenario.toml", "patrol.walk_speed_kph").row is not None
    assert "unknown key" in find(problems, "scenario.toml", "patrol.walk_sped").message


def test_missing_file_is_reported(demo_copy: Path) -> None:
    (demo_copy.parent / "officers.csv").unlink()
    problems = problems_of(demo_copy)
    assert any("officers.csv" in p.file and "not found" in p.message for p in problems)


def test_invalid_toml_gives_the_line(demo_copy: Path) -> None:
    edit(demo_copy, "days = 7", "days = = 7")
    problem = problems_of(demo_copy)[0]
    assert problem.row == 7 and "TOML" in problem.message


def test_risk_file_sets_profiles_and_rejects_unknown_hotspot(demo_copy: Path) -> None:
    risk = demo_copy.parent / "risk.csv"
    risk.write_text("hotspot_id,weekday,hour,risk\nH01,5,22,3.5\nH01,6,23,2\n")
    scenario = read_scenario(demo_copy)
    hotspot = scenario.hotspot("H01")
    assert hotspot.risk[4 * 24 + 22] == 3.5 and hotspot.risk[0] == 0 and not hotspot.risk_assumed
    assert scenario.hotspot("H02").risk_assumed
    risk.write_text("hotspot_id,weekday,hour,risk\nNOPE,8,22,1\n")
    problems = problems_of(demo_copy)
    assert find(problems, "risk.csv", "weekday").row == 2
    assert find(problems, "risk.csv", "hotspot_id").row == 2


def test_officers_from_excel_with_header_variants(demo_copy: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Collar Number", "Name", "Role", "Station", "Contracted Hours", "Unavailable"])
    sheet.append([3001, "PC 3001", "PC", "CHA", 40, dt.datetime(2026, 12, 1)])
    sheet.append([3002, "PC 3002", "PC", "NOWHERE", 40, None])
    book.save(demo_copy.parent / "officers.xlsx")
    edit(demo_copy, 'officers = "officers.csv"', 'officers = "officers.xlsx"')
    problems = problems_of(demo_copy)
    assert [p.row for p in problems if p.field == "station"] == [3]
    sheet.delete_rows(3)
    book.save(demo_copy.parent / "officers.xlsx")
    officer = read_scenario(demo_copy).officer("3001")
    assert officer.unavailable[0].date == dt.date(2026, 12, 1)


def test_rota_file_becomes_tours_and_checks_ids(demo_copy: Path) -> None:
    edit(demo_copy, 'officers = "officers.csv"', 'officers = "officers.csv"\nrota = "rota.csv"')
    rota = demo_copy.parent / "rota.csv"
    officer_id = (demo_copy.parent / "officers.csv").read_text().splitlines()[1].split(",")[0]
    rota.write_text(f"officer_id,officer_name,date,shift,start,end,station_id,unit_id\n{officer_id},x,2026-11-30,Late,,,CHA,U1\n")
    scenario = read_scenario(demo_copy)
    assert scenario.rota[0].officer_id == officer_id and scenario.rota[0].shift == "Late"
    rota.write_text("officer_id,date,shift\nGHOST,2026-11-30,Late\n")
    assert find(problems_of(demo_copy), "rota.csv", "officer_id").row == 2


def test_officer_working_pattern_limits_are_read(demo_copy: Path) -> None:
    officers = demo_copy.parent / "officers.csv"
    officers.write_text(
        "id,name,role,station,contracted_hours,unavailable,max_tours,min_hours,max_hours,"
        "max_consecutive_days,min_consecutive_days,min_consecutive_days_off,max_weekends\n"
        "9001,PC 9001,PC,CHA,40,,night=2;Late=0,24,40,4,2,2,1\n"
        "9002,PC 9002,PC,CHA,40,,,,,,,,\n",
        encoding="utf-8",
    )
    scenario = read_scenario(demo_copy)
    limited, plain = scenario.officer("9001"), scenario.officer("9002")
    assert limited.max_tours == (("Night", 2), ("Late", 0))
    assert (limited.min_minutes, limited.max_minutes) == (24 * 60, 40 * 60)
    assert limited.max_consecutive_days == 4
    assert (limited.min_consecutive_days, limited.min_consecutive_days_off) == (2, 2)
    assert limited.max_weekends == 1
    assert plain.max_tours == () and plain.min_minutes is None and plain.max_weekends is None
    assert plain.max_consecutive_days is None and plain.min_consecutive_days == 1


def test_bad_officer_limits_name_row_and_field(demo_copy: Path) -> None:
    officers = demo_copy.parent / "officers.csv"
    officers.write_text(
        "id,name,role,station,contracted_hours,unavailable,max_tours,min_hours,max_hours,max_weekends\n"
        "9001,PC 9001,PC,CHA,40,,Nights=2,30,20,1.5\n",
        encoding="utf-8",
    )
    problems = problems_of(demo_copy)
    tours = find(problems, "officers.csv", "max_tours")
    assert tours.row == 2 and "Nights=2" in tours.message and "Night=2;Late=3" in tours.message
    assert "swap" in find(problems, "officers.csv", "min_hours").message
    assert "whole number" in find(problems, "officers.csv", "max_weekends").message


def test_cover_targets_are_read_and_checked(demo_copy: Path) -> None:
    text = demo_copy.read_text(encoding="utf-8")
    demo_copy.write_text(
        text.replace(
            "[rules.min_units]",
            "[[rules.cover_targets]]\nshift = \"Late\"\nunits = 5\nunder_weight = 20\n\n"
            "[[rules.cover_targets]]\nshift = \"Night\"\nunits = 2\ndate = 2026-12-04\nover_weight = 3\n\n"
            "[rules.min_units]",
            1,
        ),
        encoding="utf-8",
    )
    targets = read_scenario(demo_copy).rules.cover_targets
    assert [(t.shift, t.units, t.date, t.under_weight, t.over_weight) for t in targets] == [
        ("Late", 5, None, 20.0, 0.0),
        ("Night", 2, dt.date(2026, 12, 4), 1.0, 3.0),
    ]
    edit(demo_copy, 'shift = "Night"\nunits = 2', 'shift = "Nite"\nunits = -1')
    problems = problems_of(demo_copy)
    shift = find(problems, "scenario.toml", "rules.cover_targets[2].shift")
    assert "Nite" in shift.message and shift.row is not None
    assert find(problems, "scenario.toml", "rules.cover_targets[2].units").row == shift.row
