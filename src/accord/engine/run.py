"""`reconcile`: the engine's entry point, from two Arrow tables and rules to a result."""

from __future__ import annotations

import time
from collections.abc import Callable

import pyarrow as pa

from accord.engine.candidates import register_functions
from accord.engine.duplicates import mark_duplicates
from accord.engine.explain import build_explanations
from accord.engine.outputs import matches_table, unmatched_table
from accord.engine.passes import run_pass
from accord.engine.results import ReconcileResult
from accord.engine.rules import RuleSet
from accord.engine.summary import build_summary
from accord.engine.workspace import open_workspace

ProgressCallback = Callable[[str, float], None]


def reconcile(
    left: pa.Table,
    right: pa.Table,
    rules: RuleSet,
    progress: ProgressCallback | None = None,
) -> ReconcileResult:
    """Match `left` against `right` with the cascade in `rules`.

    `progress(phase, fraction)` is called as each phase starts, with the fraction of the
    work done; it may raise (e.g. on cancellation) to stop the run.
    """
    passes = rules.passes
    steps = 3 + len(passes)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def phase(name: str, done: int) -> None:
        nonlocal clock
        now = time.perf_counter()
        if seconds or done:
            seconds[_current[0]] = now - clock
        clock = now
        _current[0] = name
        if progress is not None:
            progress(name, done / steps)

    _current = ["load"]
    phase("load", 0)
    ws = open_workspace(left, right, rules)
    try:
        register_functions(ws.con)
        phase("duplicates", 1)
        mark_duplicates(ws, "l")
        mark_duplicates(ws, "r")
        for number, match_pass in enumerate(passes):
            phase(f"pass:{match_pass.name}", 2 + number)
            run_pass(ws, match_pass, number)
        phase("results", 2 + len(passes))
        build_explanations(ws)
        matches = matches_table(ws)
        unmatched_left = unmatched_table(ws, "l")
        unmatched_right = unmatched_table(ws, "r")
        seconds["results"] = time.perf_counter() - clock
        summary = build_summary(ws, matches, unmatched_left, unmatched_right, seconds)
        if progress is not None:
            progress("done", 1.0)
        return ReconcileResult(matches, unmatched_left, unmatched_right, summary)
    finally:
        ws.con.close()
