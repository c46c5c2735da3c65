"""Crime record reading: real data.police.uk files, force exports, and bad files' problems."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from solver.crimes import read_crimes
from solver.harm import POLICE_UK_CRIME_TYPES, counts_only, read_harm_weights
from solver.problems import ScenarioError
from tests.conftest import CRIME_DIR

LEEDS_BOX = (53.8070, -1.5535, 53.8280, -1.4991)
POLICE_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Crime type,Last outcome category,Context"
)


def police_row(lon: str, lat: str, crime_type: str, month: str = "2018-07") -> str:
    return (
        f"abc,{month},West Yorkshire Police,West Yorkshire Police,{lon},{lat},"
        f"On or near Roundhay Road,E01,Leeds 1,{crime_type},,"
    )


def write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.fixture
def weights():
    return read_harm_weights()


def test_real_month_counts_match_an_independent_count(weights) -> None:
    path = CRIME_DIR / "2018-07-west-yorkshire-street.csv"
    if not path.exists():
        pytest.skip("real crime records not available (../shared/data/crime)")
    crimes = read_crimes([path], weights=weights, area=LEEDS_BOX)
    inside = missing = rows = 0
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            rows += 1
            if not row["Latitude"]:
                missing += 1
                continue
            lat, lon = float(row["Latitude"]), float(row["Longitude"])
            inside += LEEDS_BOX[0] <= lat <= LEEDS_BOX[2] and LEEDS_BOX[1] <= lon <= LEEDS_BOX[3]
    assert crimes.rows_read == rows
    assert len(crimes.records) == inside
    assert crimes.no_location == missing
    assert crimes.outside_area == rows - inside - missing
    assert not crimes.timed and crimes.months == ("2018-07",)
    assert {r.crime_type for r in crimes.records} <= set(POLICE_UK_CRIME_TYPES)
    summary = "\n".join(crimes.summary_lines())
    assert f"{crimes.outside_area} outside the area" in summary


def test_missing_columns_are_named(tmp_path, weights) -> None:
    path = write(tmp_path / "x.csv", ["Crime ID,Month,Location", "a,2018-07,here"])
    with pytest.raises(ScenarioError) as info:
        read_crimes([path], weights=weights)
    problems = info.value.problems
    fields = {p.field for p in problems}
    assert {"Crime type", "Latitude/Longitude"} <= fields
    assert all(p.row == 1 and p.file == str(path) for p in problems)


def test_every_bad_row_is_reported_at_once_with_line_and_field(tmp_path, weights) -> None:
    path = write(
        tmp_path / "bad.csv",
        [
            POLICE_HEADER,
            police_row("-1.52", "53.81", "Burglary"),
            police_row("-1.52", "north", "Burglary"),
            police_row("-1.52", "95.0", "Robbery"),
            police_row("-1.52", "53.81", "Jaywalking"),
            police_row("-1.52", "53.81", "Drugs", month="July 2018"),
        ],
    )
    with pytest.raises(ScenarioError) as info:
        read_crimes([path], weights=weights)
    where = {(p.row, p.field) for p in info.value.problems}
    assert (3, "Latitude") in where
    assert (4, "Latitude") in where
    assert (5, "Crime type") in where
    assert (6, "Month") in where
    unknown = next(p for p in info.value.problems if p.row == 5)
    assert "Jaywalking" in unknown.message and "--weights" in unknown.message
    assert len(info.value.problems) == 4


def test_unknown_types_are_accepted_when_counting(tmp_path) -> None:
    path = write(tmp_path / "c.csv", [POLICE_HEADER, police_row("-1.52", "53.81", "Jaywalking")])
    crimes = read_crimes([path], weights=counts_only())
    assert len(crimes.records) == 1 and crimes.records[0].crime_type == "Jaywalking"


def test_many_bad_rows_are_summarised_not_flooded(tmp_path, weights) -> None:
    rows = [POLICE_HEADER] + [police_row("-1.52", "x", "Burglary") for _ in range(200)]
    with pytest.raises(ScenarioError) as info:
        read_crimes([write(tmp_path / "m.csv", rows)], weights=weights)
    problems = info.value.problems
    assert len(problems) < 40
    assert any("more rows" in p.message for p in problems)


def test_bom_and_windows_1252_files_are_read(tmp_path, weights) -> None:
    lines = [POLICE_HEADER, police_row("-1.52", "53.81", "Robbery").replace("Roundhay", "Café")]
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode("utf-8"))
    ansi = write(tmp_path / "ansi.csv", lines, encoding="cp1252")
    crimes = read_crimes([bom, ansi], weights=weights)
    assert [r.location for r in crimes.records] == ["On or near Café Road"] * 2


def test_force_export_with_grid_references_and_times(tmp_path, weights) -> None:
    # OS worked example (Caister water tower): E 651409.903, N 313177.270 is about
    # 52.6576 N, 1.7179 E (OSGB36; WGS84 differs by about 100 m, well inside the tolerance).
    path = write(
        tmp_path / "force.csv",
        [
            "Occurrence ID;Offence Type;Date;Time;Easting;Northing",
            "1;Robbery;14/07/2018;21:30;651409.903;313177.270",
            "2;Burglary;2018-07-15;02:05;651409.903;313177.270",
        ],
    )
    crimes = read_crimes([path], weights=weights)
    first = crimes.records[0]
    assert first.lat == pytest.approx(52.6576, abs=0.003)
    assert first.lon == pytest.approx(1.7179, abs=0.003)
    assert first.when == dt.datetime(2018, 7, 14, 21, 30)
    assert crimes.records[1].when == dt.datetime(2018, 7, 15, 2, 5)
    assert crimes.timed and crimes.months == ("2018-07",)


def test_force_export_bad_grid_reference_and_date(tmp_path, weights) -> None:
    path = write(
        tmp_path / "force.csv",
        [
            "Offence Type,DateTime,Easting,Northing",
            "Robbery,2018-07-14 21:30,9999999,313177",
            "Robbery,the 14th,651409,313177",
        ],
    )
    with pytest.raises(ScenarioError) as info:
        read_crimes([path], weights=weights)
    where = {(p.row, p.field) for p in info.value.problems}
    assert where == {(2, "Easting"), (3, "DateTime")}


def test_force_export_xlsx_with_datetime_cells(tmp_path, weights) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Crime type", "Occurred", "Latitude", "Longitude"])
    sheet.append(["Public order", dt.datetime(2018, 7, 13, 23, 10), 53.81, -1.52])
    sheet.append(["Drugs", dt.datetime(2018, 7, 14, 1, 45), 53.815, -1.515])
    path = tmp_path / "force.xlsx"
    book.save(path)
    crimes = read_crimes([path], weights=weights, area=LEEDS_BOX)
    assert [r.when.hour for r in crimes.records] == [23, 1]
    assert crimes.timed


def test_records_outside_the_area_are_counted(tmp_path, weights) -> None:
    path = write(
        tmp_path / "o.csv",
        [
            POLICE_HEADER,
            police_row("-1.52", "53.81", "Robbery"),
            police_row("-2.99", "53.40", "Robbery"),
            police_row("", "", "Robbery"),
        ],
    )
    crimes = read_crimes([path], weights=weights, area=LEEDS_BOX)
    assert (len(crimes.records), crimes.outside_area, crimes.no_location) == (1, 1, 1)


def test_shipped_weights_cover_every_police_uk_type() -> None:
    weights = read_harm_weights()
    for crime_type in POLICE_UK_CRIME_TYPES:
        assert weights.weight_of(crime_type) > 0
    assert weights.weight_of("violence AND sexual offences ") == weights.weight_of(
        "Violence and sexual offences"
    )


def test_bad_weights_file_lists_every_problem(tmp_path) -> None:
    path = write(
        tmp_path / "w.csv",
        ["crime_type,weight", "Burglary,-3", "Robbery,lots", "Drugs,2", "drugs,4"],
    )
    with pytest.raises(ScenarioError) as info:
        read_harm_weights(path)
    assert {(p.row, p.field) for p in info.value.problems} == {
        (2, "weight"),
        (3, "weight"),
        (5, "crime_type"),
    }


def test_limiting_to_the_area_afterwards_gives_the_same_counts(tmp_path, weights) -> None:
    path = write(
        tmp_path / "o.csv",
        [
            POLICE_HEADER,
            police_row("-1.52", "53.81", "Robbery"),
            police_row("-2.99", "53.40", "Robbery"),
            police_row("", "", "Robbery"),
            police_row("-1.51", "53.82", "Drugs"),
        ],
    )
    direct = read_crimes([path], weights=weights, area=LEEDS_BOX)
    later = read_crimes([path], weights=weights).within(LEEDS_BOX)
    assert later.records == direct.records
    assert (later.outside_area, later.no_location) == (direct.outside_area, direct.no_location)
    assert later.per_file == direct.per_file


def test_force_export_with_home_office_offence_subgroups(tmp_path, weights) -> None:
    path = write(
        tmp_path / "force.csv",
        [
            "Offence Type,DateTime,Latitude,Longitude",
            "Violence with injury,2018-07-14 21:30,53.81,-1.52",
            "residential burglary,2018-07-15 03:00,53.81,-1.52",
        ],
    )
    crimes = read_crimes([path], weights=weights)
    assert [weights.weight_of(r.crime_type) for r in crimes.records] == [365.0, 273.5]
    assert crimes.records[1].crime_type == "Residential burglary"


def test_dates_without_times_give_no_hour(tmp_path, weights) -> None:
    rows = ["Offence Type,Date,Latitude,Longitude"]
    rows += [f"Robbery,2018-07-{d:02d},53.81,-1.52" for d in range(1, 4)]
    midnight = ["Offence Type,Occurred,Latitude,Longitude"]
    midnight += [f"Robbery,2018-07-{d:02d} 00:00,53.81,-1.52" for d in range(1, 13)]
    dates = read_crimes([write(tmp_path / "d.csv", rows)], weights=weights)
    stamps = read_crimes([write(tmp_path / "m.csv", midnight)], weights=weights)
    assert all(r.when is None and r.month == "2018-07" for r in dates.records)
    assert all(r.when is None for r in stamps.records) and not stamps.timed
