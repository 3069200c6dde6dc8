"""Global one-to-one assignment: mutual unique best, in rounds; ties are never guessed.

A pair is accepted when each record is the other's single best candidate. Accepted records
leave, and records whose rivals left may now have a single best, so this repeats until
nothing changes. Every decision depends only on scores, never on row order, so any
shuffle of the input gives the same matches. What remains are records with equally good
candidates: they are reported as ambiguous, with those candidates.
"""

from __future__ import annotations

from accord.engine.workspace import Workspace

MAX_ROUNDS = 50

_UNIQUE_MUTUAL_BEST = """
CREATE OR REPLACE TEMP TABLE round_pairs AS
WITH best AS (
    SELECT l_row, r_row, score,
           max(score) OVER (PARTITION BY l_row) AS l_best,
           max(score) OVER (PARTITION BY r_row) AS r_best
    FROM live
), counted AS (
    SELECT *, count(*) FILTER (WHERE score = l_best) OVER (PARTITION BY l_row) AS l_ties,
              count(*) FILTER (WHERE score = r_best) OVER (PARTITION BY r_row) AS r_ties
    FROM best
)
SELECT l_row, r_row, score FROM counted
WHERE score = l_best AND score = r_best AND l_ties = 1 AND r_ties = 1
"""

_REMOVE_ACCEPTED = """
DELETE FROM live WHERE l_row IN (SELECT l_row FROM round_pairs)
                    OR r_row IN (SELECT r_row FROM round_pairs)
"""


def assign_one_to_one(ws: Workspace, candidates: str, pass_no: int) -> int:
    """Accept pairs from table `candidates` into `accepted`; note ties. Returns pairs accepted."""
    con = ws.con
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE live AS SELECT l_row, r_row, score FROM {candidates}"
    )
    con.execute("CREATE OR REPLACE TEMP TABLE accepted (l_row BIGINT, r_row BIGINT, score DOUBLE)")
    # Most records have exactly one candidate: accept those pairs without window sorts.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE round_pairs AS
        SELECT l_row, r_row, score FROM live
        WHERE l_row IN (SELECT l_row FROM live GROUP BY l_row HAVING count(*) = 1)
          AND r_row IN (SELECT r_row FROM live GROUP BY r_row HAVING count(*) = 1)
        """
    )
    for _ in range(MAX_ROUNDS):
        if ws.scalar("SELECT count(*) FROM round_pairs"):
            con.execute("INSERT INTO accepted SELECT * FROM round_pairs")
            con.execute(_REMOVE_ACCEPTED)
        if not ws.scalar("SELECT count(*) FROM live"):
            break
        con.execute(_UNIQUE_MUTUAL_BEST)
        if not ws.scalar("SELECT count(*) FROM round_pairs"):
            break
    _note_ambiguous(ws, pass_no)
    return ws.scalar("SELECT count(*) FROM accepted")


def _note_ambiguous(ws: Workspace, pass_no: int) -> None:
    """Each record still holding candidates is ambiguous among its best ones."""
    for side, other in (("l", "r"), ("r", "l")):
        ws.con.execute(
            f"""
            INSERT INTO notes
            SELECT '{side}', {side}_row, {pass_no}, 'ambiguous', max(score),
                   list({other}_row ORDER BY {other}_row),
                   CASE WHEN count(*) > 1
                        THEN CAST(count(*) AS VARCHAR) || ' candidates score equally'
                        ELSE 'its best candidate has an equally good rival' END
            FROM (SELECT *, max(score) OVER (PARTITION BY {side}_row) AS best FROM live)
            WHERE score = best
            GROUP BY {side}_row
            """
        )
