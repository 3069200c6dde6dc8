"""JSON, NDJSON and Parquet files as DuckDB relations."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from accord.engine.ingest.column_types import ColumnType, column_type_of_arrow
from accord.engine.ingest.options import FileFormat
from accord.engine.ingest.source import Source
from accord.engine.ingest.sql import quote_literal


def open_json(path: Path, connection: duckdb.DuckDBPyConnection) -> Source:
    """A JSON array of objects or newline-delimited objects, every field read as text.

    Reading fields as text keeps numbers out of binary floating point until the
    column is typed; nested objects and lists arrive as their JSON text.
    """
    location = quote_literal(str(path))
    # Every record is looked at for field names: a field first seen late must not vanish.
    described = connection.sql(
        f"DESCRIBE SELECT * FROM read_json({location}, sample_size = -1)"
    ).fetchall()
    columns = [str(row[0]) for row in described]
    as_text = ", ".join(f"{quote_literal(name)}: 'VARCHAR'" for name in columns)
    relation = f"read_json({location}, columns = {{{as_text}}})"
    return Source(path.name, FileFormat.JSON, relation, columns)


def open_parquet(path: Path) -> Source:
    """A Parquet file: its typed columns pass through; floats and text are typed like CSV."""
    relation = f"read_parquet({quote_literal(str(path))})"
    schema = pq.read_schema(path)
    native: dict[str, ColumnType | None] = {}
    for arrow_field in schema:
        column_type = column_type_of_arrow(arrow_field.type)
        if column_type is not ColumnType.STRING and not _is_float(arrow_field.type):
            native[arrow_field.name] = column_type
    return Source(path.name, FileFormat.PARQUET, relation, list(schema.names), native_types=native)


def _is_float(data_type: pa.DataType) -> bool:
    return bool(pa.types.is_floating(data_type))
