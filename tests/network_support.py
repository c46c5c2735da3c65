"""Shared helpers for the street-network tests: graphs built once per session, comparisons."""

from __future__ import annotations

import functools
from pathlib import Path

import networkx as nx
import pytest

from solver.network import build_walk_graph
from tests.conftest import DEMO_DIR, LEEDS_OSM

DEMO_PBF = DEMO_DIR / "leeds_walk.osm.pbf"


@functools.cache
def _built(path: str) -> nx.MultiDiGraph:
    return build_walk_graph(Path(path))


def leeds_graph() -> nx.MultiDiGraph:
    """The walk graph of the real Leeds file (built once, never through the user cache)."""
    if not LEEDS_OSM.exists():
        pytest.skip("real Leeds OSM file not available (../shared/data/osm)")
    return _built(str(LEEDS_OSM))


def demo_graph() -> nx.MultiDiGraph:
    """The walk graph of the embedded demo extract."""
    return _built(str(DEMO_PBF))


def edge_signature(G: nx.MultiDiGraph) -> list[tuple]:
    """Every directed edge as comparable values (lists compared as sets, geometry as WKT)."""

    def norm(value):
        if isinstance(value, list):
            return tuple(sorted(map(str, value)))
        return value

    rows = []
    for u, v, data in G.edges(data=True):
        rows.append(
            (
                u,
                v,
                round(data["length"], 6),
                norm(data.get("name")),
                norm(data.get("highway")),
                norm(data.get("osmid")),
                data["geometry"].wkt if "geometry" in data else None,
            )
        )
    return sorted(rows, key=repr)


def same_graph(a: nx.MultiDiGraph, b: nx.MultiDiGraph) -> bool:
    """True when both graphs have the same nodes (with coordinates) and the same edges."""
    nodes_a = {n: (d["x"], d["y"]) for n, d in a.nodes(data=True)}
    nodes_b = {n: (d["x"], d["y"]) for n, d in b.nodes(data=True)}
    return nodes_a == nodes_b and edge_signature(a) == edge_signature(b)
