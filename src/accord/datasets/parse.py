"""Turn a stored original into Parquet with the engine's ingestion; used by API and worker."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from accord.engine.ingest import (
    ColumnMapping,
    IngestError,
    Problem,
    ReadOptions,
    read_table,
    write_parquet,
)

PARQUET_NAME = "data.parquet"
MAX_STORED_PROBLEMS = 50


@dataclass
class ParseOutcome:
    status: str  # ready | failed
    row_count: int | None = None
    columns: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


def _problem(problem: Problem, display_name: str) -> dict[str, Any]:
    problem = replace(problem, file=display_name)
    data = asdict(problem)
    data["severity"] = str(problem.severity)
    data["message"] = str(problem)
    return data


def parse_original(
    original: Path,
    parquet: Path,
    options: dict[str, Any],
    mapping: dict[str, Any] | None,
    display_name: str,
) -> ParseOutcome:
    """Read `original`, write `parquet` atomically; a failure names file, row, column, value.

    Messages name the file as the user called it (`display_name`), not as it is stored.
    """
    read_options = ReadOptions.model_validate(options)
    column_mapping = ColumnMapping.model_validate(mapping) if mapping else None
    try:
        result = read_table(original, read_options, column_mapping)
    except IngestError as exc:
        renamed = [replace(p, file=display_name) for p in exc.problems]
        return ParseOutcome(
            status="failed",
            problems=[_problem(p, display_name) for p in renamed[:MAX_STORED_PROBLEMS]],
            error=str(IngestError(renamed, stopped_early=exc.stopped_early))[:4000],
        )
    except Exception as exc:  # a damaged file can fail inside any reader library
        return ParseOutcome(
            status="failed",
            error=f"{display_name} cannot be read ({type(exc).__name__}: {exc}); check that "
            "it is a complete CSV, XLSX, JSON or Parquet file and upload it again"[:4000],
        )
    try:
        write_parquet(result, parquet)
    except OSError as exc:
        return ParseOutcome(
            status="failed",
            error=f"{display_name} was read but could not be stored ({exc.strerror}); "
            "free space in the data dir and upload it again",
        )
    return ParseOutcome(
        status="ready",
        row_count=result.table.num_rows,
        columns=[
            {
                "name": c.name,
                "type": str(c.type) if c.type is not None else None,
                "arrow_type": c.arrow_type,
                "format": c.format,
                "null_count": c.null_count,
                "source": c.source,
                "example": c.example,
            }
            for c in result.schema
        ],
        problems=[_problem(p, display_name) for p in result.problems[:MAX_STORED_PROBLEMS]],
    )
