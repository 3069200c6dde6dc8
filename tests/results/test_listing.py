"""Listing a job's results over HTTP: filters, sorts and cursor pages, checked against the rows."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from tests.auth.support import assert_problem
from tests.jobs.seed import queue_job
from tests.results.support import World, db_rows, stored_rows


def _sort_key(sort: str, descending: bool) -> Any:
    # Results without a value to sort on come last in either direction, in id order.
    def key(row: dict[str, Any]) -> tuple[int, Any, int]:
        value = row[sort]
        if value is None:
            return (1, 0, -row["id"] if descending else row["id"])
        number = Decimal(str(value))
        return (0, -number if descending else number, -row["id"] if descending else row["id"])

    return key


@pytest.mark.parametrize("sort", ["id", "score", "amount"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_walking_the_cursor_gives_every_result_once_in_order(
    world: World, sort: str, order: str
) -> None:
    rows = db_rows(world.db_url, world.job_id)
    expected = sorted(rows, key=_sort_key(sort, order == "desc"))
    walked = world.all_results(sort=sort, order=order, limit=7)
    assert [r["id"] for r in walked] == [r["id"] for r in expected]
    assert len({r["id"] for r in walked}) == len(rows) > 300


def _text(row: dict[str, Any]) -> str:
    """The result's searchable text: its records' text fields, lower-cased."""
    records = row["left_records"] + row["right_records"]
    return " ".join(v.lower() for r in records for v in r.values() if isinstance(v, str))


def test_filters_narrow_to_exactly_the_matching_rows(world: World) -> None:
    rows = stored_rows(world)
    some_left_id = next(r for r in rows if r["kind"] == "unmatched_left")["left_ids"][0]
    cases: list[tuple[dict[str, Any], Any]] = [
        ({"kind": ["unmatched_left", "unmatched_right"]}, lambda r: r["kind"].startswith("unm")),
        ({"pass": "amount_date"}, lambda r: r["pass_name"] == "amount_date"),
        ({"match_status": "suggested"}, lambda r: r["match_status"] == "suggested"),
        ({"review_status": "pending"}, lambda r: r["review_status"] == "pending"),
        (
            {"score_min": 0.8, "score_max": 0.9},
            lambda r: r["score"] is not None and 0.8 <= r["score"] <= 0.9,
        ),
        (
            {"amount_min": "100", "amount_max": "2000.5"},
            lambda r: r["amount"] is not None and 100 <= r["amount"] <= Decimal("2000.5"),
        ),
        ({"q": some_left_id.upper()}, lambda r: some_left_id in r["left_ids"]),
        ({"q": "HYPERLINK"}, lambda r: "hyperlink" in _text(r)),
        (
            {"kind": "matched", "match_status": "auto", "amount_min": "1000"},
            lambda r: (
                r["kind"] == "matched" and r["match_status"] == "auto" and r["amount"] >= 1000
            ),
        ),
        (
            {"exceptions": "true"},
            lambda r: (
                (r["match_status"] is None and r["review_status"] != "manual")
                or (r["match_status"] == "suggested" and r["review_status"] == "pending")
            ),
        ),
    ]
    for params, wanted in cases:
        got = [r["id"] for r in world.all_results(limit=50, **params)]
        expected = [r["id"] for r in rows if wanted(r)]
        assert got == expected, params
        assert expected, f"the seeded data should exercise {params}"


def test_each_result_carries_both_records_the_explanation_and_the_reasons(world: World) -> None:
    differing = world.get("/results", kind="matched_with_differences", limit=1)["items"][0]
    assert differing["left_records"][0]["id"] == differing["left_ids"][0]
    assert differing["right_records"][0]["id"] == differing["right_ids"][0]
    assert {e["condition"] for e in differing["explanation"]} == {
        "equal:reference~doc_ref",
        "tolerance:amount~amount",
    }
    assert differing["differences"][0]["field"] == "amount~amount"
    assert differing["match_status"] == "auto"
    assert Decimal(differing["amount"]) == Decimal(str(differing["left_records"][0]["amount"]))
    left_over = world.get("/results", kind="unmatched_left", limit=1)["items"][0]
    assert left_over["reason"] == "no_candidate"
    assert left_over["reason_detail"]
    assert left_over["candidates"] == []
    assert left_over["right_records"] == []


def test_bad_cursors_and_limits_are_refused(world: World) -> None:
    by_score = world.get("/results", sort="score", limit=5)["next_cursor"]
    headers = world.headers["analyst"]
    wrong_sort = {"sort": "amount", "cursor": by_score}
    assert_problem(world.client.get(world.url("/results"), params=wrong_sort, headers=headers), 400)
    garbage = {"cursor": "not-a-cursor"}
    assert_problem(world.client.get(world.url("/results"), params=garbage, headers=headers), 400)
    too_many = {"limit": 1001}
    assert_problem(world.client.get(world.url("/results"), params=too_many, headers=headers), 422)
    bad_kind = {"kind": "nearly"}
    assert_problem(world.client.get(world.url("/results"), params=bad_kind, headers=headers), 422)


def test_only_members_see_results_and_only_of_their_projects_jobs(world: World) -> None:
    assert world.get("/results", who="viewer", limit=1)["items"]
    assert world.get("/summary", who="viewer")["results"] > 0
    client, outsider = world.client, world.headers["outsider"]
    for path in ("/results", "/summary", "/export"):
        assert_problem(client.get(world.url(path), headers=outsider), 404)
    # The outsider's own project cannot reach the job either: ids do not cross projects.
    own = client.post("/projects", json={"name": "Mine"}, headers=outsider).json()["id"]
    for job_id in (world.job_id, uuid.uuid4()):
        path = f"/projects/{own}/jobs/{job_id}/results"
        assert_problem(client.get(path, headers=outsider), 404)


def test_a_job_that_has_not_succeeded_shows_no_results(world: World) -> None:
    queued = queue_job(world.db_url, world.seeded)
    with psycopg.connect(world.db_url, autocommit=True) as conn:
        conn.execute("UPDATE reconciliation_jobs SET status = 'running' WHERE id = %s", (queued,))
    headers = world.headers["analyst"]
    for path in ("/results", "/summary", "/export"):
        body = assert_problem(world.client.get(world.url(path, queued), headers=headers), 409)
        assert body["job_status"] == "running"


def test_filters_the_database_cannot_hold_are_refused_not_failed(world: World) -> None:
    headers = world.headers["analyst"]
    for params in ({"q": "ref\x00"}, {"amount_min": "1e999999"}, {"amount_max": "1e-999999"}):
        for path in ("/results", "/export"):
            response = world.client.get(world.url(path), params=params, headers=headers)
            assert_problem(response, 422)
    # Ordinary decimals and text still filter.
    assert world.get("/results", amount_min="-12.5", amount_max="1E+3", q="%_'")["items"] == []
