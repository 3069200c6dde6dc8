"""Arrow tables of the matches and of the records left over, cut from the workspace."""

from __future__ import annotations

import pyarrow as pa

from accord.engine.explain import match_rows_sql
from accord.engine.ingest.sql import quote_literal
from accord.engine.leftovers import reasons_sql
from accord.engine.workspace import ROW, SideKey, Workspace, pass_names_sql, quote

# Candidates listed per left-over record; the lowest ids, so the list is order-independent.
MAX_LISTED = 20


def _number_matches(ws: Workspace) -> None:
    """Table `match_numbers`(match_no, match_id): by pass, then lowest left id, lowest right id.

    Built from ids alone, so the order costs a narrow sort, not one of whole result rows.
    """
    left_id, right_id = quote(ws.left.spec.id), quote(ws.right.spec.id)
    # Each side's lowest id per match on its own (every match has records on both sides):
    # two plain joins cost less than one with a side test in its condition.
    ws.con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE match_numbers AS
        WITH lf AS (SELECT t.match_no, min(l.{left_id}) AS left_first
                    FROM taken t JOIN {ws.left.rows} l ON l._row = t._row
                    WHERE t.side = 'l' GROUP BY t.match_no),
             rf AS (SELECT t.match_no, min(r.{right_id}) AS right_first
                    FROM taken t JOIN {ws.right.rows} r ON r._row = t._row
                    WHERE t.side = 'r' GROUP BY t.match_no)
        SELECT m.match_no,
               row_number() OVER (ORDER BY m.pass_no, lf.left_first, rf.right_first) AS match_id
        FROM matches m
        JOIN lf ON lf.match_no = m.match_no
        JOIN rf ON rf.match_no = m.match_no
        """
    )


def matches_table(ws: Workspace) -> pa.Table:
    """One row per match, numbered in a stable order: pass, then first left id, first right id.

    Fetched a few queries at a time (per pass, one-to-one then groups) straight into Arrow,
    so the rows with their explanations are held once, outside DuckDB (peak memory).
    """
    _number_matches(ws)
    parts = [
        ws.con.sql(
            f"""
            SELECT match_id, {quote_literal(match_pass.name)} AS pass, kind,
                   CASE WHEN {match_pass.action == "suggest"} THEN 'suggested'
                        WHEN len(differences) > 0 THEN 'matched_with_differences'
                        ELSE 'matched' END AS status,
                   round(score, 6) AS score, left_ids, right_ids, explanation, differences
            FROM ({rows})
            """
        ).to_arrow_table()
        for match_pass, rows in match_rows_sql(ws)
    ]
    ws.con.execute("DROP TABLE match_numbers")
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
            SELECT c._row, list(o.{other_id} ORDER BY o.{other_id})[1:{MAX_LISTED}] AS ids
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
