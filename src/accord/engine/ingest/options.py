"""How to read a file: everything here is detected when left as None."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class FileFormat(StrEnum):
    """The input formats `read_table` understands."""

    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"
    PARQUET = "parquet"


DEFAULT_MAX_ERRORS = 100
DEFAULT_SAMPLE_ROWS = 10_000


class ReadOptions(BaseModel):
    """Reader settings; explicit values override detection."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: FileFormat | None = Field(None, description="taken from the file extension if None")
    delimiter: str | None = Field(None, description="CSV field separator, e.g. ',', ';', '\\t'")
    quote: str | None = Field(None, description="CSV quote character")
    escape: str | None = Field(None, description="CSV escape character")
    encoding: str | None = Field(None, description="any Python codec name, e.g. 'cp1252'")
    header: bool = Field(True, description="the first row holds column names")
    skip_rows: int = Field(0, ge=0, description="lines (CSV) or rows (XLSX) before the header")
    sheet: str | int | None = Field(None, description="XLSX sheet name or 0-based index")
    null_values: tuple[str, ...] = Field((), description="values read as missing, besides ''")
    max_errors: int = Field(
        DEFAULT_MAX_ERRORS, ge=1, description="bad values reported before the import stops"
    )
    sample_rows: int = Field(
        DEFAULT_SAMPLE_ROWS, ge=1, description="rows looked at to infer column types"
    )
