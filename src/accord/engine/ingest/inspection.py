"""A look at a file without importing it: the schema it would get, sample rows, every problem.

Unlike `read_table`, this does not stop at the first kind of problem: ambiguous
formats, bad values and mapping mistakes are all listed, so one run of
`accord inspect` shows everything to fix.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from accord.engine.ingest.column_types import ColumnInfo
from accord.engine.ingest.convert import find_bad_values, reader_problem
from accord.engine.ingest.mapping import ColumnMapping
from accord.engine.ingest.options import ReadOptions
from accord.engine.ingest.plan import Plan
from accord.engine.ingest.problems import IngestError, Problem
from accord.engine.ingest.read import connect, describe_columns, make_plan, open_source
from accord.engine.ingest.sql import quote_identifier
from accord.engine.ingest.widen import widen_numbers


@dataclass
class Inspection:
    """What `read_table` would make of a file, and what stops it."""

    file: str
    format: str
    details: dict[str, str]
    row_count: int | None
    schema: list[ColumnInfo]
    sample: pa.Table
    problems: list[Problem] = field(default_factory=list)
    stopped_early: bool = False


def inspect_file(
    path: Path | str,
    options: ReadOptions | None = None,
    mapping: ColumnMapping | None = None,
    sample_rows: int = 10,
) -> Inspection:
    """Inspect a file; raises IngestError only if it cannot be opened or parsed at all.

    Bad values, ambiguous formats and mapping mistakes are listed, not raised.
    """
    options = options or ReadOptions()
    mapping = mapping or ColumnMapping()
    connection = connect()
    try:
        with tempfile.TemporaryDirectory(prefix="accord-inspect-") as scratch:
            source = open_source(Path(path), options, connection, Path(scratch))
            plan = make_plan(source, options, mapping, connection)
            bad, stopped_early = _bad_values(plan, connection)
            # As `read_table` does: number columns the sample typed too narrowly are widened.
            widened, notes = widen_numbers(plan, bad, connection)
            if widened:
                plan = make_plan(source, options, mapping, connection, widened)
                plan.problems += notes
                bad, stopped_early = _bad_values(plan, connection)
            query = plan.select_sql(lenient=True)
            try:
                sample = connection.sql(f"{query} LIMIT {sample_rows}").to_arrow_table()
                counts = _column_counts(plan, query, connection)
            except duckdb.Error as error:
                raise IngestError([reader_problem(source.file, error)]) from error
    finally:
        connection.close()
    return Inspection(
        file=source.file,
        format=source.format.value,
        details=source.details,
        row_count=counts.get(""),
        schema=describe_columns(plan, sample, counts),
        sample=sample,
        problems=plan.problems + bad,
        stopped_early=stopped_early,
    )


def _bad_values(plan: Plan, connection: duckdb.DuckDBPyConnection) -> tuple[list[Problem], bool]:
    """Bad values up to the error limit; IngestError if the file turns out malformed."""
    try:
        return find_bad_values(plan, connection, plan.options.max_errors)
    except duckdb.Error as error:
        raise IngestError([reader_problem(plan.source.file, error)]) from error


def _column_counts(plan: Plan, query: str, connection: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows in the file (key "") and NULLs per output column, over the whole file."""
    nulls = ", ".join(f"count(*) - count({quote_identifier(o.name)})" for o in plan.outputs)
    row = connection.sql(f"SELECT count(*), {nulls} FROM ({query})").fetchall()[0]
    counts = {"": int(row[0])}
    counts.update({o.name: int(n) for o, n in zip(plan.outputs, row[1:], strict=True)})
    return counts
