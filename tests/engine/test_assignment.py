"""One-to-one assignment: exclusive, global, and ties reported as ambiguous, never guessed."""

from __future__ import annotations

from tests.engine.helpers import equal, one_pass, pairs, reasons, rules, run, side, similar, window


def test_best_candidate_wins_globally() -> None:
    # L1 fits R1 a bit better than R2, but R1 fits L2 perfectly: the global answer is
    # L2-R1 and then L1-R2, whatever order the rows come in.
    left = side([("L1", 0, "5.00", "Acme Trading", None), ("L2", 0, "5.00", "Acme Tradin", None)])
    right = side(
        [("R1", 0, "5.00", "Acme Tradin", None), ("R2", 0, "5.00", "Acme Tradng Co", None)]
    )
    result = run(left, right, rules(one_pass(equal("amount"), similar(0.8))))
    assert pairs(result) == {(("L2",), ("R1",)), (("L1",), ("R2",))}


def test_equally_good_candidates_are_ambiguous_with_their_candidates() -> None:
    left = side(
        [
            ("L1", 0, "120.00", "Greenleaf Catering", None),
            ("L2", 1, "120.00", "Greenleaf Catering", None),
        ]
    )
    right = side(
        [
            ("R1", 0, "120.00", "Greenleaf Catering", None),
            ("R2", 1, "120.00", "Greenleaf Catering", None),
        ]
    )
    result = run(
        left, right, rules(one_pass(equal("amount"), window(-3, 3, weight=0), similar(0.9)))
    )
    assert pairs(result) == set()
    assert reasons(result, "left") == {"L1": "ambiguous", "L2": "ambiguous"}
    rows = {r["id"]: r for r in result.unmatched_right.to_pylist()}
    assert rows["R1"]["candidate_ids"] == ["L1", "L2"]
    assert rows["R1"]["reason_pass"] == "p"


def test_a_scored_date_breaks_the_tie() -> None:
    left = side([("L1", 0, "120.00", "Greenleaf", None), ("L2", 3, "120.00", "Greenleaf", None)])
    right = side([("R1", 0, "120.00", "Greenleaf", None), ("R2", 3, "120.00", "Greenleaf", None)])
    result = run(left, right, rules(one_pass(equal("amount"), window(-3, 3, weight=1))))
    assert pairs(result) == {(("L1",), ("R1",)), (("L2",), ("R2",))}


def test_a_record_freed_by_a_rival_is_matched_in_a_later_round() -> None:
    # L1 ties between R1 and R2; R1 prefers L2. Once L2-R1 is taken, L1-R2 is unique.
    left = side([("L1", 0, "5.00", "Acme Trading", None), ("L2", 0, "5.00", "Zeta Trading", None)])
    right = side([("R1", 0, "5.00", "Zeta Trading", None), ("R2", 0, "5.00", "Acme Trading", None)])
    result = run(left, right, rules(one_pass(equal("amount"), similar(0.5))))
    assert pairs(result) == {(("L2",), ("R1",)), (("L1",), ("R2",))}


def test_later_passes_see_only_what_earlier_ones_left() -> None:
    left = side([("L1", 0, "5.00", "Acme", "A-1"), ("L2", 0, "5.00", "Acme", None)])
    right = side([("R1", 0, "5.00", "Acme", "A1"), ("R2", 0, "5.00", "Acme", "B2")])
    ruleset = rules(
        one_pass(equal("ref", normaliser="reference"), name="ref"),
        one_pass(equal("amount"), equal("name"), name="amount"),
    )
    result = run(left, right, ruleset)
    by_pass = {r["pass"]: (r["left_ids"], r["right_ids"]) for r in result.matches.to_pylist()}
    assert by_pass == {"ref": (["L1"], ["R1"]), "amount": (["L2"], ["R2"])}


def test_min_score_rejects_weak_pairs() -> None:
    left = side([("L", 0, "5.00", "Acme", None)])
    right = side([("R", 3, "5.00", "Acme", None)])
    ruleset = rules(one_pass(equal("amount"), window(-3, 3), min_score=0.9))
    result = run(left, right, ruleset)
    assert pairs(result) == set()
    assert reasons(result, "left") == {"L": "below_threshold"}


def test_suggest_action_marks_matches_for_review() -> None:
    left = side([("L", 0, "5.00", "Acme", None)])
    right = side([("R", 0, "5.00", "Acme", None)])
    result = run(left, right, rules(one_pass(equal("amount"), action="suggest")))
    assert result.matches.column("status").to_pylist() == ["suggested"]


def test_a_left_over_lists_its_twenty_lowest_candidate_ids_in_order() -> None:
    # 25 equally good candidates, in no order: the 20 lowest ids are listed, ascending.
    order = [
        7,
        24,
        0,
        13,
        19,
        3,
        22,
        11,
        5,
        16,
        1,
        20,
        9,
        14,
        2,
        23,
        6,
        18,
        10,
        4,
        21,
        8,
        15,
        12,
        17,
    ]
    left = side([("L", 0, "50.00", "Orbis", None)])
    right = side([(f"R{i:02d}", i, "50.00", "Orbis", None) for i in order])  # not copies
    result = run(left, right, rules(one_pass(equal("amount"), equal("name"))))
    [row] = result.unmatched_left.to_pylist()
    assert row["reason"] == "ambiguous"
    assert row["candidate_ids"] == [f"R{i:02d}" for i in range(20)]
