"""Properties that must hold for any data: exclusivity, determinism, every record accounted for."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.engine import ReconcileResult, reconcile
from tests.engine.helpers import equal, one_pass, rules, side, similar, window

NAMES = ["Acme Trading", "ACME TRADING LTD", "Acme Tradng", "Zeta Foods", "Zeta Food GmbH", "Orbis"]
AMOUNTS = ["10.00", "12.50", "20.00", "22.50", "-7.00", "30.00"]
RULES = rules(
    one_pass(equal("ref", normaliser="reference"), name="ref"),
    one_pass(
        equal("amount"),
        window(-2, 2, weight=0),
        similar(0.85, method="token_jaro_winkler"),
        name="amount",
    ),
    one_pass(
        {"type": "tolerance", "left": "amount", "right": "amount", "absolute": 2.5},
        window(-2, 2),
        similar(0.8),
        name="tolerance",
    ),
    one_pass(
        equal("name", normaliser="company_name"),
        window(-3, 0),
        name="split",
        cardinality="one_to_many",
        group={"sum": {"left": "amount", "right": "amount"}, "max_size": 3},
    ),
)

record = st.tuples(
    st.integers(0, 6),
    st.sampled_from(AMOUNTS),
    st.sampled_from(NAMES),
    st.sampled_from([None, "A-1", "a1", "B-2", "C3"]),
)


def table(prefix: str, rows: list[tuple[int, str, str, str | None]]) -> pa.Table:
    return side([(f"{prefix}{i}", d, a, n, r) for i, (d, a, n, r) in enumerate(rows)])


def canonical(result: ReconcileResult) -> tuple[Any, ...]:
    # Whole matches, explanations included: the words must not depend on the row order.
    matches = sorted(
        (
            m["match_id"],
            m["pass"],
            m["kind"],
            m["score"],
            tuple(m["left_ids"]),
            tuple(m["right_ids"]),
            repr(m["explanation"]),
            repr(m["differences"]),
        )
        for m in result.matches.to_pylist()
    )
    left = sorted(
        (r["id"], r["reason"], tuple(r["candidate_ids"] or ()))
        for r in result.unmatched_left.to_pylist()
    )
    right = sorted(
        (r["id"], r["reason"], tuple(r["candidate_ids"] or ()))
        for r in result.unmatched_right.to_pylist()
    )
    return matches, left, right


sides = st.tuples(st.lists(record, max_size=12), st.lists(record, max_size=12))
quick = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@quick
@given(sides)
def test_no_record_is_in_two_matches_and_every_record_appears_once(data: Any) -> None:
    left, right = table("L", data[0]), table("R", data[1])
    result = reconcile(left, right, RULES)
    for ids_column, unmatched, source in (
        ("left_ids", result.unmatched_left, left),
        ("right_ids", result.unmatched_right, right),
    ):
        matched = [i for ids in result.matches.column(ids_column).to_pylist() for i in ids]
        left_over = unmatched.column("id").to_pylist()
        counts = Counter(matched + left_over)
        assert set(counts) == set(source.column("id").to_pylist())
        assert all(n == 1 for n in counts.values())
        assert all(r is not None for r in unmatched.column("reason").to_pylist())
    one_to_one = [m for m in result.matches.to_pylist() if m["kind"] == "one_to_one"]
    assert all(len(m["left_ids"]) == len(m["right_ids"]) == 1 for m in one_to_one)
    assert all(0.0 <= s <= 1.0 for s in result.matches.column("score").to_pylist())


@quick
@given(sides, st.randoms(use_true_random=False))
def test_same_output_for_any_row_order(data: Any, random: Any) -> None:
    left, right = table("L", data[0]), table("R", data[1])

    def shuffled(t: pa.Table) -> pa.Table:
        return t.take(pa.array(random.sample(range(t.num_rows), t.num_rows), type=pa.int64()))

    shuffled_left, shuffled_right = shuffled(left), shuffled(right)
    assert canonical(reconcile(left, right, RULES)) == canonical(
        reconcile(shuffled_left, shuffled_right, RULES)
    )
