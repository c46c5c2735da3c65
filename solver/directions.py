"""Turn-by-turn walking directions from street legs ("Turn left onto Roundhay Road, 240 m")."""

from __future__ import annotations

from collections.abc import Sequence

from solver.matrix import WalkLeg

COMPASS = ("north", "north-east", "east", "south-east", "south", "south-west", "west", "north-west")


def compass(bearing: float) -> str:
    """The compass point of a bearing in degrees."""
    return COMPASS[int(((bearing % 360) + 22.5) // 45) % 8]


def turn_angle(before: float, after: float) -> float:
    """Signed turn in degrees from one bearing to the next: negative is left."""
    return (after - before + 540.0) % 360.0 - 180.0


def turn_word(angle: float) -> str:
    """How a walker reads a turn angle."""
    size = abs(angle)
    side = "left" if angle < 0 else "right"
    if size < 25:
        return "Continue"
    if size < 60:
        return f"Bear {side}"
    if size < 140:
        return f"Turn {side}"
    if size < 170:
        return f"Turn sharp {side}"
    return "Turn back"


def round_metres(metres: float) -> int:
    """Distances as a walker reads them: to 5 m below 100 m, else to 10 m."""
    step = 5 if metres < 100 else 10
    return max(step, int(round(metres / step) * step))


def _onto(leg: WalkLeg) -> str:
    return leg.street if leg.named else f"the {leg.street}"


def directions(legs: Sequence[WalkLeg], *, origin: str = "", destination: str = "") -> list[str]:
    """Instructions for walking ``legs`` in order, one line per street.

    Consecutive legs on the same street were already merged by `solver.matrix.legs_of`;
    a "Continue" between two differently named streets still names the new street.
    """
    if not legs:
        return [f"You are at {destination}." if destination else "No walking needed."]
    lines: list[str] = []
    first = legs[0]
    start = f"From {origin}, walk" if origin else "Walk"
    lines.append(f"{start} {compass(first.bearing_start)} along {_onto(first)}, {round_metres(first.metres)} m")
    for before, leg in zip(legs, legs[1:], strict=False):
        word = turn_word(turn_angle(before.bearing_end, leg.bearing_start))
        lines.append(f"{word} onto {_onto(leg)}, {round_metres(leg.metres)} m")
    if destination:
        lines.append(f"Arrive at {destination}")
    return lines
