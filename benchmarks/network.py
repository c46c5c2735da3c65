"""Street-network benchmark: build the Leeds walk graph, reopen it cached, walking matrix.

    python benchmarks/network.py [--repeat 3] [--points 200] [--osm PATH]

Times (median of ``--repeat`` runs, wall clock, one process):
- building the walk graph from the full OSM XML file, from a PBF copy of the full file
  (written to a temporary folder first) and from the embedded demo extract;
- osmnx ``graph_from_xml`` on the walkable-only XML (the peer; it does not filter by itself);
- the first open through the cache (build + write) and a cached reopen;
- the walking matrix for ``--points`` random graph nodes with ``build_walk_matrix``
  (first call includes the CSR build; then warm), against networkx single-source Dijkstra
  from each point (the peer), with the largest difference between the two;
- ``walk_path`` for 1,000 random pairs of matrix nodes.

Targets: cached reopen under 1 s; matrix for 200 points under 2 s.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import networkx as nx  # noqa: E402
import osmium  # noqa: E402

from solver.matrix import _CSR, build_walk_matrix, walk_path  # noqa: E402
from solver.network import build_walk_graph, load_walk_graph, total_length_km  # noqa: E402
from solver.osm_extract import write_walk_extract  # noqa: E402

LEEDS = ROOT.parent / "shared" / "data" / "osm" / "leeds_chapeltown_harehills.osm"
DEMO = ROOT / "resources" / "demo" / "leeds_walk.osm.pbf"


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall-clock seconds over ``repeat`` runs, and the last result."""
    times = []
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def copy_as_pbf(src: Path, dst: Path) -> None:
    """Write every object of ``src`` (nodes, ways, relations) to a PBF file."""
    header = osmium.io.Header()
    box = osmium.FileProcessor(str(src)).header.box()
    if box.valid():
        header.add_box(box)
    writer = osmium.SimpleWriter(str(dst), overwrite=True, header=header)
    try:
        for obj in osmium.FileProcessor(str(src)):
            writer.add(obj)
    finally:
        writer.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--points", type=int, default=200)
    parser.add_argument("--osm", type=Path, default=LEEDS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if not args.osm.exists():
        print(f"{args.osm} not found (the real Leeds file lives in ../shared/data/osm)")
        return 1
    rows: list[tuple[str, float, str]] = []

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        full_pbf = tmp / "full.osm.pbf"
        copy_as_pbf(args.osm, full_pbf)
        walk_xml = tmp / "walk.osm"
        write_walk_extract(args.osm, walk_xml)

        t_osm, G = timed(lambda: build_walk_graph(args.osm), args.repeat)
        rows.append(("build from .osm (full file)", t_osm, f"{args.osm.stat().st_size:,} B"))
        t_pbf, G_pbf = timed(lambda: build_walk_graph(full_pbf), args.repeat)
        rows.append(("build from .osm.pbf (full file)", t_pbf, f"{full_pbf.stat().st_size:,} B"))
        if DEMO.exists():
            t_demo, _ = timed(lambda: build_walk_graph(DEMO), args.repeat)
            rows.append(("build from demo extract .pbf", t_demo, f"{DEMO.stat().st_size:,} B"))
        try:
            import osmnx as ox

            t_ox, G_ox = timed(
                lambda: ox.graph_from_xml(walk_xml, bidirectional=True, simplify=True),
                args.repeat,
            )
            rows.append(
                (
                    "peer: ox.graph_from_xml on walkable-only XML",
                    t_ox,
                    f"{G_ox.number_of_nodes():,} nodes / {G_ox.number_of_edges():,} edges",
                )
            )
        except ImportError:
            pass

        cache = tmp / "cache"
        t0 = time.perf_counter()
        load_walk_graph(args.osm, cache_dir=cache)
        rows.append(("first open via cache (build + write)", time.perf_counter() - t0, ""))
        t_cached, G_cached = timed(lambda: load_walk_graph(args.osm, cache_dir=cache), args.repeat)
        rows.append(("cached reopen (target < 1 s)", t_cached, ""))

    # Same nodes with the same attributes and the same edges with the same attributes (the
    # graph-level attributes name the source file, so they differ).
    same = dict(G.nodes(data=True)) == dict(G_pbf.nodes(data=True)) and G.adj == G_pbf.adj
    rng = np.random.default_rng(0)
    nodes = sorted(G_cached.nodes)
    points = [nodes[i] for i in rng.choice(len(nodes), size=args.points, replace=False)]

    _CSR.pop(G_cached, None)
    t0 = time.perf_counter()
    matrix = build_walk_matrix(G_cached, points, walk_speed_kph=4.5)
    t_cold = time.perf_counter() - t0
    rows.append((f"matrix {args.points} points, first call (target < 2 s)", t_cold, ""))
    t_warm, matrix = timed(
        lambda: build_walk_matrix(G_cached, points, walk_speed_kph=4.5), args.repeat
    )
    rows.append((f"matrix {args.points} points, warm", t_warm, ""))

    def networkx_matrix() -> np.ndarray:
        out = np.empty((len(points), len(points)))
        for i, a in enumerate(points):
            lengths = nx.single_source_dijkstra_path_length(G_cached, a, weight="length")
            out[i] = [lengths[b] for b in points]
        return out

    t_nx, reference = timed(networkx_matrix, 1)
    diff = float(np.max(np.abs(reference - matrix.metres)))
    rows.append((f"peer: networkx Dijkstra x {args.points}", t_nx, f"max difference {diff:.2e} m"))

    pairs = rng.integers(0, len(points), size=(1000, 2))
    t0 = time.perf_counter()
    for i, j in pairs:
        walk_path(G_cached, matrix, points[i], points[j])
    rows.append(("walk_path x 1,000 pairs (with legs)", time.perf_counter() - t0, ""))

    print(
        f"graph: {G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges, "
        f"{total_length_km(G):.1f} km; .osm and .pbf give the same graph: {same}"
    )
    width = max(len(r[0]) for r in rows)
    for label, seconds, note in rows:
        print(f"{label:<{width}}  {seconds:7.3f} s  {note}")
    print(f"cached reopen is {t_osm / t_cached:.0f}x faster than a build from .osm")
    print(f"matrix (warm) is {t_nx / t_warm:.0f}x faster than networkx")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
