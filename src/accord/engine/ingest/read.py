"""`read_table`: any supported file into a typed Arrow table, or an error that says why not."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from accord.engine.ingest.column_types import ColumnInfo
from accord.engine.ingest.convert import reader_problem, run_plan
from accord.engine.ingest.csv_source import open_csv
from accord.engine.ingest.infer import ColumnGuess
from accord.engine.ingest.mapping import ColumnMapping
from accord.engine.ingest.options import FileFormat, ReadOptions
from accord.engine.ingest.other_sources import open_json, open_parquet
from accord.engine.ingest.plan import Plan, plan_columns, source_items, text_ref
from accord.engine.ingest.problems import IngestError, Problem, Severity
from accord.engine.ingest.source import Source
from accord.engine.ingest.widen import widen_numbers
from accord.engine.ingest.xlsx_source import open_xlsx

_EXTENSIONS = {
    ".csv": FileFormat.CSV,
    ".tsv": FileFormat.CSV,
    ".txt": FileFormat.CSV,
    ".xlsx": FileFormat.XLSX,
    ".xlsm": FileFormat.XLSX,
    ".xls": FileFormat.XLSX,
    ".ods": FileFormat.XLSX,
    ".json": FileFormat.JSON,
    ".ndjson": FileFormat.JSON,
    ".jsonl": FileFormat.JSON,
    ".parquet": FileFormat.PARQUET,
    ".pq": FileFormat.PARQUET,
}


@dataclass
class IngestResult:
    """A typed table, what each column became, and the warnings met on the way."""

    table: pa.Table
    schema: list[ColumnInfo]
    problems: list[Problem] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)
    source: Path | None = None


def read_table(
    path: Path | str,
    options: ReadOptions | None = None,
    mapping: ColumnMapping | None = None,
) -> IngestResult:
    """Read CSV/TSV, XLSX, JSON/NDJSON or Parquet into a typed table.

    Raises IngestError if the file cannot be read, the mapping does not fit it, a
    column's format is ambiguous, or any value breaks its column's type (up to
    `options.max_errors` of those are named).
    """
    path = Path(path)
    options = options or ReadOptions()
    mapping = mapping or ColumnMapping()
    connection = connect()
    try:
        with tempfile.TemporaryDirectory(prefix="accord-ingest-") as scratch:
            source = open_source(path, options, connection, Path(scratch))
            plan = make_plan(source, options, mapping, connection)
            _raise_errors(plan)
            try:
                table = run_plan(plan, connection)
            except IngestError as error:
                widened, notes = widen_numbers(plan, error.problems, connection)
                if not widened:
                    raise
                plan = make_plan(source, options, mapping, connection, widened)
                plan.problems += notes
                _raise_errors(plan)
                table = run_plan(plan, connection)
    finally:
        connection.close()
    warnings = [p for p in plan.problems if p.severity is Severity.WARNING]
    return IngestResult(table, describe_columns(plan, table), warnings, source.details, path)


def connect() -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB connection: times with offsets to UTC, no progress bar.

    DuckDB draws a progress bar on the terminal for long queries; a library must not.
    """
    connection = duckdb.connect()
    connection.execute("SET enable_progress_bar = false")
    connection.execute("SET TimeZone = 'UTC'")
    return connection


def open_source(
    path: Path, options: ReadOptions, connection: duckdb.DuckDBPyConnection, scratch_dir: Path
) -> Source:
    """The file as a DuckDB relation; IngestError if it is missing or cannot be parsed."""
    if not path.is_file():
        raise IngestError([Problem(path.name, f"no such file: {path}")])
    file_format = options.format or _EXTENSIONS.get(path.suffix.lower(), FileFormat.CSV)
    try:
        if file_format is FileFormat.CSV:
            source = open_csv(path, options, scratch_dir)
        elif file_format is FileFormat.XLSX:
            source = open_xlsx(path, options, connection)
        elif file_format is FileFormat.JSON:
            source = open_json(path, connection)
        else:
            source = open_parquet(path)
    except (duckdb.Error, OSError, UnicodeError, ValueError) as error:
        raise IngestError([_open_problem(path.name, error)]) from error
    if not source.columns:
        raise IngestError([Problem(path.name, "the file has no columns (is it empty?)")])
    return source


def make_plan(
    source: Source,
    options: ReadOptions,
    mapping: ColumnMapping,
    connection: duckdb.DuckDBPyConnection,
    known: dict[int, ColumnGuess] | None = None,
) -> Plan:
    """Sample the source and plan its columns; the plan's problems may include errors."""
    items = source_items(source, options)
    texts = ", ".join(
        f"nullif(trim({items[text_ref(i)]}), '') AS {text_ref(i)}"
        for i in range(len(source.columns))
    )
    sample_query = f"SELECT {texts} FROM {source.relation} LIMIT {options.sample_rows}"
    try:
        sample = connection.sql(sample_query).to_arrow_table()
    except duckdb.Error as error:
        raise IngestError([reader_problem(source.file, error)]) from error
    return plan_columns(source, sample, mapping, options, connection, known)


def describe_columns(
    plan: Plan, table: pa.Table, null_counts: dict[str, int] | None = None
) -> list[ColumnInfo]:
    """Per output column: type, format, nulls (in `table` unless counted), an example value."""
    described = []
    for output in plan.outputs:
        column = table.column(output.name)
        present = column.drop_null()
        nulls = null_counts.get(output.name) if null_counts else None
        described.append(
            ColumnInfo(
                name=output.name,
                type=output.type,
                arrow_type=str(column.type),
                format=output.format,
                null_count=column.null_count if nulls is None else nulls,
                source=output.source,
                example=str(present[0].as_py()) if len(present) else None,
            )
        )
    return described


def _raise_errors(plan: Plan) -> None:
    errors = [p for p in plan.problems if p.severity is Severity.ERROR]
    if errors:
        raise IngestError(errors)


def _open_problem(file: str, error: Exception) -> Problem:
    if isinstance(error, duckdb.Error):
        return reader_problem(file, error)
    if isinstance(error, UnicodeError):
        return Problem(file, f"cannot be decoded ({error}); give the encoding")
    return Problem(file, f"cannot be read: {error}")
