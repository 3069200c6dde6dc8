"""Arrow tables of the matches and of the records left over, cut from the workspace."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from accord.engine.explain import LEFT_FIRST, PASS_ROWS, RIGHT_FIRST, match_rows_sql
from accord.engine.ingest.sql import quote_literal
from accord.engine.leftovers import reasons_sql
from accord.engine.workspace import (
    ROW,
    SideKey,
    Workspace,
    pass_names_sql,
    quote,
    register_batched,
)

# Candidates listed per left-over record; the lowest ids, so the list is order-independent.
MAX_LISTED = 20
# A pass's records are gathered for its explanations when they are at most this share of
# the side (1/GATHER_SHARE); for more, reading the side costs less than gathering first.
GATHER_SHARE = 8


def _rows_by_pass(ws: Workspace) -> dict[tuple[SideKey, int], np.ndarray]:
    """Positions of the records each pass matched, per side, ascending."""
    taken = ws.con.sql(
        "SELECT t.side = 'l' AS is_left, m.pass_no, t._row "
        "FROM taken t JOIN matches m ON m.match_no = t.match_no"
    ).fetchnumpy()
    is_left, pass_no, row = taken["is_left"], taken["pass_no"], taken["_row"]
    by_pass: dict[tuple[SideKey, int], np.ndarray] = {}
    for number in range(len(ws.rules.passes)):
        in_pass = pass_no == number
        by_pass["l", number] = np.sort(row[in_pass & is_left])
        by_pass["r", number] = np.sort(row[in_pass & ~is_left])
    return by_pass


def _register_pass_rows(ws: Workspace, key: SideKey, rows: np.ndarray) -> None:
    """Register as `PASS_ROWS[key]` the side's records at positions `rows` (or, when they
    are most of the side, the whole side: reading it costs less than gathering first)."""
    rows_table = ws.side(key).rows_table
    assert rows_table is not None
    if len(rows) * GATHER_SHARE > rows_table.num_rows:
        ws.con.register(PASS_ROWS[key], rows_table)
        return
    register_batched(ws.con, PASS_ROWS[key], rows_table.take(rows))


def _numbered(rows: pa.Table, numbered_before: int) -> pa.Table:
    """`rows` (one pass's matches) with `match_id` first: numbered after the earlier passes'
    by each match's lowest left id, then lowest right id (unique: no record is in two)."""
    order = pc.sort_indices(
        rows, sort_keys=[(LEFT_FIRST, "ascending"), (RIGHT_FIRST, "ascending")]
    ).to_numpy()
    match_id = np.empty(len(order), dtype=np.int64)
    match_id[order] = np.arange(numbered_before + 1, numbered_before + len(order) + 1)
    return rows.drop_columns([LEFT_FIRST, RIGHT_FIRST]).add_column(
        0, "match_id", pa.array(match_id)
    )


def matches_table(ws: Workspace) -> pa.Table:
    """One row per match, numbered in a stable order: pass, then first left id, first right id.

    Fetched a few queries at a time (per pass, one-to-one then groups) straight into Arrow,
    so the rows with their explanations are held once, outside DuckDB (peak memory), and
    numbered there (rows of one pass come in no particular order). Each pass's queries read
    only the records it matched, gathered by position beforehand.
    """
    rows_by_pass = _rows_by_pass(ws)
    parts: list[pa.Table] = []
    numbered = 0
    for pass_no, match_pass in enumerate(ws.rules.passes):
        for key in ("l", "r"):
            _register_pass_rows(ws, key, rows_by_pass[key, pass_no])
        rows = pa.concat_tables(
            ws.con.sql(
                f"""
                SELECT {LEFT_FIRST}, {RIGHT_FIRST}, {quote_literal(match_pass.name)} AS pass,
                       kind,
                       CASE WHEN {match_pass.action == "suggest"} THEN 'suggested'
                            WHEN len(differences) > 0 THEN 'matched_with_differences'
                            ELSE 'matched' END AS status,
                       round(score, 6) AS score, left_ids, right_ids, explanation, differences
                FROM ({query})
                """
            ).to_arrow_table()
            for query in match_rows_sql(ws, pass_no)
        )
        parts.append(_numbered(rows, numbered))
        numbered += rows.num_rows
    for key in ("l", "r"):
        ws.con.unregister(PASS_ROWS[key])
    return pa.concat_tables(parts)


def unmatched_table(ws: Workspace, side: SideKey) -> pa.Table:
    """The side's own rows (original types) that no match used, each with its reason."""
    own_id = quote(ws.side(side).spec.id)
    other = ws.right if side == "l" else ws.left
    other_id = quote(other.spec.id)
    reasons = ws.con.sql(
        f"""
        WITH u AS ({reasons_sql(ws, side)}),
        candidate_ids AS (
            SELECT c._row, min(o.{other_id}, {MAX_LISTED}) AS ids
            FROM (SELECT _row, unnest(candidates) AS other_row FROM u
                  WHERE reason <> 'duplicate') c
            JOIN {other.rows} o ON o._row = c.other_row
            GROUP BY c._row
        )
        SELECT u._row, u.reason, passes.pass_name AS reason_pass,
               round(u.best_score, 6) AS best_score, candidate_ids.ids AS candidate_ids,
               u.detail AS reason_detail
        FROM u
        JOIN {ws.side(side).rows} s ON s._row = u._row
        LEFT JOIN candidate_ids ON candidate_ids._row = u._row
        LEFT JOIN {pass_names_sql(ws.rules)} ON passes.pass_no = u.pass_no
        ORDER BY s.{own_id}, u._row
        """
    ).to_arrow_table()
    original = ws.side(side).table.take(reasons.column(ROW)).drop_columns([ROW])
    for name in reasons.column_names[1:]:
        original = original.append_column(name, reasons.column(name))
    return original
