"""Write a reduced OpenStreetMap extract: the walkable ways and the nodes they use.

The result reads back through `solver.network.load_walk_graph` into the same walk graph as
the source file, at a fraction of the size: ways the walk filter drops, buildings, land use,
relations, untagged metadata (user names, changesets, versions) and tags the graph does not
use are left out. The output format follows the file name (``.osm.pbf``, ``.osm``,
``.osm.bz2``); the header carries the bounding box of the source (or of the nodes kept).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import osmium

from solver.network import (
    FILTER_TAGS,
    NODE_TAGS,
    WAY_TAGS,
    NetworkFileError,
    _check_readable,
    _osmium_error,
    is_walkable,
    osm_input,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExtractStats:
    """What `write_walk_extract` kept."""

    ways: int
    nodes: int
    bytes_written: int


def write_walk_extract(src: Path, dst: Path, *, generator: str = "patrol-planner") -> ExtractStats:
    """Write the walkable ways of ``src`` and the nodes they use to ``dst``.

    Parameters
    ----------
    src
        An OSM file (``.osm``, ``.osm.bz2``, ``.osm.pbf``).
    dst
        The file to write (overwritten); its ending picks the format.
    generator
        The ``generator`` recorded in the output header.

    Returns
    -------
    ExtractStats

    Raises
    ------
    NetworkFileError
        ``src`` is missing or not OpenStreetMap data.
    """
    src, dst = Path(src), Path(dst)
    _check_readable(src)
    keep_way_tags = (*WAY_TAGS, *FILTER_TAGS)
    ways: list[tuple[int, list[int], dict[str, str]]] = []
    needed: set[int] = set()
    try:
        header_box = osmium.FileProcessor(osm_input(src), osmium.osm.WAY).header.box()
        processor = osmium.FileProcessor(osm_input(src), osmium.osm.WAY).with_filter(
            osmium.filter.KeyFilter("highway")
        )
        for way in processor:
            tags = dict(way.tags)
            if not is_walkable(tags):
                continue
            refs = [node.ref for node in way.nodes]
            needed.update(refs)
            ways.append((way.id, refs, {k: tags[k] for k in keep_way_tags if k in tags}))
        nodes: list[tuple[int, tuple[float, float], dict[str, str]]] = []
        for node in osmium.FileProcessor(osm_input(src), osmium.osm.NODE):
            if node.id in needed and node.location.valid():
                tags = {k: node.tags[k] for k in NODE_TAGS if k in node.tags}
                nodes.append((node.id, (node.location.lon, node.location.lat), tags))
    except RuntimeError as exc:
        raise _osmium_error(src, exc) from None
    if not ways:
        raise NetworkFileError(src, "contains no walkable streets; nothing to extract.")
    nodes.sort()
    ways.sort()
    header = osmium.io.Header()
    header.set("generator", generator)
    if header_box.valid():
        header.add_box(header_box)
    else:
        lons = [lon for _, (lon, _), _ in nodes]
        lats = [lat for _, (_, lat), _ in nodes]
        header.add_box(osmium.osm.Box(min(lons), min(lats), max(lons), max(lats)))
    dst.parent.mkdir(parents=True, exist_ok=True)
    writer = osmium.SimpleWriter(osm_input(dst), overwrite=True, header=header)
    try:
        for node_id, location, tags in nodes:
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=location, tags=tags))
        for way_id, refs, tags in ways:
            writer.add_way(osmium.osm.mutable.Way(id=way_id, nodes=refs, tags=tags))
    finally:
        writer.close()
    stats = ExtractStats(len(ways), len(nodes), dst.stat().st_size)
    log.info(
        "wrote %s: %d walkable ways, %d nodes, %d bytes",
        dst.name,
        stats.ways,
        stats.nodes,
        stats.bytes_written,
    )
    return stats
