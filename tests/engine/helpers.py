"""Small bank/ledger tables and rules for the engine tests, built in code to show the data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pyarrow as pa

from accord.engine import RuleSet, reconcile
from accord.engine.results import ReconcileResult

MONEY = pa.decimal128(18, 2)
BANK_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("date", pa.date32()),
        ("amount", MONEY),
        ("name", pa.string()),
        ("ref", pa.string()),
    ]
)


def day(n: int) -> dt.date:
    return dt.date(2024, 3, 1) + dt.timedelta(days=n)


def side(rows: list[tuple[str, int, str, str, str | None]]) -> pa.Table:
    """Rows of (id, day offset, amount, name, reference)."""
    return pa.Table.from_pylist(
        [
            {"id": i, "date": day(d), "amount": Decimal(a), "name": n, "ref": r}
            for i, d, a, n, r in rows
        ],
        schema=BANK_SCHEMA,
    )


def rules(*passes: dict[str, Any], **sides: Any) -> RuleSet:
    """A rule set over two sides shaped like `side()`, with the given passes."""
    base = {"id": "id", "amount": "amount"}
    return RuleSet.model_validate(
        {
            "left": {"name": "bank", **base, **sides.get("left", {})},
            "right": {"name": "ledger", **base, **sides.get("right", {})},
            "normalisers": sides.get("normalisers", {}),
            "passes": list(passes),
        }
    )


def equal(left: str, right: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "equal", "left": left, "right": right or left, **extra}


def window(lo: int, hi: int, **extra: Any) -> dict[str, Any]:
    return {
        "type": "date_window",
        "left": "date",
        "right": "date",
        "min_days": lo,
        "max_days": hi,
        **extra,
    }


def similar(threshold: float, **extra: Any) -> dict[str, Any]:
    return {
        "type": "similar",
        "left": "name",
        "right": "name",
        "threshold": threshold,
        "normaliser": "company_name",
        **extra,
    }


def one_pass(*conditions: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"name": extra.pop("name", "p"), "conditions": list(conditions), **extra}


def pairs(result: ReconcileResult) -> set[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Matches as (left ids, right ids), order-free."""
    return {(tuple(m["left_ids"]), tuple(m["right_ids"])) for m in result.matches.to_pylist()}


def reasons(result: ReconcileResult, which: str) -> dict[str, str]:
    table = result.unmatched_left if which == "left" else result.unmatched_right
    return {r["id"]: r["reason"] for r in table.to_pylist()}


def run(left: pa.Table, right: pa.Table, ruleset: RuleSet) -> ReconcileResult:
    return reconcile(left, right, ruleset)
