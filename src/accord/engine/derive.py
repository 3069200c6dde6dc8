"""Normalised columns of one side, computed once per distinct value and shared.

Names repeat (a vendor has a few spellings across many records), and word-level steps cost
far more per value than the rest: those normalisers run over the distinct values only, in
one table per column. Normalisers that extend another's steps (a sorted or cut version of
`company_name`, say) continue from its result instead of starting again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from accord.engine.normalise import NormaliserStep, normaliser_sql

# Steps that split text into words: worth running once per distinct value.
_WORD_STEPS = {"legal_forms", "sort_tokens", "first_word"}


def _per_distinct_value(steps: list[NormaliserStep]) -> bool:
    return any(not isinstance(s, str) or s in _WORD_STEPS for s in steps)


@dataclass
class DerivedColumns:
    """SQL to add the normalised columns to a side's table: expressions and joins."""

    selects: list[str] = field(default_factory=list)
    joins: list[str] = field(default_factory=list)
    maps: list[str] = field(default_factory=list)  # CREATE statements, run first


def derive(
    table: str, source: str, column_sql: str, normalisers: dict[str, list[NormaliserStep]]
) -> DerivedColumns:
    """Columns named by `normalisers` (output name → steps) of a column of `source`.

    `table` names the map of distinct values, if one is needed.
    """
    out = DerivedColumns()
    costly: list[tuple[str, list[NormaliserStep]]] = []
    for name, steps in normalisers.items():
        if _per_distinct_value(steps):
            costly.append((name, steps))
        else:
            out.selects.append(f'{normaliser_sql(steps, "i." + column_sql)} AS "{name}"')
    if not costly:
        return out
    query = f"SELECT DISTINCT {column_sql} AS v FROM {source} WHERE {column_sql} IS NOT NULL"
    done: list[tuple[str, list[NormaliserStep]]] = []
    for name, steps in sorted(costly, key=lambda item: len(item[1])):
        parents = [(n, s) for n, s in done if steps[: len(s)] == s]
        if parents:
            parent, parent_steps = max(parents, key=lambda item: len(item[1]))
            expression = normaliser_sql(steps[len(parent_steps) :], f'"{parent}"')
        else:
            expression = normaliser_sql(steps, "v")
        query = f'SELECT *, {expression} AS "{name}" FROM ({query})'
        done.append((name, steps))
    out.maps.append(f"CREATE OR REPLACE TEMP TABLE {table} AS {query}")
    out.joins.append(f"LEFT JOIN {table} ON {table}.v = i.{column_sql}")
    out.selects += [f'{table}."{name}"' for name, _ in costly]
    return out
