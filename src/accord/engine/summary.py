"""The run's summary: counts and amount totals per kind and per pass, rates, left-overs."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from accord.engine.workspace import SideKey, Workspace, pass_names_sql


def _amount_total(table: pa.Table, column: str | None) -> float | None:
    if column is None or table.num_rows == 0:
        return None if column is None else 0.0
    total = pc.sum(table.column(column).cast(pa.float64())).as_py()
    return round(float(total or 0.0), 2)


Amounts = dict[str, tuple[int, float | None]]


def _matched_amounts(ws: Workspace, side: SideKey) -> dict[str, Amounts]:
    """Per kind and per pass (one scan for both): records of this side used, amount total."""
    data = ws.side(side)
    amount = data.spec.amount
    total = f'round(sum(CAST(s."{amount}" AS DOUBLE)), 2)' if amount else "NULL"
    rows = ws.con.execute(
        f"""
        SELECT grouping(m.kind) = 1 AS per_pass, m.kind, passes.pass_name, count(*), {total}
        FROM taken t JOIN matches m ON m.match_no = t.match_no
        JOIN {data.rows} s ON s._row = t._row
        JOIN {pass_names_sql(ws.rules)} ON passes.pass_no = m.pass_no
        WHERE t.side = '{side}' GROUP BY GROUPING SETS ((m.kind), (passes.pass_name))
        """
    ).fetchall()
    out: dict[str, Amounts] = {"kind": {}, "pass": {}}
    for per_pass, kind, pass_name, n, t in rows:
        column, key = ("pass", pass_name) if per_pass else ("kind", kind)
        out[column][str(key)] = (int(n), None if t is None else float(t))
    return out


def _breakdown(matches: pa.Table, column: str, left: Amounts, right: Amounts) -> dict[str, Any]:
    counts = matches.group_by(column).aggregate([("match_id", "count")]).to_pylist()
    out: dict[str, Any] = {}
    for row in sorted(counts, key=lambda r: str(r[column])):
        key = str(row[column])
        out[key] = {
            "matches": row["match_id_count"],
            "left_records": left.get(key, (0, None))[0],
            "right_records": right.get(key, (0, None))[0],
            "left_amount": left.get(key, (0, None))[1],
            "right_amount": right.get(key, (0, None))[1],
        }
    return out


def _unmatched(table: pa.Table, amount: str | None) -> dict[str, Any]:
    reasons = table.group_by("reason").aggregate([("reason", "count")]).to_pylist()
    return {
        "records": table.num_rows,
        "amount": _amount_total(table, amount),
        "by_reason": {
            r["reason"]: r["reason_count"] for r in sorted(reasons, key=lambda r: r["reason"])
        },
    }


def build_summary(
    ws: Workspace,
    matches: pa.Table,
    unmatched_left: pa.Table,
    unmatched_right: pa.Table,
    seconds: dict[str, float],
) -> dict[str, Any]:
    left_rows, right_rows = ws.left.table.num_rows, ws.right.table.num_rows
    matched_left = left_rows - unmatched_left.num_rows
    matched_right = right_rows - unmatched_right.num_rows
    pass_order = [p.name for p in ws.rules.passes]
    left, right = _matched_amounts(ws, "l"), _matched_amounts(ws, "r")
    by_pass = _breakdown(matches, "pass", left["pass"], right["pass"])
    return {
        "left": {
            "name": ws.left.spec.name or "left",
            "records": left_rows,
            "amount": _amount_total(ws.left.table, ws.left.spec.amount),
        },
        "right": {
            "name": ws.right.spec.name or "right",
            "records": right_rows,
            "amount": _amount_total(ws.right.table, ws.right.spec.amount),
        },
        "matches": matches.num_rows,
        "matched_records": {"left": matched_left, "right": matched_right},
        "match_rate": {
            "left": round(matched_left / left_rows, 6) if left_rows else 0.0,
            "right": round(matched_right / right_rows, 6) if right_rows else 0.0,
        },
        "by_kind": _breakdown(matches, "kind", left["kind"], right["kind"]),
        "by_pass": {name: by_pass[name] for name in pass_order if name in by_pass},
        "by_status": {
            r["status"]: r["status_count"]
            for r in matches.group_by("status").aggregate([("status", "count")]).to_pylist()
        },
        "unmatched": {
            "left": _unmatched(unmatched_left, ws.left.spec.amount),
            "right": _unmatched(unmatched_right, ws.right.spec.amount),
        },
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
    }
