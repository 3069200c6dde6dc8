"""The filter every results endpoint shares: listing, bulk review and export take the same query.

Each parameter narrows the job's results; list parameters (`kind`, `pass`, `match_status`,
`review_status`) may repeat and match any of their values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import Depends, Query
from sqlalchemy import ColumnElement, and_, literal_column, or_

from accord.db.models import ReconciliationResult as Result

ResultKind = Literal[
    "matched",
    "matched_with_differences",
    "one_to_many",
    "many_to_one",
    "many_to_many",
    "ambiguous",
    "unmatched_left",
    "unmatched_right",
    "duplicate",
]
MatchStatus = Literal["auto", "suggested", "manual"]
ReviewStatus = Literal["pending", "confirmed", "rejected", "manual", "unmatched"]
# A match still stands while nobody refused it; its records are not free for a manual match.
STANDING_REVIEW_STATUSES = ("pending", "confirmed", "manual")


@dataclass(frozen=True)
class ResultFilter:
    kind: list[ResultKind] | None = None
    pass_name: list[str] | None = None
    match_status: list[MatchStatus] | None = None
    review_status: list[ReviewStatus] | None = None
    score_min: float | None = None
    score_max: float | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    q: str | None = None
    exceptions: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The filter's set parameters, as the audit trail records them."""
        return {k: v for k, v in asdict(self).items() if v not in (None, False, [])}


def _literal(value: str) -> ColumnElement[str]:
    return literal_column(f"'{value}'")  # our own constants only


def exceptions_clause() -> ColumnElement[bool]:
    """Results that still need a person: open left-overs and suggestions awaiting review.

    Each job's partition indexes exactly these (jobs/partition.py `EXCEPTIONS`); the values
    are written into the query, not bound, so that PostgreSQL sees the query implies the
    index's predicate whatever plan it keeps for a prepared statement.
    """
    return or_(
        and_(Result.match_status.is_(None), Result.review_status != _literal("manual")),
        and_(
            Result.match_status == _literal("suggested"),
            Result.review_status == _literal("pending"),
        ),
    )


def filter_clauses(
    where: ResultFilter, in_run: ColumnElement[bool] | None = None
) -> list[ColumnElement[bool]]:
    """The filter as SQL; `in_run` answers `q` for results whose text is in the run's files
    (results/search.py), so only rows without an ordinal are searched in `search_text`."""
    clauses: list[ColumnElement[bool]] = []
    if where.kind:
        clauses.append(Result.kind.in_(where.kind))
    if where.pass_name:
        clauses.append(Result.pass_name.in_(where.pass_name))
    if where.match_status:
        clauses.append(Result.match_status.in_(where.match_status))
    if where.review_status:
        clauses.append(Result.review_status.in_(where.review_status))
    if where.score_min is not None:
        clauses.append(Result.score >= where.score_min)
    if where.score_max is not None:
        clauses.append(Result.score <= where.score_max)
    if where.amount_min is not None:
        clauses.append(Result.amount >= where.amount_min)
    if where.amount_max is not None:
        clauses.append(Result.amount <= where.amount_max)
    if where.q:
        # search_text is stored lower-cased, so a lower-cased LIKE is a case-insensitive search.
        in_text = Result.search_text.contains(where.q.lower(), autoescape=True)
        if in_run is None:
            clauses.append(in_text)
        else:
            clauses.append(or_(in_run, and_(Result.ordinal.is_(None), in_text)))
    if where.exceptions:
        clauses.append(exceptions_clause())
    return clauses


# Bounds beyond what NUMERIC holds (1e999999) would overflow the query: refused here.
_AMOUNT = {"max_digits": 30, "decimal_places": 10, "allow_inf_nan": False}


def result_filter(
    kind: Annotated[list[ResultKind] | None, Query(description="any of these kinds")] = None,
    pass_name: Annotated[
        list[str] | None, Query(alias="pass", description="any of these pass names")
    ] = None,
    match_status: Annotated[list[MatchStatus] | None, Query()] = None,
    review_status: Annotated[list[ReviewStatus] | None, Query()] = None,
    score_min: Annotated[float | None, Query(ge=0, le=1)] = None,
    score_max: Annotated[float | None, Query(ge=0, le=1)] = None,
    amount_min: Annotated[Decimal | None, Query(**_AMOUNT)] = None,
    amount_max: Annotated[Decimal | None, Query(**_AMOUNT)] = None,
    q: Annotated[
        str | None,
        # PostgreSQL text cannot hold NUL: refused here rather than failing the query.
        Query(
            min_length=1, max_length=200, pattern=r"^[^\x00]*$", description="text in either side"
        ),
    ] = None,
    exceptions: Annotated[
        bool, Query(description="only open left-overs and suggestions awaiting review")
    ] = False,
) -> ResultFilter:
    return ResultFilter(
        kind=kind,
        pass_name=pass_name,
        match_status=match_status,
        review_status=review_status,
        score_min=score_min,
        score_max=score_max,
        amount_min=amount_min,
        amount_max=amount_max,
        q=q,
        exceptions=exceptions,
    )


ResultFilterDep = Annotated[ResultFilter, Depends(result_filter)]
