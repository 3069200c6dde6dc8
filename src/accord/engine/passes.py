"""Running one pass of the cascade on the records still free, and recording its matches."""

from __future__ import annotations

from accord.engine.assign import assign_one_to_one
from accord.engine.candidates import candidate_sql
from accord.engine.groups import run_many_to_many, run_one_to_many
from accord.engine.leftovers import note_near_misses
from accord.engine.rules import MatchPass
from accord.engine.workspace import Workspace, free_rows_sql, refresh_free_rows

_KIND = """CASE WHEN len(l_rows) = 1 AND len(r_rows) = 1 THEN 'one_to_one'
                WHEN len(l_rows) = 1 THEN 'one_to_many'
                WHEN len(r_rows) = 1 THEN 'many_to_one'
                ELSE 'many_to_many' END"""


def _record(ws: Workspace, pass_no: int, accepted_sql: str) -> int:
    """Number the accepted matches (l_rows, r_rows, score) and mark their records taken."""
    first = ws.scalar("SELECT coalesce(max(match_no), 0) FROM matches") + 1
    ws.con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE new_matches AS
        SELECT {first - 1} + row_number() OVER () AS match_no, l_rows, r_rows, score
        FROM ({accepted_sql});
        INSERT INTO matches
        SELECT match_no, {pass_no}, {_KIND}, score, l_rows, r_rows FROM new_matches;
        INSERT INTO taken SELECT 'l', unnest(l_rows), match_no FROM new_matches;
        INSERT INTO taken SELECT 'r', unnest(r_rows), match_no FROM new_matches;
        """
    )
    return ws.scalar("SELECT count(*) FROM new_matches")


def run_pass(ws: Workspace, match_pass: MatchPass, pass_no: int) -> int:
    """Match what this pass can among the free records; returns how many matches it made."""
    refresh_free_rows(ws)
    if match_pass.cardinality == "one_to_one":
        compared = candidate_sql(
            ws,
            list(match_pass.conditions),
            free_rows_sql("l", unheld=True),
            free_rows_sql("r", unheld=True),
            min_score=match_pass.min_score,
            apply_thresholds=False,
        )
        ws.con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE pass_compared AS {compared};
            CREATE OR REPLACE TEMP TABLE pass_candidates AS
            SELECT l_row, r_row, score FROM pass_compared WHERE passes_thresholds;
            """
        )
        assign_one_to_one(ws, "pass_candidates", pass_no)
        note_near_misses(ws, pass_no, "pass_compared")
        ws.con.execute("DROP TABLE pass_compared; DROP TABLE pass_candidates; DROP TABLE live")
        return _record(
            ws, pass_no, "SELECT [l_row] AS l_rows, [r_row] AS r_rows, score FROM accepted"
        )
    if match_pass.cardinality == "one_to_many":
        run_one_to_many(ws, match_pass, pass_no, one="l")
        return _record(
            ws, pass_no, "SELECT [o_row] AS l_rows, rows AS r_rows, score FROM accepted_groups"
        )
    if match_pass.cardinality == "many_to_one":
        run_one_to_many(ws, match_pass, pass_no, one="r")
        return _record(
            ws, pass_no, "SELECT rows AS l_rows, [o_row] AS r_rows, score FROM accepted_groups"
        )
    run_many_to_many(ws, match_pass)
    return _record(ws, pass_no, "SELECT l_rows, r_rows, score FROM accepted_sets")
