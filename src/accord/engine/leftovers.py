"""Why each record was left unmatched: one reason code per record.

Precedence: a duplicate is a duplicate; a record that had equally good candidates is
ambiguous; a record whose best candidate in some pass failed a threshold is
below_threshold (with that score and candidate); anything else had no candidate at all.
"""

from __future__ import annotations

from accord.engine.workspace import SideKey, Workspace

REASONS = ("duplicate", "ambiguous", "below_threshold", "no_candidate")


def note_near_misses(ws: Workspace, pass_no: int, blocked: str) -> None:
    """Note, for records this pass did not match, their best candidates that failed a threshold.

    `blocked` holds every pair the pass compared (l_row, r_row, score, passes_thresholds),
    so this costs no second comparison; candidates are the best-scoring ones.
    """
    for side, other in (("l", "r"), ("r", "l")):
        ws.con.execute(
            f"""
            INSERT INTO notes
            SELECT '{side}', {side}_row, {pass_no}, 'below_threshold', best,
                   list({other}_row) FILTER (WHERE score = best),
                   'best candidate scores ' || CAST(round(best, 3) AS VARCHAR)
                   || ', below the pass''s thresholds'
            FROM (SELECT *, max(score) OVER (PARTITION BY {side}_row) AS best FROM {blocked}
                  WHERE NOT passes_thresholds
                    AND {side}_row NOT IN (SELECT {side}_row FROM accepted))
            GROUP BY {side}_row, best
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
