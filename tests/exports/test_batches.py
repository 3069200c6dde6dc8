"""Batches built column by column say what the first, row-by-row export said: records read
as the pages read them (results/details.py), then flattened one row at a time (reference.py).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from accord.exports.batches import BatchBuilder, ExportBatch
from accord.exports.rows import ExportLayout, cell
from accord.exports.writers import csv_rows
from accord.jobs.runfile import ID_COLUMN_KEY, RESULTS, RESULTS_SCHEMA, SIDE_FILES
from accord.results.details import Wanted, read_details, record_groups
from tests.exports.reference import csv_text, flatten

LEFT = pa.table(
    {
        "id": pa.array([3, 1, 2, 10, 4], pa.int64()),
        "text": ["=1+1", 'a "quoted", text', "line\nbreak", None, "中文 🙂"],
        "count": pa.array([-5, 0, 2**62, None, 7], pa.int64()),
        "rate": [0.1, 1e16, 1e-05, float("nan"), -0.0],
        "money": pa.array(
            [Decimal("-200.00"), Decimal("1000.00"), None, Decimal("0.10"), Decimal("12345.67")],
            pa.decimal128(18, 2),
        ),
        "wide": pa.array([Decimal("1.5")] * 5, pa.decimal128(38, 10)),
        "day": [date(2026, 1, 2), None, date(1999, 12, 31), date(2026, 1, 2), date(2000, 2, 29)],
        "at": [datetime(2026, 1, 2, 3, 4, 5, 500000), None, datetime(2026, 1, 2), None, None],
        "flag": [True, False, None, True, False],
        "tags": [["a", "b"], [], None, ["c"], ["d"]],
        "inf": [float("inf"), float("-inf"), 1.0, 2.5, None],
    }
)
RIGHT = pa.table({"ref": ["R1", "R-2", "@R3"], "amount": [1.5, -2.0, None]})
LAYOUT = ExportLayout(
    ["id", "text", "count", "rate", "money", "wide", "day", "at", "flag", "tags", "inf", "gone"],
    ["ref", "amount"],
)
DIFFERENCES = [
    {"field": "amount~amount", "left_value": "1000.00", "right_value": "1000.25"},
    {"field": "day", "left_value": None, "right_value": 1.5},
]


def _run_dir(tmp_path: Path) -> Path:
    for side, table, id_column in (("left", LEFT, "id"), ("right", RIGHT, "ref")):
        table = table.replace_schema_metadata({ID_COLUMN_KEY: id_column.encode()})
        pq.write_table(table, tmp_path / SIDE_FILES[side], row_group_size=2)
    results = {
        "ordinal": list(range(8)),
        "left_ids": [["1"], ["3", "1", "2"], ["2", "99"], ["99"], [], ["10", "4"], ["4"], ["1"]],
        "right_ids": [["R1"], [], ["R-2", "@R3"], ["R1"], ["R-2"], [], ["@R3"], []],
        "explanation": [None] * 8,
        "differences": [json.dumps(DIFFERENCES), "[]", None, "null", "[]", None, None, "[]"],
    }
    pq.write_table(pa.table(results, RESULTS_SCHEMA), tmp_path / RESULTS, row_group_size=3)
    return tmp_path


def _rows(run_dir: Path) -> list[dict[str, Any]]:
    """Results as the database holds them; the last is a reviewer's, with records of its own."""
    results = pq.read_table(run_dir / RESULTS).to_pylist()
    rows = [
        {
            "id": 100 + r["ordinal"],
            "kind": "matched",
            "match_status": "auto" if r["ordinal"] % 2 else None,
            "pass_name": "=pass" if r["ordinal"] == 3 else "reference",
            "score": [0.95, 1.0, None, 0.8766666666666667, 1e-05, 0.5, 1.0, 0.25][r["ordinal"]],
            "amount": Decimal("-200.0000") if r["ordinal"] % 3 else None,
            "review_status": "pending",
            "review_note": ['say "no", twice', None, "-1", "\n"][r["ordinal"] % 4],
            "left_ids": r["left_ids"],
            "right_ids": r["right_ids"],
            "reason": None,
            "reason_detail": (
                {"detail": "=best, 0.9", "candidates": ["R1", 7, "-x"]}
                if r["ordinal"] == 2
                else None
            ),
            "ordinal": r["ordinal"],
            "differences": None,
            "left_records": None,
            "right_records": None,
        }
        for r in results
    ]
    rows.append(
        {
            **rows[0],
            "id": 200,
            "ordinal": None,
            "left_ids": ["1", "2"],
            "right_ids": ["R1"],
            "reason_detail": {"detail": 5, "candidates": []},
            "differences": DIFFERENCES,
            "left_records": [{"id": 2, "text": "-a", "rate": 2.5}, {"id": 1, "rate": None}],
            "right_records": [{"ref": "R1", "amount": -1.0}],
        }
    )
    return rows


def _database_row(row: dict[str, Any]) -> tuple[Any, ...]:
    """The row as `rows.export_query` selects it: JSON and numeric columns as their text."""

    def as_json(value: Any) -> str | None:
        return None if value is None else json.dumps(value)

    return (
        row["id"],
        row["kind"],
        row["match_status"],
        row["pass_name"],
        row["score"],
        None if row["amount"] is None else str(row["amount"]),
        row["review_status"],
        row["review_note"],
        json.dumps(row["left_ids"]),
        json.dumps(row["right_ids"]),
        row["reason"],
        as_json(row["reason_detail"]),
        row["ordinal"],
        as_json(row["differences"]),
        as_json(row["left_records"]),
        as_json(row["right_records"]),
    )


def _with_details(run_dir: Path, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each worker's row with its details as a page reads them."""
    wanted = [
        Wanted(r["ordinal"], r["left_ids"], r["right_ids"])
        for r in rows
        if r["ordinal"] is not None
    ]
    details = read_details(run_dir, wanted)
    return [
        r
        if r["ordinal"] is None
        else {
            **r,
            "left_records": details[r["ordinal"]].left_records,
            "right_records": details[r["ordinal"]].right_records,
            "differences": details[r["ordinal"]].differences,
        }
        for r in rows
    ]


def _cells(rows: list[list[tuple[str | None, int]]]) -> list[list[tuple[str | None, int | None]]]:
    """Cells with the kind of an empty one left out (no writer looks at it)."""
    return [[(text, None if text is None else kind) for text, kind in row] for row in rows]


def _batch_cells(batch: ExportBatch) -> list[list[tuple[str | None, int]]]:
    texts = zip(*(t.to_pylist() for t in batch.texts), strict=True)
    kinds = zip(*(k.to_pylist() for k in batch.kinds), strict=True)
    return [list(zip(*row, strict=True)) for row in zip(texts, kinds, strict=True)]


@pytest.fixture(params=[True, False], ids=["whole", "per-batch"])
def built(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[ExportBatch, list[list[Any]]]:
    """A batch of every row, the side files' fields read whole or only for the batch."""
    run_dir = _run_dir(tmp_path)
    rows = _rows(run_dir)
    builder = BatchBuilder(LAYOUT, run_dir, whole=request.param)
    try:
        batch = builder.build([_database_row(r) for r in rows])
    finally:
        builder.close()
    return batch, [flatten(LAYOUT, r) for r in _with_details(run_dir, rows)]


def test_cells_are_the_values_as_text_with_their_kind(
    built: tuple[ExportBatch, list[list[Any]]],
) -> None:
    batch, expected = built
    assert _cells(_batch_cells(batch)) == _cells([[cell(v) for v in row] for row in expected])


def test_csv_is_byte_for_byte_the_csv_module(built: tuple[ExportBatch, list[list[Any]]]) -> None:
    batch, expected = built
    assert csv_rows(batch) == csv_text(expected)


def test_a_small_selection_reads_only_its_row_groups_and_says_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One result read per batch: the row groups of its records only, the same bytes."""
    run_dir = _run_dir(tmp_path)
    rows = _rows(run_dir)
    selected = [_database_row(r) for r in rows if r["ordinal"] in (5, 6)]  # left 10, 4; right @R3
    read: list[int] = []

    def spy(*args: Any, **kwargs: Any) -> pa.Table:
        table = record_groups(*args, **kwargs)
        read.append(table.num_rows)
        return table

    monkeypatch.setattr("accord.exports.records.record_groups", spy)
    written = {}
    for whole in (True, False):
        builder = BatchBuilder(LAYOUT, run_dir, whole=whole)
        try:
            written[whole] = csv_rows(builder.build(selected))
        finally:
            builder.close()
    assert written[False] == written[True]
    wanted = [r for r in _with_details(run_dir, rows) if r["ordinal"] in (5, 6)]
    assert written[False] == csv_text([flatten(LAYOUT, r) for r in wanted])
    # Left: ids 10 and 4, in the last two of three groups (three records); right: @R3's group.
    assert read == [3, 1]


def test_no_run_folder_is_unreadable_for_the_workers_rows(tmp_path: Path) -> None:
    rows = _rows(_run_dir(tmp_path))
    builder = BatchBuilder(LAYOUT, None, whole=False)
    try:
        with pytest.raises(FileNotFoundError):
            builder.build([_database_row(rows[0])])
        reviewers = builder.build([_database_row(rows[-1])])
    finally:
        builder.close()
    assert reviewers.texts[0].to_pylist() == ["200"]
