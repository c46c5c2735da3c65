"""Planned vs delivered: the minutes officers actually spent in each hotspot, from GPS tracks.

`compute_delivered` cleans each track, gives its pieces to the tours of whoever carried it,
finds each unit's stays in each hotspot (entry/exit hysteresis, short excursions joined,
planned meal break left out), tells visits from passes, matches visits to planned visits of
the same unit and hotspot that they overlap, and sums it all per hotspot and day, per tour
and for the week. The app and the ``patrol-plan delivered`` command both call it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from solver.delivered_model import (
    CleanTrack,
    DeliveredReport,
    DeliveredSettings,
    DeliveredVisit,
    DeviceAssignment,
    HotspotDay,
    PlannedVisitOutcome,
    TourDelivery,
    Track,
    TrackReport,
)
from solver.delivered_presence import (
    HotspotArea,
    Interval,
    merge,
    overlap,
    stays,
    subtract,
    total,
    tracked_intervals,
)
from solver.plan_model import Plan, PlannedTour
from solver.problems import Problem
from solver.tracks_clean import clean_track
from solver.tracks_match import TourIndex, match_track, tour_key

log = logging.getLogger(__name__)


class DeliveredCancelled(RuntimeError):
    """Raised by `compute_delivered` when its ``cancel`` event is set."""


def compute_delivered(
    plan: Plan,
    tracks: Sequence[Track],
    settings: DeliveredSettings | None = None,
    devices: Mapping[str, str | Sequence[DeviceAssignment]] | None = None,
    progress: Callable[[str, float, str], None] | None = None,
    cancel: threading.Event | None = None,
) -> DeliveredReport:
    """Measure delivered hotspot dosage from tracks against the plan.

    Parameters
    ----------
    plan
        The plan (e.g. from `solver.plan_io.read_plan`).
    tracks
        Tracks as read by `solver.tracks_read.read_tracks` (any order, any mix of devices).
    settings
        Cleaning and visit rules; defaults to `DeliveredSettings()`.
    devices
        Device id -> officer id, or -> the `DeviceAssignment` issues of a pooled device (as
        `solver.tracks_read.read_devices` gives); ids are compared case-blind.
    progress
        Called as ``progress(stage, fraction, message)`` (stages "Tracks" then "Tours"), as
        `solver.plan.plan` does, for a progress bar.
    cancel
        When set, stop early and raise `DeliveredCancelled`.

    Raises
    ------
    ValueError
        Settings that make no sense (see `DeliveredSettings.check`).
    DeliveredCancelled
        When ``cancel`` is set.

    Returns
    -------
    DeliveredReport
        Per hotspot and day, per tour, per visit and per track; ``totals()`` for the week.
    """
    settings = settings or DeliveredSettings()
    wrong = settings.check()
    if wrong:
        raise ValueError("delivered settings: " + "; ".join(wrong))
    issues = {
        k.casefold(): (DeviceAssignment(v),) if isinstance(v, str) else tuple(v) for k, v in (devices or {}).items()
    }
    zone = ZoneInfo(plan.scenario.timezone)
    index = TourIndex(plan)
    pieces: dict[str, list[CleanTrack]] = defaultdict(list)
    pieces_of_track: dict[str, list[str]] = defaultdict(list)
    reports: list[TrackReport] = []
    def report_progress(stage: str, fraction: float, message: str) -> None:
        if cancel is not None and cancel.is_set():
            raise DeliveredCancelled("cancelled")
        if progress is not None:
            progress(stage, fraction, message)

    for number, track in enumerate(tracks):
        if number % 10 == 0:
            report_progress("Tracks", 0.6 * number / max(1, len(tracks)), f"cleaning track {number + 1} of {len(tracks)}")
        clean, counts = clean_track(track, settings)
        found = match_track(clean, index, issues, settings.tour_margin_min * 60.0, zone)
        for key, segment in found.segments:
            pieces[key].append(segment)
            pieces_of_track[key].append(track.label)
        reports.append(TrackReport(
            source=track.source, track_id=track.track_id, officer_id=found.officer_id, fixes=counts.fixes, kept=counts.kept,
            dropped_accuracy=counts.accuracy, dropped_no_fix=counts.no_fix, dropped_duplicate=counts.duplicate,
            dropped_wild=counts.wild, dropped_not_on_foot=counts.not_on_foot, off_duty=found.off_duty,
            bridged_gaps=counts.bridged_gaps, bridged_min=counts.bridged_s / 60.0,
            unbridged_gaps=counts.unbridged_gaps, unbridged_min=counts.unbridged_s / 60.0,
            tours=tuple(k for k, _ in found.segments),
            first=_local(float(track.times.min()), zone) if len(track) else None,
            last=_local(float(track.times.max()), zone) if len(track) else None,
            unmatched=found.unmatched,
        ))
    areas = [HotspotArea(h) for h in plan.scenario.hotspots]
    visits: list[DeliveredVisit] = []
    outcomes: list[PlannedVisitOutcome] = []
    tours: list[TourDelivery] = []
    ordered = sorted(plan.tours, key=lambda t: (t.start, t.unit_id))
    for number, tour in enumerate(ordered):
        if number % 10 == 0:
            report_progress("Tours", 0.6 + 0.4 * number / max(1, len(ordered)), f"tour {number + 1} of {len(ordered)}")
        key = tour_key(tour)
        delivery, tour_visits, tour_outcomes = _tour(tour, key, pieces.get(key, []), areas, settings, zone,
                                                     tuple(dict.fromkeys(pieces_of_track.get(key, []))))
        tours.append(delivery)
        visits.extend(tour_visits)
        outcomes.extend(tour_outcomes)
    days = _hotspot_days(plan, visits, zone)
    report_progress("Tours", 1.0, "done")
    log.info("delivered: %d tracks, %d tours tracked, %d visits", len(reports), sum(1 for t in tours if t.tracks), len(visits))
    return DeliveredReport(settings, tuple(days), tuple(tours), tuple(visits), tuple(outcomes), tuple(reports), dict(pieces))


def _local(seconds: float, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, zone)


def _tour(
    tour: PlannedTour, key: str, segments: list[CleanTrack], areas: list[HotspotArea], settings: DeliveredSettings,
    zone: ZoneInfo, labels: tuple[str, ...],
) -> tuple[TourDelivery, list[DeliveredVisit], list[PlannedVisitOutcome]]:
    window = (tour.start.timestamp() - settings.tour_margin_min * 60.0, tour.end.timestamp() + settings.tour_margin_min * 60.0)
    brk: Interval | None = None
    if settings.exclude_breaks and tour.meal_break is not None:
        brk = (tour.meal_break.start.timestamp(), tour.meal_break.end.timestamp())
    tracked = merge(i for s in segments for i in tracked_intervals(s))
    per_hotspot: dict[str, list[Interval]] = {}
    for area in areas:
        found = [i for s in segments for i in stays(s, area, settings.exit_margin_m)]
        if found:
            per_hotspot[area.hotspot.id] = merge(subtract(merge(found), brk), settings.merge_gap_min * 60.0)
    raw: list[tuple[str, Interval]] = sorted(((h, i) for h, ivs in per_hotspot.items() for i in ivs), key=lambda x: x[1])
    min_s = settings.min_visit_min * 60.0
    remaining = {n: b - a for n, (_h, (a, b)) in enumerate(raw)}
    claimed: dict[int, list[int]] = defaultdict(list)
    outcomes: list[PlannedVisitOutcome] = []
    credited = 0.0
    matched = 0
    slack = settings.match_slack_min * 60.0
    for pv in tour.visits:
        lo, hi = pv.arrive.timestamp(), pv.depart.timestamp()
        planned_s = hi - lo
        got = 0.0
        for n, (hotspot_id, (a, b)) in enumerate(raw):
            if hotspot_id != pv.hotspot_id or b - a < min_s:
                continue
            share = min(remaining[n], max(0.0, min(b, hi + slack) - max(a, lo - slack)), planned_s - got)
            if max(0.0, min(b, hi + slack) - max(a, lo - slack)) > 0:
                claimed[n].append(pv.seq)
            if share > 0:
                remaining[n] -= share
                got += share
        covered = overlap(tracked, (lo, hi)) >= 0.5 * planned_s
        outcomes.append(PlannedVisitOutcome(key, pv.seq, pv.hotspot_id, pv.arrive, pv.depart, planned_s / 60.0, got / 60.0, covered))
        credited += got
        matched += int(got > 0)
    tour_visits = []
    for n, (hotspot_id, (a, b)) in enumerate(raw):
        minutes = (b - a) / 60.0
        is_pass = (b - a) < min_s
        tour_visits.append(DeliveredVisit(
            key, tour.date, tour.shift, tour.unit_id, hotspot_id, _local(a, zone), _local(b, zone), tuple(claimed.get(n, ())),
            is_pass, not is_pass and settings.koper_min <= minutes <= settings.koper_max,
        ))
    real = [v for v in tour_visits if not v.is_pass]
    in_hotspots = merge(i for ivs in per_hotspot.values() for i in ivs)
    tracked_in_tour = subtract_outside(tracked, window)
    delivery = TourDelivery(
        tour_key=key, date=tour.date, shift=tour.shift, unit_id=tour.unit_id, officer_ids=tour.officer_ids,
        planned_visits=len(tour.visits), planned_min=sum(o.planned_min for o in outcomes), delivered_visits=len(real),
        delivered_min=sum(v.minutes for v in real), effective_visits=sum(1 for v in real if v.koper_effective),
        matched_planned_visits=matched, credited_min=credited / 60.0,
        tour_min=(tour.end.timestamp() - tour.start.timestamp()) / 60.0, tracked_min=total(tracked_in_tour) / 60.0,
        hotspot_min=total(in_hotspots) / 60.0, break_min=(overlap(tracked_in_tour, brk) / 60.0) if brk else 0.0, tracks=labels,
    )
    return delivery, tour_visits, outcomes


def subtract_outside(intervals: list[Interval], window: Interval) -> list[Interval]:
    """Intervals clipped to ``window``."""
    lo, hi = window
    return [(max(a, lo), min(b, hi)) for a, b in intervals if min(b, hi) > max(a, lo)]


def _hotspot_days(plan: Plan, visits: list[DeliveredVisit], zone: ZoneInfo) -> list[HotspotDay]:
    scenario = plan.scenario
    dates = {scenario.week_start + dt.timedelta(days=i) for i in range(scenario.days)}
    planned: dict[tuple[dt.date, str], list[float]] = defaultdict(list)
    for tour in plan.tours:
        for pv in tour.visits:
            day = pv.arrive.astimezone(zone).date()
            planned[(day, pv.hotspot_id)].append((pv.depart.timestamp() - pv.arrive.timestamp()) / 60.0)
            dates.add(day)
    delivered: dict[tuple[dt.date, str], list[DeliveredVisit]] = defaultdict(list)
    for v in visits:
        if v.is_pass:
            continue
        day = v.enter.date()
        delivered[(day, v.hotspot_id)].append(v)
        dates.add(day)
    rows = []
    for day in sorted(dates):
        for h in scenario.hotspots:
            p = planned.get((day, h.id), [])
            d = delivered.get((day, h.id), [])
            rows.append(HotspotDay(day, h.id, h.name, len(p), sum(p), len(d), sum(v.minutes for v in d), sum(1 for v in d if v.koper_effective)))
    return rows


def delivered_from_files(
    plan: Plan,
    track_paths: Sequence[Path],
    *,
    devices_path: Path | None = None,
    tz: str | None = None,
    settings: DeliveredSettings | None = None,
    skip_bad_rows: bool = False,
    progress: Callable[[str, float, str], None] | None = None,
    cancel: threading.Event | None = None,
) -> tuple[DeliveredReport, tuple[Problem, ...]]:
    """Read track files (and a devices file) and measure delivery against the plan.

    Parameters
    ----------
    plan
        The plan.
    track_paths
        GPX files, CSV / XLSX location exports, or folders of them.
    devices_path
        CSV ``device_id,officer_id[,from,to]`` (see `solver.tracks_read.read_devices`).
    tz
        Zone of naive timestamps; default the scenario's.
    settings, progress, cancel
        As for `compute_delivered`.
    skip_bad_rows
        Leave out bad rows (returned as warnings) instead of raising.

    Returns
    -------
    (report, warnings)
        Warnings are the bad rows left out with ``skip_bad_rows``.

    Raises
    ------
    ScenarioError
        Every problem with the files (file, line, field, what to do).
    """
    from solver.problems import ProblemList
    from solver.tracks_read import read_devices, read_tracks

    zone = tz or plan.scenario.timezone
    problems = ProblemList()
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.add("--tz", None, None, f"'{zone}' is not a known time zone (e.g. Europe/London)")
        problems.raise_if_any()
    devices = read_devices(devices_path, problems, zone) if devices_path else {}
    read = read_tracks(track_paths, zone, problems, skip_bad_rows=skip_bad_rows, area=plan_area(plan))
    problems.raise_if_any()
    report = compute_delivered(plan, read.tracks, settings, devices, progress=progress, cancel=cancel)
    return report, read.warnings


def plan_area(plan: Plan) -> tuple[float, float, float, float]:
    """(min_lat, min_lon, max_lat, max_lon) of the plan's stations and hotspots."""
    lats = [s.lat for s in plan.scenario.stations] + [h.lat for h in plan.scenario.hotspots]
    lons = [s.lon for s in plan.scenario.stations] + [h.lon for h in plan.scenario.hotspots]
    return min(lats), min(lons), max(lats), max(lons)
