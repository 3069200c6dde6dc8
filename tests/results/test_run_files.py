"""Results read back from the run's files; a run whose files are gone says so, as a problem."""

from __future__ import annotations

import shutil

import psycopg

from tests.auth.support import assert_problem
from tests.results.support import World, db_rows, run_dir


def test_details_shown_come_from_the_run_files_not_the_rows(world: World) -> None:
    rows = {r["id"]: r for r in db_rows(world.db_url, world.job_id)}
    shown = world.all_results(kind="matched", limit=500)
    assert shown
    for result in shown:
        row = rows[result["id"]]
        assert row["ordinal"] is not None
        assert row["left_records"] is None  # nothing heavy stored in the database
        assert [r["id"] for r in result["left_records"]] == sorted(result["left_ids"])
        assert [r["id"] for r in result["right_records"]] == sorted(result["right_ids"])
        conditions = {e["condition"] for e in result["explanation"]}
        assert conditions
        assert all(e["outcome"] for e in result["explanation"])
        if result["pass_name"] == "reference":
            assert "equal:reference~doc_ref" in conditions


def test_a_job_whose_run_files_are_gone_answers_with_a_problem(world: World) -> None:
    job_id = world.run_again()
    folder = run_dir(world, job_id)
    (folder / "left.parquet").write_bytes(b"not parquet")  # damaged
    headers = world.headers["analyst"]
    for path in ("/results", "/export", "/results?q=inv"):
        response = world.client.get(world.url(path, job_id), headers=headers)
        body = assert_problem(response, 500)
        assert body["type"].endswith("results-file-unavailable")
        assert "Run the job again" in body["detail"]
        assert "Traceback" not in response.text
    shutil.rmtree(folder)  # gone
    response = world.client.get(world.url("/results", job_id), headers=headers)
    assert_problem(response, 500)
    summary = world.client.get(world.url("/summary", job_id), headers=headers)
    assert summary.status_code == 200  # the figures are all in the database


def test_a_kept_manual_match_whose_records_left_the_data_sets_still_lists(world: World) -> None:
    """A data set read again with another mapping may lose the ids a reviewer matched; the
    re-run keeps the decision, and its results must still list and export."""
    seeded = world.seeded
    with psycopg.connect(world.db_url) as conn:
        decision = conn.execute(
            "INSERT INTO review_decisions (id, project_id, left_dataset_id, right_dataset_id, "
            "ruleset_id, action, left_ids, right_ids, note) VALUES (gen_random_uuid(), %s, %s, "
            "%s, %s, 'manual_match', '[\"GONE-L\"]', '[\"GONE-R\"]', 'before the re-map') "
            "RETURNING id",
            (seeded.project_id, seeded.left_id, seeded.right_id, seeded.ruleset_id),
        ).fetchone()
    assert decision is not None
    try:
        job_id = world.run_again()
        headers = world.headers["analyst"]
        response = world.client.get(
            world.url("/results", job_id), params={"match_status": "manual"}, headers=headers
        )
        assert response.status_code == 200, response.text
        [manual] = response.json()["items"]
        assert (manual["left_ids"], manual["left_records"]) == (["GONE-L"], [])
        assert (manual["right_ids"], manual["right_records"]) == (["GONE-R"], [])
        export = world.client.get(world.url("/export", job_id), headers=headers)
        assert export.status_code == 200, export.text
        assert "GONE-L" in export.text
        again = world.client.post(
            world.url("/manual-matches", job_id),
            json={"left_ids": ["GONE-L"], "right_ids": [manual["right_ids"][0]], "note": "x"},
            headers=headers,
        )
        assert assert_problem(again, 422)["missing_ids"] == ["GONE-L"]
        undone = world.client.post(
            world.url(f"/results/{manual['id']}/unmatch", job_id), headers=headers
        )
        assert undone.status_code == 200, undone.text
    finally:
        with psycopg.connect(world.db_url) as conn:
            conn.execute(
                "UPDATE review_decisions SET superseded_at = now() WHERE id = %s", (decision[0],)
            )
