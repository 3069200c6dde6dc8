"""Ambiguities the sample leaves open, settled by the whole column where it can.

A statement sorted by date may start with weeks of days 1 to 12; the sample then
reads both day-first and month-first, while a later row (the 13th) decides. One
scan of that column, paid only when the sample was ambiguous, finds it.
"""

from __future__ import annotations

import dataclasses

import duckdb

from accord.engine.ingest.column_types import ColumnType
from accord.engine.ingest.dates import date_sql
from accord.engine.ingest.infer import ColumnGuess
from accord.engine.ingest.numbers import DecimalMark, money_pattern
from accord.engine.ingest.sql import quote_literal


def settle_from_whole_column(
    guess: ColumnGuess, text_sql: str, relation: str, connection: duckdb.DuckDBPyConnection
) -> ColumnGuess:
    """The guess without its ambiguity if some value reads one way only; else unchanged."""
    if guess.ambiguity is None:
        return guess
    if guess.type is ColumnType.DECIMAL:
        first, second = DecimalMark.POINT, DecimalMark.COMMA
        reads = [
            f"regexp_matches(t, {quote_literal(money_pattern(mark))})" for mark in (first, second)
        ]
        winner = _only_one_reads_all(reads, text_sql, relation, connection)
        if winner is None:
            return guess
        return dataclasses.replace(guess, mark=(first, second)[winner], ambiguity=None)
    if guess.date_format is None or guess.rival_format is None:
        return guess
    formats = (guess.date_format, guess.rival_format)
    reads = [f"({date_sql('t', fmt, guess.type)}) IS NOT NULL" for fmt in formats]
    winner = _only_one_reads_all(reads, text_sql, relation, connection)
    if winner is None:
        return guess
    return dataclasses.replace(
        guess, date_format=formats[winner], ambiguity=None, rival_format=None
    )


def _only_one_reads_all(
    reads: list[str], text_sql: str, relation: str, connection: duckdb.DuckDBPyConnection
) -> int | None:
    """Index of the reading that is the only one to read some value; None if neither is."""
    first, second = reads
    row = connection.sql(
        f"SELECT bool_or(({first}) AND NOT ({second})), bool_or(({second}) AND NOT ({first})) "
        f"FROM (SELECT nullif(trim({text_sql}), '') AS t FROM {relation}) WHERE t IS NOT NULL"
    ).fetchall()[0]
    only_first, only_second = bool(row[0]), bool(row[1])
    if only_first == only_second:
        return None
    return 0 if only_first else 1
