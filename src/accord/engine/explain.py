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

EXPLANATION_ENTRY = "STRUCT(condition VARCHAR, left_value VARCHAR, right_value VARCHAR, outcome VARCHAR, score DOUBLE)"
DIFFERENCE_ENTRY = "STRUCT(field VARCHAR, left_value VARCHAR, right_value VARCHAR, difference VARCHAR)"


def _pairs_sql(pass_no: int) -> str:
    """Every (left record, right record) pair inside each match of a pass."""
    return f"""
        SELECT m.match_no, tl._row AS l_row, tr._row AS r_row
        FROM matches m
        JOIN taken tl ON tl.match_no = m.match_no AND tl.side = 'l'
        JOIN taken tr ON tr.match_no = m.match_no AND tr.side = 'r'
        WHERE m.pass_no = {pass_no}
    """


def _conditions_sql(ws: Workspace, match_pass: MatchPass, pass_no: int) -> str:
    entries = []
    for cond in match_pass.conditions:
        c = compile_condition(ws, cond)
        entries.append(
            f"{{'condition': '{c.label}', "
            f"'left_value': string_agg(DISTINCT {c.left_text}, '; '), "
            f"'right_value': string_agg(DISTINCT {c.right_text}, '; '), "
            f"'outcome': string_agg(DISTINCT {c.outcome}, '; '), 'score': round(avg({c.score}), 4)}}"
        )
    return f"""
        SELECT p.match_no, [{', '.join(entries)}]::{EXPLANATION_ENTRY}[] AS explanation
        FROM ({_pairs_sql(pass_no)}) p
        JOIN {ws.left.rows} a ON a._row = p.l_row JOIN {ws.right.rows} b ON b._row = p.r_row
        GROUP BY p.match_no
    """


def _is_numeric(table: pa.Table, column: str) -> bool:
    kind = table.schema.field(column).type
    return bool(pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind))


def _is_date(table: pa.Table, column: str) -> bool:
    kind = table.schema.field(column).type
    return bool(pa.types.is_date(kind) or pa.types.is_timestamp(kind))


def _side_values(ws: Workspace, side: str, field: ComparedField, numeric: bool, date: bool) -> str:
    data = ws.side("l" if side == "l" else "r")
    column = field.left if side == "l" else field.right
    if numeric:
        value = f"sum(CAST(s.{quote(column)} AS DOUBLE))"
    elif date:
        value = f"min(CAST(s.{quote(column)} AS DATE) - DATE '1970-01-01')"
    else:
        value = f"string_agg(DISTINCT CAST(s.{data.column(column, field.normaliser)} AS VARCHAR), '; ' ORDER BY CAST(s.{data.column(column, field.normaliser)} AS VARCHAR))"
    shown = f"string_agg(DISTINCT CAST(s.{quote(column)} AS VARCHAR), '; ')"
    return (f"SELECT t.match_no, {value} AS v, {shown} AS shown FROM taken t "
            f"JOIN {data.rows} s ON s._row = t._row WHERE t.side = '{side}' GROUP BY t.match_no")


def _differences_sql(ws: Workspace, match_pass: MatchPass, pass_no: int) -> str | None:
    entries = []
    joins = []
    for i, field in enumerate(match_pass.compare):
        numeric = _is_numeric(ws.left.table, field.left) and _is_numeric(ws.right.table, field.right)
        date = _is_date(ws.left.table, field.left) and _is_date(ws.right.table, field.right)
        joins.append(f"JOIN ({_side_values(ws, 'l', field, numeric, date)}) l{i} ON l{i}.match_no = m.match_no "
                     f"JOIN ({_side_values(ws, 'r', field, numeric, date)}) r{i} ON r{i}.match_no = m.match_no")
        if numeric or date:
            delta = f"(r{i}.v - l{i}.v)"
            differs = f"abs({delta}) > {field.tolerance!r} + 1e-9"
            unit = " days" if date else ""
            shown_delta = f"CAST(round({delta}, 4) AS VARCHAR) || '{unit}'"
        else:
            differs = f"r{i}.v IS DISTINCT FROM l{i}.v"
            shown_delta = "'text differs'"
        entries.append(
            f"CASE WHEN {differs} THEN {{'field': '{field.left}~{field.right}', "
            f"'left_value': l{i}.shown, 'right_value': r{i}.shown, 'difference': {shown_delta}}} END"
        )
    if not entries:
        return None
    listed = f"list_filter([{', '.join(entries)}], lambda d: d IS NOT NULL)"
    return (f"SELECT m.match_no, {listed}::{DIFFERENCE_ENTRY}[] AS differences FROM matches m "
            f"{' '.join(joins)} WHERE m.pass_no = {pass_no}")


def build_explanations(ws: Workspace) -> None:
    """Tables `explanations`(match_no, explanation) and `differences`(match_no, differences)."""
    ws.con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE explanations (match_no BIGINT, explanation {EXPLANATION_ENTRY}[]);
        CREATE OR REPLACE TEMP TABLE differences (match_no BIGINT, differences {DIFFERENCE_ENTRY}[]);
        """
    )
    for pass_no, match_pass in enumerate(ws.rules.passes):
        ws.con.execute(f"INSERT INTO explanations {_conditions_sql(ws, match_pass, pass_no)}")
        differences = _differences_sql(ws, match_pass, pass_no)
        if differences:
            ws.con.execute(f"INSERT INTO differences {differences}")
