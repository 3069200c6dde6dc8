"""Each kind of condition, through the whole engine: what pairs, what does not."""

from __future__ import annotations

import pyarrow as pa

from tests.engine.helpers import equal, one_pass, pairs, reasons, rules, run, side, similar, window


def test_equal_after_normalisation() -> None:
    left = side([("L1", 0, "10.00", "Acme", "inv-0001 ")])
    right = side([("R1", 0, "99.00", "Other", "INV0001")])
    result = run(left, right, rules(one_pass(equal("ref", normaliser="reference"))))
    assert pairs(result) == {(("L1",), ("R1",))}
    [entry] = result.matches.column("explanation").to_pylist()[0]
    assert entry["left_value"] == "inv-0001 "
    assert entry["right_value"] == "INV0001"
    assert entry["outcome"] == "equal"


def test_equal_without_normalisation_is_exact() -> None:
    left = side([("L1", 0, "10.00", "Acme", "inv-0001")])
    right = side([("R1", 0, "10.00", "Acme", "INV0001")])
    assert pairs(run(left, right, rules(one_pass(equal("ref"))))) == set()


def test_tolerance_absolute_and_relative() -> None:
    left = side([("small", 0, "100.00", "A", None), ("large", 0, "10000.00", "B", None)])
    right = side(
        [
            ("small+2", 0, "102.00", "A", None),
            ("large+40", 0, "10040.00", "B", None),
            ("small+3", 5, "103.00", "A", None),
        ]
    )
    condition = {
        "type": "tolerance",
        "left": "amount",
        "right": "amount",
        "absolute": 2.0,
        "relative": 0.005,
    }
    result = run(left, right, rules(one_pass(condition, equal("name"))))
    # 2.00 is within 2.00; 40.00 is within 0.5% of 10,000; 3.00 is within neither.
    assert pairs(result) == {(("small",), ("small+2",)), (("large",), ("large+40",))}


def test_an_absolute_tolerance_spans_zero() -> None:
    # Found by bands of the amounts (no other key): a refund of 1.00 against a charge of
    # 1.00 is 2.00 apart, a nil line against a 1.50 fee 1.50: both within 2.00.
    within = {"type": "tolerance", "left": "amount", "right": "amount", "absolute": 2.0}
    for left_amount, right_amount in (("-1.00", "1.00"), ("0.00", "1.50"), ("-0.50", "0.25")):
        left = side([("L", 0, left_amount, "A", None)])
        right = side([("R", 0, right_amount, "A", None)])
        assert pairs(run(left, right, rules(one_pass(within)))) == {(("L",), ("R",))}
    far = side([("R", 0, "1.01", "A", None)])
    assert pairs(run(side([("L", 0, "-1.00", "A", None)]), far, rules(one_pass(within)))) == set()


def test_tolerance_relative_to_right() -> None:
    left = side([("L", 0, "100.00", "A", None)])
    right = side([("R", 0, "110.00", "A", None)])
    to_left = {"type": "tolerance", "left": "amount", "right": "amount", "relative": 0.095}
    assert pairs(run(left, right, rules(one_pass(to_left)))) == set()  # 10 > 9.5
    to_right = {**to_left, "relative_to": "right"}
    assert pairs(run(left, right, rules(one_pass(to_right)))) == {(("L",), ("R",))}  # 10 <= 10.45


def test_date_window_has_a_direction() -> None:
    left = side([("L", 10, "5.00", "A", None)])
    before = side([("R", 8, "5.00", "A", None)])
    after = side([("R", 12, "5.00", "A", None)])
    forward = rules(one_pass(equal("amount"), window(0, 3)))
    assert pairs(run(left, after, forward)) == {(("L",), ("R",))}
    assert pairs(run(left, before, forward)) == set()
    backward = rules(one_pass(equal("amount"), window(-3, 0)))
    assert pairs(run(left, before, backward)) == {(("L",), ("R",))}


def test_wide_date_window_is_filtered_not_expanded() -> None:
    left = side([("L", 0, "5.00", "A", None)])
    right = side([("R", 80, "5.00", "A", None)])
    assert pairs(run(left, right, rules(one_pass(equal("amount"), window(0, 90))))) == {
        (("L",), ("R",))
    }


def test_similarity_threshold_and_below_threshold_reason() -> None:
    left = side(
        [("L1", 0, "5.00", "ACME TRADING LTD", None), ("L2", 0, "7.00", "Zenith Foods", None)]
    )
    right = side(
        [("R1", 1, "5.00", "Acme Trading Limited", None), ("R2", 0, "7.00", "Orbis Media", None)]
    )
    result = run(left, right, rules(one_pass(equal("amount"), window(-3, 3), similar(0.9))))
    assert pairs(result) == {(("L1",), ("R1",))}
    assert reasons(result, "left") == {"L2": "below_threshold"}
    [row] = result.unmatched_left.to_pylist()
    assert row["best_score"] < 0.9
    assert row["candidate_ids"] == ["R2"]


def test_similarity_methods() -> None:
    left = side([("L", 0, "5.00", "Trading Belcor", None)])
    right = side([("R", 0, "5.00", "Belcor Trading", None)])
    by_method = {
        m: pairs(run(left, right, rules(one_pass(equal("amount"), similar(0.95, method=m)))))
        for m in ("jaro_winkler", "token_jaro_winkler", "levenshtein", "token_set_ratio")
    }
    assert by_method["token_jaro_winkler"] == by_method["token_set_ratio"] == {(("L",), ("R",))}
    assert by_method["jaro_winkler"] == by_method["levenshtein"] == set()


def test_custom_normaliser_steps() -> None:
    normalisers = {
        "vendor": [
            "lower",
            "accents",
            {"replace": {"&": " and "}},
            "punctuation",
            "legal_forms",
            {"words": {"intl": "international"}},
            "whitespace",
        ]
    }
    left = side([("L", 0, "5.00", "Müller & Söhne Intl GmbH", None)])
    right = side([("R", 0, "9.00", "muller and sohne international", None)])
    ruleset = rules(one_pass(equal("name", normaliser="vendor")), normalisers=normalisers)
    assert pairs(run(left, right, ruleset)) == {(("L",), ("R",))}


def test_side_normaliser_applies_where_the_column_is_compared() -> None:
    left = side([("L", 0, "5.00", "ACME LTD", None)])
    right = side([("R", 0, "9.00", "Acme Limited", None)])
    ruleset = rules(
        one_pass(equal("name")),
        left={"normalise": {"name": "company_name"}},
        right={"normalise": {"name": "company_name"}},
    )
    assert pairs(run(left, right, ruleset)) == {(("L",), ("R",))}


def test_equal_under_any_of_several_normalisers() -> None:
    normalisers = {"head": ["lower", {"word_prefix": 3}], "tail": ["lower", {"word_suffix": 3}]}
    left = side(
        [
            ("early", 0, "5.00", "Xelcor", None),
            ("late", 0, "6.00", "Belcox", None),
            ("neither", 0, "7.00", "Zzzzzz", None),
        ]
    )
    right = side([("R1", 0, "1.00", "Belcor", None), ("R2", 0, "2.00", "Orbis", None)])
    condition = {
        "type": "equal_any",
        "left": "name",
        "right": "name",
        "normalisers": ["head", "tail"],
    }
    result = run(left, right, rules(one_pass(condition), normalisers=normalisers))
    # 'Xelcor' shares the last letters with 'Belcor', 'Belcox' the first: each pairs under
    # one key; 'Belcor' cannot take both, so they tie and are reported ambiguous.
    assert pairs(result) == set()
    assert reasons(result, "left") == {
        "early": "ambiguous",
        "late": "ambiguous",
        "neither": "no_candidate",
    }
    only_late = run(left.slice(1, 1), right, rules(one_pass(condition), normalisers=normalisers))
    [match] = only_late.matches.to_pylist()
    assert match["explanation"][0]["outcome"] == "equal as head"


def test_whole_text_prefix_and_suffix_survive_words_run_together() -> None:
    normalisers = {
        "start": ["lower", "alphanumeric", {"prefix": 4}],
        "end": ["lower", "alphanumeric", {"suffix": 5}],
    }
    left = side(
        [
            ("run-together", 0, "5.00", "SELULDPHARNMA", None),
            ("typo-first", 0, "6.00", "Wiscor Insurance", None),
        ]
    )
    right = side(
        [("R1", 0, "5.00", "Selul Pharma", None), ("R2", 0, "6.00", "Wescor Insurance", None)]
    )
    condition = {
        "type": "equal_any",
        "left": "name",
        "right": "name",
        "normalisers": ["start", "end"],
    }
    ruleset = rules(one_pass(condition, equal("amount")), normalisers=normalisers)
    result = run(left, right, ruleset)
    assert pairs(result) == {(("run-together",), ("R1",)), (("typo-first",), ("R2",))}
    outcomes = {
        m["left_ids"][0]: m["explanation"][0]["outcome"] for m in result.matches.to_pylist()
    }
    assert outcomes == {"run-together": "equal as start", "typo-first": "equal as end"}


def near(max_edits: int = 1, **extra: object) -> dict[str, object]:
    return {
        "type": "near",
        "left": "ref",
        "right": "ref",
        "normaliser": "reference",
        "max_edits": max_edits,
        **extra,
    }


def test_near_pairs_references_one_slip_apart_and_says_how_far() -> None:
    # A character dropped, one added, one replaced, two neighbours swapped: each one edit.
    slips = {
        "dropped": ("INV-00481230", "INV-0048123"),
        "added": ("INV-00481230", "INV-004812300"),
        "replaced": ("INV-00481230", "INV-00481730"),
        "swapped": ("INV-00481230", "INV-00482130"),
        "same": ("inv 00481230", "INV-00481230"),
    }
    for offset, (name, (ours, theirs)) in enumerate(slips.items()):
        left = side([(f"L-{name}", 0, "10.00", "A", ours)])
        right = side([(f"R-{name}", 0, "10.00", "A", theirs)])
        result = run(left, right, rules(one_pass(near())))
        assert pairs(result) == {((f"L-{name}",), (f"R-{name}",))}, name
        [entry] = result.matches.column("explanation").to_pylist()[0]
        expected = "equal (at most 1)" if name == "same" else "1 edit apart (at most 1)"
        assert entry["outcome"] == expected, name
        assert entry["score"] == (1.0 if name == "same" else 0.5), offset


def test_near_does_not_pair_two_slips_unless_allowed() -> None:
    left = side([("L", 0, "10.00", "A", "INV-00481230")])
    right = side([("R", 0, "10.00", "A", "INV-00418239")])  # a swap and a replacement
    assert pairs(run(left, right, rules(one_pass(near(1))))) == set()
    result = run(left, right, rules(one_pass(near(2))))
    assert pairs(result) == {(("L",), ("R",))}
    [entry] = result.matches.column("explanation").to_pylist()[0]
    assert entry["outcome"] == "2 edits apart (at most 2)"


def test_near_pairs_short_or_missing_texts_only_when_equal() -> None:
    # 'AB12' and 'AB13' are one edit apart, but four letters are one edit from too many.
    left = side([("short", 0, "1.00", "A", "AB12"), ("none", 0, "2.00", "A", None)])
    right = side(
        [
            ("short'", 0, "1.00", "A", "AB13"),
            ("none'", 0, "2.00", "A", None),
            ("eq", 0, "3.00", "A", "AB12"),
        ]
    )
    result = run(left, right, rules(one_pass(near())))
    assert pairs(result) == {(("short",), ("eq",))}
    assert reasons(result, "left")["none"] == "no_candidate"


def test_near_tells_apart_same_amount_lines_of_one_vendor() -> None:
    # Two payments of 250.00 to one vendor two days apart: by name and amount ambiguous; the
    # reference typed with a slip says which is which.
    left = side(
        [("L1", 0, "250.00", "Orbis", "INV-00481230"), ("L2", 2, "250.00", "Orbis", "INV-00555555")]
    )
    right = side(
        [("R2", 1, "250.00", "Orbis", "INV-00555565"), ("R1", 1, "250.00", "Orbis", "INV-00481320")]
    )
    by_name = run(
        left, right, rules(one_pass(equal("amount"), equal("name"), window(-3, 3, weight=0)))
    )
    assert pairs(by_name) == set()
    by_reference = run(left, right, rules(one_pass(near(), equal("amount"), window(-3, 3))))
    assert pairs(by_reference) == {(("L1",), ("R1",)), (("L2",), ("R2",))}


def test_near_pairs_long_texts_only_when_equal_and_reads_numbers_as_text() -> None:
    # A 70-character text has too many variants to look them all up: only its equal pairs.
    long = "INV" + "0123456789" * 7
    left = side([("long", 0, "1.00", "A", long), ("same", 0, "2.00", "A", long + "9")])
    right = side(
        [("long'", 0, "1.00", "A", long[:-1] + "X"), ("same'", 0, "2.00", "A", long + "9")]
    )
    assert pairs(run(left, right, rules(one_pass(near())))) == {(("same",), ("same'",))}
    # Cheque numbers loaded as numbers, compared as their digits.
    numbers = pa.table({"id": ["L", "R"], "no": pa.array([12345678, 12345687], pa.int64())})
    numbered = rules(
        one_pass({"type": "near", "left": "no", "right": "no"}),
        left={"amount": None},
        right={"amount": None},
    )
    result = run(numbers.slice(0, 1), numbers.slice(1, 1), numbered)
    assert pairs(result) == {(("L",), ("R",))}


def test_near_finds_its_pairs_whatever_the_datas_columns_are_called() -> None:
    # A column named like the engine's own working names (here `k`, empty) must not stand in
    # for the near text: the slip is still found.
    empty_k = pa.array([None], pa.string())
    left = side([("L1", 0, "10.00", "Acme", "INV-0048123")]).append_column("k", empty_k)
    right = side([("R1", 0, "10.00", "Acme", "INV-0048132")]).append_column("k", empty_k)
    by_k = one_pass(equal("k"), name="by_k")  # makes the rules load `k`
    assert pairs(run(left, right, rules(one_pass(near()), by_k))) == {(("L1",), ("R1",))}


def test_similar_reads_numbers_as_text() -> None:
    numbers = pa.table({"id": ["L", "R"], "no": pa.array([12345678, 12345679], pa.int64())})
    for method in ("jaro_winkler", "levenshtein", "token_set_ratio"):
        numbered = rules(
            one_pass(
                {
                    "type": "similar",
                    "left": "no",
                    "right": "no",
                    "threshold": 0.8,
                    "method": method,
                },
                {"type": "equal", "left": "id", "right": "id", "weight": 0, "normaliser": "text"},
            ),
            left={"amount": None},
            right={"amount": None},
        )
        same_id = numbers.set_column(0, "id", pa.array(["X", "X"]))
        result = run(same_id.slice(0, 1), same_id.slice(1, 1), numbered)
        assert len(result.matches) == 1, method
        [similar_entry, _] = result.matches.column("explanation").to_pylist()[0]
        assert similar_entry["outcome"].startswith(method), method
