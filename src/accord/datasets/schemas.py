"""What the data-set endpoints accept and return."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class DatasetOut(BaseModel):
    id: uuid.UUID
    project_id: uuid.UUID
    name: str
    original_filename: str
    sha256: str
    size_bytes: int
    status: str = Field(description="uploaded, parsing, ready or failed")
    row_count: int | None
    columns: list[dict[str, Any]] = Field(description="name, type, format, nulls, example")
    read_options: dict[str, Any]
    mapping: dict[str, Any] | None
    problems: list[dict[str, Any]] = Field(
        description="warnings of a ready data set, or the errors of a failed one: "
        "file, row, column, value and the rule broken"
    )
    error: str | None
    reused: bool = Field(False, description="true when the same file was already uploaded")
    created_at: datetime


class DatasetPage(BaseModel):
    items: list[DatasetOut]
    next_cursor: str | None


class Preview(BaseModel):
    columns: list[dict[str, str]]
    rows: list[dict[str, Any]]
    row_count: int | None


class MappingUpdate(BaseModel):
    mapping: dict[str, Any] | None = Field(
        description="a column mapping (see docs/ingestion.md); null removes it"
    )
    read_options: dict[str, Any] | None = None
