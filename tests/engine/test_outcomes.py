"""Duplicates, reason codes, compared fields, the summary, and the files written."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from accord.engine import RulesDataMismatch, reconcile, write_results
from accord.engine.run import default_memory_limit
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

LEFT = side(
    [
        ("L1", 0, "10.00", "Acme", "A1"),
        ("L2", 0, "10.00", "Acme", "A1"),
        ("L3", 0, "20.00", "Zeta", "Z9"),
        ("L4", 0, "30.00", "Nobody", None),
    ]
)
RIGHT = side(
    [
        ("R1", 1, "10.50", "Acme", "A1"),
        ("R2", 0, "20.00", "Zeta", "Z1"),
        ("R3", 0, "99.00", "Else", None),
    ]
)
RULES = rules(
    {
        **one_pass(
            equal("ref"),
            {"type": "tolerance", "left": "amount", "right": "amount", "absolute": 1.0},
            name="ref",
        ),
        "compare": [{"left": "amount", "right": "amount"}, {"left": "date", "right": "date"}],
    },
    one_pass(equal("amount"), window(-2, 2), name="amount"),
)


def test_exact_duplicates_are_set_aside_and_point_to_the_original() -> None:
    result = run(LEFT, RIGHT, RULES)
    rows = {r["id"]: r for r in result.unmatched_left.to_pylist()}
    assert rows["L2"]["reason"] == "duplicate"
    assert rows["L2"]["reason_detail"] == "exact copy of id L1"
    assert (("L1",), ("R1",)) in pairs(result)


def test_duplicates_can_be_kept() -> None:
    result = run(LEFT, RIGHT, rules(*RULES.model_dump()["passes"], left={"duplicates": "keep"}))
    assert reasons(result, "left")["L2"] == "ambiguous"  # two identical records, one partner


def test_reason_codes_for_every_left_over() -> None:
    result = run(LEFT, RIGHT, RULES)
    assert reasons(result, "left") == {"L2": "duplicate", "L4": "no_candidate"}
    assert reasons(result, "right") == {"R3": "no_candidate"}


def test_compared_fields_make_a_match_with_differences() -> None:
    result = run(LEFT, RIGHT, RULES)
    by_left = {r["left_ids"][0]: r for r in result.matches.to_pylist()}
    assert by_left["L1"]["status"] == "matched_with_differences"
    fields = {d["field"]: d["difference"] for d in by_left["L1"]["differences"]}
    assert fields == {"amount~amount": "0.5", "date~date": "1 days"}
    assert by_left["L3"]["status"] == "matched"


def test_every_match_explains_each_condition() -> None:
    result = run(LEFT, RIGHT, RULES)
    for match in result.matches.to_pylist():
        assert 0.0 <= match["score"] <= 1.0
        assert len(match["explanation"]) == 2
        assert all(e["left_value"] is not None and e["outcome"] for e in match["explanation"])


def test_matches_are_numbered_by_pass_then_lowest_left_id_then_lowest_right_id() -> None:
    # Ids chosen so that neither the input order nor the order of either side's ids alone
    # gives the numbering; the second pass groups two right records.
    left = side(
        [
            ("L9", 0, "10.00", "Acme", "A"),
            ("L2", 0, "11.00", "Acme", "B"),
            ("L5", 0, "12.00", "Acme", "C"),
            ("L1", 0, "30.00", "Zeta", None),
        ]
    )
    right = side(
        [
            ("R1", 0, "10.00", "Acme", "A"),
            ("R3", 0, "11.00", "Acme", "B"),
            ("R2", 0, "12.00", "Acme", "C"),
            ("R8", 0, "-5.00", "Zeta", None),
            ("R7", 0, "10.00", "Zeta", None),
            ("R6", 0, "20.00", "Zeta", None),
        ]
    )
    split = one_pass(
        equal("name"),
        window(0, 0),
        cardinality="one_to_many",
        group={"sum": {"left": "amount", "right": "amount"}, "same": ["name"]},
        name="split",
    )
    result = run(left, right, rules(one_pass(equal("ref"), name="ref"), split))
    numbered = sorted(
        (m["match_id"], m["pass"], m["left_ids"], m["right_ids"])
        for m in result.matches.to_pylist()
    )
    assert numbered == [
        (1, "ref", ["L2"], ["R3"]),
        (2, "ref", ["L5"], ["R2"]),
        (3, "ref", ["L9"], ["R1"]),
        (4, "split", ["L1"], ["R6", "R7"]),
    ]


def test_summary_counts_amounts_and_rates() -> None:
    summary = run(LEFT, RIGHT, RULES).summary
    assert summary["matches"] == 2
    assert summary["by_pass"]["ref"] == {
        "matches": 1,
        "left_records": 1,
        "right_records": 1,
        "left_amount": 10.0,
        "right_amount": 10.5,
    }
    assert summary["by_kind"]["one_to_one"]["matches"] == 2
    assert summary["match_rate"] == {"left": 0.5, "right": round(2 / 3, 6)}
    assert summary["unmatched"]["left"] == {
        "records": 2,
        "amount": 40.0,
        "by_reason": {"duplicate": 1, "no_candidate": 1},
    }
    assert summary["by_status"] == {"matched_with_differences": 1, "matched": 1}


def test_progress_reports_phases_in_order_and_can_cancel() -> None:
    seen: list[tuple[str, float]] = []
    reconcile(LEFT, RIGHT, RULES, progress=lambda phase, done: seen.append((phase, done)))
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    assert [p for p, _ in seen][:2] == ["load", "duplicates"]

    class Cancelled(Exception):
        """Raised by the progress callback to stop the run."""

    def cancel(phase: str, done: float) -> None:
        if phase.startswith("pass:"):
            raise Cancelled

    with pytest.raises(Cancelled):
        reconcile(LEFT, RIGHT, RULES, progress=cancel)


def test_rules_naming_a_missing_column_say_which() -> None:
    with pytest.raises(RulesDataMismatch, match="left column\\(s\\) 'nope'"):
        reconcile(LEFT, RIGHT, rules(one_pass(equal("nope", "ref"))))


@pytest.mark.parametrize("fmt", ["parquet", "csv", "xlsx"])
def test_results_are_written_in_each_format(tmp_path: Path, fmt: str) -> None:
    written = write_results(run(LEFT, RIGHT, RULES), tmp_path, fmt)  # type: ignore[arg-type]
    names = {p.name for p in written}
    assert "summary.json" in names
    assert json.loads((tmp_path / "summary.json").read_text())["matches"] == 2
    if fmt == "parquet":
        matches = pq.read_table(tmp_path / "matches.parquet")
        assert matches.column_names[:7] == [
            "match_id",
            "pass",
            "kind",
            "status",
            "score",
            "left_ids",
            "right_ids",
        ]
        assert "reason" in pq.read_table(tmp_path / "unmatched_left.parquet").column_names
    elif fmt == "csv":
        assert (tmp_path / "unmatched_right.csv").read_text().startswith('"id"')
    else:
        assert (tmp_path / "results.xlsx").stat().st_size > 0


def test_a_temporary_directory_with_a_quote_in_its_path_is_fine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The engine spills past its memory limit into a directory made under the system's
    # temporary directory; that path goes to DuckDB as a setting, whatever it holds.
    odd = tmp_path / "it's here"
    odd.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(odd))
    left = side([("L1", 0, "10.00", "Acme", "INV-1")])
    right = side([("R1", 0, "10.00", "Acme", "INV-1")])
    result = reconcile(left, right, rules(one_pass(equal("ref"))), memory_limit="200MB")
    assert pairs(result) == {(("L1",), ("R1",))}
    assert not any(odd.iterdir())  # the spill directory is removed afterwards


def test_the_default_memory_limit_grows_with_the_input_within_the_machine() -> None:
    half = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2 // 1_000_000
    cap = max(half, 1200)
    assert default_memory_limit(10_000) == "1200MB"  # the floor
    assert default_memory_limit(2_000_000) == f"{min(1500, cap)}MB"  # 750 MB per 1M rows
    assert default_memory_limit(6_000_000) == f"{min(4500, cap)}MB"
    assert default_memory_limit(10**10) == f"{cap}MB"  # never past half the machine


def test_column_names_may_hold_any_character() -> None:
    # A quote, a space, an accent: the names normalised once per distinct value (here by
    # company_name) and per row (reference) are derived columns named after them.
    odd_name, odd_ref = 'vendor "name"', "réf n°"
    left = side([("L1", 0, "10.00", "Belcor GmbH", "INV-1")]).rename_columns(
        ["id", "date", "amount", odd_name, odd_ref]
    )
    right = side([("R1", 1, "10.00", "BELCOR", "inv 1")]).rename_columns(
        ["id", "date", "amount", odd_name, odd_ref]
    )
    ruleset = rules(
        one_pass(
            equal(odd_ref, normaliser="reference"),
            similar(0.9, left=odd_name, right=odd_name, normaliser="company_name"),
        )
    )
    assert pairs(run(left, right, ruleset)) == {(("L1",), ("R1",))}


def test_the_data_may_have_columns_named_like_the_engines_own() -> None:
    # The engine derives columns (`_n<k>_<column>` normalised, `_t<k>_<column>` text ids)
    # beside the data's: a data column of the same name must be neither shadowed nor read
    # in their place. Here `_t0_name` pairs a with the 'Zeta' invoices, whose name is far
    # from 'Belcor GmbH': read as text ids, it made the name look similar.
    day = dt.date(2024, 1, 1)
    left = pa.table(
        {
            "id": ["b", "a"],
            "date": [day] * 2,
            "amount": pa.array([5000, 30]),
            "name": ["Q", "Belcor GmbH"],
            "_t0_name": pa.array([9, 1]),
            "_n0_name": ["x", "y"],
        }
    )
    right = pa.table(
        {
            "id": ["v", "w", "x"],
            "date": [day] * 3,
            "amount": pa.array([10, 20, 1000]),
            "name": ["Zeta", "Zeta", "Belcor GmbH"],
            "_t0_name": pa.array([1, 1, 7]),
            "_n0_name": ["y", "y", "z"],
        }
    )
    ruleset = rules(
        one_pass(
            equal("_t0_name"),
            equal("_n0_name"),
            similar(0.9),
            cardinality="one_to_many",
            group={"sum": {"left": "amount", "right": "amount"}},
        )
    )
    assert pairs(reconcile(left, right, ruleset)) == set()
    # The same data with names alike: the data's columns still decide the keys.
    alike = right.set_column(3, "name", pa.array(["Belcor GmbH"] * 3))
    assert pairs(reconcile(left, alike, ruleset)) == {(("a",), ("v", "w"))}


def test_a_default_normaliser_on_a_column_no_pass_uses_is_harmless() -> None:
    # (`text` runs per row, over the columns loaded: `name` was not, as no pass reads it.)
    ruleset = rules(one_pass(equal("ref")), left={"normalise": {"name": "text"}})
    assert pairs(run(LEFT, RIGHT, ruleset)) == pairs(
        run(LEFT, RIGHT, rules(one_pass(equal("ref"))))
    )
