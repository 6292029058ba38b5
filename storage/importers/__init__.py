"""Importers: each reads one kind of source and reports what it did or why it refused.

An import is all-or-nothing: it either applies everything in one transaction or raises
`ImportRefused` with every problem it found, each naming file and line.

Shared by every importer, so that all of them name a problem alike:
- `source_name(path)`: the path as the user gave it (never only its basename: two
  files of one name in different folders must be told apart);
- `Problem`: `path:line[:column]: [field: ]message`;
- `decode_utf8(data, source=…)`: text, or a refusal naming line and column of the
  first byte that is not UTF-8.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def source_name(path: str | os.PathLike[str]) -> str:
    """How a problem names its file: the path as given (relative stays relative)."""
    return os.fspath(path)


@dataclass(frozen=True)
class Problem:
    source: str
    line: int | None
    message: str
    field: str | None = None
    # 1-based, in characters of the line; only with a line.
    column: int | None = None

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        what = f"{self.field}: {self.message}" if self.field else self.message
        return f"{where}: {what}"


def line_and_column(text: str, index: int) -> tuple[int, int]:
    """The 1-based line and column of character `index` of `text`."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def decode_utf8(data: bytes, *, source: str) -> str:
    """`data` as text (a leading byte order mark dropped), or ImportRefused naming the
    line and column of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        before = data[: error.start].decode("utf-8").removeprefix("\ufeff")
        line, column = line_and_column(before + "?", len(before))
        raise ImportRefused([Problem(
            source, line, f"not UTF-8 (byte 0x{data[error.start]:02x})", column=column
        )]) from None


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
