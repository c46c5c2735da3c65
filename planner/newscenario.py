"""Write a scenario TOML for files picked one by one (File > New from files). No Qt."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from solver.atomic import atomic_write

#: Shift templates of a new scenario; the planner changes them in the settings dialog.
DEFAULT_SHIFTS = """
[[shifts]]
name = "Early"
start = "07:00"
end = "15:00"
meal_break_min = 45
briefing_min = 15
debrief_min = 15

[[shifts]]
name = "Late"
start = "15:00"
end = "23:00"
meal_break_min = 45
briefing_min = 15
debrief_min = 15

[[shifts]]
name = "Night"
start = "22:00"
end = "07:00"
meal_break_min = 45
briefing_min = 15
debrief_min = 15
unit_size = 2
night = true
"""


def write_scenario_file(path: Path, *, network: Path, stations: Path, hotspots: Path, officers: Path,
                        week_start: dt.date, name: str = "", days: int = 7) -> Path:
    """Write a scenario TOML naming the given files (absolute paths); returns ``path``."""

    def quoted(value: object) -> str:
        return json.dumps(str(value))  # a TOML basic string

    text = (
        "# Written by the patrol planner (File > New from files).\n\n"
        "[scenario]\n"
        f"name = {quoted(name or path.stem)}\n"
        f"week_start = {week_start.isoformat()}\n"
        f"days = {days}\n"
        'timezone = "Europe/London"\n\n'
        "[files]\n"
        f"network = {quoted(network.resolve())}\n"
        f"stations = {quoted(stations.resolve())}\n"
        f"hotspots = {quoted(hotspots.resolve())}\n"
        f"officers = {quoted(officers.resolve())}\n"
        + DEFAULT_SHIFTS
    )
    with atomic_write(path) as stream:
        stream.write(text)
    return path
