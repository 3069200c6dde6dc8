"""Dates per column: detected when the data decides, reported when it cannot."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.engine.ingest import ColumnMapping, IngestError, ReadOptions, Severity, read_table
from tests.engine.ingest.conftest import WriteFile


def read_dates(
    write_file: WriteFile, values: list[str], mapping: ColumnMapping | None = None
) -> list[object]:
    text = "when,n\n" + "".join(f'"{value}",{i}\n' for i, value in enumerate(values))
    return (
        read_table(write_file("dates.csv", text), mapping=mapping).table.column("when").to_pylist()
    )


@pytest.mark.parametrize(
    "values",
    [
        ["2024-01-05", "2024-12-31"],
        ["05/01/2024", "31/12/2024"],
        ["01/05/2024", "12/31/2024"],
        ["05.01.2024", "31.12.2024"],
        ["2024/01/05", "2024/12/31"],
        ["05-Jan-2024", "31-Dec-2024"],
        ["5 Jan 2024", "31 Dec 2024"],
        ["Jan 05, 2024", "Dec 31, 2024"],
    ],
)
def test_date_formats_decided_by_the_data(write_file: WriteFile, values: list[str]) -> None:
    assert read_dates(write_file, values) == [dt.date(2024, 1, 5), dt.date(2024, 12, 31)]


def test_every_value_fitting_day_and_month_first_is_an_ambiguity(write_file: WriteFile) -> None:
    with pytest.raises(IngestError) as caught:
        read_dates(write_file, ["01/02/2024", "03/04/2024"])
    problem = caught.value.problems[0]
    assert problem.column == "when"
    assert "dd/mm/yyyy" in problem.rule
    assert "mm/dd/yyyy" in problem.rule
    assert "give the format" in problem.rule


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("dd/mm/yyyy", dt.date(2024, 2, 1)), ("%m/%d/%Y", dt.date(2024, 1, 2))],
)
def test_given_format_resolves_the_ambiguity_with_a_warning(
    write_file: WriteFile, fmt: str, expected: dt.date
) -> None:
    mapping = ColumnMapping.model_validate({"columns": {"when": {"format": fmt}}})
    text = "when\n01/02/2024\n03/04/2024\n"
    result = read_table(write_file("d.csv", text), mapping=mapping)
    assert result.table.column("when")[0].as_py() == expected
    assert [p.severity for p in result.problems] == [Severity.WARNING]
    assert result.problems[0].column == "when"


def test_day_and_month_equal_everywhere_is_not_ambiguous(write_file: WriteFile) -> None:
    assert read_dates(write_file, ["01/01/2024", "02/02/2024"]) == [
        dt.date(2024, 1, 1),
        dt.date(2024, 2, 2),
    ]


def test_excel_serial_dates_with_the_excel_format(write_file: WriteFile) -> None:
    mapping = ColumnMapping.model_validate(
        {"columns": {"when": {"type": "date", "format": "excel"}}}
    )
    assert read_dates(write_file, ["45296", "45657"], mapping) == [
        dt.date(2024, 1, 5),
        dt.date(2024, 12, 31),
    ]


def test_iso_datetimes_become_timestamps(write_file: WriteFile) -> None:
    text = "at\n2024-01-05T10:30:00\n2024-01-05 11:00:00.250\n"
    table = read_table(write_file("t.csv", text)).table
    assert table.schema.field("at").type == pa.timestamp("us")
    assert table.column("at").to_pylist() == [
        dt.datetime(2024, 1, 5, 10, 30),
        dt.datetime(2024, 1, 5, 11, 0, 0, 250000),
    ]


def test_datetimes_with_an_offset_are_converted_to_utc(
    write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")  # the machine's zone must not matter
    text = "at\n2024-01-05T10:30:00+02:00\n2024-01-05T10:30:00Z\n2024-01-05 10:30:00\n"
    table = read_table(write_file("t.csv", text)).table
    assert table.column("at").to_pylist() == [
        dt.datetime(2024, 1, 5, 8, 30),
        dt.datetime(2024, 1, 5, 10, 30),
        dt.datetime(2024, 1, 5, 10, 30),
    ]


def test_impossible_date_is_a_bad_value(write_file: WriteFile) -> None:
    with pytest.raises(IngestError) as caught:
        read_dates(write_file, ["2024-01-05", "2024-02-30", "2024-03-01"])
    problem = caught.value.problems[0]
    assert (problem.row, problem.column, problem.value) == (2, "when", "2024-02-30")
    assert "yyyy-mm-dd" in problem.rule


def test_two_digit_years_are_not_read_as_year_24(write_file: WriteFile) -> None:
    assert read_dates(write_file, ["05/01/24", "31/12/24"]) == [
        dt.date(2024, 1, 5),
        dt.date(2024, 12, 31),
    ]


def test_excel_serial_too_large_for_a_date_is_a_bad_value(write_file: WriteFile) -> None:
    mapping = ColumnMapping.model_validate(
        {"columns": {"when": {"type": "date", "format": "excel"}}}
    )
    with pytest.raises(IngestError) as caught:
        read_dates(write_file, ["45296", "99999999999"], mapping)
    assert caught.value.problems[0].value == "99999999999"


def test_a_deciding_date_after_the_sample_settles_the_ambiguity(write_file: WriteFile) -> None:
    early = [f"{day:02d}/01/2024" for day in range(1, 13)] * 5
    text = "when\n" + "\n".join([*early, "13/01/2024"]) + "\n"
    result = read_table(write_file("sorted.csv", text), ReadOptions(sample_rows=20))
    assert result.table.column("when")[-1].as_py() == dt.date(2024, 1, 13)
    assert result.table.column("when")[1].as_py() == dt.date(2024, 1, 2)
    assert result.schema[0].format == "%d/%m/%Y"


@settings(max_examples=20, deadline=None)
@given(
    dates=st.lists(
        st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2060, 12, 31)),
        min_size=1,
        max_size=30,
    ),
    pattern=st.sampled_from(["%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y-%m-%d", "%d-%b-%Y"]),
)
def test_dates_round_trip_or_are_reported_ambiguous(
    tmp_path_factory: pytest.TempPathFactory, dates: list[dt.date], pattern: str
) -> None:
    path = tmp_path_factory.mktemp("dates") / "d.csv"
    path.write_text("when\n" + "".join(f"{d.strftime(pattern)}\n" for d in dates))
    day_first_or_month_first = pattern in ("%d/%m/%Y", "%m/%d/%Y")
    decided = any(d.day > 12 and d.day != d.month for d in dates) or all(
        d.day == d.month for d in dates
    )
    if day_first_or_month_first and not decided:
        with pytest.raises(IngestError, match="give the format"):
            read_table(path)
        return
    assert read_table(path).table.column("when").to_pylist() == dates
