"""Run a plan: the typed table in one streaming query, or the bad values that stopped it."""

from __future__ import annotations

import re

import duckdb
import pyarrow as pa

from accord.engine.ingest.plan import Plan
from accord.engine.ingest.problems import IngestError, Problem

_BAD_VALUE_MARKER = "accord: bad value"
_LINE_NUMBER = re.compile(r"Line: (\d+)")


def run_plan(plan: Plan, connection: duckdb.DuckDBPyConnection) -> pa.Table:
    """The typed table; raises IngestError naming up to `max_errors` bad values.

    The fast path converts with checks that abort on the first bad value; only then
    does a second query look for all of them with row numbers, which costs a window
    over the file that a clean file never pays.
    """
    file = plan.source.file
    try:
        return connection.sql(plan.select_sql()).to_arrow_table()
    except duckdb.Error as error:
        if _BAD_VALUE_MARKER not in str(error):
            raise IngestError([reader_problem(file, error)]) from error
    problems, more = find_bad_values(plan, connection, plan.options.max_errors)
    if not problems:
        # The checks mirror the conversions, so this means a bug here, not in the file.
        problems = [Problem(file, "a value broke its column's type but was not located")]
    raise IngestError(problems, stopped_early=more)


def find_bad_values(
    plan: Plan, connection: duckdb.DuckDBPyConnection, limit: int
) -> tuple[list[Problem], bool]:
    """The first `limit` bad values in file order, and whether there are more.

    `row_number() OVER ()` numbers rows in scan order: DuckDB keeps insertion order
    (its default `preserve_insertion_order`), also when it reads a file in parallel.
    """
    source = plan.source
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
    """A parser error from DuckDB as a problem: the reason, the line and the line's text.

    DuckDB's CSV errors read `CSV Error on Line: N`, `Original Line: ...`, the reason,
    then advice about its own options, which is cut off as it does not apply here.
    """
    message = str(error).removeprefix("Invalid Input Error: ")
    found = _LINE_NUMBER.search(message)
    if found is None:
        return Problem(file, f"cannot be read: {message.splitlines()[0] if message else error}")
    body = message.split("\nPossible ", 1)[0].split("\n\n  file =", 1)[0]
    lines = [line for line in body.splitlines()[1:] if line.strip()]
    original = next((ln for ln in lines if ln.startswith("Original Line: ")), None)
    reason = lines[-1] if lines and lines[-1] is not original else "malformed record"
    value = original.removeprefix("Original Line: ") if original else None
    if "not utf-8 encoded" in reason:
        reason += " The start of the file looked like UTF-8; give the encoding."
    return Problem(file, f"cannot be read: {reason}", line=int(found.group(1)), value=value)
