"""Money as real files write it becomes an exact decimal, never a binary float."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.engine.ingest import ColumnMapping, IngestError, read_table
from tests.engine.ingest.conftest import WriteFile


def read_amounts(
    write_file: WriteFile, values: list[str], mapping: ColumnMapping | None = None
) -> list[object]:
    lines = "".join(f'{i},"{value}"\n' for i, value in enumerate(values))
    table = read_table(write_file("money.csv", "n,amount\n" + lines), mapping=mapping).table
    assert pa.types.is_decimal(table.schema.field("amount").type)
    return table.column("amount").to_pylist()


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1,234.56", "12.00", "-7.5"], ["1234.56", "12.00", "-7.50"]),
        (["1.234,56", "12,00", "-7,5"], ["1234.56", "12.00", "-7.50"]),
        (["1 234,56", "12,00"], ["1234.56", "12.00"]),
        (["1'234.56", "12.00"], ["1234.56", "12.00"]),
        (["(12.00)", "3.10"], ["-12.00", "3.10"]),
        (["12.00-", "3.10"], ["-12.00", "3.10"]),
        (["$1,234.56", "-$12.00", "$-3.00"], ["1234.56", "-12.00", "-3.00"]),
        (["€ 12,50", "€1.000,00"], ["12.50", "1000.00"]),
        (["£12.50", "12.50 GBP"], ["12.50", "12.50"]),
        (["USD 12.00", "USD -3.25"], ["12.00", "-3.25"]),
        (["12.00 DR", "5.00 CR"], ["-12.00", "5.00"]),
        (["+5.00", "0.10"], ["5.00", "0.10"]),
    ],
)
def test_money_formats(write_file: WriteFile, values: list[str], expected: list[str]) -> None:
    assert read_amounts(write_file, values) == [Decimal(e) for e in expected]


def test_scale_grows_when_the_data_has_more_decimals(write_file: WriteFile) -> None:
    table = read_table(write_file("fx.csv", "rate\n1.2345\n0.5\n")).table
    assert table.schema.field("rate").type == pa.decimal128(18, 4)
    assert table.column("rate").to_pylist() == [Decimal("1.2345"), Decimal("0.5000")]


def test_value_with_more_decimals_than_the_column_is_an_error_not_rounded(
    write_file: WriteFile,
) -> None:
    mapping = ColumnMapping.model_validate({"columns": {"amount": {"type": "decimal", "scale": 2}}})
    with pytest.raises(IngestError) as caught:
        read_amounts(write_file, ["1.00", "2.345"], mapping)
    assert caught.value.problems[0].value == "2.345"
    assert "at most 2 decimals" in caught.value.problems[0].rule


def test_thousands_only_values_are_ambiguous_until_the_format_is_given(
    write_file: WriteFile,
) -> None:
    with pytest.raises(IngestError, match="decimal mark") as caught:
        read_amounts(write_file, ["1,234", "2,500"])
    assert caught.value.problems[0].column == "amount"
    comma = ColumnMapping.model_validate({"columns": {"amount": {"format": "1.234,56"}}})
    assert read_amounts(write_file, ["1,234", "2,500"], comma) == [Decimal("1.234"), Decimal("2.5")]
    point = ColumnMapping.model_validate({"columns": {"amount": {"format": "1,234.56"}}})
    assert read_amounts(write_file, ["1,234", "2,500"], point) == [Decimal(1234), Decimal(2500)]


def test_unbalanced_parentheses_and_double_signs_are_bad_values(write_file: WriteFile) -> None:
    mapping = ColumnMapping.model_validate({"columns": {"amount": {"type": "decimal"}}})
    with pytest.raises(IngestError) as caught:
        read_amounts(write_file, ["(12.00", "-12.00-", "1.00"], mapping)
    assert [p.value for p in caught.value.problems] == ["(12.00", "-12.00-"]


@settings(max_examples=25, deadline=None)
@given(
    cents=st.lists(st.integers(-(10**12), 10**12), min_size=1, max_size=20),
    style=st.sampled_from(["plain", "us", "eu", "parens", "trailing"]),
)
def test_any_amount_round_trips_exactly(
    tmp_path_factory: pytest.TempPathFactory, cents: list[int], style: str
) -> None:
    def render(value: Decimal) -> str:
        magnitude = f"{abs(value):,.2f}"
        if style == "plain":
            return f"{value:.2f}"
        if style == "eu":
            magnitude = magnitude.replace(",", " ").replace(".", ",").replace(" ", ".")
        if value >= 0:
            return magnitude
        return {"parens": f"({magnitude})", "trailing": f"{magnitude}-"}.get(style, f"-{magnitude}")

    amounts = [Decimal(c).scaleb(-2) for c in cents]
    path = tmp_path_factory.mktemp("money") / "m.csv"
    path.write_text("amount\n" + "".join(f'"{render(a)}"\n' for a in amounts), encoding="utf-8")
    mark = "1.234,56" if style == "eu" else "1,234.56"
    mapping = ColumnMapping.model_validate(
        {"columns": {"amount": {"type": "decimal", "format": mark}}}
    )
    assert read_table(path, mapping=mapping).table.column("amount").to_pylist() == amounts


def test_references_with_letters_and_digits_stay_text(write_file: WriteFile) -> None:
    text = "ref,other\nINV-1001,INV1001\nINV-1002,INV1002\n"
    table = read_table(write_file("refs.csv", text)).table
    assert table.schema.field("ref").type == pa.string()
    assert table.schema.field("other").type == pa.string()


def test_a_deciding_amount_after_the_sample_settles_the_decimal_mark(
    write_file: WriteFile,
) -> None:
    from accord.engine.ingest import ReadOptions

    text = "amount\n" + '"1,250"\n' * 30 + '"2,500.75"\n'
    table = read_table(write_file("m.csv", text), ReadOptions(sample_rows=10)).table
    assert table.column("amount")[0].as_py() == Decimal("1250.00")
    assert table.column("amount")[-1].as_py() == Decimal("2500.75")


def test_whole_numbers_in_the_sample_then_cents_become_decimal(write_file: WriteFile) -> None:
    from accord.engine.ingest import ReadOptions, Severity

    text = "amount\n" + "100\n" * 30 + "12.50\n0.125\n"
    result = read_table(write_file("m.csv", text), ReadOptions(sample_rows=10))
    assert result.table.schema.field("amount").type == pa.decimal128(18, 3)
    assert result.table.column("amount")[-1].as_py() == Decimal("0.125")
    [note] = result.problems
    assert note.severity is Severity.WARNING
    assert "not as integer" in note.rule


def test_a_widened_column_with_a_real_bad_value_still_fails(write_file: WriteFile) -> None:
    from accord.engine.ingest import ReadOptions

    text = "amount\n" + "100\n" * 30 + "12.50\nN/A\n"
    with pytest.raises(IngestError) as caught:
        read_table(write_file("m.csv", text), ReadOptions(sample_rows=10))
    assert [p.value for p in caught.value.problems] == ["12.50", "N/A"]
