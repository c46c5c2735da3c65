"""Turn-by-turn walking directions from a `solver.matrix.WalkPath`.

Each street leg becomes one line: "Head north-east on Chapeltown Road, 240 m", then
"Turn left onto Roundhay Road, 300 m", ..., with the turn read from the compass bearing at the
end of one leg and the start of the next (negative = left). Very short unnamed links (a few
metres of footpath between two roads) are folded into the next instruction, not announced.
"""

from __future__ import annotations

import networkx as nx

from solver.matrix import WalkLeg, WalkPath

#: Unnamed legs shorter than this (metres) are not announced on their own.
MIN_ANNOUNCED_M = 15.0

_COMPASS = (
    "north",
    "north-east",
    "east",
    "south-east",
    "south",
    "south-west",
    "west",
    "north-west",
)


def compass_point(bearing: float) -> str:
    """The nearest of eight compass points for a bearing in degrees (0 = north)."""
    return _COMPASS[round((bearing % 360) / 45) % 8]


def turn_angle(from_bearing: float, to_bearing: float) -> float:
    """Signed change of heading in degrees, -180..180: negative turns left, positive right."""
    return (to_bearing - from_bearing + 180.0) % 360.0 - 180.0


def turn_phrase(angle: float) -> str:
    """Words for a change of heading: "continue", "bear left", "turn right", "turn sharp left"..."""
    size = abs(angle)
    side = "left" if angle < 0 else "right"
    if size < 25:
        return "continue"
    if size < 60:
        return f"bear {side}"
    if size < 140:
        return f"turn {side}"
    if size < 170:
        return f"turn sharp {side}"
    return "turn back"


def format_distance(metres: float) -> str:
    """ "35 m", "240 m", "1.2 km": rounded as a walker reads it."""
    if metres < 1000:
        step = 5 if metres < 100 else 10
        return f"{max(step, round(metres / step) * step):.0f} m"
    return f"{metres / 1000:.1f} km"


def _place(leg: WalkLeg) -> str:
    return leg.street if leg.named else f"the {leg.street}"


def directions(G: nx.MultiDiGraph, path: WalkPath, *, destination: str | None = None) -> list[str]:
    """Turn-by-turn lines for a walk.

    Parameters
    ----------
    G
        The walk graph the path was found on (kept for richer wording later).
    path
        From `solver.matrix.walk_path`.
    destination
        Name of where the walk ends, for the last line.

    Returns
    -------
    list of str
        One line per announced leg, then an arrival line. An empty walk gives only the
        arrival line ("You are at ...").
    """
    where = destination or "your destination"
    legs = list(path.legs)
    if not legs:
        return [f"You are at {where}."]
    # Fold short unnamed links into the following leg (or the previous one at the end).
    kept: list[WalkLeg] = []
    carry = 0.0
    for i, leg in enumerate(legs):
        short = not leg.named and leg.metres < MIN_ANNOUNCED_M and len(legs) > 1
        if short and i + 1 < len(legs):
            carry += leg.metres
            continue
        if short and kept:
            last = kept[-1]
            kept[-1] = _with_metres(last, last.metres + leg.metres)
            continue
        kept.append(_with_metres(leg, leg.metres + carry) if carry else leg)
        carry = 0.0
    lines: list[str] = []
    first = kept[0]
    lines.append(
        f"Head {compass_point(first.bearing_start)} on {_place(first)}, "
        f"{format_distance(first.metres)}"
    )
    for before, leg in zip(kept, kept[1:], strict=False):
        phrase = turn_phrase(turn_angle(before.bearing_end, leg.bearing_start))
        if phrase == "continue":
            text = f"Continue onto {_place(leg)}"
        else:
            text = f"{phrase[0].upper()}{phrase[1:]} onto {_place(leg)}"
        lines.append(f"{text}, {format_distance(leg.metres)}")
    lines.append(f"Arrive at {where} ({format_distance(path.metres)} in all).")
    return lines


def _with_metres(leg: WalkLeg, metres: float) -> WalkLeg:
    from dataclasses import replace

    return replace(leg, metres=metres)
