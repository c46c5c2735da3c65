"""Validation problems: collected all at once, each naming file, row, field and the fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can.

    ``row`` is the 1-based line of the file as a spreadsheet shows it (the header is line 1),
    or None when the problem is about the whole file.
    """

    file: str
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", line {self.row}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class ScenarioError(ValueError):
    """Raised when the input has problems; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the input:\n{lines}")


class ProblemList:
    """Collects problems while reading; raise once at the end with `raise_if_any`."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, file: str | Path, row: int | None, field: str | None, message: str) -> None:
        self.items.append(Problem(str(file), row, field, message))

    def extend(self, problems: list[Problem]) -> None:
        self.items.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise ScenarioError(self.items)
