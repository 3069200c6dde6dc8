"""Run a plan: the typed table in one streaming query, or the bad values that stopped it."""

from __future__ import annotations

import re

import duckdb
import pyarrow as pa

from accord.engine.ingest.expressions import ValueCheck
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

    One scan flags every check on every row and keeps the first rows with a flag;
    `row_number() OVER ()` numbers rows in scan order, because DuckDB keeps
    insertion order (`preserve_insertion_order`) also when it reads in parallel.
    """
    checks = [check for output in plan.outputs for check in output.checks]
    if not checks:
        return [], False
    flags = ", ".join(
        f"({check.bad_sql}) AS bad_{index}, CAST({check.value_sql} AS VARCHAR) AS value_{index}"
        for index, check in enumerate(checks)
    )
    any_bad = " OR ".join(f"bad_{index}" for index in range(len(checks)))
    query = (
        f"SELECT * FROM (SELECT row_number() OVER () AS row_number, {flags} "
        f"FROM (SELECT {plan.source_select()} FROM {plan.source.relation})) "
        f"WHERE {any_bad} ORDER BY row_number LIMIT {limit + 1}"
    )
    found = [
        (row[0], check, row[2 + 2 * index])
        for row in connection.sql(query).fetchall()
        for index, check in enumerate(checks)
        if row[1 + 2 * index]
    ]
    return [_bad_value(plan, *bad) for bad in found[:limit]], len(found) > limit


def _bad_value(plan: Plan, row_number: int, check: ValueCheck, value: str | None) -> Problem:
    source, sample_rows = plan.source, plan.options.sample_rows
    line = None
    if source.first_data_line is not None:
        line = source.first_data_line + row_number - 1
    rule = check.rule
    if check.inferred and row_number > sample_rows:
        rule += (
            f" (the type was inferred from the first {sample_rows:,} rows; give it in the mapping)"
        )
    return Problem(source.file, rule, row=row_number, line=line, column=check.column, value=value)


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
