"""Importers: each reads one kind of source and reports what it did or why it refused.

An import is all-or-nothing: it either applies everything in one transaction or raises
`ImportRefused` with every problem it found, each naming file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    source: str
    line: int | None
    message: str
    field: str | None = None

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line}"
        what = f"{self.field}: {self.message}" if self.field else self.message
        return f"{where}: {what}"


class ImportRefused(Exception):
    """Nothing was imported; `problems` says why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class ImportReport:
    source: str
    # Counts of what was added or changed, by kind: {"milestones added": 3, …}.
    counts: dict[str, int] = field(default_factory=dict)
    # Lines that were read but could not be placed; reported, never dropped silently.
    warnings: list[Problem] = field(default_factory=list)

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def lines(self) -> list[str]:
        done = ", ".join(f"{n} {what}" for what, n in sorted(self.counts.items()) if n)
        out = [f"{self.source}: {done or 'nothing changed'}"]
        out += [f"  not placed: {w}" for w in self.warnings]
        return out
