"""Load the walking graph for benchmarks and tests.

Uses ``solver.network.load_walk_graph`` when it exists; otherwise builds an osmnx-compatible
graph the documented way (walkable ways kept with pyosmium, then ``ox.graph_from_xml``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

_EXCLUDED_HIGHWAY = {
    "abandoned",
    "bus_guideway",
    "construction",
    "cycleway",
    "motor",
    "no",
    "planned",
    "platform",
    "proposed",
    "raceway",
    "razed",
    "motorway",
    "motorway_link",
}


def _walkable(tags) -> bool:
    highway = tags.get("highway")
    if highway is None or highway in _EXCLUDED_HIGHWAY:
        return False
    if tags.get("foot") == "no" or tags.get("access") == "private":
        return False
    if tags.get("service") == "private" or tags.get("area") == "yes":
        return False
    return all(
        tags.get(k) != "separate"
        for k in ("sidewalk", "sidewalk:both", "sidewalk:left", "sidewalk:right")
    )


def osm_bounds(path: str | Path) -> tuple[float, float, float, float]:
    """(min_lat, min_lon, max_lat, max_lon) of the OSM file's header box."""
    import osmium

    box = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING).header().box()
    return (box.bottom_left.lat, box.bottom_left.lon, box.top_right.lat, box.top_right.lon)


def load_graph(path: str | Path):
    """The walking graph of an OSM file (nx.MultiDiGraph, osmnx conventions)."""
    try:
        from solver.network import load_walk_graph
    except ImportError:
        return _build(Path(path))
    return load_walk_graph(path)


def _build(path: Path):
    import osmium
    import osmnx as ox

    ways = []
    keep_nodes: set[int] = set()
    for way in osmium.FileProcessor(str(path), osmium.osm.WAY):
        if _walkable(way.tags):
            refs = [n.ref for n in way.nodes]
            keep_nodes.update(refs)
            ways.append((way.id, refs, dict(way.tags)))
    nodes = {}
    for node in osmium.FileProcessor(str(path), osmium.osm.NODE):
        if node.id in keep_nodes:
            nodes[node.id] = (node.location.lat, node.location.lon)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "walk.osm"
        with open(out, "w", encoding="utf-8") as handle:
            handle.write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n')
            for nid, (lat, lon) in nodes.items():
                handle.write(f' <node id="{nid}" lat="{lat}" lon="{lon}"/>\n')
            from xml.sax.saxutils import quoteattr

            for wid, refs, tags in ways:
                handle.write(f' <way id="{wid}">\n')
                for ref in refs:
                    handle.write(f'  <nd ref="{ref}"/>\n')
                for k, v in tags.items():
                    handle.write(f"  <tag k={quoteattr(k)} v={quoteattr(v)}/>\n")
                handle.write(" </way>\n")
            handle.write("</osm>\n")
        graph = ox.graph_from_xml(out, bidirectional=True, simplify=True, retain_all=False)
    return graph
