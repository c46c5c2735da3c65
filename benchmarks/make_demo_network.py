"""Write the demo street network: the walkable part of the real Leeds OpenStreetMap file.

    python benchmarks/make_demo_network.py [SOURCE.osm] [DEST.osm.pbf]

Defaults: ../shared/data/osm/leeds_chapeltown_harehills.osm beside the repository, written to
resources/demo/leeds_walk.osm.pbf. It then checks that the extract gives the same walk graph
as the source file, and prints the sizes.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from solver.network import build_walk_graph, total_length_km  # noqa: E402
from solver.osm_extract import write_walk_extract  # noqa: E402

DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "osm" / "leeds_chapeltown_harehills.osm"
DEFAULT_DEST = ROOT / "resources" / "demo" / "leeds_walk.osm.pbf"


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING)
    src = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    dst = Path(argv[2]) if len(argv) > 2 else DEFAULT_DEST
    stats = write_walk_extract(src, dst, generator="patrol-planner make_demo_network")
    print(f"{src} ({src.stat().st_size:,} B) -> {dst} ({stats.bytes_written:,} B)")
    print(f"kept {stats.ways:,} walkable ways and {stats.nodes:,} nodes")
    a = build_walk_graph(src)
    b = build_walk_graph(dst)
    same = set(a.nodes) == set(b.nodes) and sorted(
        (u, v, round(d["length"], 6)) for u, v, d in a.edges(data=True)
    ) == sorted((u, v, round(d["length"], 6)) for u, v, d in b.edges(data=True))
    print(
        f"walk graph: source {a.number_of_nodes():,} nodes / {a.number_of_edges():,} edges / "
        f"{total_length_km(a):.1f} km; extract {b.number_of_nodes():,} / "
        f"{b.number_of_edges():,} / {total_length_km(b):.1f} km; same graph: {same}"
    )
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
