"""Date and datetime formats: the candidates tried on a sample, and their DuckDB conversion.

A format is a DuckDB `strptime` pattern, or `excel` for spreadsheet serial numbers.
Day-first and month-first patterns are both candidates; when both read every sampled
value and disagree on some of them, the column is ambiguous and the user must say
which (a guess here would silently move money between months).
"""

from __future__ import annotations

import re

from accord.engine.ingest.column_types import ColumnType
from accord.engine.ingest.sql import quote_literal

EXCEL = "excel"
ISO = "iso"
ISO_DATE = "%Y-%m-%d"

DATE_CANDIDATES: tuple[str, ...] = (
    ISO_DATE,
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%d/%m/%y",
    "%m/%d/%y",
    "%d.%m.%y",
    "%d %b %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%b %d, %Y",
    "%d %B %Y",
    "%B %d, %Y",
)

DATETIME_CANDIDATES: tuple[str, ...] = (
    ISO,
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
)

_TOKENS = (("yyyy", "%Y"), ("yy", "%y"), ("dd", "%d"), ("mm", "%m"), ("mon", "%b"))
# Excel's day 0 is 1899-12-30 (it counts the non-existent 1900-02-29).
_EXCEL_EPOCH = "DATE '1899-12-30'"
# Up to 2958465 (9999-12-31): longer numbers are not dates and would overflow.
_EXCEL_SERIAL = quote_literal("^\\s*[0-9]{1,7}(\\.[0-9]+)?\\s*$")
# ISO 8601, with or without a UTC offset: a value with one is converted to UTC. The regex
# comes first because DuckDB's casts also accept forms that would lose information.
_ISO_DATETIME = quote_literal(
    "^\\s*[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,6})?)?"
    "(?P<offset>Z|[+-][0-9]{2}(:?[0-9]{2})?)?\\s*$"
)
_HAS_OFFSET = quote_literal("(Z|[+-][0-9]{2}(:?[0-9]{2})?)\\s*$")


def normalise_date_format(text: str, column_type: ColumnType) -> str:
    """A user's format (`dd/mm/yyyy`, `iso`, `%d.%m.%Y`, `excel`) as a strptime pattern."""
    lowered = text.strip().lower()
    if lowered == EXCEL:
        return EXCEL
    if lowered == ISO:
        return ISO_DATE if column_type is ColumnType.DATE else ISO
    if "%" in text:
        return text
    pattern = lowered
    for token, directive in _TOKENS:
        pattern = pattern.replace(token, directive)
    if not re.search("%[Yy]", pattern) or "%d" not in pattern:
        raise ValueError(f"date format {text!r} is neither a strptime pattern nor like dd/mm/yyyy")
    return pattern


def date_sql(column_sql: str, date_format: str, column_type: ColumnType) -> str:
    """DuckDB expression: the date (or timestamp), or NULL where the text does not fit."""
    if date_format == EXCEL:
        days = f"CAST({column_sql} AS DOUBLE)"
        guarded = f"CASE WHEN regexp_matches({column_sql}, {_EXCEL_SERIAL}) THEN {days} END"
        if column_type is ColumnType.DATE:
            return f"{_EXCEL_EPOCH} + CAST(floor({guarded}) AS INTEGER)"
        micros = f"CAST(round({guarded} * 86400000000) AS BIGINT)"
        return f"CAST({_EXCEL_EPOCH} AS TIMESTAMP) + to_microseconds({micros})"
    if date_format == ISO:
        iso = f"CASE WHEN regexp_matches({column_sql}, {_ISO_DATETIME}) THEN trim({column_sql}) END"
        # TIMESTAMPTZ to TIMESTAMP is UTC because the ingest connection's TimeZone is UTC.
        return (
            f"CASE WHEN regexp_matches({column_sql}, {_HAS_OFFSET}) "
            f"THEN CAST(TRY_CAST({iso} AS TIMESTAMPTZ) AS TIMESTAMP) "
            f"ELSE TRY_CAST({iso} AS TIMESTAMP) END"
        )
    # Blanks around a date are rare, so only values that fail are trimmed and tried again.
    pattern = quote_literal(date_format)
    parsed = (
        f"coalesce(try_strptime({column_sql}, {pattern}), "
        f"try_strptime(trim({column_sql}), {pattern}))"
    )
    if "%Y" in date_format:
        # strptime's %Y also reads `24` as the year 24; no reconciled record is that old.
        parsed = f"CASE WHEN {parsed} >= TIMESTAMP '1000-01-01' THEN {parsed} END"
    return f"CAST({parsed} AS DATE)" if column_type is ColumnType.DATE else parsed


def describe_format(date_format: str) -> str:
    """`%d/%m/%Y` as `dd/mm/yyyy`, the way people say it in an error message."""
    if date_format == EXCEL:
        return "an Excel serial day number"
    if date_format == ISO:
        return "ISO 8601 (yyyy-mm-ddTHH:MM:SS, optional offset)"
    readable = date_format
    for token, directive in _TOKENS:
        readable = readable.replace(directive, token)
    return readable.replace("%B", "month").replace("%H:%M:%S", "HH:MM:SS").replace("%H:%M", "HH:MM")
