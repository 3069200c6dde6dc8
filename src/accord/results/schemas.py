"""Results and the summary as the API shows them."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from accord.db.models import ReconciliationResult
from accord.jobs.compact import expand_explanation
from accord.results.details import ResultDetails


class ResultOut(BaseModel):
    id: int
    kind: str
    match_status: str | None = Field(description="auto, suggested or manual; null on left-overs")
    pass_name: str | None
    score: float | None
    amount: Decimal | None = Field(description="total of the left side's amounts")
    left_ids: list[str]
    right_ids: list[str]
    left_records: list[dict[str, Any]] = Field(description="the left records' fields")
    right_records: list[dict[str, Any]]
    explanation: list[dict[str, Any]] = Field(description="one entry per condition")
    differences: list[dict[str, Any]] | None
    reason: str | None = Field(description="why a left-over stayed unmatched")
    reason_detail: str | None
    candidates: list[str] = Field(description="ids of the near misses of a left-over")
    review_status: str
    review_note: str | None

    @classmethod
    def of(cls, row: ReconciliationResult, details: ResultDetails) -> ResultOut:
        detail = row.reason_detail if isinstance(row.reason_detail, dict) else {}
        return cls(
            id=row.id,
            kind=row.kind,
            match_status=row.match_status,
            pass_name=row.pass_name,
            score=row.score,
            amount=row.amount,
            left_ids=row.left_ids,
            right_ids=row.right_ids,
            left_records=details.left_records,
            right_records=details.right_records,
            explanation=expand_explanation(details.explanation),
            differences=details.differences,
            reason=row.reason,
            reason_detail=detail.get("detail"),
            candidates=[str(c) for c in detail.get("candidates") or []],
            review_status=row.review_status,
            review_note=row.review_note,
        )


class ResultPage(BaseModel):
    items: list[ResultOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null at end")


class Totals(BaseModel):
    results: int = 0
    amount: Decimal = Decimal(0)
    left_records: int = 0
    right_records: int = 0


class SideRates(BaseModel):
    left: float
    right: float


class Leftovers(BaseModel):
    records: int = 0
    amount: Decimal = Decimal(0)


class SideLeftovers(BaseModel):
    left: Leftovers
    right: Leftovers


class JobSummary(BaseModel):
    job_id: uuid.UUID
    results: int
    records: dict[str, int] = Field(description="records per side in the job's data sets")
    by_kind: dict[str, Totals]
    by_pass: dict[str, Totals] = Field(description="engine matches per pass")
    by_match_status: dict[str, Totals]
    by_review_status: dict[str, int] = Field(description="matches per review status")
    auto_match_rate: SideRates = Field(description="share of records in standing auto matches")
    match_rate: SideRates = Field(description="share of records in any standing match")
    unmatched: SideLeftovers = Field(description="open left-overs (not settled by hand)")
    suggestions_to_review: int
    engine: dict[str, Any] | None = Field(description="the engine's own summary of the run")
