"""The embedded demo scenario shipped with the package (resources/demo)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def demo_scenario_path() -> Path:
    """Path of the embedded demo's scenario.toml (works from an installed package too)."""
    return Path(str(resources.files("resources") / "demo" / "scenario.toml"))
