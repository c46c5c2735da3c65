"""Match tracks to the plan's tours by id (device, officer or unit) and time.

A track's id (or, for GPX, its metadata name or file name) is looked up as a device in the
devices table, then as an officer id, then as a unit id, case-blind. Its fixes are then
split among the tours of that officer or unit by time; fixes outside every tour are off duty.
A track that resolves to nobody, or has no fix during any of their tours, matches nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from solver.delivered_model import CleanTrack, DeviceAssignment
from solver.plan_model import Plan, PlannedTour


def tour_key(tour: PlannedTour) -> str:
    """A tour's key in reports: ``<date> <shift> <unit_id>``."""
    return f"{tour.date.isoformat()} {tour.shift} {tour.unit_id}"


@dataclass(frozen=True)
class TrackMatch:
    """Where one cleaned track went: whose it is, its pieces per tour, what matched nothing."""

    officer_id: str
    segments: tuple[tuple[str, CleanTrack], ...]
    off_duty: int
    unmatched: str = ""


class TourIndex:
    """The plan's tours looked up by officer id and by unit id (case-blind)."""

    def __init__(self, plan: Plan):
        self.by_officer: dict[str, list[PlannedTour]] = {}
        self.by_unit: dict[str, list[PlannedTour]] = {}
        for tour in plan.tours:
            for officer in tour.officer_ids:
                self.by_officer.setdefault(officer.casefold(), []).append(tour)
            self.by_unit.setdefault(tour.unit_id.casefold(), []).append(tour)
        self.officers = {o.id.casefold() for o in plan.scenario.officers}

    def resolve(self, ids: Sequence[str], devices: Mapping[str, Sequence[DeviceAssignment]]) -> tuple[str, list[_Group]] | None:
        """How the first id that names a device, an officer or a unit resolves: whose tours, when."""
        always = (-math.inf, math.inf)
        for raw in ids:
            key = raw.strip().casefold()
            if not key:
                continue
            if key in devices:
                groups = [
                    _Group(a.officer_id, self.by_officer.get(a.officer_id.casefold(), []),
                           (a.start if a.start is not None else -math.inf, a.end if a.end is not None else math.inf))
                    for a in devices[key]
                ]
                return "device", groups
            if key in self.by_officer or key in self.officers:
                return "officer", [_Group(raw.strip(), self.by_officer.get(key, []), always)]
            if key in self.by_unit:
                return "unit", [_Group(raw.strip(), self.by_unit[key], always, unit=True)]
        return None


@dataclass(frozen=True)
class _Group:
    """An officer (or unit) who carried a track, their tours, and when they carried it."""

    who: str
    tours: list[PlannedTour]
    window: tuple[float, float]
    unit: bool = False


def _stamp(seconds: float, zone: dt.tzinfo) -> str:
    return dt.datetime.fromtimestamp(seconds, zone).strftime("%Y-%m-%d %H:%M")


def match_track(clean: CleanTrack, index: TourIndex, devices: Mapping[str, Sequence[DeviceAssignment]], margin_s: float,
                zone: dt.tzinfo) -> TrackMatch:
    """Split a cleaned track among the tours of whoever carried it (when they carried it)."""
    track = clean.track
    ids = (track.track_id, *track.other_ids)
    found = index.resolve(ids, devices)
    if found is None:
        hint = "" if devices else " (give --devices when tracks carry device ids)"
        names = " or ".join(f"'{i}'" for i in dict.fromkeys(ids) if i)
        return TrackMatch("", (), 0, f"{names}: not a device, officer or unit of the plan{hint}")
    how, groups = found
    officers = ";".join(dict.fromkeys(g.who for g in groups if not g.unit))
    segments = []
    used = np.zeros(clean.times.size, dtype=bool)
    reasons = []
    for group in groups:
        if not group.tours:
            reasons.append(f"officer '{group.who}'" + (f" (device '{track.track_id}')" if how == "device" else "") + " has no tour in this plan")
            continue
        before = len(segments)
        for tour in sorted(group.tours, key=lambda t: t.start):
            lo = max(tour.start.timestamp() - margin_s, group.window[0])
            hi = min(tour.end.timestamp() + margin_s, group.window[1])
            a = int(np.searchsorted(clean.times, lo, side="left"))
            b = int(np.searchsorted(clean.times, hi, side="right"))
            if b - a < 1:
                continue
            used[a:b] = True
            segments.append((tour_key(tour), CleanTrack(track, clean.times[a:b], clean.lat[a:b], clean.lon[a:b],
                                                        clean.bridged[a:max(a, b - 1)])))
        if len(segments) == before:
            span = "no good fixes" if clean.times.size == 0 else f"fixes from {_stamp(clean.times[0], zone)} to {_stamp(clean.times[-1], zone)}"
            first = min(t.start for t in group.tours).strftime("%Y-%m-%d %H:%M")
            last = max(t.end for t in group.tours).strftime("%Y-%m-%d %H:%M")
            kind = "unit" if group.unit else "officer"
            reasons.append(f"{kind} '{group.who}': {span}, none during its {len(group.tours)} tour(s) ({first} to {last})"
                           + ("" if group.window == (-math.inf, math.inf) else " while the device was issued to them"))
    off_duty = int((~used).sum())
    if not segments:
        return TrackMatch(officers, (), off_duty, "; ".join(reasons))
    return TrackMatch(officers, tuple(segments), off_duty)
