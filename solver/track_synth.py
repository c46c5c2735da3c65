"""Synthetic GPS tracks along a plan's street walks, for demonstrations, tests and benchmarks.

Each unit walks its tour's street path at walking speed, leaving each stop just in time to
arrive when planned and dwelling at each visit's access point; before its start and after
its end it is at the station. Fixes carry GPS error: correlated in time (an AR(1) process),
5 to 15 m; a share of fixes is lost, a few are wild (hundreds of metres off) and a few have
poor stated accuracy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from solver.delivered_model import Track
from solver.geometry import haversine_m
from solver.matrix import path_coordinates
from solver.plan_model import PlannedTour
from solver.tracks_clean import M_PER_DEG_LAT, M_PER_DEG_LON


@dataclass(frozen=True)
class NoiseModel:
    """GPS error and losses of a synthetic track."""

    min_error_m: float = 5.0
    max_error_m: float = 15.0
    correlation: float = 0.9
    drop_share: float = 0.03
    outages: int = 1
    outage_s: tuple[float, float] = (40.0, 150.0)
    wild_share: float = 0.005
    wild_m: tuple[float, float] = (300.0, 2000.0)
    poor_share: float = 0.005


class TourWalk:
    """Where a unit is at any time of its tour: the noise-free truth of a synthetic track."""

    def __init__(self, tour: PlannedTour, graph: Any, walk_speed_kph: float = 4.5):
        speed = walk_speed_kph / 3.6
        stops = _stop_indices(tour)
        lats: list[float] = []
        lons: list[float] = []
        knots_t: list[float] = [tour.start.timestamp()]
        knots_s: list[float] = [0.0]
        distance = 0.0
        departs = [tour.start.timestamp()] + [v.depart.timestamp() for v in tour.visits]
        arrives = [v.arrive.timestamp() for v in tour.visits] + [None]
        for leg, (a, b) in enumerate(zip(stops, stops[1:], strict=False)):
            coords = path_coordinates(graph, list(tour.path_nodes[a:b + 1]))
            if not lats:
                lats.append(coords[0][0])
                lons.append(coords[0][1])
            length = 0.0
            for (la0, lo0), (la1, lo1) in zip(coords, coords[1:], strict=False):
                length += haversine_m(la0, lo0, la1, lo1)
                lats.append(la1)
                lons.append(lo1)
            self_cum = distance + length
            leave = departs[leg]
            arrive = arrives[leg]
            if length > 0:
                start = leave if arrive is None else max(leave, arrive - length / speed)
                end = start + length / speed if arrive is None else max(arrive, start + 1.0)
                knots_t += [start, end]
                knots_s += [distance, self_cum]
            distance = self_cum
        if not lats:
            node = graph.nodes[tour.station_node]
            lats, lons = [node["y"]], [node["x"]]
        knots_t.append(max(tour.end.timestamp(), knots_t[-1] + 1.0))
        knots_s.append(distance)
        self.knots_t = np.maximum.accumulate(np.asarray(knots_t, dtype=float))
        self.knots_s = np.asarray(knots_s, dtype=float)
        self.lats = np.asarray(lats, dtype=float)
        self.lons = np.asarray(lons, dtype=float)
        steps = np.hypot(np.diff(self.lats) * M_PER_DEG_LAT, np.diff(self.lons) * M_PER_DEG_LON * np.cos(np.radians(self.lats[:-1])))
        self.cum = np.concatenate(([0.0], np.cumsum(steps)))
        if self.cum[-1] > 0:
            self.knots_s *= self.cum[-1] / max(distance, 1e-9)

    def position(self, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(lat, lon) at each UTC epoch second in ``times``."""
        s = np.interp(times, self.knots_t, self.knots_s)
        return np.interp(s, self.cum, self.lats), np.interp(s, self.cum, self.lons)


def _stop_indices(tour: PlannedTour) -> list[int]:
    """Indices in ``path_nodes`` of the station, each visit's access point, the station."""
    path = tour.path_nodes
    out = [0]
    at = 0
    for v in tour.visits:
        try:
            at = path.index(v.node, at)
        except ValueError:
            continue
        out.append(at)
    out.append(len(path) - 1)
    return out


def synthetic_fixes(
    walk: TourWalk, start: dt.datetime, end: dt.datetime, step_s: float, noise: NoiseModel, rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(times, lat, lon, accuracy_m) of noisy fixes every ``step_s`` seconds from start to end."""
    times = np.arange(start.timestamp(), end.timestamp() + 0.001, step_s)
    lat, lon = walk.position(times)
    n = times.size
    sigma = rng.uniform(noise.min_error_m, noise.max_error_m, n)
    rho = noise.correlation
    e = np.zeros((n, 2))
    shocks = rng.normal(0.0, 1.0, (n, 2))
    for i in range(n):
        prev = e[i - 1] if i else shocks[0] * 0.0
        e[i] = rho * prev + np.sqrt(1 - rho * rho) * shocks[i]
    e *= (sigma / np.sqrt(2.0))[:, None]
    accuracy = sigma.copy()
    poor = rng.random(n) < noise.poor_share
    accuracy[poor] = rng.uniform(80.0, 250.0, poor.sum())
    e[poor] *= 8.0
    wild = rng.random(n) < noise.wild_share
    angle = rng.uniform(0, 2 * np.pi, wild.sum())
    far = rng.uniform(*noise.wild_m, wild.sum())
    e[wild, 0] = far * np.cos(angle)
    e[wild, 1] = far * np.sin(angle)
    lat = lat + e[:, 1] / M_PER_DEG_LAT
    lon = lon + e[:, 0] / (M_PER_DEG_LON * np.cos(np.radians(lat)))
    keep = rng.random(n) >= noise.drop_share
    for _ in range(noise.outages):
        at = rng.uniform(times[0], times[-1])
        keep &= ~((times >= at) & (times < at + rng.uniform(*noise.outage_s)))
    return times[keep], lat[keep], lon[keep], accuracy[keep]


def plan_tracks(
    tours: list[PlannedTour], graph: Any, *, step_s: float = 10.0, noise: NoiseModel | None = None, seed: int = 0,
    walk_speed_kph: float = 4.5,
) -> Iterator[tuple[PlannedTour, TourWalk, Track]]:
    """One synthetic track per officer per tour, named by the officer id."""
    noise = noise or NoiseModel()
    rng = np.random.default_rng(seed)
    for tour in tours:
        walk = TourWalk(tour, graph, walk_speed_kph)
        for officer in tour.officer_ids:
            times, lat, lon, acc = synthetic_fixes(walk, tour.start, tour.end, step_s, noise, rng)
            yield tour, walk, Track("synthetic", officer, times, lat, lon, acc, np.arange(2, times.size + 2))


def write_tracks_csv(tracks: list[Track], path: Any, *, zone: dt.tzinfo | None = None, ids: dict[str, str] | None = None) -> None:
    """A CSV location export ``device_or_officer_id,timestamp,lat,lon,accuracy_m``.

    Timestamps are ISO UTC (``...Z``), or naive local times in ``zone`` when given. ``ids``
    renames track ids (e.g. officer -> device).
    """
    import csv

    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["device_or_officer_id", "timestamp", "lat", "lon", "accuracy_m"])
        for track in tracks:
            name = (ids or {}).get(track.track_id, track.track_id)
            for t, la, lo, acc in zip(track.times.tolist(), track.lat.tolist(), track.lon.tolist(), track.accuracy_m.tolist(), strict=True):
                when = dt.datetime.fromtimestamp(t, dt.UTC)
                stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ") if zone is None else when.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
                writer.writerow([name, stamp, f"{la:.6f}", f"{lo:.6f}", f"{acc:.0f}"])


def write_track_gpx(track: Track, path: Any, name: str | None = None) -> None:
    """A GPX 1.1 file with the track's fixes (UTC times, HDOP from the accuracy)."""
    from xml.sax.saxutils import escape

    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<gpx version="1.1" creator="synthetic" xmlns="http://www.topografix.com/GPX/1/1">',
             f"  <trk><name>{escape(name or track.track_id)}</name><trkseg>"]
    for t, la, lo, acc in zip(track.times.tolist(), track.lat.tolist(), track.lon.tolist(), track.accuracy_m.tolist(), strict=True):
        when = dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(f'    <trkpt lat="{la:.6f}" lon="{lo:.6f}"><time>{when}</time><hdop>{acc / 5.0:.1f}</hdop></trkpt>')
    lines += ["  </trkseg></trk>", "</gpx>", ""]
    with open(path, "w", encoding="utf-8") as stream:
        stream.write("\n".join(lines))
