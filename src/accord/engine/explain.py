"""Ids, explanations and differences of the matches made, computed once at the end.

Scoring during the passes keeps only numbers; the words (left value, right value, outcome
per condition, and the compared fields that differ) are built here for the matches alone,
which is far fewer rows than the candidates were. One-to-one matches (most of them) need
one join to each side for all three; group matches aggregate their members.
"""

from __future__ import annotations

import re

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
# What the queries read each side's records from: the caller registers, for each pass in
# turn, the records that pass matched (a pass's few hundred records are not found by
# reading every record of the side once per query).
PASS_ROWS = {"l": "l_pass_rows", "r": "r_pass_rows"}
# Each match's lowest id on either side: matches are numbered in their order.
LEFT_FIRST, RIGHT_FIRST = "_left_first", "_right_first"


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


def _compared_value(ws: Workspace, side: str, field: ComparedField, alias: str) -> str:
    """The value a compared field is compared on: a number, a day number or normalised text."""
    data = ws.side("l" if side == "l" else "r")
    column = field.left if side == "l" else field.right
    kind = _field_kind(ws, field)
    if kind == "number":
        return f"CAST({alias}.{quote(column)} AS DOUBLE)"
    if kind == "date":
        return f"(CAST({alias}.{quote(column)} AS DATE) - DATE '1970-01-01')"
    return f"CAST({alias}.{data.column(column, field.normaliser)} AS VARCHAR)"


def _differences(
    ws: Workspace, fields: list[ComparedField], values: list[tuple[str, str, str, str]]
) -> str:
    """The list of differing fields; `values[i]` = (left value, right value, left shown, right
    shown) of field i as SQL."""
    if not fields:
        return f"[]::{DIFFERENCE_ENTRY}[]"
    entries = []
    for field, (lv, rv, lshown, rshown) in zip(fields, values, strict=True):
        kind = _field_kind(ws, field)
        if kind == "text":
            differs = f"{rv} IS DISTINCT FROM {lv}"
            shown_delta = "'text differs'"
        else:
            delta = f"({rv} - {lv})"
            differs = f"abs({delta}) > {field.tolerance!r} + 1e-9"
            unit = " days" if kind == "date" else ""
            shown_delta = f"CAST(round({delta}, 4) AS VARCHAR) || '{unit}'"
        entries.append(
            f"CASE WHEN {differs} THEN {{'field': '{field.left}~{field.right}', "
            f"'left_value': {lshown}, 'right_value': {rshown}, "
            f"'difference': {shown_delta}}} END"
        )
    return f"list_filter([{', '.join(entries)}], lambda d: d IS NOT NULL)::{DIFFERENCE_ENTRY}[]"


def _one_to_one_sql(ws: Workspace, match_pass: MatchPass, pass_no: int) -> str:
    """Ids, explanation and differences of a pass's one-to-one matches: one join a side."""
    compiled = [compile_condition(ws, cond) for cond in match_pass.conditions]
    explanation = ", ".join(
        f"{{'condition': '{c.label}', 'left_value': {c.left_text}, 'right_value': {c.right_text}, "
        f"'outcome': {c.outcome}, 'score': round({c.score}, 4)}}"
        for c in compiled
    )
    values = [
        (
            _compared_value(ws, "l", f, "a"),
            _compared_value(ws, "r", f, "b"),
            f"CAST(a.{quote(f.left)} AS VARCHAR)",
            f"CAST(b.{quote(f.right)} AS VARCHAR)",
        )
        for f in match_pass.compare
    ]
    left_id, right_id = quote(ws.left.spec.id), quote(ws.right.spec.id)
    # Every join comes before the explanation is built: carrying nested values through a
    # join costs more than building them.
    return f"""
        SELECT a.{left_id} AS {LEFT_FIRST}, b.{right_id} AS {RIGHT_FIRST}, m.kind, m.score,
               [a.{left_id}] AS left_ids, [b.{right_id}] AS right_ids,
               [{explanation}]::{EXPLANATION_ENTRY}[] AS explanation,
               {_differences(ws, list(match_pass.compare), values)} AS differences
        FROM matches m
        JOIN {PASS_ROWS["l"]} a ON a._row = m.l_rows[1]
        JOIN {PASS_ROWS["r"]} b ON b._row = m.r_rows[1]
        WHERE m.pass_no = {pass_no} AND m.kind = 'one_to_one'
    """


def _joined(value: str, *, single: bool = False) -> str:
    """A group's distinct values of `value` joined with '; ', in order: the same text on
    every run. (A constant is its own value: DuckDB refuses to order by one.) With `single`,
    the value comes from the match's one record on that side: it is the same in every row."""
    if re.fullmatch(r"'(?:[^']|'')*'", value):
        return value
    if single:
        return f"min({value})"
    return f"string_agg(DISTINCT {value}, '; ' ORDER BY {value})"


def _side_values(ws: Workspace, side: str, fields: list[ComparedField], pass_no: int) -> str:
    """Per group match: its ids (sorted) and each compared field's value (v{i}: summed,
    earliest or joined) and text (shown{i})."""
    data = ws.side("l" if side == "l" else "r")
    own_id = quote(data.spec.id)
    columns = [f"list(s.{own_id} ORDER BY s.{own_id}) AS ids"]
    for i, field in enumerate(fields):
        column = field.left if side == "l" else field.right
        value = _compared_value(ws, side, field, "s")
        aggregate = {"number": "sum", "date": "min"}.get(_field_kind(ws, field))
        value = f"{aggregate}({value})" if aggregate else _joined(value)
        shown = _joined(f"CAST(s.{quote(column)} AS VARCHAR)")
        columns.append(f"{value} AS v{i}, {shown} AS shown{i}")
    return (
        f"SELECT m.match_no, {', '.join(columns)} FROM (SELECT match_no, unnest({side}_rows) "
        f"AS row_no FROM matches WHERE pass_no = {pass_no} AND kind <> 'one_to_one') m "
        f"JOIN {PASS_ROWS[data.key]} s ON s._row = m.row_no GROUP BY m.match_no"
    )


def _group_sql(ws: Workspace, match_pass: MatchPass, pass_no: int) -> str:
    """Ids, explanation and differences of a pass's group matches, members aggregated."""
    compiled = [compile_condition(ws, cond) for cond in match_pass.conditions]
    # In a one-to-many pass every match has one left record (many-to-one: one right).
    one_left, one_right = (match_pass.cardinality == c for c in ("one_to_many", "many_to_one"))
    explanation = ", ".join(
        f"{{'condition': '{c.label}', "
        f"'left_value': {_joined(c.left_text, single=one_left)}, "
        f"'right_value': {_joined(c.right_text, single=one_right)}, "
        f"'outcome': {_joined(c.outcome)}, 'score': round(avg({c.score}), 4)}}"
        for c in compiled
    )
    pairs = f"""
        SELECT m.match_no, unnest(m.l_rows) AS l_row, r_row
        FROM (SELECT *, unnest(r_rows) AS r_row FROM matches
              WHERE pass_no = {pass_no} AND kind <> 'one_to_one') m
    """
    fields = list(match_pass.compare)
    values = [(f"l.v{i}", f"r.v{i}", f"l.shown{i}", f"r.shown{i}") for i in range(len(fields))]
    return f"""
        SELECT l.ids[1] AS {LEFT_FIRST}, r.ids[1] AS {RIGHT_FIRST}, m.kind, m.score,
               l.ids AS left_ids, r.ids AS right_ids,
               e.explanation, {_differences(ws, fields, values)} AS differences
        FROM (SELECT p.match_no, [{explanation}]::{EXPLANATION_ENTRY}[] AS explanation
              FROM ({pairs}) p
              JOIN {PASS_ROWS["l"]} a ON a._row = p.l_row
              JOIN {PASS_ROWS["r"]} b ON b._row = p.r_row
              GROUP BY p.match_no) e
        JOIN ({_side_values(ws, "l", fields, pass_no)}) l ON l.match_no = e.match_no
        JOIN ({_side_values(ws, "r", fields, pass_no)}) r ON r.match_no = e.match_no
        JOIN matches m ON m.match_no = e.match_no
    """


def match_rows_sql(ws: Workspace, pass_no: int) -> list[str]:
    """One or two queries of (LEFT_FIRST, RIGHT_FIRST, kind, score, left_ids, right_ids,
    explanation, differences) of the pass's matches; `PASS_ROWS` must hold (at least) the
    records the pass matched. The first two are each side's lowest id, to number by."""
    match_pass = ws.rules.passes[pass_no]
    parts = [_one_to_one_sql(ws, match_pass, pass_no)]
    if match_pass.cardinality != "one_to_one":
        parts.append(_group_sql(ws, match_pass, pass_no))
    return parts
