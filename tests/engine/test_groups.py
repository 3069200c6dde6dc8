"""Group passes: one-to-many, many-to-one and many-to-many, with unique solutions only."""

from __future__ import annotations

from itertools import combinations
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accord.engine import groups
from tests.engine.helpers import (
    equal,
    one_pass,
    pairs,
    reasons,
    rules,
    run,
    side,
    similar,
    window,
)


def group_pass(cardinality: str = "one_to_many", max_size: int = 4, **extra: Any) -> dict[str, Any]:
    return one_pass(
        equal("name"),
        window(-5, 0) if cardinality == "one_to_many" else window(0, 5),
        cardinality=cardinality,
        group={
            "sum": {"left": "amount", "right": "amount"},
            "max_size": max_size,
            "same": ["name"],
        },
        **extra,
    )


def test_one_payment_settles_three_invoices() -> None:
    left = side([("PAY", 5, "-7800.00", "Orbis", None)])
    right = side(
        [
            ("I1", 0, "-2600.00", "Orbis", None),
            ("I2", 2, "-3150.00", "Orbis", None),
            ("I3", 4, "-2050.00", "Orbis", None),
            ("decoy", 4, "-999.00", "Orbis", None),
        ]
    )
    result = run(left, right, rules(group_pass()))
    assert pairs(result) == {(("PAY",), ("I1", "I2", "I3"))}
    [match] = result.matches.to_pylist()
    assert match["kind"] == "one_to_many"
    assert 0 <= match["score"] <= 1
    assert reasons(result, "right") == {"decoy": "no_candidate"}


def test_a_group_explanation_lists_member_values_in_order_whatever_the_row_order() -> None:
    left = side([("PAY", 5, "-7800.00", "Orbis", None)])
    invoices = [
        ("I1", 0, "-2600.00", "Orbis", None),
        ("I2", 2, "-3150.00", "Orbis", None),
        ("I3", 4, "-2050.00", "Orbis", None),
    ]
    explanations = [
        run(left, side(order), rules(group_pass())).matches.column("explanation").to_pylist()
        for order in (invoices, invoices[::-1])
    ]
    assert explanations[0] == explanations[1]
    window_entry = next(e for e in explanations[0][0] if e["condition"].startswith("date_window"))
    assert window_entry["right_value"] == "2024-03-01; 2024-03-03; 2024-03-05"
    assert window_entry["outcome"] == "-1 days, window -5..0; -3 days, window -5..0; " + (
        "-5 days, window -5..0"
    )


def test_members_scoring_the_similarity_threshold_exactly_are_kept() -> None:
    # Jaro-Winkler gives these two names 0.88 exactly: the early stop below the threshold
    # (the group pass only keeps pairs reaching it) must not drop them.
    left = side([("PAY", 5, "-300.00", "corfen farms company", None)])
    right = side(
        [
            ("I1", 1, "-100.00", "corfen farms limited", None),
            ("I2", 3, "-200.00", "corfen farms limited", None),
        ]
    )
    conditions = [window(-5, 0), similar(0.88, method="jaro_winkler", normaliser=None)]
    group = {"sum": {"left": "amount", "right": "amount"}, "max_size": 4, "same": ["name"]}
    result = run(left, right, rules(one_pass(*conditions, cardinality="one_to_many", group=group)))
    assert pairs(result) == {(("PAY",), ("I1", "I2"))}
    [match] = result.matches.to_pylist()
    similarity = next(e for e in match["explanation"] if e["condition"].startswith("similar"))
    assert similarity["outcome"] == "jaro_winkler 0.88 (threshold 0.88)"


def test_group_size_is_bounded() -> None:
    left = side([("PAY", 5, "-50.00", "V", None)])
    right = side([(f"I{a}", 1, f"-{a}.00", "V", None) for a in (5, 8, 10, 12, 15)])
    assert pairs(run(left, right, rules(group_pass(max_size=4)))) == set()
    assert len(next(iter(pairs(run(left, right, rules(group_pass(max_size=5))))))[1]) == 5


def test_two_combinations_fitting_the_amount_are_ambiguous() -> None:
    left = side([("PAY", 5, "-30.00", "V", None)])
    right = side(
        [
            ("A", 1, "-10.00", "V", None),
            ("B", 1, "-20.00", "V", None),
            ("C", 2, "-15.00", "V", None),
            ("D", 3, "-15.00", "V", None),
        ]
    )
    result = run(left, right, rules(group_pass()))
    assert pairs(result) == set()
    [row] = result.unmatched_left.to_pylist()
    assert row["reason"] == "ambiguous"
    assert row["candidate_ids"] == ["A", "B", "C", "D"]


def test_payments_whose_only_groups_share_a_member_are_both_left_for_review() -> None:
    # Each payment has exactly one combination, but both need invoice B: neither is taken,
    # while a third payment with a combination of its own is.
    left = side(
        [
            ("P1", 5, "-30.00", "V", None),
            ("P2", 5, "-45.00", "V", None),
            ("P3", 5, "-7.00", "V", None),
        ]
    )
    right = side(
        [
            ("A", 1, "-10.00", "V", None),
            ("B", 2, "-20.00", "V", None),
            ("C", 3, "-25.00", "V", None),
            ("D", 4, "-3.00", "V", None),
            ("E", 4, "-4.00", "V", None),
        ]
    )
    result = run(left, right, rules(group_pass()))
    assert pairs(result) == {(("P3",), ("D", "E"))}
    assert reasons(result, "left") == {"P1": "ambiguous", "P2": "ambiguous"}
    details = {r["id"]: r["reason_detail"] for r in result.unmatched_left.to_pylist()}
    assert "also another record's only one" in details["P1"]


def test_an_unsettled_group_can_be_held_from_later_one_to_one_passes() -> None:
    # PAY fits A+B and C+D: ambiguous. A later fee pass would pair OTHER with invoice C
    # (0.50 apart); held, C waits for review with PAY and the other invoices.
    left = side([("PAY", 5, "-30.00", "V", None), ("OTHER", 4, "-14.50", "V", None)])
    right = side(
        [
            ("A", 1, "-10.00", "V", None),
            ("B", 1, "-20.00", "V", None),
            ("C", 2, "-14.00", "V", None),
            ("D", 3, "-16.00", "V", None),
        ]
    )
    fee = one_pass(
        equal("name"),
        window(-3, 3),
        {"type": "tolerance", "left": "amount", "right": "amount", "absolute": 1.0},
        name="fee",
    )
    free = run(left, right, rules(group_pass(), fee))
    assert pairs(free) == {(("OTHER",), ("C",))}
    holding = group_pass()
    holding["group"]["hold_ambiguous"] = True
    held = run(left, right, rules(holding, fee))
    assert pairs(held) == set()
    assert reasons(held, "left") == {"PAY": "ambiguous", "OTHER": "no_candidate"}
    assert reasons(held, "right") == dict.fromkeys("ABCD", "ambiguous")
    rows = {r["id"]: r for r in held.unmatched_right.to_pylist()}
    assert rows["C"]["reason_detail"].startswith("held for review")
    assert rows["C"]["candidate_ids"] == ["PAY"]


def test_members_must_be_in_the_date_window_and_share_the_key() -> None:
    left = side([("PAY", 10, "-30.00", "V", None)])
    right = side(
        [
            ("A", 9, "-10.00", "V", None),
            ("late", 11, "-20.00", "V", None),
            ("other", 9, "-20.00", "W", None),
        ]
    )
    assert pairs(run(left, right, rules(group_pass()))) == set()


def test_many_to_one_groups_the_left_side() -> None:
    left = side([("C1", 0, "40.00", "V", None), ("C2", 1, "60.00", "V", None)])
    right = side([("DEP", 2, "100.00", "V", None)])
    result = run(left, right, rules(group_pass("many_to_one")))
    assert pairs(result) == {(("C1", "C2"), ("DEP",))}
    assert result.matches.column("kind").to_pylist() == ["many_to_one"]


def test_many_to_many_by_key_with_sums_agreeing() -> None:
    left = side(
        [
            ("L1", 0, "30.00", "V", "BATCH-1"),
            ("L2", 0, "70.00", "V", "BATCH-1"),
            ("L3", 0, "5.00", "V", "BATCH-2"),
        ]
    )
    right = side(
        [
            ("R1", 0, "50.00", "V", "BATCH-1"),
            ("R2", 1, "50.00", "V", "BATCH-1"),
            ("R3", 0, "6.00", "V", "BATCH-2"),
        ]
    )
    ruleset = rules(
        one_pass(
            equal("ref"),
            cardinality="many_to_many",
            group={"sum": {"left": "amount", "right": "amount"}},
        )
    )
    result = run(left, right, ruleset)
    assert pairs(result) == {(("L1", "L2"), ("R1", "R2"))}
    assert result.matches.column("kind").to_pylist() == ["many_to_many"]


def test_sum_tolerance() -> None:
    left = side([("PAY", 5, "-30.50", "V", None)])
    right = side([("A", 1, "-10.00", "V", None), ("B", 2, "-20.00", "V", None)])
    strict = rules(group_pass())
    assert pairs(run(left, right, strict)) == set()
    loose = group_pass()
    loose["group"]["sum"]["absolute"] = 1.0
    assert pairs(run(left, right, rules(loose))) == {(("PAY",), ("A", "B"))}


def test_members_may_be_required_to_share_the_spelling_as_written() -> None:
    # The three invoices of one payment carry one spelling; with that required, the other
    # spelling's invoice cannot stand in for one of them, so the combination is unique.
    left = side([("PAY", 5, "-30.00", "Orbis Ltd", None)])
    right = side(
        [
            ("A", 1, "-10.00", "ORBIS LIMITED", None),
            ("B", 2, "-20.00", "ORBIS LIMITED", None),
            ("C", 3, "-20.00", "Orbis Ltd.", None),
        ]
    )
    by_key = one_pass(
        equal("name", normaliser="company_name"),
        window(-5, 0),
        cardinality="one_to_many",
        group={"sum": {"left": "amount", "right": "amount"}, "same": ["name"]},
    )
    as_written = {**by_key, "group": {**by_key["group"], "same_normalised": False}}
    named = {"normalise": {"name": "company_name"}}
    # {A, B} and {A, C} both fit when the spellings count as one
    assert pairs(run(left, right, rules(by_key, left=named, right=named))) == set()
    assert pairs(run(left, right, rules(as_written, left=named, right=named))) == {
        (("PAY",), ("A", "B"))
    }


def test_the_member_limit_counts_members_sharing_the_same_values() -> None:
    # Nine possible members in all, but only two share a spelling: within the limit.
    left = side([("PAY", 5, "-30.00", "Orbis", None)])
    others = [(f"X{i}", 1, f"-{i}.50", "ORBIS", None) for i in range(1, 8)]
    right = side([("A", 1, "-10.00", "orbis", None), ("B", 2, "-20.00", "orbis", None), *others])
    spec = group_pass()
    spec["conditions"][0] = equal("name", normaliser="text")
    spec["group"] = {**spec["group"], "same_normalised": False, "max_candidates": 5}
    named = {"normalise": {"name": "text"}}
    assert pairs(run(left, right, rules(spec, left=named, right=named))) == {(("PAY",), ("A", "B"))}
    spec["group"]["same_normalised"] = True  # now all nine share the key: too many
    result = run(left, right, rules(spec, left=named, right=named))
    assert pairs(result) == set()
    assert "more than 5" in result.unmatched_left.column("reason_detail")[0].as_py()


def test_a_later_group_pass_may_skip_what_an_earlier_one_found_crowded() -> None:
    # Seven possible members: too many for the first pass (at most 5); a second pass allowing
    # 10 settles the payment, unless it skips the records the first found crowded.
    left = side([("PAY", 5, "-30.00", "Orbis", None)])
    others = [(f"X{i}", 1, f"-{i}.25", "Orbis", None) for i in range(1, 6)]
    right = side([("A", 1, "-10.00", "Orbis", None), ("B", 2, "-20.00", "Orbis", None), *others])
    first = group_pass(name="first")
    first["group"] = {**first["group"], "max_candidates": 5}
    second = group_pass(name="second")
    second["group"] = {**second["group"], "max_candidates": 10}
    assert pairs(run(left, right, rules(first, second))) == {(("PAY",), ("A", "B"))}
    second["group"]["skip_crowded"] = True
    result = run(left, right, rules(first, second))
    assert pairs(result) == set()
    [skipped] = result.unmatched_left.to_pylist()
    assert skipped["reason_pass"] == "first"
    assert "more than 5" in skipped["reason_detail"]


def test_a_later_group_pass_may_skip_what_an_earlier_one_paired_with_any_member() -> None:
    # The first pass (equal names) pairs PAY with invoice X (no subset fits); QUIET has no
    # possible member there. The second pass (any name) settles both, unless it skips what
    # the first one paired: then only QUIET, whose name the first pass never recognised.
    left = side([("PAY", 5, "-30.00", "Orbis", None), ("QUIET", 5, "-7.00", "Zeta", None)])
    right = side(
        [
            ("X", 1, "-1.00", "Orbis", None),
            ("A", 1, "-10.00", "ORBIS LTD", None),
            ("B", 2, "-20.00", "ORBIS LTD", None),
            ("C", 2, "-3.00", "ZETA GMBH", None),
            ("D", 3, "-4.00", "ZETA GMBH", None),
        ]
    )
    first = group_pass(name="first")
    any_name = group_pass(name="any_name")
    any_name["conditions"] = [window(-5, 0)]
    assert pairs(run(left, right, rules(first, any_name))) == {
        (("PAY",), ("A", "B")),
        (("QUIET",), ("C", "D")),
    }
    any_name["group"]["skip_paired"] = True
    assert pairs(run(left, right, rules(first, any_name))) == {(("QUIET",), ("C", "D"))}


def test_a_group_pass_may_skip_members_an_earlier_one_to_one_pass_left_ambiguous() -> None:
    # Bank lines of 10.00 a day either side of invoice A: the one-to-one pass leaves A
    # ambiguous.
    # PAY then fits A+B and C+D; without A as a possible member only C+D is left.
    left = side(
        [
            ("PAY", 5, "-30.00", "V", None),
            ("R1", 1, "-10.00", "V", None),
            ("R2", 3, "-10.00", "V", None),
        ]
    )
    right = side(
        [
            ("A", 2, "-10.00", "V", None),
            ("B", 1, "-20.00", "V", None),
            ("C", 2, "-14.00", "V", None),
            ("D", 3, "-16.00", "V", None),
        ]
    )
    same_amount = one_pass(equal("name"), equal("amount"), window(-3, 3), name="same_amount")
    assert pairs(run(left, right, rules(same_amount, group_pass()))) == set()
    skipping = group_pass()
    skipping["group"]["skip_ambiguous_members"] = True
    result = run(left, right, rules(same_amount, skipping))
    assert pairs(result) == {(("PAY",), ("C", "D"))}
    assert reasons(result, "right") == {"A": "ambiguous", "B": "no_candidate"}


def test_members_may_be_found_by_a_name_a_slip_away() -> None:
    # The invoices spell the vendor with two letters swapped: no equal name, but one edit
    # from the payment's, after normalising once per distinct name. The window still holds:
    # the same spelling ten days earlier is not a member.
    left = side([("PAY", 10, "-30.00", "Orbis Trading Ltd", None)])
    right = side(
        [
            ("A", 8, "-10.00", "ORBSI TRADING", None),
            ("B", 9, "-20.00", "ORBSI TRADING", None),
            ("old", 0, "-20.00", "ORBSI TRADING", None),
            ("other", 9, "-10.00", "Orion Trading", None),
        ]
    )
    near_name = {
        "type": "near",
        "left": "name",
        "right": "name",
        "normaliser": "squashed",
        "max_edits": 1,
    }
    spec = group_pass()
    spec["conditions"] = [near_name, window(-5, 0)]
    squashed = {"squashed": ["lower", "legal_forms", "sort_tokens", "alphanumeric"]}
    result = run(left, right, rules(spec, normalisers=squashed))
    assert pairs(result) == {(("PAY",), ("A", "B"))}
    assert reasons(result, "right") == {"old": "no_candidate", "other": "no_candidate"}
    exact = group_pass()  # equal names only: nothing
    assert pairs(run(left, right, rules(exact, normalisers=squashed))) == set()


@given(
    st.lists(st.integers(1, 12), min_size=2, max_size=8),
    st.integers(2, 30),
    st.sampled_from([1, -1]),
    st.sampled_from([0.0, 1.0]),
)
@example([5, 5], 11, -1, 1.0)  # equal members, the sum at the tolerance's edge
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_group_search_agrees_with_brute_force(
    amounts: list[int], target: int, sign: int, absolute: float
) -> None:
    # Every subset of 2..4 members within the tolerance counts: exactly one is a match,
    # several are ambiguous, none leaves the payment without a group.
    left = side([("PAY", 5, f"{sign * target}.00", "V", None)])
    # Each invoice its own reference: equal amounts on one day are not exact copies.
    right = side(
        [(f"I{i}", 1 + i % 5, f"{sign * a}.00", "V", f"R{i}") for i, a in enumerate(amounts)]
    )
    spec = group_pass()
    spec["group"]["sum"]["absolute"] = absolute
    fitting = [
        tuple(f"I{i}" for i in subset)
        for size in range(2, 5)
        for subset in combinations(range(len(amounts)), size)
        if abs(sum(amounts[i] for i in subset) - target) <= absolute
    ]
    result = run(left, right, rules(spec))
    if len(fitting) == 1:
        assert pairs(result) == {(("PAY",), fitting[0])}
    else:
        assert pairs(result) == set()
        expected = "ambiguous" if fitting else "no_candidate"
        assert reasons(result, "left")["PAY"] == expected


def test_the_subset_search_in_slices_finds_what_it_finds_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Many payments, their possible members searched one slice of records at a time when
    # the pairs of members are many: the same groups and the same ambiguities either way.
    left = side([(f"PAY{v}", 5, f"-{10 * v + 3}.00", f"V{v}", None) for v in range(1, 9)])
    right = side(
        [
            (f"I{v}-{i}", 1 + i % 5, f"-{a}.00", f"V{v}", f"R{v}-{i}")
            for v in range(1, 9)
            # Odd vendors: 10v + 3 and 10v + 1 + 2 both fit; even ones: one group fits.
            for i, a in enumerate([10 * v, 3, 1, 2] if v % 2 else [10 * v, 3, 100 + v, 200 + v])
        ]
    )
    ruleset = rules(group_pass())
    at_once = run(left, right, ruleset)
    monkeypatch.setattr(groups, "PAIRS_PER_SLICE", 3)
    sliced = run(left, right, ruleset)
    assert pairs(sliced) == pairs(at_once)
    assert reasons(sliced, "left") == reasons(at_once, "left")
    assert len(pairs(at_once)) == 4  # both outcomes occur
    assert set(reasons(at_once, "left").values()) == {"ambiguous"}
