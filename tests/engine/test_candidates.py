"""Similarity computed once per pair of distinct texts scores every pair as computing it per
pair does: the same pairs, scores and threshold outcomes, names missing included."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.engine.candidates import candidate_sql
from accord.engine.workspace import open_workspace, refresh_free_rows
from tests.engine.helpers import equal, one_pass, rules, similar, window

NAMES = st.sampled_from(["Acme Trading", "ACME TRADING LTD", "Acme Tradng", "Zeta", None])
ROWS = st.lists(st.tuples(st.integers(0, 4), NAMES), min_size=1, max_size=10)


def _table(rows: list[tuple[int, str | None]]) -> pa.Table:
    return pa.table(
        {
            "id": [f"{i}" for i in range(len(rows))],
            "date": pa.array([dt.date(2024, 5, 1) + dt.timedelta(days=d) for d, _ in rows]),
            "amount": pa.array([1] * len(rows), pa.int64()),
            "name": [n for _, n in rows],
            "ref": ["R"] * len(rows),
        }
    )


@given(ROWS, ROWS, st.booleans(), st.sampled_from(["jaro_winkler", "token_jaro_winkler"]))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_similarity_per_text_pair_scores_as_per_pair(
    left: list[tuple[int, str | None]],
    right: list[tuple[int, str | None]],
    thresholds: bool,
    method: str,
) -> None:
    ruleset = rules(one_pass(equal("ref"), window(-2, 2), similar(0.9, method=method)))
    ws = open_workspace(_table(left), _table(right), ruleset)
    try:
        refresh_free_rows(ws)
        conditions = list(ruleset.passes[0].conditions)

        def pairs(per_text_pair: bool) -> list[tuple[object, ...]]:
            sql = candidate_sql(
                ws,
                conditions,
                "SELECT * FROM l_free",
                "SELECT * FROM r_free",
                min_score=0.0,
                apply_thresholds=thresholds,
                similarity_per_text_pair=per_text_pair,
            )
            return sorted(ws.con.execute(f"SELECT * FROM ({sql})").fetchall())

        assert pairs(True) == pairs(False)
        ws.drop_scratch()
    finally:
        ws.close()
