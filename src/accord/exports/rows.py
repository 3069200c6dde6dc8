"""One flat row per result: its outcome, both sides' ids and the rule set's key fields.

A side with several records (a one-to-many match) puts their values in one cell, joined by
"; ". Text that a spreadsheet would run as a formula is neutralised by `neutralise` for the
spreadsheet formats; Parquet keeps every value as it is.

Every cell is kept as the text `str()` gives its value (None stays None: an empty cell) and
its kind, which says how a spreadsheet gets it (writers.py): a number, a boolean or text.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, Text, cast, select

from accord.db.models import ReconciliationResult as Result

# Leading characters that make Excel, LibreOffice or Sheets evaluate a cell (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
JOIN = "; "
# A cell's kind.
TEXT, NUMBER, BOOLEAN = 0, 1, 2

OUTCOME_COLUMNS = (
    "result_id",
    "kind",
    "match_status",
    "pass",
    "score",
    "amount",
    "review_status",
    "review_note",
    "left_ids",
    "right_ids",
    "reason",
    "reason_detail",
    "candidates",
    "differences",
)
# The database's JSON and numeric columns as their text: decoding them per row in Python
# cost more than the rest of the export. `amount::text` is what `str()` of its Decimal gives.
_SELECTED = (
    Result.id,
    Result.kind,
    Result.match_status,
    Result.pass_name,
    Result.score,
    cast(Result.amount, Text),
    Result.review_status,
    Result.review_note,
    cast(Result.left_ids, Text),
    cast(Result.right_ids, Text),
    Result.reason,
    cast(Result.reason_detail, Text),
    # Details: taken from the run files by `ordinal` (exports/records.py), or from these
    # columns for rows a reviewer added.
    Result.ordinal,
    cast(Result.differences, Text),
    cast(Result.left_records, Text),
    cast(Result.right_records, Text),
)


def neutralise(value: Any) -> Any:
    """Text starting like a formula gets a leading apostrophe; everything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def cell(value: Any) -> tuple[str | None, int]:
    """A value's text, as `str()` writes it (None stays None), and its kind."""
    if value is None:
        return None, TEXT
    if isinstance(value, bool):
        return str(value), BOOLEAN
    if isinstance(value, int | float | Decimal):
        return str(value), NUMBER
    return str(value), TEXT


def _side_fields(rules: dict[str, Any], side: str) -> list[str]:
    """The side's id and amount, then every column its passes compare, in rule order."""
    spec = rules.get(side, {})
    fields = [spec.get("id"), spec.get("amount")]
    for match_pass in rules.get("passes", []):
        fields += [c.get(side) for c in match_pass.get("conditions", [])]
        fields += [c.get(side) for c in match_pass.get("compare", [])]
        fields.append((match_pass.get("group") or {}).get("sum", {}).get(side))
    return list(dict.fromkeys(str(f) for f in fields if f))


@dataclass(frozen=True)
class ExportLayout:
    left_fields: list[str]
    right_fields: list[str]

    @classmethod
    def of(cls, rules: dict[str, Any]) -> ExportLayout:
        return cls(_side_fields(rules, "left"), _side_fields(rules, "right"))

    @property
    def header(self) -> list[str]:
        return [
            *OUTCOME_COLUMNS,
            *(f"left.{f}" for f in self.left_fields),
            *(f"right.{f}" for f in self.right_fields),
        ]


def field_value(records: list[dict[str, Any]], name: str) -> Any:
    """A field of a side's records: one record's value as it is, several joined as text."""
    values = [r.get(name) for r in records]
    if len(values) == 1:
        return values[0]
    present = [str(v) for v in values if v is not None]
    return JOIN.join(present) if present else None


def differences_text(differences: Any) -> str | None:
    if not differences:
        return None
    return JOIN.join(
        f"{d.get('field')}: {d.get('left_value')} vs {d.get('right_value')}" for d in differences
    )


def export_query() -> Select[*tuple[Any, ...]]:
    return select(*_SELECTED).order_by(Result.id)
