"""Planned vs delivered: the settings, the GPS tracks and the results, as frozen objects.

Track times are UTC seconds since the epoch (numpy float64 arrays, one value per fix), so a
week of fixes at one every 10 s stays compact; reports give aware local date-times in the
scenario's zone.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class DeliveredSettings:
    """How tracks are cleaned and how presence in a hotspot becomes visits.

    Attributes
    ----------
    max_accuracy_m
        Fixes whose stated accuracy (or 5 x HDOP in GPX) is worse than this are dropped.
    max_speed_kph
        Faster than this from the last good fix is impossible on foot: a lone wild fix is
        dropped, a sustained run (a vehicle) is dropped as "not on foot".
    assumed_accuracy_m
        Position error assumed for a fix without a stated accuracy, allowed for in the
        speed test so GPS jitter on frequent fixes is not taken for running.
    max_gap_s
        A gap between good fixes up to this long is bridged (the officer is taken to move
        straight between them); a longer gap is time without a track.
    exit_margin_m
        Spatial hysteresis: a unit enters a hotspot when a fix falls inside its area, and
        the stay goes on while fixes stay within this many metres of the area; it ends with
        its last fix inside the area.
    merge_gap_min
        Time hysteresis: two stays in the same hotspot by the same unit separated by at most
        this many minutes are one visit.
    min_visit_min
        Shorter stays are passes (walking through), counted apart from visits.
    koper_min, koper_max
        A visit lasting between these many minutes (inclusive) is "Koper-effective".
    match_slack_min
        A delivered visit matches a planned one (same unit and hotspot) when it overlaps the
        planned arrival-departure window widened by this many minutes each side.
    tour_margin_min
        Fixes this many minutes before a tour's start or after its end still belong to it.
    exclude_breaks
        Time inside the tour's planned meal break is not counted as hotspot time.
    """

    max_accuracy_m: float = 50.0
    max_speed_kph: float = 20.0
    assumed_accuracy_m: float = 10.0
    max_gap_s: float = 180.0
    exit_margin_m: float = 25.0
    merge_gap_min: float = 3.0
    min_visit_min: float = 3.0
    koper_min: float = 10.0
    koper_max: float = 20.0
    match_slack_min: float = 10.0
    tour_margin_min: float = 0.0
    exclude_breaks: bool = True

    def check(self) -> list[str]:
        """Messages for settings that make no sense (empty when all is well)."""
        problems = []
        for name in ("max_accuracy_m", "max_speed_kph", "max_gap_s"):
            if getattr(self, name) <= 0:
                problems.append(f"{name} must be above 0")
        for name in ("assumed_accuracy_m", "exit_margin_m", "merge_gap_min", "min_visit_min", "match_slack_min", "tour_margin_min"):
            if getattr(self, name) < 0:
                problems.append(f"{name} must be 0 or more")
        if not 0 <= self.koper_min <= self.koper_max:
            problems.append(f"Koper window {self.koper_min:g}-{self.koper_max:g} min: need 0 <= minimum <= maximum")
        return problems


@dataclass(frozen=True)
class DeviceAssignment:
    """A device carried by an officer from ``start`` to ``end`` (UTC epoch seconds; None: open)."""

    officer_id: str
    start: float | None = None
    end: float | None = None

    def overlaps(self, other: DeviceAssignment) -> bool:
        lo = max(self.start if self.start is not None else -math.inf, other.start if other.start is not None else -math.inf)
        hi = min(self.end if self.end is not None else math.inf, other.end if other.end is not None else math.inf)
        return lo < hi


@dataclass(frozen=True)
class Track:
    """The fixes of one device, officer or unit as read from one file.

    ``times`` are UTC epoch seconds in file order; ``accuracy_m`` is NaN where not stated;
    ``lines`` are the file's line numbers of the fixes (for messages).
    """

    source: str
    track_id: str
    times: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    accuracy_m: np.ndarray
    lines: np.ndarray
    #: Other names the track goes by (a GPX file's metadata name and file name), tried in turn.
    other_ids: tuple[str, ...] = ()

    def __len__(self) -> int:
        return int(self.times.size)

    @property
    def label(self) -> str:
        return f"{self.source} [{self.track_id}]"


@dataclass(frozen=True)
class CleanTrack:
    """A track's good fixes in time order, and where gaps are too long to bridge."""

    track: Track
    times: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    #: True at index i when the interval from fix i to fix i+1 is bridged (len = fixes - 1).
    bridged: np.ndarray


@dataclass(frozen=True)
class TrackReport:
    """What happened to one track: how many fixes were dropped and why, and where it went."""

    source: str
    track_id: str
    officer_id: str = ""
    fixes: int = 0
    kept: int = 0
    dropped_accuracy: int = 0
    dropped_no_fix: int = 0
    dropped_duplicate: int = 0
    dropped_wild: int = 0
    dropped_not_on_foot: int = 0
    off_duty: int = 0
    bridged_gaps: int = 0
    bridged_min: float = 0.0
    unbridged_gaps: int = 0
    unbridged_min: float = 0.0
    tours: tuple[str, ...] = ()
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    #: Empty when the track was used; else why it matched nothing.
    unmatched: str = ""
    notes: tuple[str, ...] = ()

    @property
    def dropped(self) -> int:
        return self.dropped_accuracy + self.dropped_no_fix + self.dropped_duplicate + self.dropped_wild + self.dropped_not_on_foot


@dataclass(frozen=True)
class DeliveredVisit:
    """A unit's continuous presence in one hotspot during one tour (or a pass through it)."""

    tour_key: str
    date: dt.date
    shift: str
    unit_id: str
    hotspot_id: str
    enter: dt.datetime
    exit: dt.datetime
    #: Planned visit numbers (``seq``) of the tour this visit matches.
    planned_seqs: tuple[int, ...] = ()
    is_pass: bool = False
    koper_effective: bool = False

    @property
    def minutes(self) -> float:
        """Real minutes (from UTC: right across a clock change)."""
        return (self.exit.timestamp() - self.enter.timestamp()) / 60.0


@dataclass(frozen=True)
class PlannedVisitOutcome:
    """A planned visit and how much of it was delivered."""

    tour_key: str
    seq: int
    hotspot_id: str
    arrive: dt.datetime
    depart: dt.datetime
    planned_min: float
    delivered_min: float
    tracked: bool

    @property
    def delivered(self) -> bool:
        return self.delivered_min > 0


@dataclass(frozen=True)
class TourDelivery:
    """One planned tour, planned against delivered, and where its tracked time went."""

    tour_key: str
    date: dt.date
    shift: str
    unit_id: str
    officer_ids: tuple[str, ...]
    planned_visits: int
    planned_min: float
    delivered_visits: int
    delivered_min: float
    effective_visits: int
    matched_planned_visits: int
    credited_min: float
    tour_min: float
    tracked_min: float
    hotspot_min: float
    break_min: float
    tracks: tuple[str, ...]

    @property
    def compliance(self) -> float | None:
        """Share of planned hotspot minutes delivered (None when nothing was planned)."""
        return None if self.planned_min <= 0 else self.credited_min / self.planned_min

    @property
    def elsewhere_min(self) -> float:
        return max(0.0, self.tracked_min - self.hotspot_min - self.break_min)

    @property
    def untracked_min(self) -> float:
        return max(0.0, self.tour_min - self.tracked_min)


@dataclass(frozen=True)
class HotspotDay:
    """A row of delivered.csv: one hotspot on one date."""

    date: dt.date
    hotspot_id: str
    hotspot_name: str
    planned_visits: int
    planned_min: float
    delivered_visits: int
    delivered_min: float
    effective_visits: int


@dataclass(frozen=True)
class DeliveredReport:
    """Everything measured: per hotspot-day, per tour, per visit and per track."""

    settings: DeliveredSettings
    hotspot_days: tuple[HotspotDay, ...]
    tours: tuple[TourDelivery, ...]
    visits: tuple[DeliveredVisit, ...]
    planned: tuple[PlannedVisitOutcome, ...]
    tracks: tuple[TrackReport, ...]
    #: Cleaned fixes per tour key, (lat, lon) arrays, for maps.
    tour_tracks: dict[str, list[CleanTrack]] = field(default_factory=dict)

    @property
    def unmatched_tracks(self) -> tuple[TrackReport, ...]:
        return tuple(t for t in self.tracks if t.unmatched)

    def totals(self) -> dict[str, float]:
        """The week's totals (planned and delivered visits and minutes, compliance...)."""
        planned_min = sum(d.planned_min for d in self.hotspot_days)
        credited = sum(t.credited_min for t in self.tours)
        tracked_tours = [t for t in self.tours if t.tracks]
        tracked_planned = sum(t.planned_min for t in tracked_tours)
        return {
            "planned_visits": sum(d.planned_visits for d in self.hotspot_days),
            "planned_min": planned_min,
            "delivered_visits": sum(d.delivered_visits for d in self.hotspot_days),
            "delivered_min": sum(d.delivered_min for d in self.hotspot_days),
            "effective_visits": sum(d.effective_visits for d in self.hotspot_days),
            "passes": sum(1 for v in self.visits if v.is_pass),
            "matched_planned_visits": sum(t.matched_planned_visits for t in self.tours),
            "credited_min": credited,
            "compliance": credited / planned_min if planned_min > 0 else 0.0,
            "compliance_tracked": credited / tracked_planned if tracked_planned > 0 else 0.0,
            "tours": len(self.tours),
            "tours_tracked": len(tracked_tours),
            "tracked_min": sum(t.tracked_min for t in self.tours),
            "hotspot_min": sum(t.hotspot_min for t in self.tours),
            "elsewhere_min": sum(t.elsewhere_min for t in self.tours),
            "untracked_min": sum(t.untracked_min for t in self.tours),
            "tracks": len(self.tracks),
            "tracks_unmatched": len(self.unmatched_tracks),
            "fixes": sum(t.fixes for t in self.tracks),
            "fixes_dropped": sum(t.dropped for t in self.tracks),
        }
