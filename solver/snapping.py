"""Tie stations and hotspots to the walk graph.

A station is represented by its nearest graph node (a junction or dead end of the simplified
network). A hotspot gets *access nodes*: the graph nodes inside its polygon, or within
``radius_m`` of its point, always at least the node nearest to it; a unit visiting the hotspot
may enter at any of them. To keep the walking matrix small, at most `MAX_ACCESS_NODES` are
kept per hotspot: the node nearest the hotspot's centre, then the nodes farthest from those
already chosen (farthest-point sampling), so the kept nodes spread over the whole area.

A station or hotspot farther than ``scenario.patrol.max_snap_m`` from any walkable street is
reported as a `solver.problems.Problem` (the snapping is still made, to the nearest node, so
the caller may decide).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import networkx as nx
from shapely.geometry import Polygon

from solver.domain import Hotspot, Scenario, Station
from solver.network import (
    Circle,
    area_distance_to_street,
    distance_to_geometry,
    distance_to_street,
    nearest_node,
    nearest_nodes,
    nodes_within,
    spread_out,
)
from solver.problems import Problem

log = logging.getLogger(__name__)

#: At most this many access nodes per hotspot (spread over its area).
MAX_ACCESS_NODES = 8


@dataclass(frozen=True)
class Snapping:
    """Where each station and hotspot meets the walk graph.

    Attributes
    ----------
    station_node
        Station id -> its graph node.
    hotspot_access
        Hotspot id -> its access nodes (1 to `MAX_ACCESS_NODES`), the most central first.
    station_offset_m
        Station id -> straight-line metres from the station to its node.
    hotspot_offset_m
        Hotspot id -> straight-line metres from the hotspot's area to its nearest node
        (0 when a node lies inside the area).
    problems
        A station or hotspot too far from any walkable street.
    """

    station_node: dict[str, int]
    hotspot_access: dict[str, tuple[int, ...]]
    station_offset_m: dict[str, float] = field(default_factory=dict)
    hotspot_offset_m: dict[str, float] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def all_nodes(self) -> list[int]:
        """Every station and access node, stations first, each once (for the matrix)."""
        nodes = list(self.station_node.values())
        for access in self.hotspot_access.values():
            nodes.extend(access)
        return list(dict.fromkeys(nodes))


def _source_name(scenario: Scenario, kind: str) -> str:
    """The file a station or hotspot came from, when the scenario records it."""
    for path in scenario.input_paths:
        if kind in path.stem.lower():
            return path.name
    return kind


def _polygon(hotspot: Hotspot) -> Polygon | None:
    if hotspot.polygon and len(hotspot.polygon) >= 3:
        return Polygon(hotspot.polygon)
    return None


def snap_station(G: nx.MultiDiGraph, station: Station) -> tuple[int, float, float]:
    """(node, metres to that node, metres to the nearest street) for one station."""
    node, dist = nearest_node(G, station.lat, station.lon)
    return node, dist, distance_to_street(G, station.lat, station.lon)


def hotspot_access_nodes(
    G: nx.MultiDiGraph, hotspot: Hotspot, *, cap: int = MAX_ACCESS_NODES
) -> tuple[tuple[int, ...], float, float]:
    """(access nodes, metres from the area to its nearest node, metres to the nearest street).

    Nodes inside the polygon or circle, spread out and capped at ``cap``; when none lies
    inside, the single node nearest to the area.
    """
    polygon = _polygon(hotspot)
    if polygon is not None:
        inside = nodes_within(G, polygon)
    elif hotspot.radius_m and hotspot.radius_m > 0:
        inside = nodes_within(G, Circle(hotspot.lat, hotspot.lon, hotspot.radius_m))
    else:
        inside = []
    if inside:
        return tuple(spread_out(G, inside, cap)), 0.0, 0.0
    if polygon is not None:
        # Nearest node to the area: check a few candidates near its representative point.
        candidates = nearest_nodes(G, hotspot.lat, hotspot.lon, 16)
        best = min(
            (
                (distance_to_geometry(G, polygon, G.nodes[n]["y"], G.nodes[n]["x"]), n)
                for n, _ in candidates
            ),
        )
        street = area_distance_to_street(G, polygon)
        return (best[1],), best[0], street
    node, dist = nearest_node(G, hotspot.lat, hotspot.lon)
    radius = hotspot.radius_m or 0.0
    street = max(distance_to_street(G, hotspot.lat, hotspot.lon) - radius, 0.0)
    return (node,), max(dist - radius, 0.0), street


def snap_scenario(G: nx.MultiDiGraph, scenario: Scenario) -> Snapping:
    """Snap every station and hotspot of a scenario to the walk graph.

    Parameters
    ----------
    G
        The walk graph (`solver.network.load_walk_graph`).
    scenario
        Its ``stations``, ``hotspots`` and ``patrol.max_snap_m`` are used.

    Returns
    -------
    Snapping
        Every station and hotspot gets a node (the nearest, however far); those farther than
        ``max_snap_m`` from any walkable street also get a `Problem` (field "lat/lon", row
        None, file the stations or hotspots file when the scenario names it).
    """
    limit = scenario.patrol.max_snap_m
    problems: list[Problem] = []
    station_node: dict[str, int] = {}
    station_offset: dict[str, float] = {}
    stations_file = _source_name(scenario, "stations")
    for station in scenario.stations:
        node, dist, street = snap_station(G, station)
        station_node[station.id] = node
        station_offset[station.id] = dist
        if street > limit:
            problems.append(
                Problem(
                    stations_file,
                    None,
                    "lat/lon",
                    f"station '{station.id}' ({station.name}) at {station.lat:.5f}, "
                    f"{station.lon:.5f} is {street:,.0f} m from the nearest walkable street "
                    f"(limit {limit:,.0f} m). Check its coordinates (lat/lon swapped?) or use "
                    "a network file that covers it.",
                )
            )
    hotspot_access: dict[str, tuple[int, ...]] = {}
    hotspot_offset: dict[str, float] = {}
    hotspots_file = _source_name(scenario, "hotspots")
    for hotspot in scenario.hotspots:
        access, offset, street = hotspot_access_nodes(G, hotspot)
        hotspot_access[hotspot.id] = access
        hotspot_offset[hotspot.id] = offset
        if street > limit:
            problems.append(
                Problem(
                    hotspots_file,
                    None,
                    "lat/lon",
                    f"hotspot '{hotspot.id}' ({hotspot.name}) at {hotspot.lat:.5f}, "
                    f"{hotspot.lon:.5f} is {street:,.0f} m from the nearest walkable street "
                    f"(limit {limit:,.0f} m). Check its coordinates (lat/lon swapped?) or use "
                    "a network file that covers it.",
                )
            )
    log.info(
        "snapped %d stations and %d hotspots (%d access nodes), %d too far from a street",
        len(station_node),
        len(hotspot_access),
        sum(len(a) for a in hotspot_access.values()),
        len(problems),
    )
    return Snapping(station_node, hotspot_access, station_offset, hotspot_offset, problems)
