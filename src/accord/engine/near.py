"""Candidates of a `near` condition: texts sharing a deletion variant, found by hashes.

Two texts at most k edits apart (Damerau-Levenshtein) share a variant with at most k
characters deleted: delete, on each side, the characters the other lacks (a swap of
neighbours is one deletion on each side). Every variant of every text is hashed here, with
numpy, from prefix hashes (a polynomial hash modulo 2^64: the variant deleting character i
is the whole text's hash plus one correction, so no variant's text is ever built), and the
pairs come from a join of 64-bit integers. A collision only adds a candidate: the
condition's own test (the edit distance) still decides every pair.

At 1M against 1M the reference pass's variants were strings built by DuckDB (each text
sliced once per position): 0.42 s, of which this takes ~0.1.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from accord.engine.rules import MAX_NEAR_LENGTH, MIN_NEAR_LENGTH

# An odd 64-bit multiplier; character codes are offset by one so that no character hashes
# like nothing.
BASE = np.uint64(0x9E3779B97F4A7C15)
# Variant hashes computed per block of this many (row, variant) cells: bounds memory for
# long texts with two edits (a 64-character text has 2,016 two-character deletions).
CELLS_PER_BLOCK = 500_000


def _powers(length: int) -> np.ndarray:
    """BASE^0 .. BASE^length, modulo 2^64."""
    powers = np.ones(length + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(1, length + 1):
            powers[k] = powers[k - 1] * BASE
    return powers


def _variants_per_text(n: int, max_edits: int) -> int:
    if not MIN_NEAR_LENGTH <= n <= MAX_NEAR_LENGTH:
        return 1
    return 1 + n + (n * (n - 1) // 2 if max_edits >= 2 else 0)


def _cut(
    positions: np.ndarray,
    codes: np.ndarray,
    starts: np.ndarray,
    lengths: np.ndarray,
    max_edits: int,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Blocks of the texts at `positions` (text i: `codes[starts[i]:starts[i] + lengths[i]]`)
    of one length each, as (positions, an (m, n) uint64 matrix of their codes)."""
    for n in np.unique(lengths).tolist():
        of_length = np.flatnonzero(lengths == n)
        # Cells of the widest matrix a block makes: its variants, or its prefix hashes.
        block = max(1, CELLS_PER_BLOCK // max(_variants_per_text(n, max_edits), n + 1))
        for first in range(0, len(of_length), block):
            chosen = of_length[first : first + block]
            cells = starts[chosen][:, None] + np.arange(n)
            yield positions[chosen], codes[cells].astype(np.uint64)


def _blocks(texts: pa.Array, max_edits: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Blocks of texts of one length n: (their positions in `texts`, their character codes
    as an (m, n) uint64 matrix), m bounded so that a block's variants and prefix hashes are
    at most about CELLS_PER_BLOCK each (small arrays are reused from the heap: large fresh
    ones cost page faults, three times the arithmetic). ASCII texts are cut from Arrow's
    byte buffer; others are decoded to UTF-32 together (characters are code points, as
    DuckDB counts them). NULL texts are left out."""
    valid = np.asarray(pc.is_valid(texts))
    ascii_ = np.asarray(pc.fill_null(pc.string_is_ascii(texts), False)) & valid
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int64)[
        texts.offset : texts.offset + len(texts) + 1
    ]
    data = np.frombuffer(texts.buffers()[2] or b"", dtype=np.uint8)
    chosen = np.flatnonzero(ascii_)
    yield from _cut(chosen, data, offsets[chosen], np.diff(offsets)[chosen], max_edits)
    chosen = np.flatnonzero(valid & ~ascii_)
    if len(chosen):
        picked = texts.take(pa.array(chosen))
        code_points = np.asarray(pc.utf8_length(picked), dtype=np.int64)
        joined = "".join(picked.to_pylist()).encode("utf-32-le")
        starts = np.concatenate([[0], np.cumsum(code_points)[:-1]]).astype(np.int64)
        codes = np.frombuffer(joined, dtype=np.uint32)
        yield from _cut(chosen, codes, starts, code_points, max_edits)


def _variant_hashes(codes: np.ndarray, max_edits: int) -> np.ndarray:
    """(m, v) hashes of each text's variants: itself, and with 1..max_edits characters
    deleted (every choice of positions). All texts have the same length n."""
    m, n = codes.shape
    powers = _powers(n)
    with np.errstate(over="ignore"):
        # prefix[:, k]: the first k characters. Column by column, so stored by column.
        prefix = np.zeros((m, n + 1), dtype=np.uint64, order="F")
        for k in range(n):
            column = prefix[:, k + 1]
            np.multiply(prefix[:, k], BASE, out=column)
            np.add(column, codes[:, k], out=column)
            np.add(column, np.uint64(1), out=column)
        whole = prefix[:, n : n + 1]
        parts = [whole]
        if not MIN_NEAR_LENGTH <= n <= MAX_NEAR_LENGTH:
            return whole
        i = np.arange(n)
        # Without character i: the prefix shifted up to meet the suffix.
        parts.append(whole + (prefix[:, i] - prefix[:, i + 1]) * powers[n - 1 - i])
        if max_edits >= 2 and n >= 2:
            i, j = np.triu_indices(n, k=1)
            # Without characters i < j: prefix [0, i), middle (i, j), suffix (j, n).
            middle = prefix[:, j] - prefix[:, i + 1] * powers[j - i - 1]
            suffix = whole - prefix[:, j + 1] * powers[n - 1 - j]
            parts.append(prefix[:, i] * powers[n - 2 - i] + middle * powers[n - 1 - j] + suffix)
        return np.concatenate(parts, axis=1)


def variant_table(rows: np.ndarray, texts: pa.Array | pa.ChunkedArray, max_edits: int) -> pa.Table:
    """(_row, h): the hashes of every variant of each record's text as a list (unnest it),
    `rows[i]` being the record of `texts[i]`. Texts shorter than MIN_NEAR_LENGTH or longer
    than MAX_NEAR_LENGTH have only themselves as a variant. One batch per block of texts:
    the hashes are laid out as computed (no copy, no repeated row numbers)."""
    texts = pc.cast(texts, pa.large_string())  # 64-bit offsets: any size combines
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    schema = pa.schema([("_row", pa.int64()), ("h", pa.list_(pa.uint64()))])
    batches = []
    for positions, codes in _blocks(texts, max_edits):
        hashes = _variant_hashes(codes, max_edits)
        # A block holds at most max(CELLS_PER_BLOCK, one text's variants) hashes.
        offsets = np.arange(0, hashes.size + 1, hashes.shape[1], dtype=np.int32)
        lists = pa.ListArray.from_arrays(pa.array(offsets), pa.array(hashes.ravel()))
        batches.append(pa.record_batch([pa.array(rows[positions]), lists], schema))
    return pa.Table.from_batches(batches, schema)
