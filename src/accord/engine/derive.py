"""Normalised columns of one side, computed once per distinct value and shared.

Names repeat (a vendor has a few spellings across many records), and word-level steps cost
far more per value than the rest: those normalisers run over the distinct values only, in
one table per column. Normalisers that extend another's steps (a sorted or cut version of
`company_name`, say) continue from its result instead of starting again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
            out.selects.append(f'{normaliser_sql(steps, "i." + column_sql)} AS "{name}"')
    if not costly:
        return out
    query = f"SELECT _i, v FROM {source}"
    done: list[tuple[str, list[NormaliserStep]]] = []
    for name, steps in sorted(costly, key=lambda item: len(item[1])):
        parents = [(n, s) for n, s in done if steps[: len(s)] == s]
        if parents:
            parent, parent_steps = max(parents, key=lambda item: len(item[1]))
            expression = normaliser_sql(
                steps[len(parent_steps) :], f'"{parent}"', spaced_after(parent_steps)
            )
        else:
            expression = normaliser_sql(steps, "v")
        query = f'SELECT *, {expression} AS "{name}" FROM ({query})'
        done.append((name, steps))
    out.distinct_names = [name for name, _ in costly]
    names = ", ".join(f'"{name}"' for name in out.distinct_names)
    out.distinct_query = f"SELECT _i, {names} FROM ({query})"
    return out
