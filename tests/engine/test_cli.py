"""`accord reconcile` and `accord rules`, as a user runs them (the example included)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
from typer.testing import CliRunner

from accord.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


def test_the_example_runs_in_one_command_and_prints_its_summary(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "reconcile",
            str(EXAMPLES / "bank.csv"),
            str(EXAMPLES / "ledger.csv"),
            "--rules",
            str(EXAMPLES / "bank_ledger.yaml"),
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "bank ↔ ledger: 24 matches" in result.output
    assert "ambiguous 2, duplicate 1, no_candidate 3" in result.output
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["by_pass"]["split_payment"]["matches"] == 2
    matches = pq.read_table(tmp_path / "matches.parquet").to_pylist()
    split = next(m for m in matches if m["left_ids"] == ["STMT-24-008"])
    assert split["kind"] == "one_to_many"
    assert split["right_ids"] == [
        "GL-70108",
        "GL-70109",
        "GL-70110",
    ]
    slip = next(m for m in matches if m["left_ids"] == ["STMT-24-021"])
    assert slip["pass"] == "reference_near"
    assert slip["right_ids"] == ["GL-70123"]
    assert slip["explanation"][0]["outcome"] == "1 edit apart (at most 1)"
    left_over = pq.read_table(tmp_path / "unmatched_left.parquet").to_pylist()
    assert {r["id"]: r["reason"] for r in left_over}["STMT-24-028"] == "duplicate"


def test_csv_format_for_people(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "reconcile",
            str(EXAMPLES / "bank.csv"),
            str(EXAMPLES / "ledger.csv"),
            "--rules",
            str(EXAMPLES / "bank_ledger.yaml"),
            "--out",
            str(tmp_path),
            "--format",
            "csv",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "matches.csv",
        "summary.json",
        "unmatched_left.csv",
        "unmatched_right.csv",
    ]
    with (tmp_path / "matches.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["match_id"]) for r in rows] == list(range(1, 25))  # in order, for people
    assert json.loads(rows[0]["left_ids"])  # lists as JSON text


def test_invalid_rules_stop_the_run_with_the_problems(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("left: {id: id}\nright: {id: id}\npasses: []\n")
    result = runner.invoke(
        app,
        [
            "reconcile",
            str(EXAMPLES / "bank.csv"),
            str(EXAMPLES / "ledger.csv"),
            "--rules",
            str(rules),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 65
    assert "passes" in result.output
    assert not (tmp_path / "out").exists()


def test_rules_naming_missing_columns(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "left: {id: id}\nright: {id: id}\npasses:\n"
        "  - {name: p, conditions: [{type: equal, left: nope, right: doc_ref}]}\n"
    )
    result = runner.invoke(
        app,
        [
            "reconcile",
            str(EXAMPLES / "bank.csv"),
            str(EXAMPLES / "ledger.csv"),
            "--rules",
            str(rules),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 65
    assert "'nope'" in result.output


def test_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "reconcile",
            str(tmp_path / "none.csv"),
            str(EXAMPLES / "ledger.csv"),
            "--rules",
            str(EXAMPLES / "bank_ledger.yaml"),
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code in (65, 66)


def test_rules_check_explains_each_problem(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "left: {id: id}\nright: {id: id}\npasses:\n"
        "  - name: p\n    conditions:\n"
        "      - {type: similar, left: a, right: b, threshold: 2}\n"
        "      - {type: equal, left: a, right: b, normalizer: text}\n"
    )
    result = runner.invoke(app, ["rules", "check", str(rules)])
    assert result.exit_code == 65
    assert "2 problem(s)" in result.output
    assert "passes[0].conditions[0].threshold" in result.output
    assert "did you mean 'normaliser'?" in result.output


def test_rules_check_accepts_the_example_and_schema_prints() -> None:
    result = runner.invoke(app, ["rules", "check", str(EXAMPLES / "bank_ledger.yaml")])
    assert result.exit_code == 0
    assert "valid; 5 pass(es)" in result.output
    schema = runner.invoke(app, ["rules", "schema"])
    assert schema.exit_code == 0
    assert '"title": "Accord rules"' in schema.output
