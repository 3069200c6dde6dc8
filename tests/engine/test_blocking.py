"""How a pass finds its candidates on large inputs: windows expanded only when keys are not
selective, decided from an estimate of the equi-join's size."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from accord.engine import candidates
from accord.engine.candidates import candidate_sql
from accord.engine.conditions import blocking_variants
from accord.engine.rules import EqualCondition, RuleSet
from accord.engine.workspace import open_workspace, refresh_free_rows
from tests.engine.helpers import equal, one_pass, rules, similar, window

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


def test_a_key_shared_by_a_few_records_a_day_looks_up_bands_of_the_window() -> None:
    # Each reference is shared by 50 records a side over 300 days: pairs within the window
    # are few, so each left record is looked up in two bands of the window's width rather
    # than once per day of it.
    [expansions] = _variants([f"V-{i % 2_400}" for i in range(ROWS)])
    assert expansions == ["range(0, 2) AS _dw(_dw_off)"]


def _candidate_pairs(
    left: pa.Table, right: pa.Table, ruleset: RuleSet
) -> tuple[str, list[tuple[int, int]]]:
    """The candidate query of the rules' first pass over all records, and the pairs it finds
    (as positions, in the order found)."""
    ws = open_workspace(left, right, ruleset)
    try:
        refresh_free_rows(ws)
        conditions = list(ruleset.passes[0].conditions)
        sql = candidate_sql(
            ws, conditions, "SELECT * FROM l_free", "SELECT * FROM r_free", min_score=0.0
        )
        rows = ws.con.execute(f"SELECT l_row, r_row FROM ({sql})").fetchall()
        return sql, [(int(a), int(b)) for a, b in rows]
    finally:
        ws.close()


def _dated(
    days: list[int],
    *,
    names: list[str | None],
    refs: list[str | None] | None = None,
    start: dt.date = dt.date(1970, 1, 1),
) -> pa.Table:
    """Records `start` + day offset apart (either side of 1970 by default), amount 1, with
    these names and references (R0, R1, ... unless given)."""
    return pa.table(
        {
            "id": [f"{i}" for i in range(len(days))],
            "date": pa.array([start + dt.timedelta(days=d) for d in days]),
            "amount": pa.array([1] * len(days), pa.int64()),
            "name": pa.array(names, pa.string()),
            "ref": pa.array(
                refs if refs is not None else [f"R{i}" for i in range(len(days))], pa.string()
            ),
        }
    )


DAYS = st.lists(st.tuples(st.just("A"), st.integers(-20, 20)), min_size=8, max_size=14)


SPREAD = [("A", d) for d in range(-20, 21, 3)]  # 14 records 3 days apart: bands


@given(DAYS, DAYS, st.integers(-6, 3), st.integers(2, 7))
@example(SPREAD, SPREAD, -6, 6)
@example(SPREAD, SPREAD, 1, 3)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_window_bands_find_exactly_the_pairs_in_the_window(
    left: list[tuple[str, int]], right: list[tuple[str, int]], low: int, span: int
) -> None:
    # One name: too many pairs to skip the window, few enough a day for bands. Dates on
    # both sides of 1970-01-01 (negative day numbers), windows of any offset.
    def table(rows: list[tuple[str, int]]) -> pa.Table:
        return _dated([d for _, d in rows], names=[n for n, _ in rows])

    ruleset = rules(one_pass(equal("name"), window(low, low + span)))
    sql, pairs = _candidate_pairs(table(left), table(right), ruleset)
    event("bands" if "range(0, 2) AS _dw(_dw_off)" in sql else "days")
    found = set(pairs)
    expected = {
        (i, j)
        for i, (ln, ld) in enumerate(left)
        for j, (rn, rd) in enumerate(right)
        if ln == rn and low <= rd - ld <= low + span
    }
    assert found == expected


NAMES = st.sampled_from(
    ["Orbis Ltd", "ORBIS LIMITED", "Orbsi Ltd", "Limited Orbis", "Belcor GmbH", "Belcro", None]
)
METHODS = st.sampled_from(["jaro_winkler", "token_jaro_winkler", "token_set_ratio", "levenshtein"])


@given(
    st.lists(st.tuples(NAMES, st.integers(0, 4)), min_size=1, max_size=12),
    st.lists(st.tuples(NAMES, st.integers(0, 4)), min_size=1, max_size=12),
    METHODS,
    st.sampled_from([0.0, 0.5, 0.88]),
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_similarity_scored_per_pair_of_distinct_names_equals_scoring_each_pair_of_records(
    left: list[tuple[str | None, int]],
    right: list[tuple[str | None, int]],
    method: str,
    threshold: float,
) -> None:
    # Names repeat across records (and some are missing): the similarity is scored once per
    # pair of distinct names and spread back over the records' pairs. The pairs and scores
    # must be those of scoring every pair of records.
    def table(rows: list[tuple[str | None, int]]) -> pa.Table:
        return _dated([d for _, d in rows], names=[n for n, _ in rows], start=dt.date(2024, 3, 1))

    ruleset = rules(one_pass(window(-2, 2), similar(threshold, method=method)))
    ws = open_workspace(table(left), table(right), ruleset)
    try:
        candidates.register_functions(ws.con)
        refresh_free_rows(ws)
        conditions = list(ruleset.passes[0].conditions)

        def found() -> tuple[str, set[tuple[int, int, float]]]:
            sql = candidate_sql(
                ws, conditions, "SELECT * FROM l_free", "SELECT * FROM r_free", min_score=0.0
            )
            rows = ws.con.execute(f"SELECT l_row, r_row, score FROM ({sql})").fetchall()
            return sql, {(int(a), int(b), round(float(s), 9)) for a, b, s in rows}

        deduped_sql, deduped = found()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(candidates, "similarity_text_ids", lambda *_: None)
            per_pair_sql, per_pair = found()
    finally:
        ws.close()
    assert "_scored" in deduped_sql
    assert "_scored" not in per_pair_sql
    assert deduped == per_pair


REFS = st.text(alphabet="AB01-é", min_size=0, max_size=9) | st.none()  # é: not ASCII
DATED_REFS = st.lists(st.tuples(REFS, st.integers(-10, 10)), min_size=1, max_size=10)
WINDOWS = st.none() | st.tuples(st.integers(-5, 2), st.integers(0, 6))


@given(DATED_REFS, DATED_REFS, st.integers(1, 2), WINDOWS)
@example([("AB01AB", 0), ("ABAB01", 0)], [("BA01AB", 0), ("AB01A", 0), ("AB01ABB", 0)], 1, None)
@example([("AB01AB", 0), ("AB01AB", 3)], [("BA01AB", -3), ("AB01A", 2), ("AB01AB", 6)], 1, (-3, 3))
@example([("0000BA", 0)], [("0000A0B", 0)], 2, None)  # a swap with a letter put between: 2
@example([("0A0A0A0", 0)], [("0B0A0B0", 0)], 2, None)  # two letters replaced, apart: 2
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@pytest.mark.parametrize("per_text", [False, True])
def test_near_finds_exactly_the_pairs_within_its_edits(
    per_text: bool,
    left: list[tuple[str | None, int]],
    right: list[tuple[str | None, int]],
    max_edits: int,
    window_days: tuple[int, int] | None,
) -> None:
    # Candidates come from shared deletion variants; they must be every pair of normalised
    # texts at most max_edits apart (Damerau-Levenshtein: a swap of neighbours one edit, as
    # DuckDB counts) within the window, each once, and no other. `per_text`: the same text,
    # normalised once per distinct value (a word step, here a no-op: the texts have no
    # spaces), so pairs of distinct texts are found first and the records joined through them.
    from rapidfuzz.distance import DamerauLevenshtein

    from accord.engine.rules import MIN_NEAR_LENGTH

    def table(rows: list[tuple[str | None, int]]) -> pa.Table:
        return _dated([d for _, d in rows], names=["A"] * len(rows), refs=[r for r, _ in rows])

    normaliser = "per_text" if per_text else "reference"
    condition = {"type": "near", "left": "ref", "right": "ref", "normaliser": normaliser}
    conditions: list[dict[str, object]] = [{**condition, "max_edits": max_edits}]
    low, high = window_days if window_days else (-100, 100)
    if window_days:
        conditions.append(window(low, low + high))
    per_text_steps = {"per_text": ["upper", "sort_tokens", "alphanumeric"]}
    ruleset = rules(one_pass(*conditions), normalisers=per_text_steps)
    sql, found = _candidate_pairs(table(left), table(right), ruleset)
    assert ("near_text_pairs" in sql) == per_text  # the path meant

    def normalised(ref: str | None) -> str | None:  # nothing left is no reference
        return "".join(c for c in ref.upper() if c.isalnum()) or None if ref else None

    def near_enough(x: str | None, y: str | None) -> bool:
        if x is None or y is None:
            return False
        if x == y:
            return True
        near = DamerauLevenshtein.distance(x, y) <= max_edits
        return min(len(x), len(y)) >= MIN_NEAR_LENGTH and near

    expected = {
        (i, j)
        for i, (x, dx) in enumerate(left)
        for j, (y, dy) in enumerate(right)
        if near_enough(normalised(x), normalised(y))
        and (not window_days or low <= dy - dx <= low + high)
    }
    assert len(found) == len(set(found))
    assert set(found) == expected
