"""How a pass finds its candidates on large inputs: windows expanded only when keys are not
selective, decided from an estimate of the equi-join's size."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from accord.engine.conditions import blocking_variants
from accord.engine.rules import EqualCondition
from accord.engine.workspace import open_workspace, refresh_free_rows
from tests.engine.helpers import equal, one_pass, rules, window

ROWS = 120_000  # above the size where the join size is estimated rather than counted


def _table(refs: list[str]) -> pa.Table:
    n = len(refs)
    return pa.table(
        {
            "id": [f"{i:06d}" for i in range(n)],
            "date": pa.array([dt.date(2024, 3, 1) + dt.timedelta(days=i % 300) for i in range(n)]),
            "amount": pa.array([i % 1000 for i in range(n)], pa.int64()),
            "name": ["Orbis"] * n,
            "ref": refs,
        }
    )


def _variants(refs: list[str]) -> list[list[str]]:
    ruleset = rules(one_pass(equal("ref"), window(-3, 3)))
    ws = open_workspace(_table(refs), _table(refs), ruleset)
    try:
        refresh_free_rows(ws)
        conditions = list(ruleset.passes[0].conditions)
        assert isinstance(conditions[0], EqualCondition)
        found = blocking_variants(ws, conditions, "SELECT * FROM l_free", "SELECT * FROM r_free")
        return [variant.expansions for variant in found]
    finally:
        ws.close()


def test_a_selective_key_joins_without_expanding_the_window() -> None:
    assert _variants([f"INV-{i}" for i in range(ROWS)]) == [[]]


def test_a_key_shared_by_many_records_expands_the_window_into_day_keys() -> None:
    [expansions] = _variants([f"BATCH-{i % 3}" for i in range(ROWS)])
    assert any("range(-3, 4)" in e for e in expansions)
