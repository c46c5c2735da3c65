"""Shared fixtures: paths to the real data beside the repo, and small scenario folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
LEEDS_OSM = SHARED / "data" / "osm" / "leeds_chapeltown_harehills.osm"
CRIME_DIR = SHARED / "data" / "crime"
BENCH_DIR = SHARED / "bench"
DEMO_DIR = REPO / "resources" / "demo"


@pytest.fixture
def leeds_osm() -> Path:
    """The real Leeds OpenStreetMap extract; skips when ../shared is absent."""
    if not LEEDS_OSM.exists():
        pytest.skip("real Leeds OSM file not available (../shared/data/osm)")
    return LEEDS_OSM


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    """A writable copy of the demo scenario folder; returns its scenario.toml.

    The network entry points at a placeholder file so the readers can be tested without
    building the street graph.
    """
    folder = tmp_path / "demo"
    shutil.copytree(DEMO_DIR, folder, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    network = folder / "leeds_walk.osm.pbf"
    if not network.exists():
        network.write_bytes(b"placeholder")
    return folder / "scenario.toml"


@pytest.fixture
def cancel_before_solve(monkeypatch):
    """``cancel_before_solve(n)``: the roster search's cancel is set just before its n-th
    CP-SAT solve (between the search's own check and the solve); returns the list of the
    solvers run, to check that the search got that far."""
    from solver import roster

    run = roster._Stopper.run

    def arm(nth_solve: int) -> list:
        solves: list = []

        def cancel_first(self, solver, model, callback=None):
            solves.append(solver)
            if len(solves) == nth_solve:
                self.cancel.set()
            return run(self, solver, model, callback)

        monkeypatch.setattr(roster._Stopper, "run", cancel_first)
        return solves

    return arm
