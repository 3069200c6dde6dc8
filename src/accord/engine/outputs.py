"""Arrow tables of the matches and of the records left over, cut from the workspace."""

from __future__ import annotations

import pyarrow as pa

from accord.engine.leftovers import reasons_sql
from accord.engine.workspace import ROW, SideKey, Workspace, quote

# Candidates listed per left-over record; the lowest ids, so the list is order-independent.
MAX_LISTED = 20


def _pass_names_sql(ws: Workspace) -> str:
    rows = ", ".join(
        f"({i}, '{p.name.replace(chr(39), chr(39) * 2)}', '{p.action}')"
        for i, p in enumerate(ws.rules.passes)
    )
    return f"(VALUES {rows}) AS passes(pass_no, pass_name, action)"


def matches_table(ws: Workspace) -> pa.Table:
    """One row per match, numbered in a stable order: pass, then first left id, first right id."""
    left_id, right_id = quote(ws.left.spec.id), quote(ws.right.spec.id)
    table = ws.con.sql(
        f"""
        WITH ids AS (
            SELECT m.match_no, [l.{left_id}] AS left_ids, [r.{right_id}] AS right_ids
            FROM matches m
            JOIN {ws.left.rows} l ON l._row = m.l_rows[1]
            JOIN {ws.right.rows} r ON r._row = m.r_rows[1]
            WHERE m.kind = 'one_to_one'
            UNION ALL
            SELECT g.match_no, g.left_ids, g.right_ids FROM (
                SELECT t.match_no,
                       list(l.{left_id} ORDER BY l.{left_id})
                           FILTER (WHERE t.side = 'l') AS left_ids,
                       list(r.{right_id} ORDER BY r.{right_id})
                           FILTER (WHERE t.side = 'r') AS right_ids
                FROM taken t
                JOIN matches m ON m.match_no = t.match_no AND m.kind <> 'one_to_one'
                LEFT JOIN {ws.left.rows} l ON t.side = 'l' AND l._row = t._row
                LEFT JOIN {ws.right.rows} r ON t.side = 'r' AND r._row = t._row
                GROUP BY t.match_no
            ) g
        )
        , numbered AS (
            SELECT match_no,
                   row_number() OVER (ORDER BY pass_no, left_first, right_first) AS match_id
            FROM (SELECT m.match_no, m.pass_no, ids.left_ids[1] AS left_first,
                         ids.right_ids[1] AS right_first
                  FROM matches m JOIN ids ON ids.match_no = m.match_no)
        )
        SELECT numbered.match_id,
               passes.pass_name AS pass, m.kind,
               CASE WHEN passes.action = 'suggest' THEN 'suggested'
                    WHEN len(coalesce(d.differences, [])) > 0 THEN 'matched_with_differences'
                    ELSE 'matched' END AS status,
               round(m.score, 6) AS score, ids.left_ids, ids.right_ids, e.explanation,
               coalesce(d.differences, []) AS differences
        FROM matches m
        JOIN ids ON ids.match_no = m.match_no
        JOIN numbered ON numbered.match_no = m.match_no
        JOIN {_pass_names_sql(ws)} ON passes.pass_no = m.pass_no
        LEFT JOIN explanations e ON e.match_no = m.match_no
        LEFT JOIN differences d ON d.match_no = m.match_no
        """
    ).to_arrow_table()
    ws.con.execute("DROP TABLE explanations; DROP TABLE differences")
    return table


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
        LEFT JOIN {_pass_names_sql(ws)} ON passes.pass_no = u.pass_no
        ORDER BY s.{own_id}, u._row
        """
    ).to_arrow_table()
    original = ws.side(side).table.take(reasons.column(ROW)).drop_columns([ROW])
    for name in reasons.column_names[1:]:
        original = original.append_column(name, reasons.column(name))
    return original
