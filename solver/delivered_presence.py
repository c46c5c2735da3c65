"""Presence in hotspot areas from cleaned fixes, with entry/exit hysteresis; interval sums.

Times are UTC epoch seconds. A stay starts at the first fix inside the area (at the midpoint
from the fix before, when the two are joined by a bridged gap) and lasts while fixes stay
within `DeliveredSettings.exit_margin_m` of the area, so GPS jitter at the edge does not cut
a visit into pieces. A stay ends with its last fix inside the area (at the midpoint to the
next fix), so the margin decides only whether a stay goes on, never adds walking-out time;
a gap too long to bridge ends it at the last fix before the gap.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np

from solver.delivered_model import CleanTrack
from solver.domain import Hotspot
from solver.tracks_clean import local_metres

Interval = tuple[float, float]


class HotspotArea:
    """A hotspot's area on a local metric plane: metres outside it for many points at once."""

    def __init__(self, hotspot: Hotspot):
        self.hotspot = hotspot
        self.lat0, self.lon0 = hotspot.lat, hotspot.lon
        self.polygon = None
        if hotspot.polygon:
            import shapely

            lons = np.array([p[0] for p in hotspot.polygon], dtype=float)
            lats = np.array([p[1] for p in hotspot.polygon], dtype=float)
            x, y = local_metres(lats, lons, self.lat0, self.lon0)
            self.polygon = shapely.Polygon(np.column_stack([x, y]))
            shapely.prepare(self.polygon)
            self.reach_m = float(np.hypot(x, y).max())
        else:
            self.reach_m = float(hotspot.radius_m or 0.0)

    def outside_m(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """Metres from each point to the area (0 inside it)."""
        x, y = local_metres(lat, lon, self.lat0, self.lon0)
        if self.polygon is None:
            return np.maximum(np.hypot(x, y) - self.reach_m, 0.0)
        import shapely

        return shapely.distance(self.polygon, shapely.points(x, y))

    def near(self, lat: np.ndarray, lon: np.ndarray, margin_m: float) -> np.ndarray:
        """Cheap mask of the points that may lie within ``margin_m`` of the area."""
        x, y = local_metres(lat, lon, self.lat0, self.lon0)
        return np.hypot(x, y) <= self.reach_m + margin_m


def stays(segment: CleanTrack, area: HotspotArea, exit_margin_m: float) -> list[Interval]:
    """Continuous stays of one track piece in one hotspot area (entry/exit hysteresis)."""
    times = segment.times
    n = times.size
    if n == 0:
        return []
    candidate = area.near(segment.lat, segment.lon, exit_margin_m)
    if not candidate.any():
        return []
    outside = np.full(n, math.inf)
    outside[candidate] = area.outside_m(segment.lat[candidate], segment.lon[candidate])
    near = outside <= exit_margin_m
    inside = outside <= 0.0
    if not inside.any():
        return []
    bridged = segment.bridged
    idx = np.flatnonzero(near)
    # Break the near fixes into runs: consecutive indices joined by a bridged interval.
    joined = (np.diff(idx) == 1) & bridged[idx[:-1]]
    starts = np.concatenate(([0], np.flatnonzero(~joined) + 1))
    ends = np.concatenate((starts[1:] - 1, [idx.size - 1]))
    out: list[Interval] = []
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        run = idx[s:e + 1]
        hits = np.flatnonzero(inside[run])
        if hits.size == 0:
            continue
        first = int(run[hits[0]])
        last = int(run[hits[-1]])
        enter = times[first] if first == 0 or not bridged[first - 1] else 0.5 * (times[first - 1] + times[first])
        leave = times[last] if last == n - 1 or not bridged[last] else 0.5 * (times[last] + times[last + 1])
        if leave > enter:
            out.append((float(enter), float(leave)))
    return out


def tracked_intervals(segment: CleanTrack) -> list[Interval]:
    """The spans a track piece covers: runs of fixes joined by bridged gaps."""
    times = segment.times
    if times.size < 2:
        return []
    links = segment.bridged
    out: list[Interval] = []
    start = None
    for i, ok in enumerate(links.tolist()):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            out.append((float(times[start]), float(times[i])))
            start = None
    if start is not None:
        out.append((float(times[start]), float(times[-1])))
    return out


def merge(intervals: Iterable[Interval], gap_s: float = 0.0) -> list[Interval]:
    """The union of intervals, joining those separated by at most ``gap_s``."""
    out: list[list[float]] = []
    for a, b in sorted(intervals):
        if out and a - out[-1][1] <= gap_s:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def subtract(intervals: Iterable[Interval], cut: Interval | None) -> list[Interval]:
    """Intervals with the span ``cut`` removed (a piece each side at most)."""
    if cut is None:
        return list(intervals)
    lo, hi = cut
    out: list[Interval] = []
    for a, b in intervals:
        if b <= lo or a >= hi:
            out.append((a, b))
            continue
        if a < lo:
            out.append((a, lo))
        if b > hi:
            out.append((hi, b))
    return out


def total(intervals: Iterable[Interval]) -> float:
    """Summed length of intervals (seconds); overlapping intervals count twice."""
    return float(sum(b - a for a, b in intervals))


def overlap(intervals: Sequence[Interval], window: Interval) -> float:
    """Seconds of ``intervals`` (disjoint) inside ``window``."""
    lo, hi = window
    return float(sum(max(0.0, min(b, hi) - max(a, lo)) for a, b in intervals))
