"""A file opened for reading: a DuckDB relation of its columns, text or already typed."""

from __future__ import annotations

from dataclasses import dataclass, field

from accord.engine.ingest.column_types import ColumnType
from accord.engine.ingest.options import FileFormat


@dataclass
class Source:
    """An input file as DuckDB sees it.

    `relation` is a FROM-clause item (a table function call or a registered view).
    Columns listed in `native_types` already have a type (Parquet, JSON booleans...);
    all others are text, to be typed by inference or by the mapping.
    """

    file: str
    format: FileFormat
    relation: str
    columns: list[str]
    native_types: dict[str, ColumnType | None] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)
    # Sheet row of data row 1, where rows map to lines one to one (spreadsheets).
    first_data_line: int | None = None
