"""The exports over HTTP say, byte for byte, what the first row-by-row export said about the
same stored results (reference.py): a reviewer's notes and a manual match included."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl.utils.escape import unescape

from accord.exports.batches import BatchBuilder
from accord.exports.rows import OUTCOME_COLUMNS, ExportLayout, neutralise
from tests.exports.reference import csv_text, flatten
from tests.jobs.seed import RULES
from tests.results.support import World, stored_rows

LAYOUT = ExportLayout.of(RULES)
NOTES = ['say "no", twice', "=1+1", "line\nbreak, and\r\nmore", "-5", "中文 🙂"]


@pytest.fixture(scope="module")
def reviewed(world: World) -> World:
    """Notes on a few results, and a manual match of two left records with one right."""
    results = world.all_results(limit=1000)
    for result, note in zip(results, NOTES, strict=False):
        response = world.client.put(
            world.url(f"/results/{result['id']}/note"),
            json={"note": note},
            headers=world.headers["analyst"],
        )
        assert response.status_code == 200, response.text
    left = [r["left_ids"][0] for r in world.all_results(limit=1000, kind="unmatched_left")]
    right = [r["right_ids"][0] for r in world.all_results(limit=1000, kind="unmatched_right")]
    body = {"left_ids": left[:2], "right_ids": right[:1], "note": '=manual, "by hand"'}
    world.post("/manual-matches", body)
    return world


def _expected(world: World) -> list[list[Any]]:
    rows = [flatten(LAYOUT, row) for row in stored_rows(world)]
    assert any(row[OUTCOME_COLUMNS.index("review_note")] == NOTES[0] for row in rows)
    assert any("; " in str(row[len(OUTCOME_COLUMNS) + 1]) for row in rows), "a manual match"
    return rows


def _download(world: World, file_format: str, **params: str) -> bytes:
    response = world.client.get(
        world.url("/export"),
        params={"format": file_format, **params},
        headers=world.headers["viewer"],
    )
    assert response.status_code == 200, response.text
    return response.content


def test_csv_is_what_the_row_by_row_export_wrote(reviewed: World) -> None:
    header = io.StringIO()
    csv.writer(header).writerow(LAYOUT.header)
    expected = ("\ufeff" + header.getvalue()).encode() + csv_text(_expected(reviewed))
    assert _download(reviewed, "csv") == expected


@pytest.mark.parametrize(
    "params", [{}, {"kind": "unmatched_left"}, {"exceptions": "true"}], ids=["all", "kind", "open"]
)
def test_a_selection_says_the_same_read_per_batch_or_whole(
    reviewed: World, monkeypatch: pytest.MonkeyPatch, params: dict[str, str]
) -> None:
    """A selection that fits in one batch reads only its records' row groups; forced the
    other way (batches of 3), the same selection reads the side files whole: same bytes."""
    taken: list[bool] = []

    class Builder(BatchBuilder):
        def __init__(self, layout: ExportLayout, run_dir: Path | None, whole: bool) -> None:
            taken.append(whole)
            super().__init__(layout, run_dir, whole)

    monkeypatch.setattr("accord.exports.source.BatchBuilder", Builder)
    per_batch = _download(reviewed, "csv", **params)
    monkeypatch.setattr("accord.exports.source.BATCH_ROWS", 3)
    whole = _download(reviewed, "csv", **params)
    assert taken == [False, True]
    assert per_batch == whole
    if params.get("kind"):
        rows = [r for r in _expected(reviewed) if r[1] == params["kind"]]
        assert len(rows) > 3
        header = io.StringIO()
        csv.writer(header).writerow(LAYOUT.header)
        assert whole == ("\ufeff" + header.getvalue()).encode() + csv_text(rows)


def _sheet_value(value: Any) -> Any:
    """A value as the row-by-row export wrote it into a cell (and openpyxl reads it back)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return float(value)
    return neutralise(str(value))


def test_xlsx_cells_are_what_the_row_by_row_export_wrote(reviewed: World) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(_download(reviewed, "xlsx")), read_only=True)
    sheet = list(workbook["results"].iter_rows(values_only=True))
    assert list(sheet[0]) == LAYOUT.header
    got = [
        [unescape(v) if isinstance(v, str) else v for v in row[: len(LAYOUT.header)]]
        for row in sheet[1:]
    ]
    expected = [[_sheet_value(v) for v in row] for row in _expected(reviewed)]
    assert [[float(v) if isinstance(v, int) else v for v in row] for row in got] == expected


def test_parquet_is_what_the_row_by_row_export_wrote(reviewed: World) -> None:
    types = {"result_id": pa.int64(), "score": pa.float64(), "amount": pa.decimal128(20, 4)}
    schema = pa.schema([(name, types.get(name, pa.string())) for name in LAYOUT.header])
    rows = _expected(reviewed)
    columns = [
        [r[i] if i < len(OUTCOME_COLUMNS) or r[i] is None else str(r[i]) for r in rows]
        for i in range(len(schema))
    ]
    expected = pa.table([pa.array(c, f.type) for c, f in zip(columns, schema, strict=True)], schema)
    assert pq.read_table(io.BytesIO(_download(reviewed, "parquet"))).equals(expected)
