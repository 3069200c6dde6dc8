"""Reviewing over HTTP: each decision changes the results, is stored for re-runs and audited."""

from __future__ import annotations

import uuid
from typing import Any

import psycopg
import pytest

from tests.auth.support import assert_problem
from tests.results.support import World, db_rows, expected_summary, summary_figures


def _decisions(world: World) -> list[dict[str, Any]]:
    with (
        psycopg.connect(world.db_url) as conn,
        conn.cursor(row_factory=psycopg.rows.dict_row) as cur,
    ):
        return cur.execute(
            "SELECT d.*, u.email FROM review_decisions d JOIN users u ON u.id = d.decided_by "
            "ORDER BY decided_at"
        ).fetchall()


def _audit(world: World) -> list[dict[str, Any]]:
    page = world.client.get(
        f"/projects/{world.seeded.project_id}/audit",
        params={"action": "review.", "limit": 200},
        headers=world.headers["owner"],
    )
    assert page.status_code == 200, page.text
    events: list[dict[str, Any]] = page.json()["items"]
    return events


def _event(world: World, event_id: int) -> dict[str, Any]:
    return next(e for e in _audit(world) if e["id"] == event_id)


def _pending_suggestions(world: World, count: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = world.get(
        "/results", match_status="suggested", review_status="pending", limit=count
    )["items"]
    assert len(items) == count
    return items


def _free_pair(world: World) -> tuple[str, str]:
    left = world.get("/results", kind="unmatched_left", review_status="pending")["items"][0]
    right = world.get("/results", kind="unmatched_right", review_status="pending")["items"][0]
    return left["left_ids"][0], right["right_ids"][0]


def test_decisions_are_applied_stored_audited_and_kept_by_a_rerun(world: World) -> None:
    confirmed, rejected = _pending_suggestions(world, 2)
    left_id, right_id = _free_pair(world)

    out = world.post(f"/results/{confirmed['id']}/confirm", {"note": "same day, same amount"})
    assert out["result"]["review_status"] == "confirmed"
    assert out["result"]["review_note"] == "same day, same amount"
    out = world.post(f"/results/{rejected['id']}/reject", {"note": "a different invoice"})
    assert out["result"]["review_status"] == "rejected"
    manual = world.post(
        "/manual-matches", {"left_ids": [left_id], "right_ids": [right_id], "note": "per email"}
    )
    match = manual["result"]
    assert (match["kind"], match["match_status"], match["review_status"]) == (
        "matched",
        "manual",
        "manual",
    )
    assert match["left_records"][0]["id"] == left_id
    assert match["right_records"][0]["id"] == right_id
    assert match["explanation"][0]["condition"] == "manual"

    # The left-overs a manual match settles stay listed, marked 'manual', out of the exceptions.
    settled = [r for r in db_rows(world.db_url, world.job_id) if r["match_status"] is None]
    assert {r["review_status"] for r in settled if left_id in r["left_ids"]} == {"manual"}
    assert {r["review_status"] for r in settled if right_id in r["right_ids"]} == {"manual"}
    exceptions = {r["id"] for r in world.all_results(exceptions="true", limit=500)}
    assert not any(r["id"] in exceptions for r in settled if left_id in r["left_ids"])

    decisions = {
        (d["action"], tuple(d["left_ids"]), tuple(d["right_ids"])): d for d in _decisions(world)
    }
    for action, row, note in (
        ("confirm", confirmed, "same day, same amount"),
        ("reject", rejected, "a different invoice"),
        ("manual_match", {"left_ids": [left_id], "right_ids": [right_id]}, "per email"),
    ):
        decision = decisions[(action, tuple(row["left_ids"]), tuple(row["right_ids"]))]
        assert decision["note"] == note
        assert decision["email"] == "analyst@example.com"
        assert decision["job_id"] == world.job_id
        assert decision["ruleset_id"] == world.seeded.ruleset_id
        assert decision["superseded_at"] is None
    events = {e["object_id"]: e for e in _audit(world)}
    for action, result_id, note in (
        ("review.confirm", confirmed["id"], "same day, same amount"),
        ("review.reject", rejected["id"], "a different invoice"),
        ("review.manual_match", match["id"], "per email"),
    ):
        event = events[str(result_id)]
        assert event["action"] == action
        assert event["actor_email"] == "analyst@example.com"
        assert event["after"]["note"] == note
        assert event["occurred_at"]

    rerun = world.run_again()
    again = {(tuple(r["left_ids"]), tuple(r["right_ids"])): r for r in db_rows(world.db_url, rerun)}
    assert (
        again[(tuple(confirmed["left_ids"]), tuple(confirmed["right_ids"]))]["review_status"]
        == "confirmed"
    )
    assert (
        again[(tuple(rejected["left_ids"]), tuple(rejected["right_ids"]))]["review_status"]
        == "rejected"
    )
    kept = again[((left_id,), (right_id,))]
    assert (kept["match_status"], kept["review_status"], kept["review_note"]) == (
        "manual",
        "manual",
        "per email",
    )
    left_overs = [r for r in again.values() if r["match_status"] is None]
    assert not any(left_id in r["left_ids"] or right_id in r["right_ids"] for r in left_overs)


def test_unmatching_returns_records_to_the_exceptions_and_retires_a_manual_match(
    world: World,
) -> None:
    auto = world.get("/results", match_status="auto", review_status="pending", limit=1)["items"][0]
    out = world.post(f"/results/{auto['id']}/unmatch", {"note": "fee booked separately"})
    assert out["result"]["review_status"] == "unmatched"
    (left_id,), (right_id,) = auto["left_ids"], auto["right_ids"]
    released = world.all_results(q=left_id.lower(), exceptions="true")
    assert [(r["kind"], r["reason"]) for r in released] == [
        ("unmatched_left", "unmatched_by_reviewer")
    ]
    assert released[0]["left_records"] == auto["left_records"]

    # The released records are free: match them by hand, then undo that too.
    manual = world.post(
        "/manual-matches", {"left_ids": [left_id], "right_ids": [right_id], "note": "after all"}
    )["result"]
    assert world.all_results(q=left_id.lower(), exceptions="true") == []
    undone = world.post(f"/results/{manual['id']}/unmatch", {"note": "no, really not"})
    assert undone["result"]["review_status"] == "unmatched"
    reopened = world.all_results(q=right_id.lower(), exceptions="true")
    assert [r["kind"] for r in reopened] == ["unmatched_right"]

    ours = [
        d for d in _decisions(world) if d["left_ids"] == [left_id] and d["right_ids"] == [right_id]
    ]
    assert [(d["action"], d["superseded_at"] is None) for d in ours] == [
        ("unmatch", False),
        ("manual_match", False),
        ("unmatch", True),
    ]
    assert _event(world, undone["audit_event_id"])["action"] == "review.unmatch"


def test_manual_matches_need_free_known_records_and_a_note(world: World) -> None:
    auto = world.get("/results", match_status="auto", review_status="pending", limit=1)["items"][0]
    left_id, right_id = _free_pair(world)
    headers = world.headers["analyst"]
    url = world.url("/manual-matches")
    taken = {"left_ids": [left_id], "right_ids": auto["right_ids"], "note": "x"}
    body = assert_problem(world.client.post(url, json=taken, headers=headers), 409)
    assert body["held_by"] == {auto["right_ids"][0]: [auto["id"]]}
    unknown = {"left_ids": ["NOPE"], "right_ids": [right_id], "note": "x"}
    body = assert_problem(world.client.post(url, json=unknown, headers=headers), 422)
    assert body["missing_ids"] == ["NOPE"]
    no_note = {"left_ids": [left_id], "right_ids": [right_id]}
    assert_problem(world.client.post(url, json=no_note, headers=headers), 422)
    twice = {"left_ids": [left_id, left_id], "right_ids": [right_id], "note": "x"}
    assert_problem(world.client.post(url, json=twice, headers=headers), 422)
    # Only suggestions are confirmed; unknown and other jobs' result ids are 404.
    assert_problem(
        world.client.post(world.url(f"/results/{auto['id']}/confirm"), headers=headers), 409
    )
    assert_problem(world.client.post(world.url("/results/999999999/reject"), headers=headers), 404)


def test_bulk_confirm_decides_every_pending_suggestion_the_filter_selects(world: World) -> None:
    selected = world.all_results(match_status="suggested", review_status="pending", amount_max=2000)
    assert len(selected) > 2
    out = world.post(
        "/review/bulk",
        {"action": "confirm", "note": "small amounts, same day"},
        amount_max=2000,
    )
    assert out["decided"] == len(selected)
    rows = {r["id"]: r for r in db_rows(world.db_url, world.job_id)}
    assert {rows[r["id"]]["review_status"] for r in selected} == {"confirmed"}
    live = [
        d
        for d in _decisions(world)
        if d["action"] == "confirm" and d["superseded_at"] is None and d["note"].startswith("small")
    ]
    assert sorted((d["left_ids"], d["right_ids"]) for d in live) == sorted(
        (r["left_ids"], r["right_ids"]) for r in selected
    )
    event = _event(world, out["audit_event_id"])
    assert event["action"] == "review.bulk_confirm"
    assert event["after"]["decided"] == len(selected)
    assert event["after"]["filter"] == {"amount_max": "2000"}
    # Nothing is left for the same filter: a second bulk action decides nothing.
    assert world.post("/review/bulk", {"action": "reject"}, amount_max=2000)["decided"] == 0


def test_notes_are_kept_and_audited(world: World) -> None:
    result = world.get("/results", kind="unmatched_left", limit=1)["items"][0]
    out = world.client.put(
        world.url(f"/results/{result['id']}/note"),
        json={"note": "asked the bank"},
        headers=world.headers["analyst"],
    )
    assert out.status_code == 200, out.text
    assert out.json()["result"]["review_note"] == "asked the bank"
    assert out.json()["decision_id"] is None
    event = _event(world, out.json()["audit_event_id"])
    assert (event["action"], event["after"]["note"]) == ("review.note", "asked the bank")


def test_a_rejected_suggestion_is_not_confirmed_once_its_records_are_taken(world: World) -> None:
    (suggestion,) = _pending_suggestions(world, 1)
    world.post(f"/results/{suggestion['id']}/reject", {"note": "not this one"})
    _, right_id = _free_pair(world)
    manual = world.post(
        "/manual-matches",
        {"left_ids": suggestion["left_ids"], "right_ids": [right_id], "note": "this one"},
    )["result"]
    response = world.client.post(
        world.url(f"/results/{suggestion['id']}/confirm"), headers=world.headers["analyst"]
    )
    body = assert_problem(response, 409)
    assert body["held_by"] == {suggestion["left_ids"][0]: [manual["id"]]}


def test_unmatching_a_carried_over_manual_match_ends_it_in_later_runs(world: World) -> None:
    left_id, right_id = _free_pair(world)
    pair = {"left_ids": [left_id], "right_ids": [right_id], "note": "carried over"}
    world.post("/manual-matches", pair)
    rerun = world.run_again()
    carried = next(
        r
        for r in db_rows(world.db_url, rerun)
        if r["match_status"] == "manual" and r["left_ids"] == [left_id]
    )
    response = world.client.post(
        world.url(f"/results/{carried['id']}/unmatch", job_id=rerun),
        json={"note": "wrong after all"},
        headers=world.headers["analyst"],
    )
    assert response.status_code == 200, response.text
    # The re-run had no left-overs for these records (the worker kept them from the engine):
    # unmatching adds them, so they are listed with the exceptions of that run.
    released = [
        (r["kind"], r["reason"], r["review_status"])
        for r in db_rows(world.db_url, rerun)
        if r["match_status"] is None and (left_id in r["left_ids"] or right_id in r["right_ids"])
    ]
    assert sorted(released) == [
        ("unmatched_left", "unmatched_by_reviewer", "pending"),
        ("unmatched_right", "unmatched_by_reviewer", "pending"),
    ]
    later = db_rows(world.db_url, world.run_again())
    holding = [r for r in later if left_id in r["left_ids"]]
    assert [(r["kind"], r["match_status"]) for r in holding] == [("unmatched_left", None)]


REVIEW_CALLS = [
    ("POST", "/results/{id}/confirm", None),
    ("POST", "/results/{id}/reject", {"note": "x"}),
    ("POST", "/results/{id}/unmatch", None),
    ("PUT", "/results/{id}/note", {"note": "x"}),
    ("POST", "/manual-matches", {"left_ids": ["a"], "right_ids": ["b"], "note": "x"}),
    ("POST", "/review/bulk", {"action": "confirm"}),
]


@pytest.mark.parametrize(("method", "path", "body"), REVIEW_CALLS)
def test_viewers_may_not_review_and_non_members_do_not_see_the_job(
    world: World, method: str, path: str, body: Any
) -> None:
    suggestion = world.get("/results", match_status="suggested", limit=1)["items"][0]
    url = world.url(path.format(id=suggestion["id"]))
    for who, status in (("viewer", 403), ("outsider", 404)):
        response = world.client.request(method, url, json=body, headers=world.headers[who])
        assert_problem(response, status)
    missing_job = world.url(path.format(id=suggestion["id"]), job_id=uuid.uuid4())
    response = world.client.request(method, missing_job, json=body, headers=world.headers["owner"])
    assert_problem(response, 404)
    after = next(r for r in db_rows(world.db_url, world.job_id) if r["id"] == suggestion["id"])
    assert (after["review_status"], after["review_note"]) == (
        suggestion["review_status"],
        suggestion["review_note"],
    )


def test_the_summary_follows_the_decisions(world: World) -> None:
    # By now this module's tests have confirmed, rejected, matched by hand and unmatched.
    rows = db_rows(world.db_url, world.job_id)
    assert {r["review_status"] for r in rows} >= {"confirmed", "rejected", "manual", "unmatched"}
    assert summary_figures(world.get("/summary")) == expected_summary(rows, records=300)
