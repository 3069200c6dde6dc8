"""Where a job's records stand: which result rows hold them, and whether they are free.

A record is free for a manual match when no standing match holds it: it is a left-over, or
its matches were all rejected or unmatched. Records are found by their id field (from the
rule set) inside the rows' stored records, so a manual match carries the records' fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from accord.errors import Conflict, UnprocessableEntity
from accord.results.filters import STANDING_REVIEW_STATUSES
from accord.results.jobs import JobAccess

Side = Literal["left", "right"]

_HOLDERS = {
    side: text(
        f"""
        SELECT rec ->> :id_field AS record_id, rec, r.id, r.match_status, r.review_status
        FROM reconciliation_results r
        CROSS JOIN LATERAL json_array_elements(r.{side}_records) AS rec
        WHERE r.job_id = :job_id AND r.{side}_ids ?| CAST(:ids AS text[])
          AND rec ->> :id_field = ANY(CAST(:ids AS text[]))
        ORDER BY r.id
        """  # noqa: S608 - `side` is one of two constants, never user input
    )
    for side in ("left", "right")
}


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
    params = {"id_field": id_field(job, side), "job_id": job.job.id, "ids": list(ids)}
    for record_id, record, result_id, match_status, review_status in await db.execute(
        _HOLDERS[side], params
    ):
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
