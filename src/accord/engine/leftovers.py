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
    # Each record's best score by a hash aggregate, then its candidates scoring that by a
    # join: cheaper than a window over every failing pair (10M of them in a loose pass at 3M).
    for side, other in (("l", "r"), ("r", "l")):
        failing = (
            f"(SELECT {side}_row, {other}_row, score FROM {blocked} WHERE NOT passes_thresholds "
            f"AND {side}_row NOT IN (SELECT {side}_row FROM accepted))"
        )
        ws.con.execute(
            f"""
            INSERT INTO notes
            WITH f AS MATERIALIZED {failing},
            best AS (SELECT {side}_row, max(score) AS best FROM f GROUP BY {side}_row)
            SELECT '{side}', f.{side}_row, {pass_no}, 'below_threshold', best.best,
                   list(f.{other}_row),
                   'best candidate scores ' || CAST(round(best.best, 3) AS VARCHAR)
                   || ', below the pass''s thresholds'
            FROM f JOIN best ON best.{side}_row = f.{side}_row AND f.score = best.best
            GROUP BY f.{side}_row, best.best
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
