"""Bad input: every error names file, row, column, value and rule; the limit stops the import."""

from __future__ import annotations

import pytest

from accord.engine.ingest import ColumnMapping, IngestError, ReadOptions, read_table
from tests.engine.ingest.conftest import WriteFile


def test_error_names_file_row_column_value_and_rule(write_file: WriteFile) -> None:
    text = "id,amount,booked\n1,12.50,2024-01-05\n2,12.5O,2024-01-06\n3,1.00,2024-01-07\n"
    mapping = ColumnMapping.model_validate({"columns": {"amount": {"type": "decimal"}}})
    with pytest.raises(IngestError) as caught:
        read_table(write_file("ledger.csv", text), mapping=mapping)
    [problem] = caught.value.problems
    assert problem.file == "ledger.csv"
    assert problem.row == 2
    assert problem.column == "amount"
    assert problem.value == "12.5O"
    assert "is not an amount like 1,234.56" in problem.rule
    assert str(caught.value) == (
        "cannot import ledger.csv: 1 problem\n"
        "  ledger.csv, data row 2, column 'amount': value '12.5O': "
        "is not an amount like 1,234.56 (at most 2 decimals, 16 whole digits)"
    )


def test_rows_count_data_rows_even_when_a_value_spans_lines(write_file: WriteFile) -> None:
    text = 'memo,n\n"two\nlines",1\nok,2\nok,x\n'
    mapping = ColumnMapping.model_validate({"columns": {"n": {"type": "integer"}}})
    with pytest.raises(IngestError) as caught:
        read_table(write_file("m.csv", text), mapping=mapping)
    assert caught.value.problems[0].row == 3
    assert "is not a whole number" in caught.value.problems[0].rule


def test_errors_are_listed_in_file_order_across_columns(write_file: WriteFile) -> None:
    text = "a,b\n1,2024-01-01\nx,2024-01-02\n3,nope\ny,2024-01-04\n"
    mapping = ColumnMapping.model_validate(
        {"columns": {"a": {"type": "integer"}, "b": {"type": "date"}}}
    )
    with pytest.raises(IngestError) as caught:
        read_table(write_file("e.csv", text), mapping=mapping)
    assert [(p.row, p.column, p.value) for p in caught.value.problems] == [
        (2, "a", "x"),
        (3, "b", "nope"),
        (4, "a", "y"),
    ]
    assert not caught.value.stopped_early


def test_import_stops_at_the_error_limit(write_file: WriteFile) -> None:
    text = "n\n" + "".join(f"bad{i}\n" for i in range(50))
    mapping = ColumnMapping.model_validate({"columns": {"n": {"type": "integer"}}})
    with pytest.raises(IngestError) as caught:
        read_table(write_file("many.csv", text), ReadOptions(max_errors=5), mapping)
    assert [p.row for p in caught.value.problems] == [1, 2, 3, 4, 5]
    assert caught.value.stopped_early
    assert "stopped after 5 errors" in str(caught.value)


def test_default_error_limit_is_100(write_file: WriteFile) -> None:
    text = "n\n" + "".join(f"bad{i}\n" for i in range(150))
    mapping = ColumnMapping.model_validate({"columns": {"n": {"type": "integer"}}})
    with pytest.raises(IngestError) as caught:
        read_table(write_file("many.csv", text), mapping=mapping)
    assert len(caught.value.problems) == 100


def test_a_bad_value_after_the_sample_is_still_caught(write_file: WriteFile) -> None:
    text = "amount\n" + "1.00\n" * 50 + "N/A\n"
    with pytest.raises(IngestError) as caught:
        read_table(write_file("late.csv", text), ReadOptions(sample_rows=10))
    problem = caught.value.problems[0]
    assert (problem.row, problem.value) == (51, "N/A")
    assert "inferred from the first 10 rows; give it in the mapping" in problem.rule


def test_null_values_option_reads_placeholders_as_missing(write_file: WriteFile) -> None:
    text = "amount,memo\n1.00,x\nN/A,N/A\n2.00,y\n"
    table = read_table(write_file("na.csv", text), ReadOptions(null_values=("N/A",))).table
    assert table.column("amount").null_count == 1
    assert table.column("memo").to_pylist() == ["x", None, "y"]


def test_mapping_naming_a_missing_column_lists_the_real_ones(write_file: WriteFile) -> None:
    mapping = ColumnMapping.model_validate({"columns": {"Amount": {"type": "decimal"}}})
    with pytest.raises(IngestError) as caught:
        read_table(write_file("m.csv", "amount,date\n1,2\n"), mapping=mapping)
    problem = caught.value.problems[0]
    assert problem.column == "Amount"
    assert "amount, date" in problem.rule


def test_bad_format_in_the_mapping_is_an_error(write_file: WriteFile) -> None:
    mapping = ColumnMapping.model_validate(
        {"columns": {"d": {"type": "date", "format": "day first"}}}
    )
    with pytest.raises(IngestError, match="mapping: date format 'day first'"):
        read_table(write_file("m.csv", "d\n2024-01-01\n"), mapping=mapping)
