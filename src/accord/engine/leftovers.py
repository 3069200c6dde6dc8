"""Why each record was left unmatched: one reason code per record.

Precedence: a duplicate is a duplicate; a record that had equally good candidates is
ambiguous; a record whose best candidate among the left-overs failed a threshold is
below_threshold (with that score); anything else had no candidate at all.
"""

from __future__ import annotations

from accord.engine.candidates import candidate_sql
from accord.engine.workspace import SideKey, Workspace, free_rows_sql, refresh_free_rows

REASONS = ("duplicate", "ambiguous", "below_threshold", "no_candidate")


def note_near_misses(ws: Workspace) -> None:
    """Score the left-over records against each other with thresholds off, per 1:1 pass."""
    refresh_free_rows(ws)
    for pass_no, match_pass in enumerate(ws.rules.passes):
        if match_pass.cardinality != "one_to_one":
            continue
        pairs = candidate_sql(
            ws,
            list(match_pass.conditions),
            free_rows_sql(ws, "l"),
            free_rows_sql(ws, "r"),
            min_score=match_pass.min_score,
            apply_thresholds=False,
        )
        ws.con.execute(f"CREATE OR REPLACE TEMP TABLE near AS {pairs}")
        for side, other in (("l", "r"), ("r", "l")):
            ws.con.execute(
                f"""
                INSERT INTO notes
                SELECT '{side}', {side}_row, {pass_no}, 'below_threshold', max(score),
                       list({other}_row ORDER BY score DESC, {other}_row)[1:3],
                       'best candidate scores ' || CAST(round(max(score), 3) AS VARCHAR)
                FROM near GROUP BY {side}_row
                """
            )


def reasons_sql(ws: Workspace, side: SideKey) -> str:
    """SELECT _row, reason, pass_no, best_score, candidates, detail for unmatched records."""
    order = " ".join(f"WHEN '{r}' THEN {i}" for i, r in enumerate(REASONS))
    return f"""
        SELECT s._row, coalesce(n.reason, 'no_candidate') AS reason, n.pass_no,
               n.best_score, n.candidates,
               coalesce(n.detail, 'no record on the other side meets any pass''s conditions')
                   AS detail
        FROM (SELECT _row FROM {ws.side(side).rows} s
              WHERE NOT EXISTS (SELECT 1 FROM taken t
                                WHERE t.side = '{side}' AND t._row = s._row)) s
        LEFT JOIN (
            SELECT * FROM notes WHERE side = '{side}'
            QUALIFY row_number() OVER (PARTITION BY _row ORDER BY CASE reason {order} END,
                                       best_score DESC NULLS LAST, pass_no) = 1
        ) n ON n._row = s._row
    """
