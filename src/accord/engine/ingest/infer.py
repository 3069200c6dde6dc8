"""Column types guessed from a sample of text values.

The guess is cheap (a few thousand distinct values per column) and conservative:
text that could lose meaning as a number (`007`, `+44 20...`, 20-digit ids) stays a
string, and a date column that reads both day-first and month-first is reported
as ambiguous instead of guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from accord.engine.ingest.column_types import DEFAULT_MONEY_SCALE, ColumnType
from accord.engine.ingest.dates import (
    DATE_CANDIDATES,
    DATETIME_CANDIDATES,
    date_sql,
    describe_format,
)
from accord.engine.ingest.numbers import DecimalMark, guess_number_format

_BOOLEAN_WORDS = frozenset({"true", "false", "yes", "no", "y", "n", "t", "f"})
_INTEGER = re.compile(r"-?[0-9]{1,18}")
_LEADING_ZERO = re.compile(r"-?0[0-9]")


@dataclass(frozen=True)
class ColumnGuess:
    """The type a sample suggests; `ambiguity` is set when it cannot decide alone."""

    type: ColumnType
    date_format: str | None = None
    mark: DecimalMark | None = None
    scale: int = DEFAULT_MONEY_SCALE
    ambiguity: str | None = None


def guess_column(values: list[str], connection: duckdb.DuckDBPyConnection) -> ColumnGuess:
    """Guess from distinct, trimmed, non-empty values (an empty list means a string column)."""
    if not values:
        return ColumnGuess(ColumnType.STRING)
    if all(value.lower() in _BOOLEAN_WORDS for value in values) and not all(
        len(value) == 1 for value in values
    ):
        return ColumnGuess(ColumnType.BOOLEAN)
    if all(_INTEGER.fullmatch(value) for value in values):
        if any(_LEADING_ZERO.match(value) for value in values):
            return ColumnGuess(ColumnType.STRING)
        return ColumnGuess(ColumnType.INTEGER)
    for column_type, candidates in (
        (ColumnType.DATE, DATE_CANDIDATES),
        (ColumnType.DATETIME, DATETIME_CANDIDATES),
    ):
        guess = _guess_date(values, column_type, candidates, connection)
        if guess is not None:
            return guess
    number = guess_number_format(values)
    if number is not None and not any(_LEADING_ZERO.match(v.lstrip("+")) for v in values):
        ambiguity = None
        if number.ambiguous_example is not None:
            ambiguity = (
                f"every value reads with '.' or with ',' as the decimal mark "
                f"(e.g. {number.ambiguous_example!r}); give the format, "
                f"'1,234.56' or '1.234,56'"
            )
        return ColumnGuess(
            ColumnType.DECIMAL, mark=number.mark, scale=number.scale, ambiguity=ambiguity
        )
    return ColumnGuess(ColumnType.STRING)


def _guess_date(
    values: list[str],
    column_type: ColumnType,
    candidates: tuple[str, ...],
    connection: duckdb.DuckDBPyConnection,
) -> ColumnGuess | None:
    """The one date format that reads every value, or an ambiguity if several disagree."""
    if not all(any(char.isdigit() for char in value) for value in values):
        return None
    parsed = [date_sql("v", candidate, column_type) for candidate in candidates]
    fits_all = ", ".join(f"bool_and(({sql}) IS NOT NULL)" for sql in parsed)
    fits = connection.execute(f"SELECT {fits_all} FROM unnest(?) AS t(v)", [values]).fetchall()[0]
    fitting = [(fmt, sql) for fmt, sql, ok in zip(candidates, parsed, fits, strict=True) if ok]
    if not fitting:
        return None
    chosen_format, chosen_sql = fitting[0]
    for other_format, other_sql in fitting[1:]:
        differing = connection.execute(
            f"SELECT v FROM unnest(?) AS t(v) WHERE ({chosen_sql}) <> ({other_sql}) LIMIT 1",
            [values],
        ).fetchall()
        if differing:
            example = differing[0]
            ambiguity = (
                f"every value reads as {describe_format(chosen_format)} and as "
                f"{describe_format(other_format)} (e.g. {example[0]!r}); give the format"
            )
            return ColumnGuess(column_type, date_format=chosen_format, ambiguity=ambiguity)
    return ColumnGuess(column_type, date_format=chosen_format)
