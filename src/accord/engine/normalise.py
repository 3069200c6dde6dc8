"""Normalisers: ordered text-cleaning steps, compiled to DuckDB SQL expressions.

Normalising in SQL keeps it vectorised (one pass over a column, no Python per value), and a
column is normalised once per run however many conditions use it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from accord.engine.ingest.sql import quote_literal

SimpleStep = Literal[
    "lower",
    "upper",
    "trim",
    "whitespace",
    "punctuation",
    "alphanumeric",
    "accents",
    "legal_forms",
    "sort_tokens",
    "digits",
    "first_word",
]


class ReplaceStep(BaseModel):
    """Replace substrings, in order (e.g. '&' → ' and ')."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    replace: dict[str, str] = Field(min_length=1)


class WordsStep(BaseModel):
    """Replace whole words (tokens split on spaces), e.g. 'intl' → 'international'."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    words: dict[str, str] = Field(min_length=1)


class WordPrefixStep(BaseModel):
    """Keep the first n characters of each word: a blocking key that survives later typos."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    word_prefix: int = Field(ge=1, le=20)


class WordSuffixStep(BaseModel):
    """Keep the last n characters of each word: survives typos near the start of a word."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    word_suffix: int = Field(ge=1, le=20)


class PrefixStep(BaseModel):
    """Keep the first n characters of the whole text (after 'alphanumeric': survives words
    run together or split apart, and typos further on)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    prefix: int = Field(ge=1, le=50)


class SuffixStep(BaseModel):
    """Keep the last n characters of the whole text: survives typos near the start."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    suffix: int = Field(ge=1, le=50)


class EndsStep(BaseModel):
    """Keep the first m and the last n characters of the whole text, joined (`[m, n]`): like
    a suffix, it survives a typo near the start (past the first m characters), and it does
    not pair every text that ends alike ('... Trading', '... Services'): a blocking key that
    finds fewer look-alike candidates."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    ends: tuple[Annotated[int, Field(ge=1, le=50)], Annotated[int, Field(ge=1, le=50)]]


NormaliserStep = (
    SimpleStep
    | ReplaceStep
    | WordsStep
    | WordPrefixStep
    | WordSuffixStep
    | PrefixStep
    | SuffixStep
    | EndsStep
)

# Legal-form words dropped by `legal_forms`, lower case, after punctuation is removed
# ('S.A.' → 'sa'), so 'Acme Ltd' and 'ACME Limited' compare equal.
LEGAL_FORMS: tuple[str, ...] = (
    "ltd",
    "limited",
    "llc",
    "llp",
    "lp",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "plc",
    "gmbh",
    "ag",
    "kg",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "oy",
    "ab",
    "as",
    "pty",
    "pte",
    "kk",
)

BUILTIN_NORMALISERS: dict[str, list[NormaliserStep]] = {
    "text": ["lower", "accents", "whitespace"],
    "reference": ["upper", "alphanumeric"],
    "company_name": [
        "lower",
        "accents",
        ReplaceStep(replace={"&": " and "}),
        "punctuation",
        "legal_forms",
        WordsStep(words={"intl": "international", "svcs": "services", "and": ""}),
        "whitespace",
    ],
}


# Steps whose result has its words apart by single spaces, none at either end ("spaced"),
# whatever they are given; and steps that keep a spaced text spaced. Splitting a spaced
# text into words needs no whitespace clean-up first, and `whitespace` leaves it as it is.
_SPACING_STEPS = {
    "whitespace",
    "sort_tokens",
    "legal_forms",
    "first_word",
    "alphanumeric",
    "digits",
}
_SPACING_KEPT = {"lower", "upper", "accents", "trim"}


def spaced_after(steps: list[NormaliserStep], spaced: bool = False) -> bool:
    """Whether the text is spaced after `steps` (given whether it was before)."""
    for step in steps:
        if isinstance(step, WordsStep | WordPrefixStep | WordSuffixStep):
            spaced = True
        elif isinstance(step, str):
            spaced = step in _SPACING_STEPS or (spaced and step in _SPACING_KEPT)
        else:
            spaced = False
    return spaced


def _tokens_sql(expr: str, spaced: bool = False) -> str:
    if spaced:
        return f"string_split({expr}, ' ')"
    return f"string_split(trim(regexp_replace({expr}, '\\s+', ' ', 'g')), ' ')"


def step_sql(step: NormaliserStep, expr: str, spaced: bool = False) -> str:
    """SQL applying one step to the VARCHAR expression `expr` (`spaced`: see spaced_after)."""
    if spaced and step == "whitespace":
        return expr
    if isinstance(step, ReplaceStep):
        for old, new in step.replace.items():
            expr = f"replace({expr}, {quote_literal(old)}, {quote_literal(new)})"
        return expr
    if isinstance(step, WordsStep):
        cases = " ".join(
            f"WHEN {quote_literal(k)} THEN {quote_literal(v)}" for k, v in step.words.items()
        )
        mapped = f"list_transform({_tokens_sql(expr, spaced)}, lambda t: CASE t {cases} ELSE t END)"
        return f"array_to_string(list_filter({mapped}, lambda t: t <> ''), ' ')"
    if isinstance(step, WordPrefixStep):
        cut = f"list_transform({_tokens_sql(expr, spaced)}, lambda t: left(t, {step.word_prefix}))"
        return f"array_to_string({cut}, ' ')"
    if isinstance(step, WordSuffixStep):
        cut = f"list_transform({_tokens_sql(expr, spaced)}, lambda t: right(t, {step.word_suffix}))"
        return f"array_to_string({cut}, ' ')"
    if isinstance(step, PrefixStep):
        return f"left({expr}, {step.prefix})"
    if isinstance(step, SuffixStep):
        return f"right({expr}, {step.suffix})"
    if isinstance(step, EndsStep):
        first, last = step.ends
        return f"(left({expr}, {first}) || right({expr}, {last}))"
    simple: dict[str, str] = {
        "lower": f"lower({expr})",
        "upper": f"upper({expr})",
        "trim": f"trim({expr})",
        "whitespace": f"trim(regexp_replace({expr}, '\\s+', ' ', 'g'))",
        "punctuation": f"regexp_replace({expr}, '[^\\pL\\pN\\s]', '', 'g')",
        "alphanumeric": f"regexp_replace({expr}, '[^\\pL\\pN]', '', 'g')",
        "digits": f"regexp_replace({expr}, '[^0-9]', '', 'g')",
        "accents": f"strip_accents({expr})",
        "sort_tokens": f"array_to_string(list_sort({_tokens_sql(expr, spaced)}), ' ')",
        "first_word": f"{_tokens_sql(expr, spaced)}[1]",
    }
    if step == "legal_forms":
        forms = ", ".join(quote_literal(w) for w in LEGAL_FORMS)
        kept = f"list_filter({_tokens_sql(expr, spaced)}, lambda t: lower(t) NOT IN ({forms}))"
        return f"array_to_string({kept}, ' ')"
    return simple[step]


def normaliser_sql(
    steps: list[NormaliserStep],
    column_sql: str,
    spaced: bool = False,
    *,
    empty_as_null: bool = True,
) -> str:
    """SQL normalising a column; empty results become NULL so they never compare equal
    (unless not `empty_as_null`: for a text other steps continue from).

    `spaced`: the column is already spaced (the result of steps `spaced_after` says so).
    """
    expr = f"CAST({column_sql} AS VARCHAR)"
    for step in steps:
        expr = step_sql(step, expr, spaced)
        spaced = spaced_after([step], spaced)
    return f"nullif({expr}, '')" if empty_as_null else expr
