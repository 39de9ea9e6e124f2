"""Error families. Each carries where and why, so the CLI can print one line each."""

from __future__ import annotations

from dataclasses import dataclass

_ONE_LINE = {ord("\n"): "\\n", ord("\r"): "\\r", 0x2028: "\\u2028", 0x2029: "\\u2029", 0x85: "\\x85"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: `FILE:LINE: path.to.field: message`."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"
        # One problem, one line: a value with a line break (a name, a path) must not split it.
        return text.translate(_ONE_LINE)


class MixedcrewError(Exception):
    """Base of the project's own errors."""


class ScenarioError(MixedcrewError):
    """A scenario file (or any input) that cannot be used; lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class DataError(MixedcrewError):
    """Source data (GCAT lists, supplement, facts) that cannot be imported."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class OutputError(MixedcrewError):
    """An output file that cannot be written (no such directory, a FIFO, disk full)."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
