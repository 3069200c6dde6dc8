"""Column types guessed from a sample of text values.

The guess is cheap (a few thousand distinct values per column) and conservative:
text that could lose meaning as a number (`007`, `+44 20...`, 20-digit ids) stays a
string, and a date column that reads both day-first and month-first is reported
as ambiguous instead of guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

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
# Loose shape of every date candidate: rules out most text columns before DuckDB is asked.
_DATE_SHAPE = re.compile(
    r"[0-9A-Za-z]{1,9}[-/. ][0-9A-Za-z]{1,9}[-/. ,]{1,2}[0-9]{2,4}([ T][0-9:.]+(Z|[+-][0-9:]+)?)?"
)


@dataclass(frozen=True)
class ColumnGuess:
    """The type a sample suggests; `ambiguity` is set when it cannot decide alone."""

    type: ColumnType
    date_format: str | None = None
    mark: DecimalMark | None = None
    scales: dict[DecimalMark, int] = field(default_factory=dict)
    ambiguity: str | None = None
    # With an ambiguity: the date format that reads the sample as well as `date_format`.
    rival_format: str | None = None

    def scale_for(self, mark: DecimalMark | None) -> int:
        """Decimal places the sampled values need when read with `mark`."""
        return self.scales.get(mark or self.mark or DecimalMark.POINT, DEFAULT_MONEY_SCALE)


def guess_column(values: list[str], connection: duckdb.DuckDBPyConnection) -> ColumnGuess:
    """Guess from distinct, trimmed, non-empty values (an empty list means a string column).

    Identifiers must fit entirely to become integers; dates and amounts may have a
    stray value or two (`N/A`, a typo), which the conversion then reports by row.
    """
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

    # Enough values fit a type if at most one in fifty (at least one) does not.
    allowed_misfits = max(1, len(values) // 50) if len(values) > 2 else 0

    for column_type, candidates in (
        (ColumnType.DATE, DATE_CANDIDATES),
        (ColumnType.DATETIME, DATETIME_CANDIDATES),
    ):
        guess = _guess_date(values, column_type, candidates, allowed_misfits, connection)
        if guess is not None:
            return guess
    if any(_LEADING_ZERO.match(value.lstrip("+")) for value in values):
        return ColumnGuess(ColumnType.STRING)
    number = guess_number_format(values, allowed_misfits)
    if number is None:
        return ColumnGuess(ColumnType.STRING)
    ambiguity = None
    if number.ambiguous_example is not None:
        ambiguity = (
            f"every value reads with '.' or with ',' as the decimal mark "
            f"(e.g. {number.ambiguous_example!r}); give the format, '1,234.56' or '1.234,56'"
        )
    return ColumnGuess(
        ColumnType.DECIMAL, mark=number.mark, scales=number.scales, ambiguity=ambiguity
    )


def _guess_date(
    values: list[str],
    column_type: ColumnType,
    candidates: tuple[str, ...],
    allowed_misfits: int,
    connection: duckdb.DuckDBPyConnection,
) -> ColumnGuess | None:
    """The date format that reads the most values, or an ambiguity if another reads as many."""
    misfits = 0
    for value in values:
        misfits += _DATE_SHAPE.fullmatch(value) is None
        if misfits > allowed_misfits:
            return None
    connection.register("date_sample", pa.table({"v": pa.array(values, pa.string())}))
    parsed = [date_sql("v", candidate, column_type) for candidate in candidates]
    counts = ", ".join(f"count(*) FILTER (WHERE ({sql}) IS NOT NULL)" for sql in parsed)
    fitting = connection.sql(f"SELECT {counts} FROM date_sample").fetchall()[0]
    best = max(fitting)
    if len(values) - best > allowed_misfits:
        return None
    ranked = [
        (fmt, sql) for fmt, sql, n in zip(candidates, parsed, fitting, strict=True) if n == best
    ]
    chosen_format, chosen_sql = ranked[0]
    for other_format, other_sql in ranked[1:]:
        differing = connection.sql(
            f"SELECT v FROM date_sample WHERE ({chosen_sql}) <> ({other_sql}) LIMIT 1"
        ).fetchall()
        if differing:
            ambiguity = (
                f"every value reads as {describe_format(chosen_format)} and as "
                f"{describe_format(other_format)} (e.g. {differing[0][0]!r}); give the format"
            )
            return ColumnGuess(
                column_type,
                date_format=chosen_format,
                ambiguity=ambiguity,
                rival_format=other_format,
            )
    return ColumnGuess(column_type, date_format=chosen_format)
