"""XLSX, JSON arrays, NDJSON and Parquet come out typed the same way CSV does."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter

from accord.engine.ingest import IngestError, ReadOptions, read_table, write_parquet


def make_workbook(path: Path) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    notes = workbook.add_worksheet("Notes")
    notes.write_row(0, 0, ["nothing", "here"])
    ledger = workbook.add_worksheet("Ledger")
    ledger.write_row(0, 0, ["posted", "amount", "vendor", "doc", "paid"])
    rows = [
        (dt.date(2024, 1, 5), 1234.56, "Acme", "00042", True),
        (dt.date(2024, 1, 6), 0.1 + 0.2, "Beta", "00043", False),
        (dt.date(2024, 1, 7), -12, "Gamma", "00044", True),
    ]
    for index, (posted, amount, vendor, doc, paid) in enumerate(rows, start=1):
        ledger.write_datetime(index, 0, dt.datetime.combine(posted, dt.time()), dates)
        ledger.write_number(index, 1, amount)
        ledger.write_string(index, 2, vendor)
        ledger.write_string(index, 3, doc)
        ledger.write_boolean(index, 4, paid)
    workbook.close()
    return path


def test_xlsx_sheet_by_name(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "ledger.xlsx")
    result = read_table(path, ReadOptions(sheet="Ledger"))
    table = result.table
    assert table.column("posted").to_pylist() == [
        dt.date(2024, 1, 5),
        dt.date(2024, 1, 6),
        dt.date(2024, 1, 7),
    ]
    assert table.column("amount").to_pylist() == [
        Decimal("1234.56"),
        Decimal("0.30"),
        Decimal("-12.00"),
    ]
    assert table.column("doc").to_pylist() == ["00042", "00043", "00044"]
    assert table.schema.field("paid").type == pa.bool_()
    assert result.details["sheet"] == "Ledger"


def test_xlsx_sheet_by_index_and_errors_name_the_sheet_row(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "ledger.xlsx")
    assert read_table(path, ReadOptions(sheet=0)).table.column_names == ["nothing", "here"]
    from accord.engine.ingest import ColumnMapping

    mapping = ColumnMapping.model_validate({"columns": {"vendor": {"type": "integer"}}})
    with pytest.raises(IngestError) as caught:
        read_table(path, ReadOptions(sheet=1), mapping)
    first = caught.value.problems[0]
    assert (first.row, first.line, first.value) == (1, 2, "Acme")


def test_xlsx_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = make_workbook(tmp_path / "ledger.xlsx")
    with pytest.raises(IngestError, match="Notes, Ledger"):
        read_table(path, ReadOptions(sheet="Summary"))


RECORDS = [
    {"id": "A1", "amount": 12.5, "when": "2024-01-05", "tags": {"k": 1}},
    {"id": "A2", "amount": -3, "when": "2024-01-06", "tags": None},
]


def test_json_array(tmp_path: Path) -> None:
    path = tmp_path / "rows.json"
    path.write_text(json.dumps(RECORDS), encoding="utf-8")
    table = read_table(path).table
    assert table.column("amount").to_pylist() == [Decimal("12.50"), Decimal("-3.00")]
    assert table.column("when").to_pylist() == [dt.date(2024, 1, 5), dt.date(2024, 1, 6)]
    assert table.column("tags").to_pylist() == ['{"k":1}', None]


def test_ndjson(tmp_path: Path) -> None:
    path = tmp_path / "rows.ndjson"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    table = read_table(path).table
    assert table.column("id").to_pylist() == ["A1", "A2"]
    assert table.schema.field("amount").type == pa.decimal128(18, 2)


def test_parquet_round_trip_keeps_types(tmp_path: Path) -> None:
    csv = tmp_path / "in.csv"
    csv.write_text("id,amount,when,ref\nB1,1.50,2024-01-05,007\nB2,-2.25,2024-01-06,008\n")
    first = read_table(csv)
    out = write_parquet(first, tmp_path / "out.parquet")
    again = read_table(out)
    assert again.table.equals(first.table)


def test_parquet_floats_become_decimals_and_text_is_typed(tmp_path: Path) -> None:
    path = tmp_path / "raw.parquet"
    pq.write_table(
        pa.table(
            {
                "amount": pa.array([1.1, 2.25], pa.float64()),
                "when": pa.array(["05/01/2024", "31/01/2024"]),
                "n": pa.array([1, 2], pa.int32()),
            }
        ),
        path,
    )
    table = read_table(path).table
    assert table.column("amount").to_pylist() == [Decimal("1.10"), Decimal("2.25")]
    assert table.column("when").to_pylist() == [dt.date(2024, 1, 5), dt.date(2024, 1, 31)]
    assert table.column("n").to_pylist() == [1, 2]


def test_parquet_column_forced_to_string_becomes_its_text(tmp_path: Path) -> None:
    from accord.engine.ingest import ColumnMapping

    path = tmp_path / "n.parquet"
    pq.write_table(pa.table({"n": pa.array([1, 22], pa.int64())}), path)
    mapping = ColumnMapping.model_validate({"columns": {"n": {"type": "string"}}})
    assert read_table(path, mapping=mapping).table.column("n").to_pylist() == ["1", "22"]


def test_xlsx_title_rows_are_skipped_and_rows_still_point_at_the_sheet(tmp_path: Path) -> None:
    from accord.engine.ingest import ColumnMapping

    path = tmp_path / "titled.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["Statement for account 0012"])
    sheet.write_row(1, 0, ["amount", "n"])
    sheet.write_row(2, 0, [1.5, 1])
    sheet.write_row(3, 0, ["oops", 2])
    workbook.close()
    mapping = ColumnMapping.model_validate({"columns": {"amount": {"type": "decimal"}}})
    with pytest.raises(IngestError) as caught:
        read_table(path, ReadOptions(skip_rows=1), mapping)
    problem = caught.value.problems[0]
    assert (problem.row, problem.line, problem.value) == (2, 4, "oops")
    assert "data row 2, line 4" in str(problem)


def test_json_field_first_seen_late_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "late.ndjson"
    lines = [json.dumps({"a": i}) for i in range(25_000)] + [json.dumps({"a": 1, "late": "x"})]
    path.write_text("\n".join(lines), encoding="utf-8")
    table = read_table(path).table
    assert table.column_names == ["a", "late"]
    assert table.column("late").null_count == 25_000
