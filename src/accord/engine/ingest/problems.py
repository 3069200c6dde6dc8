"""What can go wrong reading a file, said so a person can find and fix it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """An error stops the import; a warning is kept on the result."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as the format allows.

    `row` is the 1-based data row: the header does not count, and a quoted value
    spanning several lines is still one row. `line` is set only where the reader
    knows it (spreadsheet rows, parser errors); it is the physical line or sheet row.
    """

    file: str
    rule: str
    severity: Severity = Severity.ERROR
    row: int | None = None
    line: int | None = None
    column: str | None = None
    value: str | None = None

    def location(self) -> str:
        """`left.csv, data row 17, column 'amount'`: only the parts that are known."""
        parts = [self.file]
        if self.row is not None:
            parts.append(f"data row {self.row:,}")
        if self.line is not None:
            parts.append(f"line {self.line:,}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        value = f" value {_shorten(self.value)!r}:" if self.value is not None else ""
        return f"{self.location()}:{value} {self.rule}"


class IngestError(Exception):
    """A file could not be turned into a typed table; `problems` says where and why."""

    def __init__(self, problems: list[Problem], *, stopped_early: bool = False) -> None:
        if not problems:
            raise ValueError("an IngestError needs at least one problem")
        self.problems = problems
        self.stopped_early = stopped_early
        super().__init__(self._message())

    def _message(self) -> str:
        errors = [p for p in self.problems if p.severity is Severity.ERROR] or self.problems
        noun = "problem" if len(errors) == 1 else "problems"
        lines = [f"cannot import {errors[0].file}: {len(errors)} {noun}"]
        lines += [f"  {problem}" for problem in errors]
        if self.stopped_early:
            lines.append(f"  (stopped after {len(errors)} errors; there may be more)")
        return "\n".join(lines)


def _shorten(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
