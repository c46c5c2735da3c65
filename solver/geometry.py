"""Small geodesy for hotspot areas: local metric offsets, circle rings, containment."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from solver.domain import Hotspot

#: Mean earth radius as osmnx uses it, so edge lengths agree with osmnx to the millimetre.
EARTH_RADIUS_M = 6_371_009.0


def haversine_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance in metres (haversine, mean earth radius); floats or numpy arrays."""
    p1 = np.radians(lat1)
    p2 = np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    """The (lat, lon) ``north_m`` north and ``east_m`` east of a point (local tangent plane)."""
    dlat = math.degrees(north_m / EARTH_RADIUS_M)
    dlon = math.degrees(east_m / (EARTH_RADIUS_M * math.cos(math.radians(lat))))
    return lat + dlat, lon + dlon


def hotspot_ring(hotspot: Hotspot, segments: int = 48) -> list[tuple[float, float]]:
    """The hotspot's outline as a closed ring of (lon, lat): its polygon, or its circle."""
    if hotspot.polygon:
        ring = list(hotspot.polygon)
        return ring if ring[0] == ring[-1] else [*ring, ring[0]]
    radius = hotspot.radius_m or 0.0
    points = []
    for i in range(segments + 1):
        angle = 2 * math.pi * i / segments
        lat, lon = offset(hotspot.lat, hotspot.lon, radius * math.cos(angle), radius * math.sin(angle))
        points.append((lon, lat))
    return points


def hotspot_contains(hotspot: Hotspot, lat: float, lon: float, *, tolerance_m: float = 0.5) -> bool:
    """True when (lat, lon) lies inside the hotspot's area (polygon or circle)."""
    if hotspot.polygon:
        from shapely.geometry import Point, Polygon

        polygon = Polygon(hotspot.polygon)
        return polygon.buffer(tolerance_m / 111_000).contains(Point(lon, lat))
    return haversine_m(hotspot.lat, hotspot.lon, lat, lon) <= (hotspot.radius_m or 0.0) + tolerance_m


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial compass bearing from point 1 to point 2, degrees 0-360 (0 = north)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(x, y)) + 360.0) % 360.0
