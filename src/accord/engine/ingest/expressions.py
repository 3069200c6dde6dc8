"""From source columns, a sample and a mapping to the SQL that types every output column.

Each output column is one DuckDB expression over the source text, NULL
where a value breaks the column's rule, plus the checks that find those values.
Conversion and error search use the same expressions, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from accord.engine.ingest.column_types import (
    DEFAULT_MONEY_SCALE,
    ColumnType,
    decimal_precision,
    duckdb_type,
)
from accord.engine.ingest.dates import date_sql, describe_format, normalise_date_format
from accord.engine.ingest.infer import ColumnGuess
from accord.engine.ingest.mapping import ConstantValue, DebitCredit
from accord.engine.ingest.numbers import DecimalMark, decimal_sql, parse_number_format
from accord.engine.ingest.sql import quote_literal

_TRUE_WORDS = "'true', 't', 'yes', 'y', '1'"
_FALSE_WORDS = "'false', 'f', 'no', 'n', '0'"


@dataclass(frozen=True)
class ValueCheck:
    """Rows where `bad_sql` is true break `rule`; `value_sql` shows the offending text.

    `inferred` says the rule comes from a guess on the sample, not from the mapping.
    """

    column: str
    value_sql: str
    bad_sql: str
    rule: str
    inferred: bool = False


@dataclass(frozen=True)
class OutputColumn:
    """One column of the result table, and how to compute and check it."""

    name: str
    source: str | None
    type: ColumnType | None
    format: str | None
    select_sql: str
    lenient_sql: str
    checks: list[ValueCheck] = field(default_factory=list)


@dataclass(frozen=True)
class TypedText:
    """A text column's conversion: the typed expression, its rule, and how to show its format."""

    sql: str
    rule: str
    format: str | None
    type: ColumnType


def convert_text(
    ref: str, column_type: ColumnType, fmt: str | None, scale: int | None, guess: ColumnGuess | None
) -> TypedText:
    """The conversion of text (SQL `ref`) to `column_type`: NULL where the text does not fit.

    The text is not trimmed first: trimming every value costs more than the
    conversion, so each conversion accepts surrounding blanks itself, and blank
    values are told from bad ones only where the conversion fails (`strict`).
    `fmt`/`scale` come from the mapping and win; otherwise the guess's format is used.
    Raises ValueError for a format that does not fit the type.
    """
    if column_type is ColumnType.STRING:
        return TypedText(ref, "", None, column_type)
    if column_type is ColumnType.INTEGER:
        whole = "'^\\s*[+-]?[0-9]{1,18}\\s*$'"
        sql = f"CASE WHEN regexp_matches({ref}, {whole}) THEN CAST({ref} AS BIGINT) END"
        return TypedText(sql, "is not a whole number", None, column_type)
    if column_type is ColumnType.BOOLEAN:
        sql = (
            f"CASE WHEN lower(trim({ref})) IN ({_TRUE_WORDS}) THEN true "
            f"WHEN lower(trim({ref})) IN ({_FALSE_WORDS}) THEN false END"
        )
        return TypedText(sql, "is not true/false, yes/no or 1/0", None, column_type)
    if column_type is ColumnType.DECIMAL:
        mark = parse_number_format(fmt) if fmt else (guess.mark if guess else None)
        if scale is None:
            scale = guess.scale_for(mark) if guess else DEFAULT_MONEY_SCALE
        shown = (mark or DecimalMark.POINT).display
        whole_digits = decimal_precision(scale) - scale
        limits = f"at most {scale} decimals, {whole_digits} whole digits"
        rule = f"is not an amount like {shown} ({limits})"
        return TypedText(decimal_sql(ref, mark, scale), rule, shown, column_type)
    date_format = (
        normalise_date_format(fmt, column_type) if fmt else (guess.date_format if guess else None)
    )
    if date_format is None:
        date_format = "%Y-%m-%d" if column_type is ColumnType.DATE else "iso"
    noun = "date" if column_type is ColumnType.DATE else "date and time"
    rule = f"is not a {noun} in the format {describe_format(date_format)}"
    return TypedText(date_sql(ref, date_format, column_type), rule, date_format, column_type)


def strict(text_sql: str, converted_sql: str) -> str:
    """The converted value, failing the query on the first bad value (the fast path's check).

    Blank text is missing, not bad; it is only trimmed where the conversion failed.
    """
    return (
        f"CASE WHEN {text_sql} IS NULL THEN NULL ELSE coalesce({converted_sql}, "
        f"CASE WHEN trim({text_sql}) = '' THEN NULL ELSE error('accord: bad value') END) END"
    )


def is_bad(text_sql: str, converted_sql: str) -> str:
    """True where text is present, not blank, and does not convert."""
    return f"{text_sql} IS NOT NULL AND ({converted_sql}) IS NULL AND trim({text_sql}) <> ''"


def is_blank(text_sql: str) -> str:
    """True where text is missing or only blanks."""
    return f"({text_sql} IS NULL OR trim({text_sql}) = '')"


def text_column_output(
    name: str, source: str, ref: str, typed: TypedText, *, inferred: bool
) -> OutputColumn:
    """An output column converted from one text column (SQL `ref`)."""
    check = ValueCheck(source, ref, is_bad(ref, typed.sql), typed.rule, inferred)
    strict_sql = strict(ref, typed.sql)
    return OutputColumn(name, source, typed.type, typed.format, strict_sql, typed.sql, [check])


def debit_credit_output(
    rule: DebitCredit, refs: tuple[str, str], debit: TypedText, credit: TypedText, scale: int
) -> OutputColumn:
    """Credit minus debit, whichever sign the file writes them with; `refs` are their texts."""
    debit_ref, credit_ref = refs
    target = duckdb_type(ColumnType.DECIMAL, scale)

    both_missing = f"{is_blank(debit_ref)} AND {is_blank(credit_ref)}"

    def signed(credit_sql: str, debit_sql: str, when_both_missing: str) -> str:
        difference = f"coalesce(abs({credit_sql}), 0) - coalesce(abs({debit_sql}), 0)"
        return (
            f"CAST(CASE WHEN {both_missing} THEN {when_both_missing} "
            f"ELSE {difference} END AS {target})"
        )

    select_sql = signed(
        strict(credit_ref, credit.sql), strict(debit_ref, debit.sql), "error('accord: bad value')"
    )
    lenient_sql = signed(credit.sql, debit.sql, "NULL")
    checks = [
        ValueCheck(rule.debit, debit_ref, is_bad(debit_ref, debit.sql), debit.rule),
        ValueCheck(rule.credit, credit_ref, is_bad(credit_ref, credit.sql), credit.rule),
        ValueCheck(
            f"{rule.debit}/{rule.credit}",
            "NULL",
            both_missing,
            "neither debit nor credit has a value",
        ),
    ]
    return OutputColumn(
        rule.into,
        f"{rule.debit}, {rule.credit}",
        ColumnType.DECIMAL,
        debit.format,
        select_sql,
        lenient_sql,
        checks,
    )


def untyped_output(
    name: str, source: str | None, ref: str, column_type: ColumnType | None
) -> OutputColumn:
    """A string column, or one the file already typed (Parquet), passed through unchanged."""
    return OutputColumn(name, source, column_type, None, ref, ref)


def constant_output(name: str, value: ConstantValue) -> OutputColumn:
    """A column with one value on every row, typed by the value: YAML `7` is an integer."""
    if isinstance(value, bool):
        return untyped_output(name, None, "true" if value else "false", ColumnType.BOOLEAN)
    if isinstance(value, int):
        return untyped_output(name, None, f"CAST({value} AS BIGINT)", ColumnType.INTEGER)
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        scale = max(DEFAULT_MONEY_SCALE, -exponent if isinstance(exponent, int) else 0)
        target = duckdb_type(ColumnType.DECIMAL, scale)
        return untyped_output(
            name, None, f"CAST({quote_literal(str(value))} AS {target})", ColumnType.DECIMAL
        )
    if isinstance(value, dt.date):
        return untyped_output(
            name, None, f"DATE {quote_literal(value.isoformat())}", ColumnType.DATE
        )
    return untyped_output(name, None, f"CAST({quote_literal(value)} AS VARCHAR)", ColumnType.STRING)
