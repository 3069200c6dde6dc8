"""Normalised columns of one side, computed once per distinct value and shared.

Names repeat (a vendor has a few spellings across many records), and word-level steps cost
far more per value than the rest: those normalisers run over the distinct values only, in
one table per column. Normalisers that extend another's steps (a sorted or cut version of
`company_name`, say) continue from its result instead of starting again, and steps two of
them start with are computed once for both (the benchmark's four keys cut from the letters
and digits of `company_name`: its regular expression runs once, not five times; ~0.25 s a
side at 1M).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from accord.engine.ingest.sql import quote_identifier
from accord.engine.normalise import NormaliserStep, normaliser_sql, spaced_after

# Steps that split text into words: worth running once per distinct value.
_WORD_STEPS = {"legal_forms", "sort_tokens", "first_word"}


def _per_distinct_value(steps: list[NormaliserStep]) -> bool:
    return any(not isinstance(s, str) or s in _WORD_STEPS for s in steps)


@dataclass
class DerivedColumns:
    """How to add a column's normalised versions: SQL expressions over the row (cheap
    normalisers) and a query over the column's distinct values (costly ones)."""

    selects: list[str] = field(default_factory=list)
    distinct_query: str | None = None  # over `source`(_i, v): _i and one column per name
    distinct_names: list[str] = field(default_factory=list)


def _same(a: list[NormaliserStep], b: list[NormaliserStep]) -> bool:
    """The same steps in the same order. Not `==`: pydantic compares a `replace` step's dict
    whatever its order, but its replacements apply in order."""
    return len(a) == len(b) and all(repr(x) == repr(y) for x, y in zip(a, b, strict=True))


def _shared_prefixes(
    named: list[tuple[str, list[NormaliserStep]]],
) -> list[tuple[str, list[NormaliserStep]]]:
    """Steps that two normalisers start with and none is on its own (e.g. `company_name`
    then `alphanumeric`, before one cut or another): computed once as a column of the query
    (`_prefix<k>`, never selected), which both continue from."""
    known = {repr(steps) for _, steps in named}
    shared: dict[str, list[NormaliserStep]] = {}
    for i, (_, first) in enumerate(named):
        for _, second in named[i + 1 :]:
            common = 0
            while common < min(len(first), len(second)) and _same(
                first[common : common + 1], second[common : common + 1]
            ):
                common += 1
            prefix = first[:common]
            if prefix and repr(prefix) not in known:
                shared.setdefault(repr(prefix), prefix)
    return [(f"_prefix{k}", steps) for k, steps in enumerate(shared.values())]


def derive(
    source: str, column_sql: str, normalisers: dict[str, list[NormaliserStep]]
) -> DerivedColumns:
    """Columns named by `normalisers` (output name → steps) of a column.

    Cheap ones become expressions over `i.<column>`; the rest a query over `source`, a table
    of the column's distinct values `v` numbered by `_i`, whose results (keyed by `_i`, in no
    particular order) the caller spreads back over the rows.
    """
    out = DerivedColumns()
    costly: list[tuple[str, list[NormaliserStep]]] = []
    for name, steps in normalisers.items():
        if _per_distinct_value(steps):
            costly.append((name, steps))
        else:
            out.selects.append(
                f"{normaliser_sql(steps, 'i.' + column_sql)} AS {quote_identifier(name)}"
            )
    if not costly:
        return out
    query = f"SELECT _i, v FROM {source}"
    done: list[tuple[str, list[NormaliserStep]]] = []
    shared = _shared_prefixes(costly)
    # A shared prefix keeps an empty text as it is: what continues from it must see what it
    # would see on its own ('' and NULL differ to a `words` step that maps '').
    raw = {name for name, _ in shared}
    for name, steps in sorted(costly + shared, key=lambda item: len(item[1])):
        parents = [(n, s) for n, s in done if _same(steps[: len(s)], s)]
        if parents:
            parent, parent_steps = max(parents, key=lambda item: len(item[1]))
            expression = normaliser_sql(
                steps[len(parent_steps) :],
                quote_identifier(parent),
                spaced_after(parent_steps),
                empty_as_null=name not in raw,
            )
        else:
            expression = normaliser_sql(steps, "v", empty_as_null=name not in raw)
        query = f"SELECT *, {expression} AS {quote_identifier(name)} FROM ({query})"
        done.append((name, steps))
    out.distinct_names = [name for name, _ in costly]
    names = ", ".join(quote_identifier(name) for name in out.distinct_names)
    out.distinct_query = f"SELECT _i, {names} FROM ({query})"
    return out
