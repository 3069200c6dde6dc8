"""Candidate pairs of a pass: blocked by equalities, decided exactly, scored in SQL."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from accord.engine.conditions import (
    AnyCondition,
    CompiledCondition,
    blocking_variants,
    compile_condition,
    similarity_text_ids,
)
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
) -> str:
    """SELECT l_row, r_row, score (and passes_thresholds) of every pair meeting the conditions.

    Exact conditions always apply; similarity thresholds and `min_score` only when
    `apply_thresholds`, so the same query also measures how close left-over records came.
    `carry` adds columns (name → expression over `a` and `b`) so callers need no join back;
    `prefilter` (over `a` and `b`) drops pairs before anything is scored.
    """
    # Similarity may stop early below a threshold only where thresholds drop such pairs.
    compiled = [compile_condition(ws, c, cutoff=apply_thresholds) for c in conditions]
    # Where its threshold drops pairs, a similarity of texts with ids is scored once per pair
    # of distinct texts, not per pair of records: names repeat, and loose keys (a group
    # pass's) pair each with many records of a few names; only the pairs whose texts pass
    # are then looked up. (Where every pair is kept, to note near misses, the lookup of all
    # of them costs more than scoring them one by one: those pairs are few per name pair.)
    deduped = next(
        (
            (i, ids)
            for i, cond in enumerate(conditions)
            if isinstance(cond, SimilarityCondition)
            and apply_thresholds
            and (ids := similarity_text_ids(ws, cond)) is not None
        ),
        None,
    )

    def scored(i: int, c: CompiledCondition) -> str:
        if deduped and i == deduped[0]:  # its texts' ids, scored below
            ids = deduped[1]
            return f"coalesce(a.{ids.left_ids}, -1) AS _tl, coalesce(b.{ids.right_ids}, -1) AS _tr"
        return f"{c.score} AS _s{i}"

    scores = ", ".join(scored(i, c) for i, c in enumerate(compiled))
    carried = "".join(f", {expr} AS {name}" for name, expr in (carry or {}).items())
    carried_names = "".join(f", {name}" for name in carry or {})
    selects = []
    for variant in blocking_variants(ws, conditions, left_sql, right_sql):
        expanded = ", ".join(["x.*", *variant.select])
        expansions = "".join(f" {j}" for j in variant.joins)
        expansions += "".join(f", {e}" for e in variant.expansions)
        keys = " AND ".join(f"{x} = {y}" for x, y in variant.keys) or "TRUE"
        filters = [
            c.exact_filter
            for cond, c in zip(conditions, compiled, strict=True)
            if c.exact_filter and not variant.decides(cond)
        ] + variant.filters
        if prefilter:
            filters.append(prefilter)
        if variant.pairs is not None:
            joined = (
                f"({variant.pairs}) p JOIN ({left_sql}) a ON a._row = p.l_row "
                f"JOIN ({right_sql}) b ON b._row = p.r_row"
            )
        else:
            joined = (
                f"(SELECT {expanded} FROM ({left_sql}) x{expansions}) a "
                f"JOIN ({right_sql}) b ON {keys}"
            )
        selects.append(
            f"SELECT a._row AS l_row, b._row AS r_row, {scores}{carried} "
            f"FROM {joined} WHERE {' AND '.join(filters) or 'TRUE'}"
        )
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
    pairs = " UNION ALL ".join(selects)
    if deduped:
        i, ids = deduped
        # Ids of NULL texts are -1: no text, so the score the condition gives NULL. Both
        # materialised: else DuckDB may join the pairs back first and score every pair, not
        # each distinct one (the misspelt-split pass at 1M: 686,572 scores, not 139,713).
        pairs = (
            f"WITH _pairs AS MATERIALIZED ({pairs}), "
            f"_scored AS MATERIALIZED (SELECT d._tl, d._tr, {compiled[i].score} AS _s{i} "
            f"FROM (SELECT DISTINCT _tl, _tr FROM _pairs) d "
            f"LEFT JOIN {ids.left_texts} a ON a._i = d._tl "
            f"LEFT JOIN {ids.right_texts} b ON b._i = d._tr) "
            f"SELECT _pairs.* EXCLUDE (_tl, _tr), _scored._s{i} FROM _pairs "
            f"JOIN _scored ON _scored._tl = _pairs._tl AND _scored._tr = _pairs._tr"
        )
    return (
        f"SELECT l_row, r_row, {score} AS score, {passing} AS passes_thresholds{carried_names} "
        f"FROM ({pairs}) {outer_filter}"
    )
