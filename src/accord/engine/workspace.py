"""The DuckDB workspace of one run: both sides loaded once, with the columns the rules need.

Each side becomes an Arrow table registered as `l_rows` / `r_rows`: the columns the rules
use, their normalised versions and `_row`, the record's position in the input table (so
results can be cut from the original table without a round trip through SQL types). DuckDB
reads it where it lies: loading copies nothing into DuckDB (1M against 1M: 0.4 s less and
~150 MiB less memory than a table); the passes after the first read tables of what is left.
Normalised text is computed once per (column, normaliser) and reused by every pass.
"""

from __future__ import annotations

import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from accord.engine.derive import derive
from accord.engine.ingest.sql import quote_literal
from accord.engine.normalise import BUILTIN_NORMALISERS, NormaliserStep
from accord.engine.rules import (
    ComparedField,
    EqualAnyCondition,
    EqualCondition,
    NearCondition,
    RuleSet,
    Side,
    SimilarityCondition,
)

SideKey = Literal["l", "r"]
ROW = "_row"


class RulesDataMismatch(ValueError):
    """The rules name a column that the data does not have."""


def quote(name: str) -> str:
    """A SQL identifier for any column name."""
    return '"' + name.replace('"', '""') + '"'


def pass_names_sql(rules: RuleSet) -> str:
    """The passes as a table to join on `pass_no`: passes(pass_no, pass_name, action)."""
    rows = ", ".join(
        f"({i}, {quote_literal(p.name)}, {quote_literal(p.action)})"
        for i, p in enumerate(rules.passes)
    )
    return f"(VALUES {rows}) AS passes(pass_no, pass_name, action)"


@dataclass
class SideData:
    """One side as loaded: the original table (plus `_row`) and its derived columns."""

    key: SideKey
    spec: Side
    table: pa.Table
    normalised: dict[tuple[str, str], str] = field(default_factory=dict)
    rows_table: pa.Table | None = None  # what `rows` names, once loaded (see the module)
    # Normalised columns computed per distinct value: column name -> (the rows' column of
    # text ids, the table of the distinct values: `_i` (the id) and the normalised columns).
    # Similarity is scored once per pair of distinct texts through them (see candidates).
    text_ids: dict[str, tuple[str, str]] = field(default_factory=dict)
    texts: dict[str, pa.Table] = field(default_factory=dict)  # table name -> the table

    @property
    def rows(self) -> str:
        return f"{self.key}_rows"

    def column(
        self, name: str, normaliser: str | None = None, *, sorted_words: bool = False
    ) -> str:
        """SQL name of `name`, normalised by `normaliser` or the side's default for it."""
        return quote(self.column_name(name, normaliser, sorted_words=sorted_words))

    def column_name(
        self, name: str, normaliser: str | None = None, *, sorted_words: bool = False
    ) -> str:
        """`column`, unquoted."""
        chosen = normaliser or self.spec.normalise.get(name)
        if sorted_words:
            return self.normalised[(name, (chosen or "") + SORTED)]
        if chosen is None:
            return name
        return self.normalised[(name, chosen)]


@dataclass
class Workspace:
    """The connection and both sides of one reconciliation run."""

    con: duckdb.DuckDBPyConnection
    rules: RuleSet
    left: SideData
    right: SideData
    free_as_of: int | None = None  # last match_no reflected in l_free / r_free
    free_views: bool = False  # l_free / r_free are still the first views, not tables
    spill_dir: str | None = None  # where DuckDB may spill past its memory limit

    def close(self) -> None:
        self.con.close()
        if self.spill_dir:
            shutil.rmtree(self.spill_dir, ignore_errors=True)

    def side(self, key: SideKey) -> SideData:
        return self.left if key == "l" else self.right

    def scalar(self, sql: str) -> int:
        rows = self.con.execute(sql).fetchall()
        return int(rows[0][0]) if rows and rows[0][0] is not None else 0


def _normaliser_uses(rules: RuleSet, key: SideKey) -> set[tuple[str, str]]:
    """(column, normaliser) pairs this side needs, explicit or from its per-column defaults."""
    side = rules.left if key == "l" else rules.right
    uses: set[tuple[str, str]] = set(side.normalise.items())
    for match_pass in rules.passes:
        text_fields: list[EqualCondition | SimilarityCondition | NearCondition | ComparedField]
        text_fields = [
            c
            for c in match_pass.conditions
            if isinstance(c, EqualCondition | SimilarityCondition | NearCondition)
        ]
        text_fields += match_pass.compare
        for cond in text_fields:
            column = cond.left if key == "l" else cond.right
            chosen = cond.normaliser or side.normalise.get(column)
            if chosen:
                uses.add((column, chosen))
            if isinstance(cond, SimilarityCondition) and cond.method == "token_jaro_winkler":
                uses.add((column, (chosen or "") + SORTED))
        for alternative in match_pass.conditions:
            if isinstance(alternative, EqualAnyCondition):
                column = alternative.left if key == "l" else alternative.right
                uses |= {(column, name) for name in alternative.normalisers}
        if match_pass.group and match_pass.grouped_side == key:
            uses |= {(c, side.normalise[c]) for c in match_pass.group.same if c in side.normalise}
    return uses


def _used_columns(rules: RuleSet, key: SideKey) -> set[str]:
    side = rules.left if key == "l" else rules.right
    used = {side.id} | ({side.amount} if side.amount else set()) | set(side.duplicate_key or [])
    used |= set(side.normalise)  # normalised at load, used by a pass or not
    for match_pass in rules.passes:
        pairs = [*match_pass.conditions, *match_pass.compare]
        used |= {c.left if key == "l" else c.right for c in pairs}
        if match_pass.group:
            group_sum = match_pass.group.sum
            used.add(group_sum.left if key == "l" else group_sum.right)
            if match_pass.grouped_side == key:
                used |= set(match_pass.group.same)
    return used


def _check_columns(rules: RuleSet, key: SideKey, table: pa.Table) -> None:
    side_name = "left" if key == "l" else "right"
    missing = sorted(_used_columns(rules, key) - set(table.column_names))
    if missing:
        raise RulesDataMismatch(
            f"the rules use {side_name} column(s) {', '.join(map(repr, missing))}, which the "
            f"{side_name} data does not have (it has: {', '.join(table.column_names)})"
        )


SORTED = "+sorted"


def _steps(rules: RuleSet, name: str) -> list[NormaliserStep]:
    if name.endswith(SORTED):
        base = name.removesuffix(SORTED)
        return [*(_steps(rules, base) if base else []), "sort_tokens"]
    return rules.normalisers.get(name) or BUILTIN_NORMALISERS[name]


def _positions(count: int) -> pa.Array:
    """0, 1, ... count - 1 as int64 (built by numpy: from a Python range it takes the GIL
    for ~0.1 s per million, while the other side loads)."""
    return pa.array(np.arange(count, dtype=np.int64))


def load_side(
    con: duckdb.DuckDBPyConnection, rules: RuleSet, key: SideKey, table: pa.Table
) -> SideData:
    """One side as the passes read it: the columns the rules use, their normalised versions
    (the costly ones once per distinct value) and `_row`, as an Arrow table (`rows_table`)."""
    _check_columns(rules, key, table)
    spec = rules.left if key == "l" else rules.right
    with_row = table.append_column(ROW, _positions(table.num_rows))
    side = SideData(key=key, spec=spec, table=with_row)
    # Names of derived columns never shadow the data's own (a column may be called `_n0_x`).
    names_taken = {*table.column_names, ROW}

    def fresh(name: str) -> str:
        while name in names_taken:
            name = "_" + name
        names_taken.add(name)
        return name

    # One output column per distinct list of steps, however many names lead to it.
    per_column: dict[str, dict[str, list[NormaliserStep]]] = {}
    by_steps: dict[tuple[str, str], str] = {}
    for index, (column, normaliser) in enumerate(sorted(_normaliser_uses(rules, key))):
        steps = _steps(rules, normaliser)
        if (column, repr(steps)) not in by_steps:
            by_steps[column, repr(steps)] = fresh(f"_n{index}_{column}")
        name = by_steps[column, repr(steps)]
        side.normalised[(column, normaliser)] = name
        per_column.setdefault(column, {})[name] = steps
    selects: list[str] = []
    loaded = with_row.select([ROW, *sorted(_used_columns(rules, key))])
    for number, (column, normalisers) in enumerate(per_column.items()):
        derived = derive(f"{key}_distinct{number}", quote(column), normalisers)
        selects += derived.selects
        if derived.distinct_query is None:
            continue
        # Normalised once per distinct value, then handed to DuckDB as a dictionary array
        # (each row an index into the distinct values): no per-row copy of every text in
        # Arrow (1M a side: peak memory ~130 MiB lower).
        encoded = pc.dictionary_encode(table.column(column).combine_chunks())
        distinct = pa.table({"_i": _positions(len(encoded.dictionary)), "v": encoded.dictionary})
        con.register(f"{key}_distinct{number}", distinct)
        # Rows come back in any order (preserve_insertion_order is off): put them in `_i`'s.
        mapped = con.sql(derived.distinct_query).to_arrow_table().sort_by("_i")
        con.unregister(f"{key}_distinct{number}")
        ids, texts = fresh(f"_t{number}_{column}"), f"{key}_texts{number}"
        loaded = loaded.append_column(ids, encoded.indices)
        side.texts[texts] = mapped
        for name in derived.distinct_names:
            side.text_ids[name] = (ids, texts)
            loaded = loaded.append_column(
                name,
                pa.DictionaryArray.from_arrays(
                    encoded.indices, mapped.column(name).combine_chunks()
                ),
            )
    if selects:  # normalisers cheap enough per row: computed by DuckDB, kept in Arrow
        con.register(f"{key}_input", loaded)
        cheap = con.sql(f"SELECT i._row, {', '.join(selects)} FROM {key}_input i").to_arrow_table()
        con.unregister(f"{key}_input")
        cheap = cheap.sort_by(ROW)  # rows come back in any order
        for name in cheap.column_names[1:]:
            loaded = loaded.append_column(name, cheap.column(name))
    side.rows_table = loaded
    return side


def open_workspace(
    left: pa.Table, right: pa.Table, rules: RuleSet, memory_limit: str | None = None
) -> Workspace:
    """Load both sides into a fresh in-memory DuckDB and create the bookkeeping tables."""
    # Nothing here depends on the order rows come out of a query (outputs are numbered and
    # sorted explicitly), and not keeping it lets DuckDB stream with less memory.
    config: dict[str, str | bool | int | float | list[str]] = {
        "preserve_insertion_order": False,
        # The database lives only as long as the run: an automatic checkpoint would only
        # recompress the tables, on one thread, each time the passes have written enough
        # (1M against 1M: ~0.4 s of matching).
        "checkpoint_threshold": "1TB",
    }
    spill: str | None = None
    if memory_limit is not None:
        # Past the limit DuckDB spills to disk rather than growing: the service runs several
        # jobs on one machine, and a laptop has other things to do. Settings passed as
        # config, not SQL: a temporary directory's path may hold any character.
        spill = tempfile.mkdtemp(prefix="accord-spill-")
        config |= {"temp_directory": spill, "memory_limit": memory_limit}
    con = duckdb.connect(config=config)
    # Both sides load at once, each on its own cursor: much of a load is Arrow work
    # (dictionaries, gathers) that leaves the other core idle. Their tables are shared.
    cursors = [con.cursor(), con.cursor()]
    try:
        with ThreadPoolExecutor(2) as pool:  # waits for both, failed or not
            loading_left = pool.submit(load_side, cursors[0], rules, "l", left)
            loading_right = pool.submit(load_side, cursors[1], rules, "r", right)
        left_side, right_side = loading_left.result(), loading_right.result()
    finally:
        for cursor in cursors:
            cursor.close()
    ws = Workspace(con=con, spill_dir=spill, rules=rules, left=left_side, right=right_side)
    for side in (left_side, right_side):  # on this connection: the cursors' are closed
        con.register(side.rows, side.rows_table)
        for name, texts in side.texts.items():
            con.register(name, texts)
    # taken: which records a match used; notes: why a record was left over, per pass (its
    # candidates in no particular order: the outputs list their ids sorted).
    con.execute(
        """
        CREATE TABLE matches (match_no BIGINT, pass_no INTEGER, kind VARCHAR, score DOUBLE,
                              l_rows BIGINT[], r_rows BIGINT[]);
        CREATE TABLE taken (side VARCHAR, _row BIGINT, match_no BIGINT);
        CREATE TABLE notes (side VARCHAR, _row BIGINT, pass_no INTEGER, reason VARCHAR,
                            best_score DOUBLE, candidates BIGINT[], detail VARCHAR);
        CREATE TABLE held (side VARCHAR, _row BIGINT);
        CREATE TABLE crowded (side VARCHAR, _row BIGINT);
        CREATE TABLE paired (side VARCHAR, _row BIGINT);
        """
    )
    return ws


def refresh_free_rows(ws: Workspace) -> None:
    """Make `l_free` and `r_free` the records not matched yet and not duplicates.

    The first time they are views (the side less its duplicates: no copy of a whole side);
    after that tables, from which only the records matched since are removed, so each pass
    reads what is left rather than the whole side again.
    """
    last = ws.scalar("SELECT coalesce(max(match_no), 0) FROM matches")
    if ws.free_as_of is None:
        for key in ("l", "r"):
            ws.con.execute(
                f"CREATE OR REPLACE TEMP VIEW {key}_free AS "
                f"SELECT * FROM {ws.side(key).rows} s WHERE s._row NOT IN "
                f"(SELECT _row FROM notes WHERE side = '{key}' AND reason = 'duplicate')"
            )
        ws.free_views, ws.free_as_of = True, last
        return
    if ws.free_as_of == last:
        return  # nothing matched since
    sides: tuple[SideKey, SideKey] = ("l", "r")
    for key in sides:
        gone = f"SELECT _row FROM taken WHERE side = '{key}' AND match_no > {ws.free_as_of}"
        if ws.free_views:  # the first copy: only what is still free
            _copy_free_rows(ws, key, gone)
        else:  # later passes take a few records: deleting them costs less than a copy
            ws.con.execute(f"DELETE FROM {key}_free WHERE _row IN ({gone})")
    ws.free_views, ws.free_as_of = False, last


# Rows per batch of an Arrow table handed to DuckDB (a row group): it scans the batches in
# parallel, one at a time each.
ARROW_BATCH_ROWS = 122_880


def register_batched(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    """Register `table` as `name` in batches DuckDB can scan in parallel (a table gathered
    by position may come as one chunk)."""
    batches = table.to_batches(max_chunksize=ARROW_BATCH_ROWS)
    con.register(name, pa.Table.from_batches(batches, table.schema))


def _decoded(table: pa.Table) -> pa.Table:
    """`table` with its dictionary columns (normalised names) as plain values, decoded in
    Arrow two at a time: DuckDB copying dictionary columns took 0.82 s for 1M rows of one
    side at 3M (0.16 s at 1M), decoding first and copying 0.17 s + the decoding."""

    def plain(column: pa.ChunkedArray) -> pa.ChunkedArray:
        if not pa.types.is_dictionary(column.type):
            return column
        chunks = [chunk.dictionary_decode() for chunk in column.chunks]
        return pa.chunked_array(chunks, type=column.type.value_type)

    with ThreadPoolExecutor(2) as pool:
        columns = list(pool.map(plain, table.columns))
    return pa.table(columns, names=table.column_names)


def _copy_free_rows(ws: Workspace, key: SideKey, gone: str) -> None:
    """Replace the view `{key}_free` by a table of its records less those `gone` lists.

    The records still free are picked from the side's Arrow table by position first: DuckDB
    then converts only them, where scanning the view converted every record of the side and
    dropped most afterwards (after the reference pass two in three are matched)."""
    side = ws.side(key)
    assert side.rows_table is not None
    left_out = ws.con.execute(
        f"{gone} UNION ALL SELECT _row FROM notes WHERE side = '{key}' AND reason = 'duplicate'"
    ).fetchnumpy()["_row"]
    keep = np.ones(side.rows_table.num_rows, dtype=bool)
    keep[np.asarray(left_out, dtype=np.int64)] = False
    register_batched(ws.con, f"{key}_kept", _decoded(side.rows_table.filter(pa.array(keep))))
    try:
        ws.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {key}_next AS SELECT * FROM {key}_kept; "
            f"DROP VIEW {key}_free; ALTER TABLE {key}_next RENAME TO {key}_free"
        )
    finally:
        ws.con.unregister(f"{key}_kept")


def _free_kind(ws: Workspace) -> str:
    return "VIEW" if ws.free_views else "TABLE"


def free_rows_sql(key: SideKey, *, unheld: bool = False) -> str:
    """The free records of one side, as of the last `refresh_free_rows`; with `unheld`, less
    those a group pass held for review (see `GroupSpec.hold_ambiguous`)."""
    if not unheld:
        return f"SELECT * FROM {key}_free"
    return (
        f"SELECT * FROM {key}_free s WHERE s._row NOT IN "
        f"(SELECT _row FROM held WHERE side = '{key}')"
    )


def drop_working_tables(ws: Workspace) -> None:
    """Free what only the passes needed, before the outputs are built (peak memory)."""
    if ws.free_as_of is not None:
        ws.con.execute(f"DROP {_free_kind(ws)} l_free; DROP {_free_kind(ws)} r_free")
    ws.con.execute("DROP TABLE IF EXISTS near_pairs; DROP TABLE IF EXISTS near_text_pairs")
