"""The hashed deletion variants behind `near` candidates: each is the hash of a real variant."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from accord.engine import near
from accord.engine.near import BASE, variant_table
from accord.engine.rules import MAX_NEAR_LENGTH, MIN_NEAR_LENGTH


def found(texts: list[str | None], max_edits: int) -> dict[int, set[int]]:
    table = variant_table(np.arange(len(texts)), pa.array(texts, pa.string()), max_edits)
    rows, hashes = table.column("_row").to_pylist(), table.column("h").to_pylist()
    by_row: dict[int, set[int]] = {}
    for row, h in zip(rows, hashes, strict=True):
        assert row not in by_row  # one row per record
        by_row[row] = set(h)
    return by_row


def text_hash(text: str) -> int:
    """The hash, written plainly: polynomial in the code points (plus one), modulo 2^64."""
    h = 0
    for c in text:
        h = (h * int(BASE) + ord(c) + 1) % 2**64
    return h


def expected(text: str, max_edits: int) -> set[int]:
    if not MIN_NEAR_LENGTH <= len(text) <= MAX_NEAR_LENGTH:
        return {text_hash(text)}
    return {
        text_hash("".join(c for i, c in enumerate(text) if i not in deleted))
        for k in range(max_edits + 1)
        for deleted in combinations(range(len(text)), k)
    }


@given(
    st.lists(st.text(alphabet="AB01é-", min_size=0, max_size=10), min_size=1, max_size=6),
    st.integers(1, 2),
)
@example(["0A0A0A0", "0B0A0B0"], 2)  # two letters deleted apart
@example(["ééAAB0", "AB"], 1)
@settings(max_examples=60, deadline=None)
def test_each_texts_variant_hashes_are_the_hashes_of_its_variants(
    texts: list[str], max_edits: int
) -> None:
    # Hashed from the whole text's prefix hashes, without building any variant, they must be
    # what each variant hashes to as a text of its own (every position, ASCII or not).
    by_row = found(list(texts), max_edits)
    assert by_row == {i: expected(text, max_edits) for i, text in enumerate(texts)}


def test_texts_are_hashed_the_same_in_blocks_of_any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    # Texts are hashed a few at a time (memory); ASCII and other texts alike.
    texts = ["INV-0048123", "ÉCOLE-00481", "INV-0048132", "écolé-00481", None, "ß" * 70]
    at_once = found(list(texts), 2)
    monkeypatch.setattr(near, "CELLS_PER_BLOCK", 1)  # one text per block
    assert found(list(texts), 2) == at_once
    assert at_once == {i: expected(t, 2) for i, t in enumerate(texts) if t is not None}


def test_null_texts_have_no_variants_and_long_ones_only_themselves() -> None:
    long = "B" * (MAX_NEAR_LENGTH + 1)
    by_row = found([None, long, "ABCDEF"], 1)
    assert set(by_row) == {1, 2}
    assert by_row[1] == {text_hash(long)}
    assert len(by_row[2]) == 7  # itself and six deletions, all different
