"""Exact duplicates within one side: records equal in every column except the id.

(Or on the side's `duplicate_key` columns, for data where a copy gets a fresh description.)

A double import or a double posting would otherwise tie with its original for the same
partner, and ties are never auto-matched; so copies are set aside first and reported as
duplicates of the record kept (the lowest id, so the choice does not depend on row order).
"""

from __future__ import annotations

from accord.engine.workspace import ROW, SideKey, Workspace, quote


def mark_duplicates(ws: Workspace, key: SideKey) -> int:
    """Record every copy but the first as a 'duplicate' note; returns how many were found."""
    side = ws.side(key)
    if side.spec.duplicates == "keep":
        return 0
    id_column = side.spec.id
    compared = side.spec.duplicate_key or [
        c for c in side.table.column_names if c not in (id_column, ROW)
    ]
    if not compared:
        return 0
    ws.con.register(f"{key}_full", side.table.select([ROW, id_column, *compared]))
    columns = ", ".join(quote(c) for c in compared)
    # Hash first: only records sharing a hash (nearly always true copies) are then compared
    # column by column, so the window runs over a few rows rather than the whole side.
    ws.con.execute(
        f"""
        INSERT INTO notes
        SELECT '{key}', {ROW}, NULL, 'duplicate', NULL, [first.r],
               'exact copy of id ' || CAST(first.i AS VARCHAR)
        FROM (
            SELECT {ROW},
                   min(struct_pack(i := {quote(id_column)}, r := {ROW})) OVER w AS first,
                   count(*) OVER w AS copies
            FROM {key}_full
            WHERE hash({columns}) IN (
                SELECT hash({columns}) AS h FROM {key}_full GROUP BY h HAVING count(*) > 1)
            WINDOW w AS (PARTITION BY {columns})
        )
        WHERE copies > 1 AND {ROW} <> first.r
        """
    )
    ws.con.unregister(f"{key}_full")
    return ws.scalar(f"SELECT count(*) FROM notes WHERE side = '{key}' AND reason = 'duplicate'")
