"""Explanations and differences of the matches made, computed once at the end.

Scoring during the passes keeps only numbers; the words (left value, right value, outcome
per condition, and the compared fields that differ) are built here for the matches alone,
which is far fewer rows than the candidates were.
"""

from __future__ import annotations

import pyarrow as pa

from accord.engine.conditions import compile_condition
from accord.engine.rules import ComparedField, MatchPass
from accord.engine.workspace import Workspace, quote

EXPLANATION_ENTRY = (
    "STRUCT(condition VARCHAR, left_value VARCHAR, right_value VARCHAR, outcome VARCHAR, "
    "score DOUBLE)"
)
DIFFERENCE_ENTRY = (
    "STRUCT(field VARCHAR, left_value VARCHAR, right_value VARCHAR, difference VARCHAR)"
)


def _pairs_sql(pass_no: int) -> str:
    """Every (left record, right record) pair inside each group match of a pass."""
    return f"""
        SELECT m.match_no, unnest(m.l_rows) AS l_row, r_row
        FROM (SELECT *, unnest(r_rows) AS r_row FROM matches
              WHERE pass_no = {pass_no} AND kind <> 'one_to_one') m
    """


def _conditions_sql(ws: Workspace, match_pass: MatchPass, pass_no: int) -> str:
    """Per match, one entry per condition; group matches join the members' values."""
    compiled = [compile_condition(ws, cond) for cond in match_pass.conditions]
    joins = f"JOIN {ws.left.rows} a ON a._row = p.l_row JOIN {ws.right.rows} b ON b._row = p.r_row"
    single = ", ".join(
        f"{{'condition': '{c.label}', 'left_value': {c.left_text}, 'right_value': {c.right_text}, "
        f"'outcome': {c.outcome}, 'score': round({c.score}, 4)}}"
        for c in compiled
    )
    grouped = ", ".join(
        f"{{'condition': '{c.label}', "
        f"'left_value': string_agg(DISTINCT {c.left_text}, '; '), "
        f"'right_value': string_agg(DISTINCT {c.right_text}, '; '), "
        f"'outcome': string_agg(DISTINCT {c.outcome}, '; '), 'score': round(avg({c.score}), 4)}}"
        for c in compiled
    )
    return f"""
        SELECT p.match_no, [{single}]::{EXPLANATION_ENTRY}[] AS explanation
        FROM (SELECT match_no, l_rows[1] AS l_row, r_rows[1] AS r_row FROM matches
              WHERE pass_no = {pass_no} AND kind = 'one_to_one') p {joins}
        UNION ALL
        SELECT p.match_no, [{grouped}]::{EXPLANATION_ENTRY}[] AS explanation
        FROM ({_pairs_sql(pass_no)}) p {joins}
        GROUP BY p.match_no
    """


def _is_numeric(table: pa.Table, column: str) -> bool:
    kind = table.schema.field(column).type
    return bool(
        pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind)
    )


def _is_date(table: pa.Table, column: str) -> bool:
    kind = table.schema.field(column).type
    return bool(pa.types.is_date(kind) or pa.types.is_timestamp(kind))


def _field_kind(ws: Workspace, field: ComparedField) -> str:
    if _is_numeric(ws.left.table, field.left) and _is_numeric(ws.right.table, field.right):
        return "number"
    if _is_date(ws.left.table, field.left) and _is_date(ws.right.table, field.right):
        return "date"
    return "text"


def _side_values(
    ws: Workspace, side: str, fields: list[ComparedField], pass_no: int, grouped: bool
) -> str:
    """Per match: each compared field's value (v{i}: summed, earliest or joined) and text."""
    data = ws.side("l" if side == "l" else "r")
    columns = []
    for i, field in enumerate(fields):
        column = field.left if side == "l" else field.right
        raw = f"s.{quote(column)}"
        kind = _field_kind(ws, field)
        if kind == "number":
            value = f"CAST({raw} AS DOUBLE)"
        elif kind == "date":
            value = f"(CAST({raw} AS DATE) - DATE '1970-01-01')"
        else:
            value = f"CAST(s.{data.column(column, field.normaliser)} AS VARCHAR)"
        shown = f"CAST({raw} AS VARCHAR)"
        if grouped:
            aggregate = {"number": "sum", "date": "min"}.get(kind)
            value = (
                f"{aggregate}({value})"
                if aggregate
                else f"string_agg(DISTINCT {value}, '; ' ORDER BY {value})"
            )
            shown = f"string_agg(DISTINCT {shown}, '; ')"
        columns.append(f"{value} AS v{i}, {shown} AS shown{i}")
    selected = ", ".join(columns)
    if not grouped:
        return (
            f"SELECT m.match_no, {selected} FROM matches m JOIN {data.rows} s "
            f"ON s._row = m.{side}_rows[1] WHERE m.pass_no = {pass_no} AND m.kind = 'one_to_one'"
        )
    return (
        f"SELECT m.match_no, {selected} FROM (SELECT match_no, unnest({side}_rows) AS row_no "
        f"FROM matches WHERE pass_no = {pass_no} AND kind <> 'one_to_one') m "
        f"JOIN {data.rows} s ON s._row = m.row_no GROUP BY m.match_no"
    )


def _differences_sql(ws: Workspace, match_pass: MatchPass, pass_no: int) -> str | None:
    fields = match_pass.compare
    if not fields:
        return None
    entries = []
    for i, field in enumerate(fields):
        kind = _field_kind(ws, field)
        if kind == "text":
            differs = f"r.v{i} IS DISTINCT FROM l.v{i}"
            shown_delta = "'text differs'"
        else:
            delta = f"(r.v{i} - l.v{i})"
            differs = f"abs({delta}) > {field.tolerance!r} + 1e-9"
            unit = " days" if kind == "date" else ""
            shown_delta = f"CAST(round({delta}, 4) AS VARCHAR) || '{unit}'"
        entries.append(
            f"CASE WHEN {differs} THEN {{'field': '{field.left}~{field.right}', "
            f"'left_value': l.shown{i}, 'right_value': r.shown{i}, "
            f"'difference': {shown_delta}}} END"
        )
    listed = f"list_filter([{', '.join(entries)}], lambda d: d IS NOT NULL)::{DIFFERENCE_ENTRY}[]"
    return " UNION ALL ".join(
        f"SELECT l.match_no, {listed} AS differences "
        f"FROM ({_side_values(ws, 'l', fields, pass_no, grouped)}) l "
        f"JOIN ({_side_values(ws, 'r', fields, pass_no, grouped)}) r ON r.match_no = l.match_no"
        for grouped in (False, True)
    )


def build_explanations(ws: Workspace) -> None:
    """Tables `explanations`(match_no, explanation) and `differences`(match_no, differences)."""
    ws.con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE explanations
            (match_no BIGINT, explanation {EXPLANATION_ENTRY}[]);
        CREATE OR REPLACE TEMP TABLE differences
            (match_no BIGINT, differences {DIFFERENCE_ENTRY}[]);
        """
    )
    for pass_no, match_pass in enumerate(ws.rules.passes):
        ws.con.execute(f"INSERT INTO explanations {_conditions_sql(ws, match_pass, pass_no)}")
        differences = _differences_sql(ws, match_pass, pass_no)
        if differences:
            ws.con.execute(f"INSERT INTO differences {differences}")
