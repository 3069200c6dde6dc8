"""CSV/TSV: dialect and encoding detection, and the bank file a reconciliation starts from."""

from __future__ import annotations

import datetime as dt
import gzip
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from accord.engine.ingest import ColumnType, IngestError, ReadOptions, read_table
from tests.engine.ingest.conftest import WriteFile

BANK_CSV = """id,booking_date,value_date,amount,currency,counterparty,description,reference
B0000001,2024-11-25,2024-11-26,1000.00,EUR,"VANHAL, MEDIA LLC","CREDIT FROM VANHAL",00012345
B0000002,2024-05-23,2024-05-23,-421.37,EUR,Zanpml Cleaning Co,DIRECT DEBIT ZANPML,00067890
B0000003,2024-07-14,2024-07-14,-250.05,USD,Ulros Group Corp,CARD PAYMENT,
"""


def test_bank_statement_comes_out_typed(write_file: WriteFile) -> None:
    result = read_table(write_file("left.csv", BANK_CSV))
    table = result.table
    assert table.schema.field("id").type == pa.string()
    assert table.schema.field("booking_date").type == pa.date32()
    assert table.schema.field("amount").type == pa.decimal128(18, 2)
    assert table.schema.field("reference").type == pa.string()
    assert table.column("amount").to_pylist() == [
        Decimal("1000.00"),
        Decimal("-421.37"),
        Decimal("-250.05"),
    ]
    assert table.column("reference").to_pylist() == ["00012345", "00067890", None]
    assert table.column("value_date")[0].as_py() == dt.date(2024, 11, 26)
    assert table.column("counterparty")[0].as_py() == "VANHAL, MEDIA LLC"
    by_name = {info.name: info for info in result.schema}
    assert by_name["amount"].type is ColumnType.DECIMAL
    assert by_name["reference"].null_count == 1
    assert result.problems == []


def test_numeric_ids_become_integers(write_file: WriteFile) -> None:
    table = read_table(write_file("ids.csv", "id,n\n1000033884,1\n1000029764,2\n")).table
    assert table.schema.field("id").type == pa.int64()
    assert table.column("id").to_pylist() == [1000033884, 1000029764]


@pytest.mark.parametrize("delimiter", [";", "\t", "|", ","])
def test_delimiter_is_detected(write_file: WriteFile, delimiter: str) -> None:
    text = f"name{delimiter}amount\nAcme, Inc{delimiter}12.50\nBeta{delimiter}3.00\n"
    if delimiter == ",":
        text = 'name,amount\n"Acme, Inc",12.50\nBeta,3.00\n'
    result = read_table(write_file("d.csv", text))
    assert result.table.column_names == ["name", "amount"]
    assert result.table.column("name").to_pylist() == ["Acme, Inc", "Beta"]
    assert result.details["delimiter"] == delimiter


def test_tsv_extension_means_tab(write_file: WriteFile) -> None:
    table = read_table(write_file("d.tsv", "a\tb\n1,5\t2\n")).table
    assert table.column_names == ["a", "b"]


def test_explicit_delimiter_overrides_detection(write_file: WriteFile) -> None:
    path = write_file("d.csv", "a;b,c\n1;2,3\n")
    assert read_table(path, ReadOptions(delimiter=",")).table.column_names == ["a;b", "c"]
    assert read_table(path, ReadOptions(delimiter=";")).table.column_names == ["a", "b,c"]


def test_quoted_values_keep_delimiters_quotes_and_newlines(write_file: WriteFile) -> None:
    text = 'id,memo\n1,"line one\nline two"\n2,"say ""hi"", then go"\n'
    table = read_table(write_file("q.csv", text)).table
    assert table.column("memo").to_pylist() == ["line one\nline two", 'say "hi", then go']


def test_utf8_bom_is_skipped(write_file: WriteFile) -> None:
    result = read_table(write_file("bom.csv", "\ufeffname,amount\nCafé,1.00\n"))
    assert result.table.column_names == ["name", "amount"]
    assert result.table.column("name").to_pylist() == ["Café"]


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("cp1252", "cp1252"), ("utf-16", "utf-16"), ("utf-16-le", "utf_16_le")],
)
def test_legacy_and_utf16_encodings_are_detected(
    write_file: WriteFile, encoding: str, detected: str
) -> None:
    text = "Name;Betrag\nMüller GmbH;12,50\nCafé Straße;€ 3,00\n"
    result = read_table(write_file("legacy.csv", text, encoding=encoding))
    assert result.table.column("Name").to_pylist() == ["Müller GmbH", "Café Straße"]
    assert result.table.column("Betrag").to_pylist() == [Decimal("12.50"), Decimal("3.00")]
    assert result.details["encoding"] == detected


def test_explicit_encoding_overrides_detection(write_file: WriteFile) -> None:
    path = write_file("latin.csv", "name\nK\xe4se\n", encoding="latin-1")
    table = read_table(path, ReadOptions(encoding="cp1252")).table
    assert table.column("name").to_pylist() == ["Käse"]


def test_headerless_file_gets_positional_names(write_file: WriteFile) -> None:
    table = read_table(write_file("h.csv", "1,x\n2,y\n"), ReadOptions(header=False)).table
    assert table.column_names == ["column1", "column2"]
    assert table.column("column1").to_pylist() == [1, 2]


def test_blank_and_repeated_header_names_are_made_unique(write_file: WriteFile) -> None:
    table = read_table(write_file("h.csv", "a,,a\n1,2,3\n")).table
    assert table.column_names == ["a", "column2", "a_2"]


def test_a_row_with_too_many_fields_names_its_line(write_file: WriteFile) -> None:
    with pytest.raises(IngestError) as caught:
        read_table(write_file("ragged.csv", "a,b\n1,2\n3,4,5\n6,7\n"))
    problem = caught.value.problems[0]
    assert problem.file == "ragged.csv"
    assert problem.line == 3
    assert "ragged.csv, line 3" in str(caught.value)


def test_empty_file_is_an_error(write_file: WriteFile) -> None:
    with pytest.raises(IngestError, match="no columns"):
        read_table(write_file("empty.csv", ""))


def test_missing_file_is_an_error() -> None:
    with pytest.raises(IngestError, match="no such file"):
        read_table("/nonexistent/dir/file.csv")


def test_blanks_around_values_are_ignored_and_blank_values_are_missing(
    write_file: WriteFile,
) -> None:
    text = (
        "n,amount,when,flag\n"
        " 1 , 12.50 , 2024-01-05 ,yes\n"
        '2,"  ",   ,no\n'
        '" 3",(1.00) ,2024-01-07, y\n'
    )
    table = read_table(write_file("blank.csv", text)).table
    assert table.column("n").to_pylist() == [1, 2, 3]
    assert table.column("amount").to_pylist() == [Decimal("12.50"), None, Decimal("-1.00")]
    assert table.column("when").to_pylist() == [dt.date(2024, 1, 5), None, dt.date(2024, 1, 7)]
    assert table.column("flag").to_pylist() == [True, False, True]


def test_unterminated_quote_names_the_line_and_its_text(write_file: WriteFile) -> None:
    with pytest.raises(IngestError) as caught:
        read_table(write_file("q.csv", 'a,b\n1,"x\n2,3\n'))
    problem = caught.value.problems[0]
    assert (problem.line, problem.value) == (2, '1,"x')
    assert "unterminated quote" in problem.rule


def test_non_utf8_bytes_after_the_sniffed_start_ask_for_the_encoding(
    write_file: WriteFile,
) -> None:
    text = b"name,amount\n" + b"Acme Trading Ltd,12.50\n" * 20_000 + b"K\xe4se,1.00\n"
    with pytest.raises(IngestError) as caught:
        read_table(write_file("late.csv", text))
    problem = caught.value.problems[0]
    assert problem.line == 20_002
    assert "give the encoding" in problem.rule
    assert read_table(write_file("late.csv", text), ReadOptions(encoding="cp1252")).table.num_rows


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_gzipped_csv(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "statement.csv.gz"
    with gzip.open(path, "wb") as handle:
        handle.write("name;amount\nCafé;1,50\n".encode(encoding))
    table = read_table(path).table
    assert table.column("name").to_pylist() == ["Café"]
    assert table.column("amount").to_pylist() == [Decimal("1.50")]


def test_header_names_with_quotes_and_symbols(write_file: WriteFile) -> None:
    text = '"Amount (€)","Date ""booked""",id\n12.50,2024-01-05,1\n'
    table = read_table(write_file("w.csv", text)).table
    assert table.column_names == ["Amount (€)", 'Date "booked"', "id"]
    assert table.column("Amount (€)").to_pylist() == [Decimal("12.50")]
