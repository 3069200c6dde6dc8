"""Where a job's records stand: which result rows hold them, and whether they are free.

A record is free for a manual match when no standing match holds it: it is a left-over, or
its matches were all rejected or unmatched. Rows holding the ids are found in the database,
their records (in the run file, or in the row for rows a reviewer added) are picked by their
id field from the rule set, so a manual match carries the records' fields.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from accord.db.models import ReconciliationResult
from accord.errors import Conflict, UnprocessableEntity
from accord.results.details import records_of
from accord.results.filters import STANDING_REVIEW_STATUSES
from accord.results.jobs import JobAccess
from accord.results.schemas import ResultOut

Side = Literal["left", "right"]

_HOLDERS = {
    side: text(
        f"""
        SELECT r.id, r.ordinal, r.match_status, r.review_status, r.{side}_ids, r.{side}_records
        FROM reconciliation_results r
        WHERE r.job_id = :job_id AND r.{side}_ids ?| CAST(:ids AS text[])
        ORDER BY r.id
        """  # noqa: S608 - `side` is one of two constants, never user input
    )
    for side in ("left", "right")
}


def _as_text(value: Any) -> str:
    """A record's id as `->>` shows a JSON value: text as it is, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


@dataclass
class SideRecords:
    """Requested records of one side: their fields, and the left-over rows that hold them."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    leftover_rows: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    held_by: dict[str, list[int]] = field(default_factory=dict)  # standing matches


def id_field(job: JobAccess, side: Side) -> str:
    return str(job.rules[side]["id"])


def amount_field(job: JobAccess, side: Side) -> str | None:
    amount = job.rules[side].get("amount")
    return str(amount) if amount else None


async def find_records(
    db: AsyncSession, job: JobAccess, side: Side, ids: Sequence[str], ignore_result: int | None
) -> SideRecords:
    found = SideRecords()
    wanted = set(ids)
    holders = list(await db.execute(_HOLDERS[side], {"job_id": job.job.id, "ids": list(ids)}))
    in_run = {i for row in holders if row.ordinal is not None for i in row[4] if i in wanted}
    records = await records_of(job.data_dir, job.job.results_dir, side, in_run)
    key = id_field(job, side)
    for result_id, ordinal, match_status, review_status, row_ids, own_records in holders:
        if ordinal is None:  # a row a reviewer added: its records are in the row
            held = {_as_text(r.get(key)): r for r in own_records or [] if isinstance(r, dict)}
        else:
            held = {i: records[i] for i in row_ids if i in wanted and i in records}
        for record_id, record in held.items():
            if record_id not in wanted:
                continue
            found.records.setdefault(record_id, record)
            if match_status is None:
                found.leftover_rows.setdefault(record_id, []).append((result_id, review_status))
            elif review_status in STANDING_REVIEW_STATUSES and result_id != ignore_result:
                found.held_by.setdefault(record_id, []).append(result_id)
    return found


async def free_records(
    db: AsyncSession,
    job: JobAccess,
    side: Side,
    ids: Sequence[str],
    ignore_result: int | None = None,
) -> SideRecords:
    """The records `ids` of `side`, refusing ids the job lacks or that a standing match holds."""
    found = await find_records(db, job, side, ids, ignore_result)
    missing = [i for i in ids if i not in found.records]
    if missing:
        raise UnprocessableEntity(
            f"Not records of this job's {side} data set: {', '.join(missing[:20])}.",
            side=side,
            missing_ids=missing,
        )
    if found.held_by:
        held = {i: found.held_by[i] for i in ids if i in found.held_by}
        raise Conflict(
            f"Already matched on the {side} side: {', '.join(list(held)[:20])}; "
            "unmatch or reject those matches first.",
            side=side,
            held_by=held,
        )
    return found


def amount_total(records: Sequence[dict[str, Any]], amount: str | None) -> Decimal | None:
    """The records' amount total, as the worker computes a result's amount (None without one)."""
    if amount is None:
        return None
    total = Decimal(0)
    for record in records:
        try:
            total += Decimal(str(record[amount]))
        except (KeyError, InvalidOperation):
            return None
    return total


def search_text(records: Sequence[dict[str, Any]]) -> str:
    """Lower-cased text fields of the records, as the listing's text search reads them."""
    return " ".join(str(v).lower() for r in records for v in r.values() if isinstance(v, str))


async def shown(job: JobAccess, row: ReconciliationResult) -> ResultOut:
    """The result as the API shows it, details included."""
    return ResultOut.of(row, (await job.details([row]))[row.id])
