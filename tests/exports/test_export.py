"""Exports over HTTP: every exported row checked against the stored results; formulas defused."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pyarrow.parquet as pq
import pytest
from openpyxl.utils.escape import unescape

from tests.auth.support import assert_problem
from tests.results.support import FORMULAS, World, run_dir, stored_rows

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LEFT_FIELDS = ["id", "amount", "reference", "booking_date"]
RIGHT_FIELDS = ["id", "amount", "doc_ref", "posted_date"]
HEADER = [
    "result_id",
    "kind",
    "match_status",
    "pass",
    "score",
    "amount",
    "review_status",
    "review_note",
    "left_ids",
    "right_ids",
    "reason",
    "reason_detail",
    "candidates",
    "differences",
    *(f"left.{f}" for f in LEFT_FIELDS),
    *(f"right.{f}" for f in RIGHT_FIELDS),
]


def _defused(value: Any) -> Any:
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def _expected(row: dict[str, Any], spreadsheet: bool) -> dict[str, Any]:
    """What the export should say about a stored result (this project's records: one a side)."""
    detail = row["reason_detail"] or {}
    cells: dict[str, Any] = {
        "result_id": row["id"],
        "kind": row["kind"],
        "match_status": row["match_status"],
        "pass": row["pass_name"],
        "score": row["score"],
        "amount": row["amount"],
        "review_status": row["review_status"],
        "review_note": row["review_note"],
        "left_ids": "; ".join(row["left_ids"]),
        "right_ids": "; ".join(row["right_ids"]),
        "reason": row["reason"],
        "reason_detail": detail.get("detail"),
    }
    for side, fields in (("left", LEFT_FIELDS), ("right", RIGHT_FIELDS)):
        (record,) = row[f"{side}_records"] or [{}]
        for field in fields:
            value = record.get(field)
            cells[f"{side}.{field}"] = _defused(value) if spreadsheet else value
    return cells


def _same(got: Any, want: Any) -> bool:
    if want is None:
        return got in (None, "")
    if isinstance(want, float | Decimal) and not isinstance(want, bool):
        return Decimal(str(got)) == Decimal(str(want))
    return str(got) == str(want)


def _check_rows(exported: list[dict[str, Any]], rows: list[dict[str, Any]], sheet: bool) -> None:
    assert [int(r["result_id"]) for r in exported] == [r["id"] for r in rows]
    for got, row in zip(exported, rows, strict=True):
        for column, want in _expected(row, sheet).items():
            assert _same(got[column], want), (row["id"], column, got[column], want)


def _download(world: World, **params: Any) -> bytes:
    response = world.client.get(
        world.url("/export"), params=params, headers=world.headers["viewer"]
    )
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    return response.content


def test_csv_export_has_every_result_and_defuses_formulas(world: World) -> None:
    rows = stored_rows(world)
    text = _download(world, format="csv").decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert reader.fieldnames == HEADER
    exported = list(reader)
    _check_rows(exported, rows, sheet=True)
    cells = [v for r in exported for v in r.values()]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    for formula in FORMULAS:
        assert "'" + formula in cells, formula
    assert "'@SUM(A1:A9)" in cells


def test_xlsx_export_has_every_result_and_defuses_formulas(world: World) -> None:
    rows = stored_rows(world)
    workbook = openpyxl.load_workbook(io.BytesIO(_download(world, format="xlsx")), read_only=True)
    sheet_rows = list(workbook["results"].iter_rows(values_only=True))
    assert list(sheet_rows[0]) == HEADER
    # OOXML stores a carriage return as _x000D_; openpyxl's read-only mode leaves it escaped.
    exported = [
        {k: unescape(v) if isinstance(v, str) else v for k, v in zip(HEADER, r, strict=True)}
        for r in sheet_rows[1:]
    ]
    _check_rows(exported, rows, sheet=True)
    texts = [v for r in exported for v in r.values() if isinstance(v, str)]
    assert not [t for t in texts if t.startswith(FORMULA_STARTS)]
    for formula in [*FORMULAS, "@SUM(A1:A9)"]:
        assert "'" + formula in texts, formula
    assert not list((world.data_dir.parent / "data" / "tmp").glob("export-*"))


def test_parquet_export_keeps_values_as_they_are(world: World) -> None:
    rows = stored_rows(world)
    table = pq.read_table(io.BytesIO(_download(world, format="parquet")))
    assert table.column_names == HEADER
    exported = table.to_pylist()
    _check_rows(exported, rows, sheet=False)
    assert set(FORMULAS) <= {r["left.reference"] for r in exported}


def test_export_takes_the_listing_filters(world: World) -> None:
    for params in (
        {"kind": "unmatched_left"},
        {"exceptions": "true"},
        {"pass": "amount_date"},
        {"kind": ["matched", "unmatched_right"], "score_min": "0.5"},
        {"amount_min": "100.5", "amount_max": "2000", "review_status": "pending"},
        {"q": "INV-0000"},
    ):
        listed = [r["id"] for r in world.all_results(limit=1000, **params)]
        text = _download(world, format="csv", **params).decode("utf-8-sig")
        exported = [int(r["result_id"]) for r in csv.DictReader(io.StringIO(text, newline=""))]
        assert exported == listed, params
        assert listed


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "parquet"])
def test_non_members_cannot_export(world: World, file_format: str) -> None:
    response = world.client.get(
        world.url("/export"), params={"format": file_format}, headers=world.headers["outsider"]
    )
    assert_problem(response, 404)


def test_csv_is_sent_batch_by_batch(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("accord.exports.source.BATCH_ROWS", 50)
    rows = stored_rows(world)
    url, headers = world.url("/export"), world.headers["viewer"]
    with world.client.stream("GET", url, headers=headers) as response:
        assert response.status_code == 200
        chunks = list(response.iter_raw())
    # The header, then one chunk per batch of 50: never the whole result set at once.
    assert len(chunks) == 1 + -(-len(rows) // 50)
    assert sum(chunk.count(b"\n") for chunk in chunks[1:]) >= len(rows)


def test_an_export_with_nothing_selected_has_its_header_only(world: World) -> None:
    none = {"q": "no record holds this text"}
    text = _download(world, format="csv", **none).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text, newline=""))) == [HEADER]
    table = pq.read_table(io.BytesIO(_download(world, format="parquet", **none)))
    assert (table.column_names, table.num_rows) == (HEADER, 0)
    workbook = openpyxl.load_workbook(io.BytesIO(_download(world, format="xlsx", **none)))
    assert [list(r) for r in workbook["results"].iter_rows(values_only=True)] == [HEADER]


@pytest.mark.parametrize("byte_range", ["bytes=abc", "bytes=999999999-", "bytes=0-10"])
def test_a_range_request_leaves_no_temporary_file(world: World, byte_range: str) -> None:
    """A download manager resuming asks for a range; whatever the answer, the file goes."""
    headers = {**world.headers["viewer"], "Range": byte_range}
    response = world.client.get(world.url("/export"), params={"format": "xlsx"}, headers=headers)
    assert response.status_code in (206, 400, 416)
    assert not list((world.data_dir / "tmp").glob("export-*"))


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "parquet"])
def test_an_export_whose_side_file_is_damaged_is_a_problem_not_a_cut_stream(
    world: World, file_format: str
) -> None:
    """Pages damaged, footer intact: the files open, their records cannot be read."""
    job_id = world.run_again()
    side = run_dir(world, job_id) / "left.parquet"
    damaged = bytearray(side.read_bytes())
    half = len(damaged) // 2
    damaged[4:half] = b"\xab" * (half - 4)
    side.write_bytes(bytes(damaged))
    response = world.client.get(
        world.url("/export", job_id),
        params={"format": file_format},
        headers=world.headers["viewer"],
    )
    body = assert_problem(response, 500)
    assert body["type"].endswith("results-file-unavailable")
    assert "Run the job again" in body["detail"]
