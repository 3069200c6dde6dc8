"""How a result's explanation is stored: one short-keyed object per condition.

Explanations are the largest part of a stored result; the full key names repeated on every
condition of every match made up a fifth of what a worker wrote. Readers expand them back.
"""

from __future__ import annotations

from typing import Any

# stored key → the name the API shows
EXPLANATION_KEYS = {
    "c": "condition",
    "l": "left_value",
    "r": "right_value",
    "o": "outcome",
    "s": "score",
}


def compact_explanation_sql(column: str) -> str:
    """DuckDB: the engine's explanation list as a list of short-keyed structs."""
    fields = ", ".join(f"'{short}': e.{name}" for short, name in EXPLANATION_KEYS.items())
    return f"list_transform({column}, lambda e: {{{fields}}})"


def expand_explanation(stored: Any) -> list[dict[str, Any]]:
    """The explanation as the API shows it; entries already in long form pass through."""
    if not isinstance(stored, list):
        return []
    return [
        {EXPLANATION_KEYS.get(str(key), str(key)): value for key, value in entry.items()}
        for entry in stored
        if isinstance(entry, dict)
    ]
