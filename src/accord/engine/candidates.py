"""Candidate pairs of a pass: blocked by equalities, decided exactly, scored in SQL."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from accord.engine.conditions import AnyCondition, blocking_variants, compile_condition
from accord.engine.rules import SimilarityCondition
from accord.engine.workspace import Workspace


def _token_set_ratio(left: pa.Array, right: pa.Array) -> pa.Array:
    # rapidfuzz only where SQL has no such function; cpdist scores the aligned pairs in C.
    from rapidfuzz import fuzz, process

    xs = [v if v is not None else "" for v in left.to_pylist()]
    ys = [v if v is not None else "" for v in right.to_pylist()]
    if not xs:
        return pa.array([], type=pa.float64())
    scores = process.cpdist(xs, ys, scorer=fuzz.token_set_ratio, workers=-1)
    return pa.array(scores / 100.0, type=pa.float64())


def register_functions(con: duckdb.DuckDBPyConnection) -> None:
    """Similarity functions DuckDB does not have."""
    # The stubs want enums from a private module; the documented strings work the same.
    con.create_function(  # type: ignore[call-overload]
        "accord_token_set_ratio",
        _token_set_ratio,
        [duckdb.sqltype("VARCHAR"), duckdb.sqltype("VARCHAR")],
        duckdb.sqltype("DOUBLE"),
        type="arrow",
        null_handling="special",
    )


def _similarity_table(
    ws: Workspace, index: int, cond: SimilarityCondition, score: str, joined: list[tuple[str, str]]
) -> str:
    """Table (l, r, sim): the similarity of every pair of distinct texts the pairs meet."""
    table = f"_similar{index}"
    l_id, r_id = f"a.{ws.left.text_id(cond.left)}", f"b.{ws.right.text_id(cond.right)}"
    met = " UNION ".join(
        f"SELECT DISTINCT {l_id} AS l, {r_id} AS r {source} WHERE {where}"
        for source, where in joined
    )
    # The texts tables hold the normalised versions under the rows' column names: the
    # condition's own score expression applies to them as it is.
    ws.con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT k.l, k.r, {score} AS sim "
        f"FROM ({met}) k JOIN {ws.left.texts[cond.left]} a ON a._t = k.l "
        f"JOIN {ws.right.texts[cond.right]} b ON b._t = k.r"
    )
    ws.scratch.append(table)
    return table


def candidate_sql(
    ws: Workspace,
    conditions: list[AnyCondition],
    left_sql: str,
    right_sql: str,
    *,
    min_score: float,
    apply_thresholds: bool = True,
    carry: dict[str, str] | None = None,
    prefilter: str | None = None,
    similarity_per_text_pair: bool = False,
) -> str:
    """SELECT l_row, r_row, score (and passes_thresholds) of every pair meeting the conditions.

    Exact conditions always apply; similarity thresholds and `min_score` only when
    `apply_thresholds`, so the same query also measures how close left-over records came.
    `carry` adds columns (name → expression over `a` and `b`) so callers need no join back;
    `prefilter` (over `a` and `b`) drops pairs before anything is scored.
    `similarity_per_text_pair`: compute each similarity once per pair of distinct texts the
    pairs meet (a table the pass drops when done), at the cost of finding the pairs twice:
    worth it where many pairs share few texts, as a group's possible members do.
    """
    compiled = [compile_condition(ws, c) for c in conditions]
    similar = (
        {i: c for i, c in enumerate(conditions) if isinstance(c, SimilarityCondition)}
        if similarity_per_text_pair
        else {}
    )
    scores = ", ".join(
        f"a.{ws.left.text_id(similar[i].left)} AS _tl{i}, "
        f"b.{ws.right.text_id(similar[i].right)} AS _tr{i}"
        if i in similar
        else f"{c.score} AS _s{i}"
        for i, c in enumerate(compiled)
    )
    carried = "".join(f", {expr} AS {name}" for name, expr in (carry or {}).items())
    carried_names = "".join(f", {name}" for name in carry or {})
    joined = []  # (FROM ... JOIN ..., WHERE ...) of each variant
    for variant in blocking_variants(ws, conditions, left_sql, right_sql):
        expanded = ", ".join(["x.*", *variant.select])
        expansions = "".join(f", {e}" for e in variant.expansions)
        keys = " AND ".join(f"{x} = {y}" for x, y in variant.keys) or "TRUE"
        filters = [
            c.exact_filter
            for cond, c in zip(conditions, compiled, strict=True)
            if c.exact_filter and not variant.decides(cond)
        ] + variant.filters
        if prefilter:
            filters.append(prefilter)
        joined.append(
            (
                f"FROM (SELECT {expanded} FROM ({left_sql}) x{expansions}) a "
                f"JOIN ({right_sql}) b ON {keys}",
                " AND ".join(filters) or "TRUE",
            )
        )
    selects = [
        f"SELECT a._row AS l_row, b._row AS r_row, {scores}{carried} {source} WHERE {where}"
        for source, where in joined
    ]
    looked_up = "".join(
        f" LEFT JOIN {_similarity_table(ws, i, cond, compiled[i].score, joined)} s{i} "
        f"ON s{i}.l = u._tl{i} AND s{i}.r = u._tr{i}"
        for i, cond in similar.items()
    )
    similarities = "".join(f", coalesce(s{i}.sim, 0.0) AS _s{i}" for i in similar)
    paired = f"SELECT u.*{similarities} FROM ({' UNION ALL '.join(selects)}) u{looked_up}"
    total_weight = sum(c.weight for c in compiled)
    weighted = " + ".join(f"{c.weight!r} * _s{i}" for i, c in enumerate(compiled))
    # Rounded so that equally good candidates compare equal whatever the float path.
    score = f"round(({weighted}) / {total_weight!r}, 9)" if total_weight else "1.0"
    passes = [
        f"_s{i} >= {c.threshold!r}" for i, c in enumerate(compiled) if c.threshold is not None
    ]
    passes.append(f"{score} >= {min_score!r}")
    passing = " AND ".join(passes)
    outer_filter = f"WHERE {passing}" if apply_thresholds else ""
    return (
        f"SELECT l_row, r_row, {score} AS score, {passing} AS passes_thresholds{carried_names} "
        f"FROM ({paired}) {outer_filter}"
    )
