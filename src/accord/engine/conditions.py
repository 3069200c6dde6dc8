"""Each condition compiled to SQL over a candidate pair: left record `a`, right record `b`.

A condition contributes up to four things: equi-join keys that find candidates cheaply
(blocking), a filter that decides it exactly, a score in [0, 1] and an explanation. Blocking
turns windows and tolerances into equalities: a date window expands the left record into one
row per allowed day (or, when the other keys are selective, into the two bands of the
window's width that hold its days), a tolerance into neighbouring amount bands, so DuckDB
can hash-join.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz.distance import DamerauLevenshtein
from rapidfuzz.process import cpdist

from accord.engine.near import variant_table
from accord.engine.rules import (
    MAX_NEAR_LENGTH,
    MIN_NEAR_LENGTH,
    DateWindowCondition,
    EqualAnyCondition,
    EqualCondition,
    NearCondition,
    SimilarityCondition,
    ToleranceCondition,
)
from accord.engine.workspace import SideKey, Workspace, quote

AnyCondition = (
    EqualCondition
    | EqualAnyCondition
    | ToleranceCondition
    | DateWindowCondition
    | SimilarityCondition
    | NearCondition
)

# Windows wider than this are filtered, not expanded: expansion multiplies the left rows.
MAX_EXPANDED_DAYS = 62
# Equalities finding at most this many pairs per input record need no further blocking.
SELECTIVE_PAIRS_PER_ROW = 2


@dataclass
class Blocking:
    """How one variant of the candidate join finds pairs: expansions of `a` and join keys."""

    expansions: list[str] = field(default_factory=list)  # FROM items joined to the left rows
    joins: list[str] = field(default_factory=list)  # JOIN clauses on the left rows (alias x)
    select: list[str] = field(default_factory=list)  # extra columns of the expanded left rows
    keys: list[tuple[str, str]] = field(default_factory=list)  # (expr on a, expr on b)
    filters: list[str] = field(default_factory=list)
    # Instead of keys: a query of the candidates' (l_row, r_row), each pair once; the records
    # are joined to it by position.
    pairs: str | None = None
    # Conditions the keys alone decide (an equality joined on, a window expanded into days):
    # their filters need not be checked again on every pair.
    decided: list[AnyCondition] = field(default_factory=list)

    def decides(self, cond: AnyCondition) -> bool:
        return any(cond is d for d in self.decided)


@dataclass(frozen=True)
class CompiledCondition:
    """SQL for one condition over the aliases `a` (left) and `b` (right)."""

    label: str
    weight: float
    exact_filter: str | None  # decides the condition; NULL-safe
    score: str
    left_text: str
    right_text: str
    outcome: str
    threshold: float | None = None  # similarity conditions: score must reach it


def number(alias: str, column: str) -> str:
    return f"CAST({alias}.{column} AS DOUBLE)"


def day_number(alias: str, column: str) -> str:
    return f"(CAST({alias}.{column} AS DATE) - DATE '1970-01-01')"


def _text(alias: str, column: str) -> str:
    return f"CAST({alias}.{quote(column)} AS VARCHAR)"


# How far below the threshold Jaro-Winkler may stop early (`similarity_sql`'s cutoff): a pair
# scoring the threshold exactly can come out a rounding error under the cutoff itself.
CUTOFF_MARGIN = 0.001


def _near_text(ws: Workspace, cond: NearCondition, alias: str, side: SideKey) -> str:
    """A near condition's text on one side, as text (an invoice number may load as a number)."""
    data, column = (ws.left, cond.left) if side == "l" else (ws.right, cond.right)
    return f"CAST({alias}.{data.column(column, cond.normaliser)} AS VARCHAR)"


def similarity_sql(ws: Workspace, cond: SimilarityCondition, *, cutoff: bool = False) -> str:
    """Similarity of the two normalised texts in [0, 1]; NULL counts as 0.

    With `cutoff`, Jaro-Winkler stops early on pairs that cannot reach the threshold and
    gives them 0: for callers that only keep the pairs reaching it (values at or above the
    threshold are exact either way).
    """
    method = cond.method
    # As text: a column read as numbers (an account or cheque number) compares its digits.
    x = f"CAST(a.{ws.left.column(cond.left, cond.normaliser)} AS VARCHAR)"
    y = f"CAST(b.{ws.right.column(cond.right, cond.normaliser)} AS VARCHAR)"
    floor = cond.threshold - CUTOFF_MARGIN
    limit = f", {floor!r}" if cutoff and floor > 0 else ""
    if method == "jaro_winkler":
        sim = f"jaro_winkler_similarity({x}, {y}{limit})"
    elif method == "token_jaro_winkler":
        # Word order should not matter: also compare the words sorted (precomputed per value).
        xs = f"a.{ws.left.column(cond.left, cond.normaliser, sorted_words=True)}"
        ys = f"b.{ws.right.column(cond.right, cond.normaliser, sorted_words=True)}"
        sim = (
            f"greatest(jaro_winkler_similarity({x}, {y}{limit}), "
            f"jaro_winkler_similarity({xs}, {ys}{limit}))"
        )
    elif method == "levenshtein":
        sim = f"1 - levenshtein({x}, {y}) / greatest(length({x}), length({y}), 1)"
    else:  # token_set_ratio, a rapidfuzz function registered on the connection
        sim = f"accord_token_set_ratio({x}, {y})"
    # Equal texts are similar without computing anything: most true pairs, after normalising.
    return f"CASE WHEN {x} = {y} THEN 1.0 ELSE coalesce({sim}, 0.0) END"


@dataclass(frozen=True)
class TextIds:
    """Where a similarity condition's texts come from on each side: every text it reads is
    a normalised column of one distinct-value table (see `SideData.text_ids`), so its score
    depends on the pair of text ids alone."""

    left_ids: str
    left_texts: str
    right_ids: str
    right_texts: str


def similarity_text_ids(ws: Workspace, cond: SimilarityCondition) -> TextIds | None:
    """The text ids the condition's score depends on, or None (a text computed per row)."""
    found = []
    for side, column in ((ws.left, cond.left), (ws.right, cond.right)):
        names = [side.column_name(column, cond.normaliser)]
        if cond.method == "token_jaro_winkler":
            names.append(side.column_name(column, cond.normaliser, sorted_words=True))
        sources = {side.text_ids.get(name) for name in names}
        source = sources.pop() if len(sources) == 1 else None
        if source is None:
            return None
        found.append(source)
    (left_ids, left_texts), (right_ids, right_texts) = found
    return TextIds(quote(left_ids), left_texts, quote(right_ids), right_texts)


def tolerance_allowed(cond: ToleranceCondition) -> str:
    if cond.relative_to == "left":
        base = number("a", quote(cond.left))
    else:
        base = number("b", quote(cond.right))
    return f"greatest({cond.absolute!r}, {cond.relative!r} * abs({base}))"


def _any_pairs(ws: Workspace, cond: EqualAnyCondition) -> list[tuple[str, str]]:
    return [
        (f"a.{ws.left.column(cond.left, name)}", f"b.{ws.right.column(cond.right, name)}")
        for name in cond.normalisers
    ]


def compile_condition(
    ws: Workspace, cond: AnyCondition, *, cutoff: bool = False
) -> CompiledCondition:
    """The condition's SQL; `cutoff` as in `similarity_sql` (only where thresholds apply)."""
    label = f"{cond.type}:{cond.left}~{cond.right}"
    left_text, right_text = _text("a", cond.left), _text("b", cond.right)
    if isinstance(cond, EqualCondition):
        x = f"a.{ws.left.column(cond.left, cond.normaliser)}"
        y = f"b.{ws.right.column(cond.right, cond.normaliser)}"
        return CompiledCondition(
            label, cond.weight, f"{x} = {y}", "1.0", left_text, right_text, "'equal'"
        )
    if isinstance(cond, EqualAnyCondition):
        pairs = _any_pairs(ws, cond)
        held = " OR ".join(f"{x} = {y}" for x, y in pairs)
        which = " ".join(
            f"WHEN {x} = {y} THEN '{name}'"
            for (x, y), name in zip(pairs, cond.normalisers, strict=True)
        )
        outcome = f"'equal as ' || CASE {which} END"
        return CompiledCondition(
            label, cond.weight, f"({held})", "1.0", left_text, right_text, outcome
        )
    if isinstance(cond, ToleranceCondition):
        diff = f"({number('b', quote(cond.right))} - {number('a', quote(cond.left))})"
        allowed = tolerance_allowed(cond)
        score = f"CASE WHEN {allowed} = 0 THEN 1.0 ELSE 1 - abs({diff}) / (2 * {allowed}) END"
        outcome = (
            f"'difference ' || CAST(round({diff}, 4) AS VARCHAR) || ' within ' || "
            f"CAST(round({allowed}, 4) AS VARCHAR)"
        )
        return CompiledCondition(
            label,
            cond.weight,
            f"abs({diff}) <= {allowed} + 1e-9",
            score,
            left_text,
            right_text,
            outcome,
        )
    if isinstance(cond, NearCondition):
        x, y = _near_text(ws, cond, "a", "l"), _near_text(ws, cond, "b", "r")
        edits = f"CASE WHEN {x} = {y} THEN 0 ELSE damerau_levenshtein({x}, {y}) END"
        near = (
            f"least(length({x}), length({y})) >= {MIN_NEAR_LENGTH} "
            f"AND greatest(length({x}), length({y})) <= {MAX_NEAR_LENGTH}"
        )
        outcome = (
            f"CASE WHEN {x} = {y} THEN 'equal' WHEN {edits} = 1 THEN '1 edit apart' "
            f"ELSE CAST({edits} AS VARCHAR) || ' edits apart' END || ' (at most {cond.max_edits})'"
        )
        return CompiledCondition(
            label,
            cond.weight,
            f"({x} = {y} OR ({near} AND damerau_levenshtein({x}, {y}) <= {cond.max_edits}))",
            f"coalesce(greatest(0.0, 1 - ({edits}) / {cond.max_edits + 1}), 0.0)",
            left_text,
            right_text,
            outcome,
        )
    if isinstance(cond, DateWindowCondition):
        days = f"({day_number('b', quote(cond.right))} - {day_number('a', quote(cond.left))})"
        reach = max(abs(cond.min_days), abs(cond.max_days)) + 1
        window = f"{days} BETWEEN {cond.min_days} AND {cond.max_days}"
        outcome = f"CAST({days} AS VARCHAR) || ' days, window {cond.min_days}..{cond.max_days}'"
        return CompiledCondition(
            label,
            cond.weight,
            window,
            f"1 - abs({days}) / {2 * reach}",
            left_text,
            right_text,
            outcome,
        )
    sim = similarity_sql(ws, cond, cutoff=cutoff)
    outcome = (
        f"'{cond.method} ' || CAST(round({sim}, 3) AS VARCHAR) || ' (threshold {cond.threshold})'"
    )
    return CompiledCondition(
        label, cond.weight, None, sim, left_text, right_text, outcome, threshold=cond.threshold
    )


def _amount_bands(cond: ToleranceCondition) -> list[Blocking]:
    """Band keys such that any pair within tolerance falls in the same or a neighbouring band.

    With both an absolute and a relative tolerance, linear bands find the pairs within the
    absolute one and log bands the rest, and the two variants never return the same pair.
    """
    x, y = number("x", quote(cond.left)), number("b", quote(cond.right))
    diff = f"abs({number('b', quote(cond.right))} - {number('a', quote(cond.left))})"

    def banded(band_x: str, band_y: str, extra_filter: str | None, *, signed: bool) -> Blocking:
        """`signed`: the bands are of absolute values, so the sign is a key of its own."""
        sign_select = [f"sign({x}) AS _band_sign"] if signed else []
        sign_key = [("a._band_sign", f"sign({y})")] if signed else []
        return Blocking(
            expansions=["range(-1, 2) AS _band_o(_band_off)"],
            select=[*sign_select, f"{band_x} + _band_off AS _band"],
            keys=[*sign_key, ("a._band", band_y)],
            filters=[extra_filter] if extra_filter else [],
        )

    if cond.absolute == 0 and cond.relative == 0:
        return [Blocking(keys=[(number("a", quote(cond.left)), y)], decided=[cond])]
    variants = []
    if cond.absolute > 0:
        width = cond.absolute
        within_absolute = f"{diff} <= {width!r} + 1e-9" if cond.relative > 0 else None
        # Bands of the signed amount: within an absolute tolerance, amounts may differ in
        # sign (-1.00 against 1.00 within 2.00, a zero against a fee).
        variants.append(
            banded(
                f"floor({x} / {width!r})::BIGINT",
                f"floor({y} / {width!r})::BIGINT",
                within_absolute,
                signed=False,
            )
        )
    if cond.relative > 0:
        # One band per relative step (a little wider, so rounding never splits a pair).
        step = -math.log(1 - cond.relative) * 1.001

        def log_band(v: str) -> str:
            return f"floor(ln(greatest(abs({v}), 1e-9)) / {step!r})::BIGINT"

        beyond_absolute = f"{diff} > {cond.absolute!r} + 1e-9" if cond.absolute > 0 else None
        # A relative tolerance (below 1) never spans zero: the sign is a key.
        variants.append(banded(log_band(x), log_band(y), beyond_absolute, signed=True))
    return variants


# Above this many rows in all, the join size is estimated from one row in SIZE_SAMPLE a side.
EXACT_SIZE_ROWS = 100_000
SIZE_SAMPLE = 16


def _equi_join_size(
    ws: Workspace, keys: list[tuple[str, str]], left_sql: str, right_sql: str, rows: int
) -> int:
    """Number of pairs the equalities alone would give (two group-bys and a join).

    Exact for small inputs. For large ones, estimated from independent samples of the rows
    of each side (by a hash of the row number, so the same on every run) and scaled:
    unbiased whatever the keys' cardinality, and close enough to decide whether to expand
    windows.
    """
    sampled = rows > EXACT_SIZE_ROWS

    def counted(sql: str, alias: str, exprs: list[str]) -> str:
        cols = ", ".join(f"{e} AS k{i}" for i, e in enumerate(exprs))
        # Salted by side: tables in the same order must not sample the same rows.
        where = f"WHERE hash({alias}._row, '{alias}') % {SIZE_SAMPLE} = 0" if sampled else ""
        return f"(SELECT {cols}, count(*) AS n FROM ({sql}) {alias} {where} GROUP BY ALL)"

    on = " AND ".join(f"x.k{i} = y.k{i}" for i in range(len(keys)))
    pairs = ws.scalar(
        f"SELECT sum(x.n * y.n) FROM {counted(left_sql, 'a', [k[0] for k in keys])} x "
        f"JOIN {counted(right_sql, 'b', [k[1] for k in keys])} y ON {on}"
    )
    return pairs * SIZE_SAMPLE * SIZE_SAMPLE if sampled else pairs


# The table `_near_blocking` leaves the pairs it found in, for the pass's queries.
NEAR_PAIRS = "near_pairs"


@contextmanager
def _shared_variants(ws: Workspace, texts: list[pa.Table], max_edits: int) -> Iterator[str]:
    """While open: `l_near_texts` / `r_near_texts`, the two (_row, k) tables of `texts`, and
    the SQL of the pairs (l, r) of their rows sharing a deletion variant, each once. The
    variants are hashed for both sides at once: numpy leaves the other core idle otherwise."""
    with ThreadPoolExecutor(2) as pool:
        variants = list(
            pool.map(
                lambda t: variant_table(t.column("_row").to_numpy(), t.column("k"), max_edits),
                texts,
            )
        )
    names = []
    for key, table, found in zip(("l", "r"), variants, texts, strict=True):
        ws.con.register(f"{key}_near_variants", table)
        ws.con.register(f"{key}_near_texts", found)
        names += [f"{key}_near_variants", f"{key}_near_texts"]
    try:
        yield (
            "SELECT DISTINCT v._row AS l, w._row AS r "
            "FROM (SELECT _row, unnest(h) AS h FROM l_near_variants) v "
            "JOIN (SELECT _row, unnest(h) AS h FROM r_near_variants) w ON v.h = w.h"
        )
    finally:
        for name in names:
            ws.con.unregister(name)


def _near_blocking(ws: Workspace, cond: NearCondition, left_sql: str, right_sql: str) -> Blocking:
    """Pairs sharing a deletion variant (see `accord.engine.near`), found from (position,
    variant hash) rows alone and kept in a table: a query joining the records themselves was
    misjudged by DuckDB, which joined them on their other conditions first (minutes)."""
    sources: tuple[tuple[SideKey, str], ...] = (("l", left_sql), ("r", right_sql))
    texts = [  # the texts' own expression, not `k`: the data may have a column named so
        ws.con.sql(
            f"SELECT x._row, {_near_text(ws, cond, 'x', key)} AS k FROM ({source}) x "
            f"WHERE {_near_text(ws, cond, 'x', key)} IS NOT NULL"
        ).to_arrow_table()
        for key, source in sources
    ]
    with _shared_variants(ws, texts, cond.max_edits) as shared:
        ws.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {NEAR_PAIRS} AS "
            f"SELECT l AS l_row, r AS r_row FROM ({shared})"
        )
    return Blocking(pairs=f"SELECT l_row, r_row FROM {NEAR_PAIRS}")


def near_text_ids(ws: Workspace, cond: NearCondition) -> TextIds | None:
    """Where a near condition's texts come from, when both sides normalise them once per
    distinct value (see `SideData.text_ids`); None when they are computed per row."""
    found = []
    for side, column in ((ws.left, cond.left), (ws.right, cond.right)):
        source = side.text_ids.get(side.column_name(column, cond.normaliser))
        if source is None:
            return None
        found.append(source)
    (left_ids, left_texts), (right_ids, right_texts) = found
    return TextIds(quote(left_ids), left_texts, quote(right_ids), right_texts)


# The table `_near_text_blocking` leaves the pairs of distinct texts in.
NEAR_TEXT_PAIRS = "near_text_pairs"


def _within_edits(shared: pa.Table, max_edits: int) -> pa.Table:
    """The rows of `shared` (l_i, r_i, lk, rk) whose texts are equal, or at most `max_edits`
    edits apart within the near lengths. The edit distance by rapidfuzz (Damerau-Levenshtein
    as DuckDB counts it, on every core): DuckDB's took 1.3 s for the 563,000 pairs of names
    the benchmark's near split pass checks at 1M, this 0.1 s."""
    left, right = shared.column("lk").to_pylist(), shared.column("rk").to_pylist()
    edits = cpdist(
        left, right, scorer=DamerauLevenshtein.distance, score_cutoff=max_edits, workers=-1
    )
    lengths = [np.asarray(pc.utf8_length(shared.column(k))) for k in ("lk", "rk")]
    shortest, longest = np.minimum(*lengths), np.maximum(*lengths)
    inside = (shortest >= MIN_NEAR_LENGTH) & (longest <= MAX_NEAR_LENGTH)
    equal = np.asarray(pc.equal(shared.column("lk"), shared.column("rk")))
    return shared.filter(pa.array(equal | (inside & (edits <= max_edits))))


def _near_text_blocking(
    ws: Workspace, cond: NearCondition, ids: TextIds, left_sql: str, right_sql: str
) -> Blocking:
    """Pairs of the distinct texts the free records hold that are near (deletion variants
    hashed as for `_near_blocking`, then the edit distance checked once per pair of texts),
    kept in a table; the records are joined through it (key `a._near_r`) beside the pass's
    other keys. A name shared by thousands of records is looked at once."""
    column = {
        "l": quote(ws.left.column_name(cond.left, cond.normaliser)),
        "r": quote(ws.right.column_name(cond.right, cond.normaliser)),
    }
    picked: dict[SideKey, tuple[str, str, str]] = {
        "l": (left_sql, ids.left_ids, ids.left_texts),
        "r": (right_sql, ids.right_ids, ids.right_texts),
    }
    texts = [
        ws.con.sql(
            f"SELECT t._i AS _row, CAST(t.{column[key]} AS VARCHAR) AS k FROM {table} t "
            f"WHERE t._i IN (SELECT s.{text_ids} FROM ({source}) s) "
            f"AND t.{column[key]} IS NOT NULL"
        ).to_arrow_table()
        for key, (source, text_ids, table) in picked.items()
    ]
    with _shared_variants(ws, texts, cond.max_edits) as pairs:
        shared = ws.con.sql(
            f"SELECT p.l AS l_i, p.r AS r_i, x.k AS lk, y.k AS rk FROM ({pairs}) p "
            f"JOIN l_near_texts x ON x._row = p.l JOIN r_near_texts y ON y._row = p.r"
        ).to_arrow_table()
    ws.con.register("near_shared", _within_edits(shared, cond.max_edits))
    try:
        ws.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {NEAR_TEXT_PAIRS} AS SELECT l_i, r_i FROM near_shared"
        )
    finally:
        ws.con.unregister("near_shared")
    return Blocking(
        joins=[f"JOIN {NEAR_TEXT_PAIRS} _np ON _np.l_i = x.{ids.left_ids}"],
        select=["_np.r_i AS _near_r"],
        keys=[("a._near_r", f"b.{ids.right_ids}")],
        decided=[cond],  # the texts' distance is checked: not again per pair of records
    )


def blocking_variants(
    ws: Workspace, conditions: list[AnyCondition], left_sql: str, right_sql: str
) -> list[Blocking]:
    """Variants of the candidate join (unioned); each finds pairs by equalities only.

    When the equal conditions alone are selective (a reference, say), windows and
    tolerances are left to the exact filter: expanding rows would only cost time. So they
    are beside a `near` condition on texts normalised per record (references), whose
    variants are as selective as the texts; on texts normalised per distinct value (names)
    its pairs of texts are one more key.
    """
    base = Blocking()
    for cond in conditions:
        if isinstance(cond, EqualCondition):
            base.keys.append(
                (
                    f"a.{ws.left.column(cond.left, cond.normaliser)}",
                    f"b.{ws.right.column(cond.right, cond.normaliser)}",
                )
            )
            base.decided.append(cond)
    near = next((c for c in conditions if isinstance(c, NearCondition)), None)
    if near is not None:
        ids = near_text_ids(ws, near)
        if ids is None:
            return [_near_blocking(ws, near, left_sql, right_sql)]
        # Texts that repeat (names): near pairs of distinct texts, then records by those
        # pairs and the other keys, windows included (a name's records pair only nearby).
        base = _combined(base, _near_text_blocking(ws, near, ids, left_sql, right_sql))
    if base.keys and not base.joins:
        rows = ws.scalar(
            f"SELECT (SELECT count(*) FROM ({left_sql})) + (SELECT count(*) FROM ({right_sql}))"
        )
        if (
            _equi_join_size(ws, base.keys, left_sql, right_sql, rows)
            <= SELECTIVE_PAIRS_PER_ROW * rows
        ):
            return [base]
    window = next(
        (
            c
            for c in conditions
            if isinstance(c, DateWindowCondition) and c.max_days - c.min_days <= MAX_EXPANDED_DAYS
        ),
        None,
    )
    tolerance = next((c for c in conditions if isinstance(c, ToleranceCondition)), None)
    variants = (
        [base]
        if tolerance is None
        else [_combined(base, bands) for bands in _amount_bands(tolerance)]
    )
    alternatives = next((c for c in conditions if isinstance(c, EqualAnyCondition)), None)
    if alternatives is not None:
        # One variant per normaliser; a pair equal under an earlier one is that variant's.
        pairs = _any_pairs(ws, alternatives)
        variants = [
            _combined(
                variant,
                Blocking(
                    keys=[pairs[i]],
                    filters=[f"({x} = {y}) IS NOT TRUE" for x, y in pairs[:i]],
                    decided=[alternatives],
                ),
            )
            for variant in variants
            for i in range(len(pairs))
        ]
    if window is None:
        return variants
    sizes: list[int] = []  # left rows, days they span, right rows: counted once, if needed
    return [
        _combined(variant, _window_blocking(ws, window, variant, left_sql, right_sql, sizes))
        for variant in variants
    ]


def _window_blocking(
    ws: Workspace,
    window: DateWindowCondition,
    variant: Blocking,
    left_sql: str,
    right_sql: str,
    sizes: list[int],
) -> Blocking:
    """Find pairs within the window by day (each left row once per day of the window) or,
    when the variant's equalities are selective, by band of the window's width (each left
    row twice; twice the pairs to filter, but far fewer rows to look up)."""
    width = window.max_days - window.min_days + 1
    left_day, right_day = day_number("x", quote(window.left)), day_number("b", quote(window.right))
    by_day = Blocking(
        expansions=[f"range({window.min_days}, {window.max_days + 1}) AS _dw(_dw_off)"],
        select=[f"{left_day} + _dw_off AS _day"],
        keys=[("a._day", right_day)],
        decided=[window],
    )
    # The window's days [d + min, d + max] lie in band floor((d + min) / width) or the next.
    by_band = Blocking(
        expansions=["range(0, 2) AS _dw(_dw_off)"],
        select=[f"floor(({left_day} + {window.min_days}) / {width})::BIGINT + _dw_off AS _day"],
        keys=[("a._day", f"floor({right_day} / {width})::BIGINT")],
    )
    if width <= 2 or variant.expansions or not variant.keys:
        return by_day
    if variant.joins:  # pairs of near texts: few records a text, whatever the day
        return by_band
    if not sizes:
        left_rows, span = ws.con.execute(
            f"SELECT count(*), coalesce(max(d) - min(d) + 1, 0) "
            f"FROM (SELECT {left_day} AS d FROM ({left_sql}) x)"
        ).fetchall()[0]
        sizes += [left_rows, span, ws.scalar(f"SELECT count(*) FROM ({right_sql})")]
    left_rows, span, right_rows = sizes
    if not left_rows or not span:
        return by_day
    pairs = _equi_join_size(ws, variant.keys, left_sql, right_sql, left_rows + right_rows)
    if pairs * width / span >= left_rows * (width - 2):  # the pairs within the window
        return by_day
    return by_band


def _combined(first: Blocking, second: Blocking) -> Blocking:
    return Blocking(
        expansions=first.expansions + second.expansions,
        joins=first.joins + second.joins,
        select=first.select + second.select,
        keys=first.keys + second.keys,
        filters=first.filters + second.filters,
        decided=first.decided + second.decided,
    )
