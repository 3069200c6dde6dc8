"""One flat row per result: its outcome, both sides' ids and the rule set's key fields.

A side with several records (a one-to-many match) puts their values in one cell, joined by
"; ". Text that a spreadsheet would run as a formula is neutralised by `neutralise` for the
spreadsheet formats; Parquet keeps every value as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from accord.db.models import ReconciliationResult as Result

# Leading characters that make Excel, LibreOffice or Sheets evaluate a cell (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
JOIN = "; "

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
_SELECTED = (
    Result.id,
    Result.kind,
    Result.match_status,
    Result.pass_name,
    Result.score,
    Result.amount,
    Result.review_status,
    Result.review_note,
    Result.left_ids,
    Result.right_ids,
    Result.reason,
    Result.reason_detail,
    # Details: taken from the run file by `ordinal` (exports/source.py), or from these columns
    # for rows a reviewer added; `flatten` gets the row without the ordinal.
    Result.ordinal,
    Result.differences,
    Result.left_records,
    Result.right_records,
)


def neutralise(value: Any) -> Any:
    """Text starting like a formula gets a leading apostrophe; everything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


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

    def flatten(self, row: Sequence[Any]) -> list[Any]:
        (
            result_id,
            kind,
            match_status,
            pass_name,
            score,
            amount,
            review_status,
            review_note,
            left_ids,
            right_ids,
            reason,
            reason_detail,
            differences,
            left_records,
            right_records,
        ) = row
        detail = reason_detail if isinstance(reason_detail, dict) else {}
        return [
            result_id,
            kind,
            match_status,
            pass_name,
            score,
            amount,
            review_status,
            review_note,
            JOIN.join(left_ids),
            JOIN.join(right_ids),
            reason,
            detail.get("detail"),
            JOIN.join(str(c) for c in detail.get("candidates") or []) or None,
            _differences(differences),
            *(_field(left_records, f) for f in self.left_fields),
            *(_field(right_records, f) for f in self.right_fields),
        ]


def _field(records: list[dict[str, Any]], name: str) -> Any:
    values = [r.get(name) for r in records]
    if len(values) == 1:
        return values[0]
    present = [str(v) for v in values if v is not None]
    return JOIN.join(present) if present else None


def _differences(differences: Any) -> str | None:
    if not differences:
        return None
    return JOIN.join(
        f"{d.get('field')}: {d.get('left_value')} vs {d.get('right_value')}" for d in differences
    )


def export_query() -> Select[Any]:
    return select(*_SELECTED).order_by(Result.id)
