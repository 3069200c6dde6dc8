"""Column mapping as data: rename, type, format, constants, debit/credit, from YAML or JSON."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
import yaml
from pydantic import ValidationError

from accord.engine.ingest import ColumnMapping, IngestError, read_table
from tests.engine.ingest.conftest import WriteFile

STATEMENT = """Buchungstag;Verwendungszweck;Soll;Haben;Konto
05.01.2024;Miete;1.200,00;;0012
06.01.2024;Gehalt;;3.500,00;0012
07.01.2024;Gebühr;-2,50;;0012
"""

MAPPING_YAML = """
columns:
  Buchungstag: {rename: booking_date, format: dd.mm.yyyy}
  Verwendungszweck: {rename: description}
  Konto: {rename: account, type: string}
debit_credit:
  debit: Soll
  credit: Haben
  into: amount
constants:
  currency: EUR
  source_id: 7
  imported_on: 2024-02-01
unmapped: drop
"""


def test_yaml_mapping_turns_a_bank_export_into_reconciliation_columns(
    write_file: WriteFile, tmp_path: Path
) -> None:
    mapping_path = tmp_path / "bank.yaml"
    mapping_path.write_text(MAPPING_YAML, encoding="utf-8")
    result = read_table(
        write_file("konto.csv", STATEMENT), mapping=ColumnMapping.from_file(mapping_path)
    )
    table = result.table
    assert table.column_names == [
        "booking_date",
        "description",
        "account",
        "amount",
        "currency",
        "source_id",
        "imported_on",
    ]
    assert table.column("amount").to_pylist() == [
        Decimal("-1200.00"),
        Decimal("3500.00"),
        Decimal("-2.50"),
    ]
    assert table.schema.field("amount").type == pa.decimal128(18, 2)
    assert table.column("booking_date")[0].as_py() == dt.date(2024, 1, 5)
    assert table.column("account").to_pylist() == ["0012"] * 3
    assert table.column("currency").to_pylist() == ["EUR"] * 3
    assert table.schema.field("source_id").type == pa.int64()
    assert table.column("imported_on")[0].as_py() == dt.date(2024, 2, 1)


def test_json_mapping_loads_the_same_model(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"columns": {"a": {"rename": "b", "type": "integer"}}}))
    mapping = ColumnMapping.from_file(path)
    assert mapping.columns["a"].rename == "b"


def test_row_with_neither_debit_nor_credit_is_an_error(write_file: WriteFile) -> None:
    text = "d,Debit,Credit\n2024-01-01,5.00,\n2024-01-02,,\n"
    mapping = ColumnMapping.model_validate({"debit_credit": {"debit": "Debit", "credit": "Credit"}})
    with pytest.raises(IngestError) as caught:
        read_table(write_file("dc.csv", text), mapping=mapping)
    problem = caught.value.problems[0]
    assert (problem.row, problem.column) == (2, "Debit/Credit")
    assert "neither debit nor credit" in problem.rule


def test_unmapped_columns_are_kept_by_default_and_types_can_be_forced(
    write_file: WriteFile,
) -> None:
    mapping = ColumnMapping.model_validate({"columns": {"code": {"type": "string"}}})
    table = read_table(write_file("k.csv", "code,n\n12,1\n34,2\n"), mapping=mapping).table
    assert table.schema.field("code").type == pa.string()
    assert table.schema.field("n").type == pa.int64()


def test_boolean_type(write_file: WriteFile) -> None:
    mapping = ColumnMapping.model_validate({"columns": {"flag": {"type": "boolean"}}})
    table = read_table(write_file("b.csv", "flag\nY\nno\n1\nFALSE\n"), mapping=mapping).table
    assert table.column("flag").to_pylist() == [True, False, True, False]


def test_two_outputs_with_one_name_are_refused() -> None:
    with pytest.raises(ValidationError, match="used twice"):
        ColumnMapping.model_validate({"columns": {"a": {"rename": "x"}, "b": {"rename": "x"}}})


def test_rename_onto_an_unmapped_column_is_an_error(write_file: WriteFile) -> None:
    mapping = ColumnMapping.model_validate({"columns": {"a": {"rename": "b"}}})
    with pytest.raises(IngestError, match="two output columns have this name"):
        read_table(write_file("r.csv", "a,b\n1,2\n"), mapping=mapping)


def test_unknown_mapping_keys_are_refused() -> None:
    with pytest.raises(ValidationError):
        ColumnMapping.model_validate({"columns": {"a": {"typ": "string"}}})


def test_the_mappings_in_the_documentation_load() -> None:
    text = (Path(__file__).parents[3] / "docs" / "ingestion.md").read_text(encoding="utf-8")
    blocks = [block.split("```", 1)[0] for block in text.split("```yaml\n")[1:]]
    assert len(blocks) == 2
    for block in blocks:
        ColumnMapping.model_validate(yaml.safe_load(block))


@pytest.mark.parametrize(
    ("fmt", "value", "expected"),
    [
        ("excel", "45296", dt.date(2024, 1, 5)),
        ("dd/mm/yyyy", "05/01/2024", dt.date(2024, 1, 5)),
        ("1.234,56", "1234", Decimal("1234.00")),
    ],
)
def test_a_format_without_a_type_implies_the_type(
    write_file: WriteFile, fmt: str, value: str, expected: object
) -> None:
    mapping = ColumnMapping.model_validate({"columns": {"x": {"format": fmt}}})
    table = read_table(write_file("f.csv", f"x\n{value}\n"), mapping=mapping).table
    assert table.column("x").to_pylist() == [expected]
