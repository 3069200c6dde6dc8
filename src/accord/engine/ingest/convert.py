"""Run a plan: the typed table in one streaming query, or the bad values that stopped it."""

from __future__ import annotations

import re

import duckdb
import pyarrow as pa

from accord.engine.ingest.plan import Plan
from accord.engine.ingest.problems import IngestError, Problem
from accord.engine.ingest.source import Source

_BAD_VALUE_MARKER = "accord: bad value"
_LINE_NUMBER = re.compile(r"Line: (\d+)")


def run_plan(
    plan: Plan, source: Source, connection: duckdb.DuckDBPyConnection, max_errors: int
) -> pa.Table:
    """The typed table; raises IngestError naming up to `max_errors` bad values.

    The fast path converts with checks that abort on the first bad value; only then
    does a second query look for all of them with row numbers, which costs a window
    over the file that a clean file never pays.
    """
    try:
        return connection.sql(plan.select_sql()).to_arrow_table()
    except duckdb.Error as error:
        if _BAD_VALUE_MARKER not in str(error):
            raise IngestError([reader_problem(source.file, error)]) from error
    problems, more = find_bad_values(plan, source, connection, max_errors)
    if not problems:
        # The checks mirror the conversions, so this means a bug here, not in the file.
        problems = [Problem(source.file, "a value broke its column's type but was not located")]
    raise IngestError(problems, stopped_early=more)


def find_bad_values(
    plan: Plan, source: Source, connection: duckdb.DuckDBPyConnection, limit: int
) -> tuple[list[Problem], bool]:
    """The first `limit` bad values in file order, and whether there are more."""
    checks = [check for output in plan.outputs for check in output.checks]
    if not checks:
        return [], False
    branches = [
        f"SELECT row_number, {index} AS check_index, CAST({check.value_sql} AS VARCHAR) AS value "
        f"FROM numbered WHERE {check.bad_sql}"
        for index, check in enumerate(checks)
    ]
    query = (
        f"WITH numbered AS (SELECT row_number() OVER () AS row_number, * "
        f"FROM (SELECT {plan.source_select()} FROM {source.relation})) "
        f"SELECT * FROM ({' UNION ALL '.join(branches)}) "
        f"ORDER BY row_number, check_index LIMIT {limit + 1}"
    )
    rows = connection.sql(query).fetchall()
    problems = []
    for row_number, check_index, value in rows[:limit]:
        check = checks[check_index]
        line = None
        if source.first_data_line is not None:
            line = source.first_data_line + row_number - 1
        rule = check.rule
        if check.inferred and row_number > plan.options.sample_rows:
            rule += (
                f" (the type was inferred from the first {plan.options.sample_rows:,} rows; "
                "give it in the mapping)"
            )
        problems.append(
            Problem(source.file, rule, row=row_number, line=line, column=check.column, value=value)
        )
    return problems, len(rows) > limit


def reader_problem(file: str, error: duckdb.Error) -> Problem:
    """A parser error from DuckDB as a problem: its first line, and the line number it names."""
    message = str(error)
    found = _LINE_NUMBER.search(message)
    summary = [line for line in message.splitlines() if line.strip()]
    reason = next((line for line in summary[1:] if not line.startswith("Original Line")), "")
    rule = summary[0].removeprefix("Invalid Input Error: ") if summary else "unreadable file"
    if reason and found is not None:
        rule = reason
    return Problem(file, f"cannot be read: {rule}", line=int(found.group(1)) if found else None)
