"""Group passes: one record against a group of records whose amounts sum to it.

one_to_many / many_to_one: each record on the 'one' side gets its possible members (records
of the other side meeting the pass conditions: date window, similar name, ...); subsets of
2..max_size members whose sum hits the target are found by SQL hash joins (meet in the
middle). Only a unique solution is
accepted, and only if no other record's solution uses the same members; the rest is left
for review as ambiguous. many_to_many: groups sharing a key on both sides, sums agreeing.

Amounts are compared as integer units of 1/10,000 so sums are exact.
"""

from __future__ import annotations

from accord.engine.candidates import candidate_sql
from accord.engine.conditions import AnyCondition
from accord.engine.rules import EqualCondition, GroupSpec, MatchPass
from accord.engine.workspace import SideKey, Workspace, free_rows_sql, quote

UNITS_PER_AMOUNT = 10_000
# Pairs of possible members enumerated at a time: bounds the memory of the subset search
# (~0.5 GB at most). 1M against 1M needs one slice (4M made two: 0.08 s more).
PAIRS_PER_SLICE = 8_000_000


def _units(alias: str, column: str) -> str:
    return f"round(CAST({alias}.{quote(column)} AS DOUBLE) * {UNITS_PER_AMOUNT})::BIGINT"


def _tolerance_units(spec: GroupSpec, target: str) -> str:
    absolute = f"{spec.sum.absolute!r} * {UNITS_PER_AMOUNT}"
    allowed = f"greatest({absolute}, {spec.sum.relative!r} * abs({target}))"
    return f"floor({allowed})::BIGINT"


def _candidates_of(ws: Workspace, pass_no: int, side: SideKey, one: SideKey) -> str:
    """The records of `side` a group pass considers: the free ones, less (on the single
    side) those an earlier group pass found too many members for (`skip_crowded`) or any
    possible member for (`skip_paired`), and (on the grouped side, with
    `skip_ambiguous_members`) those an earlier one-to-one pass left ambiguous."""
    free = free_rows_sql(side)
    spec = ws.rules.passes[pass_no].group
    assert spec is not None
    if side == one and (spec.skip_crowded or spec.skip_paired):
        table = "paired" if spec.skip_paired else "crowded"  # the crowded were paired too
        left_out = f"SELECT _row FROM {table} WHERE side = '{side}'"
    elif side != one and spec.skip_ambiguous_members:
        one_to_one = [
            str(number)
            for number, earlier in enumerate(ws.rules.passes[:pass_no])
            if earlier.cardinality == "one_to_one"
        ]
        if not one_to_one:
            return free
        left_out = (
            f"SELECT _row FROM notes WHERE side = '{side}' AND reason = 'ambiguous' "
            f"AND pass_no IN ({', '.join(one_to_one)})"
        )
    else:
        return free
    return f"SELECT * FROM ({free}) s WHERE s._row NOT IN ({left_out})"


def _members(ws: Workspace, match_pass: MatchPass, one: SideKey, pass_no: int) -> None:
    """Table `members`(o_row, m_row, ord, units, target, tol, g, score) of possible members."""
    assert match_pass.group is not None
    spec = match_pass.group
    many: SideKey = "r" if one == "l" else "l"
    conditions: list[AnyCondition] = list(match_pass.conditions)
    many_side = ws.side(many)
    one_amount = spec.sum.left if one == "l" else spec.sum.right
    many_amount = spec.sum.right if one == "l" else spec.sum.left
    o, m = ("a", "b") if one == "l" else ("b", "a")  # aliases in the candidate query
    shared = [f"{m}.{many_side.column(c) if spec.same_normalised else quote(c)}" for c in spec.same]
    # Members share the key: compared as one hash (a collision would also need equal
    # amounts summing to the target within the window to matter).
    carry = {
        "units": _units(m, many_amount),
        "target": _units(o, one_amount),
        "g": f"hash({', '.join(shared)})" if shared else "0",
    }
    # A member has the sign of the single record and is not larger: checked before scoring.
    units, target = carry["units"], carry["target"]
    fits = (
        f"sign({units}) = sign({target}) "
        f"AND abs({units}) <= abs({target}) + {_tolerance_units(spec, target)}"
    )
    pairs = candidate_sql(
        ws,
        conditions,
        _candidates_of(ws, pass_no, "l", one),
        _candidates_of(ws, pass_no, "r", one),
        min_score=match_pass.min_score,
        carry=carry,
        prefilter=fits,
    )
    ws.con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE members_all AS
        SELECT {one}_row AS o_row, {many}_row AS m_row, score, units, target,
               {_tolerance_units(spec, "target")} AS tol, g
        FROM ({pairs})
        """
    )
    ws.con.execute(f"INSERT INTO paired SELECT DISTINCT '{one}', o_row FROM members_all")
    # Too many possible members sharing the same values: left for review, not enumerated.
    # (Notes' candidate lists are only ever unnested: no order needed. At 3M, ordering these
    # lists of ~8M possible members in all took 1.2 s against 0.5.)
    ws.con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE member_counts AS
        SELECT o_row, g, count(*) AS n FROM members_all GROUP BY o_row, g;
        INSERT INTO crowded
        SELECT DISTINCT '{one}', o_row FROM member_counts WHERE n > {spec.max_candidates};
        INSERT INTO notes
        SELECT '{one}', o_row, {pass_no}, 'ambiguous', NULL, list(m_row),
               CAST(count(*) AS VARCHAR)
                   || ' possible group members, more than {spec.max_candidates}'
        FROM members_all a
        SEMI JOIN (SELECT * FROM member_counts WHERE n > {spec.max_candidates}) c
            ON c.o_row = a.o_row AND c.g = a.g
        GROUP BY o_row;
        CREATE OR REPLACE TEMP TABLE members AS
        SELECT *, row_number() OVER (PARTITION BY o_row ORDER BY abs(units), m_row) AS ord
        FROM members_all a
        SEMI JOIN (SELECT * FROM member_counts WHERE n BETWEEN 2 AND {spec.max_candidates}) c
            ON c.o_row = a.o_row AND c.g = a.g;
        DROP TABLE member_counts;
        """
    )


def _solutions(ws: Workspace, max_size: int, exact: bool) -> None:
    """Table `solutions`(o_row, rows, score), found in slices of the records to bound memory."""
    ws.con.execute(
        "CREATE OR REPLACE TEMP TABLE solutions (o_row BIGINT, rows BIGINT[], score DOUBLE)"
    )
    # Pairs of members are only ever formed within one record's group of shared values.
    pairs = ws.scalar(
        "SELECT coalesce(sum(n * (n - 1) // 2), 0) "
        "FROM (SELECT count(*) AS n FROM members GROUP BY o_row, g)"
    )
    slices = max(1, -(-pairs // PAIRS_PER_SLICE))
    for part in range(slices):
        _solutions_of_slice(ws, max_size, exact, f"o_row % {slices} = {part}")


def _solutions_of_slice(ws: Workspace, max_size: int, exact: bool, which: str) -> None:
    """Table `solutions`(o_row, rows, score): every subset of members hitting its target.

    Meet in the middle: a subset of size s is a run of the first ceil(s/2) members (in
    `ord` order: by size, then row) followed by the last floor(s/2), found by a hash join
    on the amount the first part still misses. Only parts up to half the group size are
    ever enumerated, and their members are kept in plain columns (m1, m2, ...): lists only
    for solutions.
    """
    con = ws.con
    # part_1 is the slice's members: the next parts join it, not every member (at 3M, three
    # slices each hashing all members cost ~0.5 s more).
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE part_1 AS
        SELECT o_row, m_row AS m1, ord AS first, ord AS last, units AS total, score,
               g, target, tol
        FROM members WHERE {which};
        """
    )
    for size in range(2, (max_size + 1) // 2 + 1):
        kept = ", ".join(f"p.m{i}" for i in range(1, size))
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE part_{size} AS
            SELECT p.o_row, {kept}, m.m1 AS m{size}, p.first, m.first AS last,
                   p.total + m.total AS total, (p.score * {size - 1} + m.score) / {size} AS score,
                   p.g, p.target, p.tol
            FROM part_{size - 1} p
            JOIN part_1 m ON m.o_row = p.o_row AND m.g = p.g AND m.first > p.last
            WHERE abs(p.total + m.total) < abs(p.target) + p.tol
            """
        )
    for size in range(2, max_size + 1):
        head, tail = (size + 1) // 2, size // 2
        rows = ", ".join(
            [f"h.m{i}" for i in range(1, head + 1)] + [f"t.m{i}" for i in range(1, tail + 1)]
        )
        # Members are in order of size and share the target's sign, so the head holds the
        # smallest: its mean is at most the subset's, the tail's at least (prunes both sides).
        heads = (
            f"(SELECT * FROM part_{head} WHERE abs(total) * {size} <= {head} * (abs(target) + tol))"
        )
        tails = (
            f"(SELECT * FROM part_{tail} WHERE abs(total) * {size} >= {tail} * (abs(target) - tol))"
        )
        if exact:  # the tail's total is exactly what the head misses
            lookup = (
                f"FROM {heads} h JOIN {tails} t ON t.o_row = h.o_row AND t.g = h.g "
                f"AND t.total = h.target - h.total"
            )
        else:  # bands one tolerance wide, the head looking in its band and both neighbours
            lookup = (
                f"FROM (SELECT *, floor((target - total) / (tol + 1))::BIGINT + o AS band "
                f"FROM {heads}, range(-1, 2) AS shift(o)) h "
                f"JOIN (SELECT *, floor(total / (tol + 1))::BIGINT AS band FROM {tails}) t "
                f"ON t.o_row = h.o_row AND t.g = h.g AND t.band = h.band"
            )
        con.execute(
            f"""
            INSERT INTO solutions
            SELECT h.o_row, list_sort([{rows}]), (h.score * {head} + t.score * {tail}) / {size}
            {lookup}
            WHERE h.last < t.first AND abs(h.target - h.total - t.total) <= h.tol
            """
        )


def _accept_unique(ws: Workspace, one: SideKey, pass_no: int) -> None:
    """Table `accepted_groups`(o_row, rows, score): unique solutions with members to themselves."""
    ws.con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE unique_solutions AS
        SELECT o_row, any_value(rows) AS rows, any_value(score) AS score FROM solutions
        GROUP BY o_row HAVING count(*) = 1;
        CREATE OR REPLACE TEMP TABLE contested AS
        SELECT o_row FROM (SELECT o_row, unnest(rows) AS m_row FROM unique_solutions)
        QUALIFY count(*) OVER (PARTITION BY m_row) > 1;
        CREATE OR REPLACE TEMP TABLE accepted_groups AS
        SELECT * FROM unique_solutions u ANTI JOIN contested c ON c.o_row = u.o_row;
        INSERT INTO notes
        SELECT '{one}', o_row, {pass_no}, 'ambiguous', max(score),
               list_distinct(flatten(list(rows))),
               CASE WHEN count(*) = 1
                    THEN 'its one group of possible members is also another record''s only one'
                    ELSE CAST(count(*) AS VARCHAR) || ' groups of possible members fit the amount'
               END
        FROM solutions WHERE o_row NOT IN (SELECT o_row FROM accepted_groups)
        GROUP BY o_row
        """
    )


def run_one_to_many(ws: Workspace, match_pass: MatchPass, pass_no: int, one: SideKey) -> None:
    """Find groups for one pass; leaves `accepted_groups`(o_row, rows, score)."""
    assert match_pass.group is not None
    _members(ws, match_pass, one, pass_no)
    exact = match_pass.group.sum.absolute == 0 and match_pass.group.sum.relative == 0
    _solutions(ws, match_pass.group.max_size, exact)
    # Parts can be large (pairs of members per record): free them before the next step.
    parts = "; ".join(f"DROP TABLE IF EXISTS part_{size}" for size in range(1, 9))
    ws.con.execute(f"{parts}; DROP TABLE members_all; DROP TABLE members")
    _accept_unique(ws, one, pass_no)
    if match_pass.group.hold_ambiguous:
        _hold_ambiguous(ws, one, pass_no)


def _hold_ambiguous(ws: Workspace, one: SideKey, pass_no: int) -> None:
    """Hold for review the records this pass left ambiguous and their possible members."""
    many: SideKey = "r" if one == "l" else "l"
    ambiguous = f"notes WHERE side = '{one}' AND pass_no = {pass_no} AND reason = 'ambiguous'"
    ws.con.execute(
        f"""
        INSERT INTO held SELECT '{one}', _row FROM {ambiguous};
        INSERT INTO notes
        SELECT '{many}', m_row, {pass_no}, 'ambiguous', NULL, list(o_row),
               'held for review: a possible member of the groups of '
                   || CAST(count(*) AS VARCHAR) || ' record(s) this pass could not settle'
        FROM (SELECT _row AS o_row, unnest(candidates) AS m_row FROM {ambiguous})
        GROUP BY m_row;
        INSERT INTO held SELECT '{many}', _row FROM notes
        WHERE side = '{many}' AND pass_no = {pass_no} AND reason = 'ambiguous';
        """
    )


def run_many_to_many(ws: Workspace, match_pass: MatchPass) -> None:
    """Groups with equal keys on both sides whose sums agree; leaves `accepted_sets`."""
    spec = match_pass.group
    assert spec is not None
    keys = [c for c in match_pass.conditions if isinstance(c, EqualCondition)]

    def grouped(side: SideKey, amount: str) -> str:
        data = ws.side(side)
        names = [c.left if side == "l" else c.right for c in keys]
        key = ", ".join(
            f"{data.column(n, c.normaliser)} AS k{i}"
            for i, (n, c) in enumerate(zip(names, keys, strict=True))
        )
        groups = ", ".join(f"k{i}" for i in range(len(keys)))
        return (
            f"SELECT {groups}, list(_row) AS rows, sum({_units('s', amount)}) AS total "
            f"FROM (SELECT *, {key} FROM ({free_rows_sql(side)}) s) s "
            f"WHERE {' AND '.join(f'k{i} IS NOT NULL' for i in range(len(keys)))} "
            f"GROUP BY {groups} HAVING count(*) <= {spec.max_size}"
        )

    on = " AND ".join(f"x.k{i} = y.k{i}" for i in range(len(keys)))
    tol = _tolerance_units(spec, "x.total")
    ws.con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE accepted_sets AS
        SELECT x.rows AS l_rows, y.rows AS r_rows,
               CASE WHEN {tol} = 0 THEN 1.0
                    ELSE 1 - abs(x.total - y.total) / (2 * {tol}) END AS score
        FROM ({grouped("l", spec.sum.left)}) x JOIN ({grouped("r", spec.sum.right)}) y ON {on}
        WHERE abs(x.total - y.total) <= {tol}
        """
    )
