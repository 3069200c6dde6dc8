"""Results read back from the run's files; a run whose files are gone says so, as a problem."""

from __future__ import annotations

import shutil

import psycopg

from tests.auth.support import assert_problem
from tests.results.support import World, db_rows


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
    with psycopg.connect(world.db_url) as conn:
        found = conn.execute(
            "SELECT results_dir FROM reconciliation_jobs WHERE id = %s", (job_id,)
        ).fetchone()
    assert found is not None
    run_dir = world.data_dir / found[0]
    (run_dir / "left.parquet").write_bytes(b"not parquet")  # damaged
    headers = world.headers["analyst"]
    for path in ("/results", "/export", "/results?q=inv"):
        response = world.client.get(world.url(path, job_id), headers=headers)
        body = assert_problem(response, 500)
        assert body["type"].endswith("results-file-unavailable")
        assert "Run the job again" in body["detail"]
        assert "Traceback" not in response.text
    shutil.rmtree(run_dir)  # gone
    response = world.client.get(world.url("/results", job_id), headers=headers)
    assert_problem(response, 500)
    summary = world.client.get(world.url("/summary", job_id), headers=headers)
    assert summary.status_code == 200  # the figures are all in the database
