"""Planned vs delivered from GPS tracks, on the hand-made demo tour (real streets, no solver).

The synthetic tracks walk the tour's real street path at walking speed with correlated GPS
error of 5 to 15 m, lost fixes, an outage, wild and inaccurate fixes. The independent check
is the noise-free walk itself, sampled every second and tested against each hotspot's circle
with haversine distances: the minutes it truly spends inside, by the same visit rules.

Stated tolerance: per hotspot, delivered minutes within 2 min + 10 % of the true minutes (a
true stay within a minute of the 3-minute visit floor may count either way); every planned
visit credited with at least its planned minutes less 2 min.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest

from solver.delivered import compute_delivered
from solver.delivered_model import DeliveredSettings, Track
from solver.geometry import EARTH_RADIUS_M, offset
from solver.problems import ProblemList, ScenarioError
from solver.track_synth import TourWalk, plan_tracks, write_track_gpx, write_tracks_csv
from solver.tracks_read import read_devices, read_tracks
from tests.plan_fixture import build_small_plan

TOLERANCE_MIN = 2.0
TOLERANCE_SHARE = 0.10


@pytest.fixture(scope="module")
def small():
    return build_small_plan()


def _haversine(lat0: float, lon0: float, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    p1, p2 = math.radians(lat0), np.radians(lat)
    a = np.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(np.radians(lon - lon0) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(a))


def _true_minutes(plan, walk: TourWalk, settings: DeliveredSettings) -> dict[str, tuple[float, float]]:
    """Minutes the noise-free walk spends inside each hotspot, in visits of the minimum length.

    Returns (minutes of stays clearly long enough, minutes of stays within a minute of the
    minimum length), the latter may fairly be counted or not.
    """
    tour = plan.tours[0]
    seconds = np.arange(tour.start.timestamp(), tour.end.timestamp(), 1.0)
    lat, lon = walk.position(seconds)
    brk = tour.meal_break
    on_break = (seconds >= brk.start.timestamp()) & (seconds < brk.end.timestamp())
    out: dict[str, float] = {}
    for h in plan.scenario.hotspots:
        inside = (_haversine(h.lat, h.lon, lat, lon) <= h.radius_m) & ~on_break
        edges = np.diff(np.concatenate(([0], inside.astype(int), [0])))
        runs: list[list[int]] = []
        for s, e in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
            if runs and s - runs[-1][1] <= settings.merge_gap_min * 60:
                runs[-1][1] = e
            else:
                runs.append([s, e])
        floor = settings.min_visit_min * 60
        sure = sum(e - s for s, e in runs if e - s >= floor + 60) / 60.0
        either = sum(e - s for s, e in runs if floor - 60 <= e - s < floor + 60) / 60.0
        out[h.id] = (sure, either)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_synthetic_tracks_deliver_the_planned_minutes(small, seed):
    plan, graph = small
    settings = DeliveredSettings()
    [(tour, walk, track)] = list(plan_tracks(list(plan.tours), graph, seed=seed))
    report = compute_delivered(plan, [track], settings)
    truth = _true_minutes(plan, walk, settings)
    delivered = {d.hotspot_id: d for d in report.hotspot_days if d.date == tour.date}
    for hotspot_id, (minutes, either) in truth.items():
        got = delivered[hotspot_id].delivered_min
        assert minutes - TOLERANCE_MIN - TOLERANCE_SHARE * minutes <= got, (hotspot_id, got, minutes)
        assert got <= minutes + either + TOLERANCE_MIN + TOLERANCE_SHARE * minutes, (hotspot_id, got, minutes, either)
    for outcome in report.planned:
        assert outcome.tracked
        assert outcome.delivered_min >= outcome.planned_min - TOLERANCE_MIN, outcome
    for pv in tour.visits:
        day = delivered[pv.hotspot_id]
        assert day.planned_visits >= 1 and day.delivered_visits >= 1
        assert day.delivered_min >= day.planned_min - TOLERANCE_MIN
    [row] = report.tours
    assert row.compliance is not None and row.compliance >= 0.95
    assert row.matched_planned_visits == len(tour.visits)
    assert row.tracked_min == pytest.approx(row.tour_min, abs=5.0)
    # Time splits into hotspots, the break and elsewhere, never more than was tracked.
    assert row.hotspot_min + row.break_min + row.elsewhere_min == pytest.approx(row.tracked_min, abs=0.1)
    report_track = report.tracks[0]
    assert report_track.dropped_wild + report_track.dropped_accuracy > 0
    assert report_track.kept + report_track.dropped == report_track.fixes


def test_gpx_and_csv_give_the_same_delivery(small, tmp_path):
    plan, graph = small
    [(_, _, track)] = list(plan_tracks(list(plan.tours), graph, seed=4))
    direct = compute_delivered(plan, [track])
    gpx = tmp_path / "device.gpx"
    write_track_gpx(track, gpx)
    local_csv = tmp_path / "export.csv"
    write_tracks_csv([track], local_csv, zone=dt.timezone(dt.timedelta(hours=0)))
    for path in (gpx, local_csv):
        problems = ProblemList()
        read = read_tracks([path], plan.scenario.timezone, problems)
        assert not problems
        [again] = read.tracks
        assert again.track_id == track.track_id
        via_file = compute_delivered(plan, read.tracks)
        for a, b in zip(direct.hotspot_days, via_file.hotspot_days, strict=True):
            assert (a.hotspot_id, a.delivered_visits) == (b.hotspot_id, b.delivered_visits)
            assert a.delivered_min == pytest.approx(b.delivered_min, abs=0.5)


def _stationary_track(plan, officer: str, lat: float, lon: float, start: dt.datetime, minutes: float, seed: int = 0,
                      then: tuple[float, float] | None = None, step_s: float = 10.0) -> Track:
    """Fixes of someone standing at (lat, lon) with 5-15 m correlated error, then elsewhere."""
    rng = np.random.default_rng(seed)
    times = np.arange(start.timestamp(), start.timestamp() + minutes * 60 + 1, step_s)
    n = times.size
    error = np.zeros((n, 2))
    shocks = rng.normal(0, 1, (n, 2))
    for i in range(1, n):
        error[i] = 0.9 * error[i - 1] + math.sqrt(1 - 0.81) * shocks[i]
    sigma = rng.uniform(5, 15, n)
    error *= (sigma / math.sqrt(2))[:, None]
    lats = np.full(n, lat) + error[:, 1] / 111_195.0
    lons = np.full(n, lon) + error[:, 0] / (111_195.0 * math.cos(math.radians(lat)))
    if then is not None:
        extra = np.arange(times[-1] + step_s, times[-1] + 30 * 60, step_s)
        times = np.concatenate((times, extra))
        lats = np.concatenate((lats, np.full(extra.size, then[0])))
        lons = np.concatenate((lons, np.full(extra.size, then[1])))
        sigma = np.concatenate((sigma, np.full(extra.size, 8.0)))
    return Track("test", officer, times, lats, lons, sigma, np.arange(2, times.size + 2))


def _far_point(plan, metres: float = 600.0) -> tuple[float, float]:
    station = plan.scenario.stations[0]
    for north in range(0, 3000, 100):
        lat, lon = offset(station.lat, station.lon, float(north), 0.0)
        if all(_haversine(h.lat, h.lon, np.array([lat]), np.array([lon]))[0] > metres for h in plan.scenario.hotspots):
            return lat, lon
    raise AssertionError("no point far from every hotspot")


def test_a_track_never_near_a_hotspot_delivers_nothing(small):
    plan, _ = small
    tour = plan.tours[0]
    lat, lon = _far_point(plan)
    track = _stationary_track(plan, tour.officer_ids[0], lat, lon, tour.start, (tour.end - tour.start).total_seconds() / 60)
    report = compute_delivered(plan, [track])
    assert all(d.delivered_min == 0 and d.delivered_visits == 0 and d.effective_visits == 0 for d in report.hotspot_days)
    assert not report.visits
    [row] = report.tours
    assert row.compliance == 0.0
    assert row.hotspot_min == 0.0
    assert row.tracked_min == pytest.approx(row.tour_min, abs=1.0)
    assert sum(d.planned_min for d in report.hotspot_days) == pytest.approx(tour.dwell_min)


def test_an_hour_in_a_hotspot_is_one_long_visit_not_koper_effective(small):
    plan, _ = small
    tour = plan.tours[0]
    hotspot = plan.scenario.hotspots[5]
    far = _far_point(plan)
    track = _stationary_track(plan, tour.officer_ids[0], hotspot.lat, hotspot.lon, tour.start + dt.timedelta(hours=5), 60.0,
                              then=far)
    report = compute_delivered(plan, [track])
    visits = [v for v in report.visits if v.hotspot_id == hotspot.id and not v.is_pass]
    assert len(visits) == 1
    assert visits[0].minutes == pytest.approx(60.0, abs=1.0)
    assert not visits[0].koper_effective
    assert not visits[0].planned_seqs  # the plan had no visit there then
    longer = compute_delivered(plan, [track], DeliveredSettings(koper_min=10, koper_max=70))
    assert [v.koper_effective for v in longer.visits if not v.is_pass] == [True]


def test_jitter_at_the_edge_makes_one_visit(small):
    plan, _ = small
    tour = plan.tours[0]
    hotspot = plan.scenario.hotspots[6]
    lat, lon = offset(hotspot.lat, hotspot.lon, hotspot.radius_m - 3.0, 0.0)
    for seed in range(3):
        track = _stationary_track(plan, tour.officer_ids[0], lat, lon, tour.start + dt.timedelta(hours=5), 15.0, seed=seed,
                                  then=_far_point(plan))
        report = compute_delivered(plan, [track])
        visits = [v for v in report.visits if v.hotspot_id == hotspot.id]
        assert len(visits) == 1, [(v.enter, v.exit) for v in visits]
        assert 11.0 <= visits[0].minutes <= 16.0
        assert visits[0].koper_effective


def test_two_officers_of_one_unit_are_not_counted_twice(small):
    plan, graph = small
    [(_, _, track)] = list(plan_tracks(list(plan.tours), graph, seed=5))
    [(_, _, other)] = list(plan_tracks(list(plan.tours), graph, seed=6))
    # The second device names the unit rather than the officer.
    other = Track(other.source, plan.tours[0].unit_id, other.times, other.lat, other.lon, other.accuracy_m, other.lines)
    one, two = compute_delivered(plan, [track]), compute_delivered(plan, [other])
    both = compute_delivered(plan, [track, other])
    assert len(both.tours[0].tracks) == 2
    floor = both.settings.min_visit_min + 1.0  # a pass near the floor in one track may become a visit
    for a, b, c in zip(one.hotspot_days, two.hotspot_days, both.hotspot_days, strict=True):
        most = max(a.delivered_min, b.delivered_min)
        assert c.delivered_min <= most + TOLERANCE_MIN + TOLERANCE_SHARE * most + floor
    total_single = max(one.totals()["delivered_min"], two.totals()["delivered_min"])
    assert both.totals()["delivered_min"] <= 1.1 * total_single
    assert both.tours[0].tracked_min <= both.tours[0].tour_min


def test_tracks_that_match_nothing_are_listed(small, tmp_path):
    plan, graph = small
    tour = plan.tours[0]
    [(_, _, track)] = list(plan_tracks(list(plan.tours), graph, seed=7))
    stranger = Track("x.csv", "RADIO-999", track.times, track.lat, track.lon, track.accuracy_m, track.lines)
    early = Track("y.csv", tour.officer_ids[0], track.times - 86_400 * 2, track.lat, track.lon, track.accuracy_m, track.lines)
    device = Track("z.csv", "RADIO-1", track.times, track.lat, track.lon, track.accuracy_m, track.lines)
    devices_file = tmp_path / "devices.csv"
    devices_file.write_text(f"device_id,officer_id\nradio-1,{tour.officer_ids[0]}\n", encoding="utf-8")
    problems = ProblemList()
    devices = read_devices(devices_file, problems)
    assert not problems
    report = compute_delivered(plan, [stranger, early, device], devices=devices)
    by_source = {t.source: t for t in report.tracks}
    assert "RADIO-999" in by_source["x.csv"].unmatched and "not a device, officer or unit" in by_source["x.csv"].unmatched
    assert "none during" in by_source["y.csv"].unmatched
    assert by_source["y.csv"].off_duty == by_source["y.csv"].kept
    assert not by_source["z.csv"].unmatched and by_source["z.csv"].officer_id == tour.officer_ids[0]
    assert report.tours[0].tracks == ("z.csv [RADIO-1]",)


def test_cleaning_drops_wild_inaccurate_and_vehicle_fixes(small):
    plan, _ = small
    tour = plan.tours[0]
    hotspot = plan.scenario.hotspots[0]
    track = _stationary_track(plan, tour.officer_ids[0], hotspot.lat, hotspot.lon, tour.start, 30.0, seed=3, step_s=10.0)
    lat, lon, acc = track.lat.copy(), track.lon.copy(), track.accuracy_m.copy()
    lat[20] += 0.01  # a wild fix about 1.1 km north
    acc[40] = 400.0  # a poor fix
    lat[60:70] += np.linspace(0.002, 0.02, 10)  # ten fixes driving away at about 80 km/h
    lat[80], lon[80] = 0.0, 0.0
    dirty = Track("t", track.track_id, track.times, lat, lon, acc, track.lines)
    report = compute_delivered(plan, [dirty])
    row = report.tracks[0]
    assert row.dropped_wild >= 1
    assert row.dropped_accuracy == 1
    assert row.dropped_no_fix == 1
    assert row.dropped_not_on_foot >= 5
    assert row.kept + row.dropped == row.fixes


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_timestamps_and_coordinates_name_file_row_and_field(small, tmp_path):
    plan, _ = small
    path = _write(tmp_path / "avl.csv", "\n".join([
        "device_or_officer_id,timestamp,lat,lon,accuracy_m",
        "2039,01/12/2026 18:00:00,53.8093,-1.5162,8",
        "2039,31/02/2026 18:00:10,53.8093,-1.5162,8",
        "2039,yesterday,53.8093,-1.5162,8",
        "2039,2026-12-01T18:00:30Z,north,-1.5162,8",
        "2039,2026-12-01T18:00:40Z,95,-1.5162,8",
        "2039,2026-12-01T18:00:50Z,-1.5162,53.8093,8",
        "2039,2026-12-01T18:01:00Z,53.8093,-1.5162,-3",
        ",2026-12-01T18:01:10Z,53.8093,-1.5162,8",
        "",
    ]))
    problems = ProblemList()
    area = (53.80, -1.55, 53.83, -1.50)
    read_tracks([path], plan.scenario.timezone, problems, area=area)
    found = {p.row: p for p in problems.items}
    assert set(found) == {3, 4, 5, 6, 7, 8, 9}
    assert all(p.file == str(path) for p in problems.items)
    assert found[3].field == "timestamp" and "31/02/2026" in found[3].message
    assert found[4].field == "timestamp" and "UK day-first" in found[4].message
    assert found[5].field == "lat" and "not a number" in found[5].message
    assert found[6].field == "lat" and "-90..90" in found[6].message
    assert "swapped" in found[7].message
    assert found[8].field == "accuracy_m"
    assert found[9].field == "device_or_officer_id"
    with pytest.raises(ScenarioError) as error:
        problems.raise_if_any()
    assert "avl.csv, line 3, field 'timestamp'" in str(error.value)
    skipped = ProblemList()
    read = read_tracks([path], plan.scenario.timezone, skipped, skip_bad_rows=True, area=area)
    assert not skipped and len(read.warnings) == 7
    assert [len(t) for t in read.tracks] == [1]
    headless = _write(tmp_path / "headless.csv", "2039,2026-12-01T18:00:00Z,53.8093,-1.5162\n")
    read_tracks([headless], plan.scenario.timezone, skipped, skip_bad_rows=True)
    [problem] = skipped.items  # a file without the header is never skipped as a bad row
    assert problem.row == 1 and "missing column" in problem.message


def test_bad_gpx_names_file_and_line(small, tmp_path):
    plan, _ = small
    path = _write(tmp_path / "unit.gpx", "\n".join([
        '<?xml version="1.0"?>',
        '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>2039</name><trkseg>',
        '<trkpt lat="53.8093" lon="-1.5162"><time>2026-12-01T18:00:00Z</time></trkpt>',
        '<trkpt lat="53.8093" lon="-1.5162"><time>1 Dec at six</time></trkpt>',
        '<trkpt lat="x" lon="-1.5162"><time>2026-12-01T18:00:20Z</time></trkpt>',
        "</trkseg></trk></gpx>",
    ]))
    broken = _write(tmp_path / "broken.gpx", '<gpx><trk><trkseg><trkpt lat="1" lon="2">\n</trk></gpx>')
    planned = _write(tmp_path / "route.gpx", '<gpx><trk><name>CHA-L1</name><trkseg>\n<trkpt lat="53.81" lon="-1.52"/>\n</trkseg></trk></gpx>')
    problems = ProblemList()
    read_tracks([path, broken, planned], plan.scenario.timezone, problems)
    rows = {(Path(p.file).name, p.row, p.field) for p in problems.items}
    assert ("unit.gpx", 4, "time") in rows
    assert ("unit.gpx", 5, "lat") in rows
    assert any(name == "broken.gpx" and row == 2 for name, row, _ in rows)
    assert any(name == "route.gpx" and "planned route" in p.message for p in problems.items for name in [Path(p.file).name])


def test_timestamp_formats_and_zones(small, tmp_path):
    plan, _ = small
    path = _write(tmp_path / "mixed.csv", "\n".join([
        "officer_id;time;latitude;longitude",
        "A;2026-07-01T12:00:00Z;53.81;-1.52",
        "A;2026-07-01 13:00:10+01:00;53.81;-1.52",
        "A;01/07/2026 13:00:20;53.81;-1.52",
        "A;01/07/2026 12:00:30 UTC;53.81;-1.52",
        "A;01/07/2026 13:00:40 BST;53.81;-1.52",
        "A;1782907250;53.81;-1.52",
        "",
    ]))
    problems = ProblemList()
    read = read_tracks([path], "Europe/London", problems)
    assert not problems
    [track] = read.tracks
    base = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC).timestamp()
    assert list(track.times - base) == [0, 10, 20, 30, 40, 50]
    # Naive local times through the repeated hour of the autumn clock change run forwards.
    rows = ["id,timestamp,lat,lon"]
    for minute in range(0, 120, 10):
        _, rest = divmod(minute, 60)
        rows.append(f"B,25/10/2026 01:{rest:02d}:00,53.81,-1.52")  # 01:00-01:50 twice
    fold = _write(tmp_path / "fold.csv", "\n".join(rows) + "\n")
    read = read_tracks([fold], "Europe/London", problems)
    assert not problems
    steps = np.diff(read.tracks[0].times)
    assert (steps == 600).all()


def test_separate_date_and_time_columns_and_windows_encoding(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("Radio ID;Date;Time;Latitude;Longitude;HDOP\nCafé-1;01/12/2026;18:00:00;53,81;-1,52;2\n".encode("cp1252"))
    problems = ProblemList()
    read = read_tracks([path], "Europe/London", problems)
    assert not problems
    [track] = read.tracks
    assert track.track_id == "Café-1"
    assert track.times[0] == dt.datetime(2026, 12, 1, 18, 0, tzinfo=dt.UTC).timestamp()
    assert (track.lat[0], track.lon[0], track.accuracy_m[0]) == (53.81, -1.52, 10.0)


def test_polygon_hotspots_are_measured_by_their_outline(small):
    from dataclasses import replace

    plan, _ = small
    tour = plan.tours[0]
    hotspot = plan.scenario.hotspots[5]
    square = []
    for north, east in ((-60, -60), (-60, 60), (60, 60), (60, -60), (-60, -60)):
        lat, lon = offset(hotspot.lat, hotspot.lon, north, east)
        square.append((lon, lat))
    boxed = replace(hotspot, polygon=tuple(square), radius_m=None)
    scenario = replace(plan.scenario, hotspots=(*plan.scenario.hotspots[:5], boxed, *plan.scenario.hotspots[6:]))
    plan = replace(plan, scenario=scenario)
    inside = _stationary_track(plan, tour.officer_ids[0], hotspot.lat, hotspot.lon, tour.start + dt.timedelta(hours=5), 12.0,
                               then=_far_point(plan))
    corner_lat, corner_lon = offset(hotspot.lat, hotspot.lon, 0.0, 90.0)  # inside the old circle, 30 m outside the square
    outside = _stationary_track(plan, tour.officer_ids[0], corner_lat, corner_lon, tour.start + dt.timedelta(hours=6), 12.0,
                                seed=1, then=_far_point(plan))
    report = compute_delivered(plan, [inside])
    [visit] = [v for v in report.visits if v.hotspot_id == hotspot.id]
    assert visit.minutes == pytest.approx(12.0, abs=1.0) and visit.koper_effective
    report = compute_delivered(plan, [outside])
    assert not [v for v in report.visits if v.hotspot_id == hotspot.id and not v.is_pass]
    circle = compute_delivered(small[0], [outside])
    assert [v.hotspot_id for v in circle.visits if not v.is_pass] == [hotspot.id]


def test_a_pooled_device_counts_for_whoever_carried_it(small, tmp_path):
    from dataclasses import replace

    plan, graph = small
    tour = plan.tours[0]
    [(_, _, track)] = list(plan_tracks(list(plan.tours), graph, seed=8))
    # A second officer works the same tour a week later with the same (pooled) radio.
    later = replace(tour, date=tour.date + dt.timedelta(days=7), start=tour.start + dt.timedelta(days=7),
                    end=tour.end + dt.timedelta(days=7), officer_ids=("OTHER",), unit_id="CHA-L9",
                    visits=tuple(replace(v, arrive=v.arrive + dt.timedelta(days=7), depart=v.depart + dt.timedelta(days=7))
                                 for v in tour.visits),
                    meal_break=replace(tour.meal_break, start=tour.meal_break.start + dt.timedelta(days=7),
                                       end=tour.meal_break.end + dt.timedelta(days=7)))
    plan = replace(plan, tours=(tour, later))
    week = 7 * 86_400
    radio = Track("avl.csv", "R-1", np.concatenate((track.times, track.times + week)), np.concatenate((track.lat, track.lat)),
                  np.concatenate((track.lon, track.lon)), np.concatenate((track.accuracy_m, track.accuracy_m)),
                  np.arange(2, 2 * len(track) + 2))
    devices_file = tmp_path / "devices.csv"
    first_day = tour.date.strftime("%d/%m/%Y")
    devices_file.write_text("device_id,officer_id,from,to\n"
                            f"R-1,{tour.officer_ids[0]},{first_day},{tour.date.isoformat()}\n"
                            f"R-1,OTHER,{later.date.isoformat()} 12:00,\n", encoding="utf-8")
    problems = ProblemList()
    devices = read_devices(devices_file, problems, plan.scenario.timezone)
    assert not problems
    report = compute_delivered(plan, [radio], devices=devices)
    [row] = report.tracks
    assert not row.unmatched and set(row.officer_id.split(";")) == {tour.officer_ids[0], "OTHER"}
    assert len(row.tours) == 2
    first, second = report.tours
    assert first.credited_min == pytest.approx(second.credited_min, abs=TOLERANCE_MIN)
    assert first.compliance >= 0.95 and second.compliance >= 0.95


def test_devices_file_problems(tmp_path):
    path = tmp_path / "devices.csv"
    path.write_text("device_id,officer_id,from,to\n"
                    "R-1,A,2026-12-01,2026-12-02\n"
                    "r-1,B,2026-12-02 08:00,2026-12-03\n"
                    "R-2,C,someday,\n"
                    "R-3,,,\n"
                    "R-4,D,2026-12-05,2026-12-04\n", encoding="utf-8")
    problems = ProblemList()
    read_devices(path, problems, "Europe/London")
    found = {(p.row, p.field) for p in problems.items}
    assert found == {(3, "device_id"), (4, "from"), (5, "officer_id"), (6, "to")}
    assert all(p.file == str(path) for p in problems.items)


def test_progress_is_reported_and_cancel_stops(small):
    import threading

    from solver.delivered import DeliveredCancelled

    plan, graph = small
    [(_, _, track)] = list(plan_tracks(list(plan.tours), graph, seed=9))
    seen: list[tuple[str, float]] = []
    compute_delivered(plan, [track], progress=lambda stage, fraction, _message: seen.append((stage, fraction)))
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and {s for s, _ in seen} == {"Tracks", "Tours"}
    stop = threading.Event()
    stop.set()
    with pytest.raises(DeliveredCancelled):
        compute_delivered(plan, [track], cancel=stop)


def test_visit_minutes_are_real_minutes_across_the_clock_change():
    from zoneinfo import ZoneInfo

    from solver.delivered_model import DeliveredVisit

    london = ZoneInfo("Europe/London")
    enter = dt.datetime(2026, 10, 25, 1, 50, tzinfo=london)  # BST, fold 0
    leave = dt.datetime(2026, 10, 25, 1, 10, tzinfo=london, fold=1)  # GMT, 20 real minutes later
    visit = DeliveredVisit("k", enter.date(), "Night", "U", "H01", enter, leave)
    assert visit.minutes == pytest.approx(20.0)


def test_excel_location_exports(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Officer ID", "Date", "Time", "Latitude", "Longitude", "Accuracy (m)"])
    sheet.append(["2039", dt.datetime(2026, 12, 1), dt.time(18, 0, 0), 53.81, -1.52, 6])
    sheet.append(["2039", dt.datetime(2026, 12, 1), dt.time(18, 0, 10), "north", -1.52, 6])
    path = tmp_path / "avl.xlsx"
    book.save(path)
    problems = ProblemList()
    read = read_tracks([path], "Europe/London", problems)
    [problem] = problems.items
    assert (problem.row, problem.field) == (3, "Latitude")
    [track] = read.tracks
    assert track.times[0] == dt.datetime(2026, 12, 1, 18, 0, tzinfo=dt.UTC).timestamp()
    assert track.accuracy_m[0] == 6.0


def test_gpx_reader_agrees_with_gpxpy(small, tmp_path):
    gpxpy = pytest.importorskip("gpxpy")
    plan, graph = small
    [(_, _, track)] = list(plan_tracks(list(plan.tours), graph, seed=10))
    path = tmp_path / "t.gpx"
    write_track_gpx(track, path)
    problems = ProblemList()
    [mine] = read_tracks([path], "Europe/London", problems).tracks
    with path.open(encoding="utf-8") as stream:
        theirs = [p for t in gpxpy.parse(stream).tracks for s in t.segments for p in s.points]
    assert len(mine) == len(theirs)
    assert np.allclose(mine.times, [p.time.timestamp() for p in theirs])
    assert np.allclose(mine.lat, [p.latitude for p in theirs]) and np.allclose(mine.lon, [p.longitude for p in theirs])
