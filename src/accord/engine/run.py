"""`reconcile`: the engine's entry point, from two Arrow tables and rules to a result."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import pyarrow as pa

from accord.engine.candidates import register_functions
from accord.engine.duplicates import mark_duplicates
from accord.engine.outputs import matches_table, unmatched_table
from accord.engine.passes import run_pass
from accord.engine.results import ReconcileResult
from accord.engine.rules import RuleSet
from accord.engine.summary import build_summary
from accord.engine.workspace import drop_working_tables, open_workspace

ProgressCallback = Callable[[str, float], None]
# DuckDB's working memory when the caller names none: 750 MB per million input records (at
# 1M against 1M, 1.5 GB: with 1.2 GB it moved temporary tables to disk and matched ~0.4 s
# slower), at least 1.2 GB, at most half the machine's memory; past it DuckDB spills to
# disk rather than grow. (At 3M against 3M a fixed 1.2 GB spilled the group passes to
# disk: matching took 55 s instead of 44 s.)
AUTO_MEMORY = "auto"
MIN_MEMORY_BYTES = 1_200_000_000
MEMORY_BYTES_PER_ROW = 750


def default_memory_limit(rows: int) -> str:
    """The memory limit `reconcile` uses for `rows` input records in all (DuckDB syntax)."""
    wanted = max(MIN_MEMORY_BYTES, rows * MEMORY_BYTES_PER_ROW)
    try:
        machine = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not a POSIX system that says
        machine = 0
    if machine > 0:
        wanted = min(wanted, max(MIN_MEMORY_BYTES, machine // 2))
    return f"{wanted // 1_000_000}MB"


class _Phases:
    """Reports each phase to the caller's callback and times it for the summary."""

    def __init__(self, total: int, progress: ProgressCallback | None) -> None:
        self.total, self.progress = total, progress
        self.seconds: dict[str, float] = {}
        self.current: str | None = None
        self.started = time.perf_counter()

    def start(self, name: str, done: int) -> None:
        self.finish()
        self.current, self.started = name, time.perf_counter()
        if self.progress is not None:
            self.progress(name, done / self.total)

    def finish(self) -> None:
        if self.current is not None:
            self.seconds[self.current] = time.perf_counter() - self.started
            self.current = None


def reconcile(
    left: pa.Table,
    right: pa.Table,
    rules: RuleSet,
    progress: ProgressCallback | None = None,
    memory_limit: str | None = AUTO_MEMORY,
) -> ReconcileResult:
    """Match `left` against `right` with the cascade in `rules`.

    `progress(phase, fraction)` is called as each phase starts, with the fraction of the
    work done; it may raise (e.g. on cancellation) to stop the run. `memory_limit` (DuckDB
    syntax, e.g. "2GB"; None for none; "auto" for `default_memory_limit` of the input's
    size) bounds the engine's working memory: past it, DuckDB spills to a temporary
    directory instead of growing.
    """
    phases = _Phases(3 + len(rules.passes), progress)
    phases.start("load", 0)
    if memory_limit == AUTO_MEMORY:
        memory_limit = default_memory_limit(left.num_rows + right.num_rows)
    ws = open_workspace(left, right, rules, memory_limit)
    try:
        register_functions(ws.con)
        phases.start("duplicates", 1)
        mark_duplicates(ws, "l")
        mark_duplicates(ws, "r")
        for number, match_pass in enumerate(rules.passes):
            phases.start(f"pass:{match_pass.name}", 2 + number)
            run_pass(ws, match_pass, number)
        phases.start("results", 2 + len(rules.passes))
        drop_working_tables(ws)
        matches = matches_table(ws)
        unmatched_left = unmatched_table(ws, "l")
        unmatched_right = unmatched_table(ws, "r")
        phases.finish()
        summary = build_summary(ws, matches, unmatched_left, unmatched_right, phases.seconds)
        if progress is not None:
            progress("done", 1.0)
        return ReconcileResult(matches, unmatched_left, unmatched_right, summary)
    finally:
        ws.close()
