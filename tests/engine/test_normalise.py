"""Normalisers: skipping the whitespace clean-up of text already spaced changes no result."""

from __future__ import annotations

from typing import get_args

import duckdb
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from accord.engine.normalise import (
    BUILTIN_NORMALISERS,
    EndsStep,
    NormaliserStep,
    PrefixStep,
    ReplaceStep,
    SimpleStep,
    SuffixStep,
    WordPrefixStep,
    WordsStep,
    WordSuffixStep,
    normaliser_sql,
    spaced_after,
    step_sql,
)

STEPS: list[NormaliserStep] = [
    *get_args(SimpleStep),
    ReplaceStep(replace={"&": " and "}),
    WordsStep(words={"intl": "international", "and": ""}),
    WordPrefixStep(word_prefix=3),
    WordSuffixStep(word_suffix=3),
    PrefixStep(prefix=4),
    SuffixStep(suffix=6),
    EndsStep(ends=(1, 6)),
]
TEXT = st.text(alphabet=" \t\n-.,&'ÉéaAbBcCdDiI0l", max_size=30)


def _every_step_on_its_own(steps: list[NormaliserStep], column: str) -> str:
    expr = f"CAST({column} AS VARCHAR)"
    for step in steps:
        expr = step_sql(step, expr)
    return f"nullif({expr}, '')"


@given(st.lists(TEXT, min_size=1, max_size=20), st.lists(st.sampled_from(STEPS), max_size=6))
@example(["a - b", " x&y "], ["whitespace", "punctuation", "sort_tokens"])  # spaces doubled
@example(["ab  cd ef"], ["whitespace", PrefixStep(prefix=3), WordSuffixStep(word_suffix=1)])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_spacing_shortcuts_give_the_same_text(
    texts: list[str], steps: list[NormaliserStep]
) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (v VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [(text,) for text in texts])
    fast = con.execute(f"SELECT {normaliser_sql(steps, 'v')} FROM t ORDER BY rowid").fetchall()
    plain = con.execute(
        f"SELECT {_every_step_on_its_own(steps, 'v')} FROM t ORDER BY rowid"
    ).fetchall()
    assert fast == plain


def test_continuing_from_a_spaced_parent_gives_the_same_text() -> None:
    parent = BUILTIN_NORMALISERS["company_name"]
    assert spaced_after(parent)
    con = duckdb.connect()
    text = "'  Acme  &  Intl.   Trading   Ltd '"
    child = [*parent, WordPrefixStep(word_prefix=3), "sort_tokens"]
    from_parent = normaliser_sql(child[len(parent) :], normaliser_sql(parent, text), True)
    [(a, b)] = con.execute(
        f"SELECT {from_parent}, {_every_step_on_its_own(child, text)}"
    ).fetchall()
    assert a == b == "acm int tra"


def test_ends_keeps_the_first_and_last_characters() -> None:
    steps = TypeAdapter(list[NormaliserStep]).validate_python(["alphanumeric", {"ends": [1, 6]}])
    assert steps[1] == EndsStep(ends=(1, 6))
    con = duckdb.connect()
    texts = ["Belcor Trading", "Pelcor Trading", "Belcor-Trafing", "abc", None]
    con.execute("CREATE TABLE t (i INTEGER, v VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(texts)))
    keys = con.execute(f"SELECT {normaliser_sql(steps, 'v')} FROM t ORDER BY i").fetchall()
    # Names ending alike no longer share a key unless they start alike too; a text shorter
    # than the two ends together is kept whole after its first letter.
    assert keys == [("Brading",), ("Prading",), ("Brafing",), ("aabc",), (None,)]


@pytest.mark.parametrize("ends", [[0, 6], [1], [1, 51], "1,6"])
def test_ends_must_name_two_lengths_from_one_to_fifty(ends: object) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(list[NormaliserStep]).validate_python([{"ends": ends}])


@st.composite
def _related_normalisers(draw: st.DrawFn) -> dict[str, list[NormaliserStep]]:
    """Two to four normalisers that often start alike (cuts and sorts of one cleaning)."""
    base = draw(st.lists(st.sampled_from(STEPS), max_size=4))
    chosen: dict[str, list[NormaliserStep]] = {}
    for i in range(draw(st.integers(2, 4))):
        keep = draw(st.integers(0, len(base)))
        extra = draw(st.lists(st.sampled_from(STEPS), max_size=3))
        chosen[f"_n{i}_v"] = [*base[:keep], *extra, "sort_tokens"]  # per distinct value
    return chosen


@given(st.lists(TEXT, min_size=1, max_size=15), _related_normalisers())
@example(
    ["Belcor  Trading Ltd"],
    {
        "_n0_v": [*BUILTIN_NORMALISERS["company_name"], "alphanumeric", PrefixStep(prefix=4)],
        "_n1_v": [*BUILTIN_NORMALISERS["company_name"], "alphanumeric", EndsStep(ends=(1, 6))],
    },
)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_normalisers_sharing_steps_compute_them_once_with_the_same_text(
    texts: list[str], normalisers: dict[str, list[NormaliserStep]]
) -> None:
    shared, alone = _derived_and_alone(texts, normalisers)
    assert shared == alone


def _derived_and_alone(
    texts: list[str], normalisers: dict[str, list[NormaliserStep]]
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Each text's normalised values from derive's distinct-value query, and from every
    normaliser's steps applied one by one on their own."""
    from accord.engine.derive import derive

    derived = derive("src", "v", normalisers)
    assert derived.distinct_query is not None
    con = duckdb.connect()
    con.execute("CREATE TABLE src (_i BIGINT, v VARCHAR)")
    con.executemany("INSERT INTO src VALUES (?, ?)", list(enumerate(texts)))
    shared = con.execute(f"SELECT * FROM ({derived.distinct_query}) ORDER BY _i").fetchall()
    names = ", ".join(_every_step_on_its_own(steps, "v") for steps in normalisers.values())
    return shared, con.execute(f"SELECT _i, {names} FROM src ORDER BY _i").fetchall()


def test_replacements_in_another_order_are_other_steps() -> None:
    # Equal as pydantic models (dicts compare without order), but applied in order.
    first = ReplaceStep(replace={"a": "b", "b": "c"})
    second = ReplaceStep(replace={"b": "c", "a": "b"})
    shared, alone = _derived_and_alone(
        ["a"], {"_n0_v": [first, "sort_tokens"], "_n1_v": [second, "first_word"]}
    )
    assert alone == [(0, "c", "b")]
    assert shared == alone


def test_steps_continuing_from_a_shared_empty_text_see_it_empty_not_missing() -> None:
    shared, alone = _derived_and_alone(
        ["---", "ab"],
        {
            "_n0_v": ["alphanumeric", WordsStep(words={"": "none"}), "sort_tokens"],
            "_n1_v": ["alphanumeric", PrefixStep(prefix=3), "sort_tokens"],
        },
    )
    assert alone == [(0, "none", None), (1, "ab", "ab")]
    assert shared == alone
