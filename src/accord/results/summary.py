"""A job's summary: SQL aggregates over its stored results, folded into the figures people read.

One GROUP BY over the job's rows gives counts, amount and record totals per combination of
kind, match status, pass, review status and side (a few dozen groups at most); every figure
of the summary is a sum over some of those groups, so the job's rows are read once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from accord.db.models import Dataset
from accord.db.models import ReconciliationResult as Result
from accord.results.filters import STANDING_REVIEW_STATUSES
from accord.results.jobs import JobAccess
from accord.results.schemas import JobSummary, Leftovers, SideLeftovers, SideRates, Totals


@dataclass(frozen=True)
class _Group:
    kind: str
    match_status: str | None
    pass_name: str | None
    review_status: str
    has_left: bool
    results: int
    amount: Decimal
    left_records: int
    right_records: int

    @property
    def standing(self) -> bool:
        return self.match_status is not None and self.review_status in STANDING_REVIEW_STATUSES


async def _groups(db: AsyncSession, job: JobAccess) -> list[_Group]:
    left_len = func.jsonb_array_length(Result.left_ids)
    right_len = func.jsonb_array_length(Result.right_ids)
    has_left = (left_len > 0).label("has_left")
    query = (
        select(
            Result.kind,
            Result.match_status,
            Result.pass_name,
            Result.review_status,
            has_left,
            func.count(),
            func.coalesce(func.sum(Result.amount), 0),
            func.coalesce(func.sum(left_len), 0),
            func.coalesce(func.sum(right_len), 0),
        )
        .where(Result.job_id == job.job.id)
        .group_by(
            Result.kind, Result.match_status, Result.pass_name, Result.review_status, has_left
        )
    )
    return [
        _Group(
            kind, status, pass_name, review, bool(left), int(n), Decimal(amount), int(lr), int(rr)
        )
        for kind, status, pass_name, review, left, n, amount, lr, rr in (await db.execute(query))
    ]


def _add(totals: dict[str, Totals], key: str, group: _Group) -> None:
    into = totals.setdefault(key, Totals())
    into.results += group.results
    into.amount += group.amount
    into.left_records += group.left_records
    into.right_records += group.right_records


async def _side_records(db: AsyncSession, job: JobAccess) -> dict[str, int]:
    """Records per side: the data sets' row counts, or the engine's figures if those are unset."""
    engine = job.job.summary or {}
    counts: dict[str, int] = {}
    for side, dataset_id in (
        ("left", job.job.left_dataset_id),
        ("right", job.job.right_dataset_id),
    ):
        rows = await db.scalar(select(Dataset.row_count).where(Dataset.id == dataset_id))
        counts[side] = int(rows if rows is not None else engine.get(side, {}).get("records", 0))
    return counts


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0


async def job_summary(db: AsyncSession, job: JobAccess) -> JobSummary:
    groups = await _groups(db, job)
    records = await _side_records(db, job)
    by_kind: dict[str, Totals] = {}
    by_pass: dict[str, Totals] = {}
    by_match_status: dict[str, Totals] = {}
    by_review_status: dict[str, int] = {}
    auto = {"left": 0, "right": 0}
    standing = {"left": 0, "right": 0}
    unmatched = {"left": Leftovers(), "right": Leftovers()}
    for group in groups:
        _add(by_kind, group.kind, group)
        if group.match_status is None:
            if group.review_status != "manual":  # left-overs a manual match settled are closed
                side = "left" if group.has_left else "right"
                unmatched[side].records += group.left_records or group.right_records
                unmatched[side].amount += group.amount
            continue
        _add(by_match_status, group.match_status, group)
        by_review_status[group.review_status] = (
            by_review_status.get(group.review_status, 0) + group.results
        )
        if group.pass_name is not None and group.match_status != "manual":
            _add(by_pass, group.pass_name, group)
        if group.standing:
            standing["left"] += group.left_records
            standing["right"] += group.right_records
            if group.match_status == "auto":
                auto["left"] += group.left_records
                auto["right"] += group.right_records
    return JobSummary(
        job_id=job.job.id,
        results=sum(g.results for g in groups),
        records=records,
        by_kind=by_kind,
        by_pass=by_pass,
        by_match_status=by_match_status,
        by_review_status=by_review_status,
        auto_match_rate=SideRates(
            left=_rate(auto["left"], records["left"]), right=_rate(auto["right"], records["right"])
        ),
        match_rate=SideRates(
            left=_rate(standing["left"], records["left"]),
            right=_rate(standing["right"], records["right"]),
        ),
        unmatched=SideLeftovers(left=unmatched["left"], right=unmatched["right"]),
        suggestions_to_review=sum(
            g.results
            for g in groups
            if g.match_status == "suggested" and g.review_status == "pending"
        ),
        engine=job.job.summary,
    )
