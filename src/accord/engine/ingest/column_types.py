"""The column types a reconciliation needs, and how each one looks in Arrow."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pyarrow as pa


class ColumnType(StrEnum):
    """A column's logical type; money is `decimal`, never binary floating point."""

    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"


DEFAULT_MONEY_SCALE = 2
# Up to 18 digits fit an int64 inside decimal128, which DuckDB computes on fastest.
NARROW_DECIMAL_PRECISION = 18
WIDE_DECIMAL_PRECISION = 38


def decimal_precision(scale: int) -> int:
    """Precision for a decimal column: 18 digits unless the scale leaves too few whole digits."""
    return NARROW_DECIMAL_PRECISION if scale <= 6 else WIDE_DECIMAL_PRECISION


def duckdb_type(column_type: ColumnType, scale: int = DEFAULT_MONEY_SCALE) -> str:
    """The DuckDB SQL type a column of this type is converted to."""
    if column_type is ColumnType.DECIMAL:
        return f"DECIMAL({decimal_precision(scale)}, {scale})"
    return {
        ColumnType.STRING: "VARCHAR",
        ColumnType.INTEGER: "BIGINT",
        ColumnType.DATE: "DATE",
        ColumnType.DATETIME: "TIMESTAMP",
        ColumnType.BOOLEAN: "BOOLEAN",
    }[column_type]


def column_type_of_arrow(data_type: pa.DataType) -> ColumnType | None:
    """The logical type an already-typed Arrow column has, or None if it has no equivalent."""
    if pa.types.is_string(data_type) or pa.types.is_large_string(data_type):
        return ColumnType.STRING
    if pa.types.is_integer(data_type):
        return ColumnType.INTEGER
    if pa.types.is_decimal(data_type):
        return ColumnType.DECIMAL
    if pa.types.is_date(data_type):
        return ColumnType.DATE
    if pa.types.is_timestamp(data_type):
        return ColumnType.DATETIME
    if pa.types.is_boolean(data_type):
        return ColumnType.BOOLEAN
    return None


@dataclass(frozen=True)
class ColumnInfo:
    """What `read_table` made of one output column."""

    name: str
    type: ColumnType | None
    arrow_type: str
    format: str | None
    null_count: int
    source: str | None
    example: str | None = None
