"""The export's rows as its first implementation built them, one row at a time in Python: the
oracle the column-wise export (exports/batches.py, writers.py) must agree with, byte for byte.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from accord.exports.rows import JOIN, ExportLayout, neutralise


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


def flatten(layout: ExportLayout, row: dict[str, Any]) -> list[Any]:
    """One result (its database columns, and its details as the pages read them) as values."""
    reason_detail = row["reason_detail"]
    detail = reason_detail if isinstance(reason_detail, dict) else {}
    left, right = row["left_records"] or [], row["right_records"] or []
    return [
        row["id"],
        row["kind"],
        row["match_status"],
        row["pass_name"],
        row["score"],
        row["amount"],
        row["review_status"],
        row["review_note"],
        JOIN.join(row["left_ids"]),
        JOIN.join(row["right_ids"]),
        row["reason"],
        detail.get("detail"),
        JOIN.join(str(c) for c in detail.get("candidates") or []) or None,
        _differences(row["differences"]),
        *(_field(left, f) for f in layout.left_fields),
        *(_field(right, f) for f in layout.right_fields),
    ]


def csv_text(rows: list[list[Any]]) -> bytes:
    """The rows as `csv.writer` writes them once neutralised."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows([neutralise(v) for v in row] for row in rows)
    return buffer.getvalue().encode()
