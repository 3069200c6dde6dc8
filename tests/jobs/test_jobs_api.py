"""Jobs over HTTP: queue, run by a worker, follow by SSE, cancel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accord.db.url import sqlalchemy_url
from accord.jobs.worker import Worker, WorkerConfig
from tests.auth.support import assert_problem
from tests.datasets.conftest import Owner
from tests.datasets.files import BANK_CSV, LEDGER_CSV
from tests.datasets.test_datasets_api import upload
from tests.rulesets.test_rulesets_api import create


def queue(owner: Owner) -> dict[str, object]:
    left = upload(owner, "bank.csv", BANK_CSV)
    right = upload(owner, "ledger.csv", LEDGER_CSV)
    ruleset = create(owner)
    response = owner.client.post(
        owner.url("/jobs"),
        json={
            "left_dataset_id": left["id"],
            "right_dataset_id": right["id"],
            "ruleset_id": ruleset["id"],
        },
        headers=owner.headers,
    )
    assert response.status_code == 202, response.text
    body: dict[str, object] = response.json()
    return body


def run_worker(clean_db: str, base_env: dict[str, str]) -> int:
    config = WorkerConfig(data_dir=Path(base_env["ACCORD_DATA_DIR"]), heartbeat_s=0.2)
    return Worker(sqlalchemy_url(clean_db), config).run(once=True)


def events(owner: Owner, job_id: object) -> list[tuple[str, dict[str, object]]]:
    out: list[tuple[str, dict[str, object]]] = []
    with owner.client.stream(
        "GET", owner.url(f"/jobs/{job_id}/events"), headers=owner.headers
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        event = ""
        for line in response.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                out.append((event, json.loads(line.split(":", 1)[1])))
    return out


def test_queue_run_and_read_a_job(owner: Owner, clean_db: str, base_env: dict[str, str]) -> None:
    job = queue(owner)
    assert job["status"] == "queued"
    assert job["ruleset_version"] == 1
    assert run_worker(clean_db, base_env) == 1
    done = owner.client.get(owner.url(f"/jobs/{job['id']}"), headers=owner.headers).json()
    assert done["status"] == "succeeded", done["error"]
    assert done["progress"] == 1.0
    summary = done["summary"]
    assert summary["stored_results"] >= 4
    assert {"load", "match", "store_results"} <= set(done["phase_seconds"])
    # The stream of a finished job says so at once, then ends.
    assert events(owner, job["id"]) == [
        ("done", {**events(owner, job["id"])[0][1], "status": "succeeded"})
    ]


def test_progress_reaches_an_open_event_stream(
    owner: Owner, clean_db: str, base_env: dict[str, str]
) -> None:
    import threading

    job = queue(owner)
    worker = threading.Thread(target=run_worker, args=(clean_db, base_env))
    received: list[tuple[str, dict[str, object]]] = []
    reader = threading.Thread(target=lambda: received.extend(events(owner, job["id"])))
    reader.start()
    worker.start()
    worker.join(60)
    reader.join(60)
    assert received[0] == ("progress", received[0][1])
    assert received[-1][0] == "done"
    assert received[-1][1]["status"] == "succeeded"
    assert len(received) >= 3  # queued, some progress, done
    progress = [e[1]["progress"] for e in received]
    assert progress == sorted(progress)


def test_cancel_a_queued_job_and_refuse_cancelling_a_finished_one(
    owner: Owner, clean_db: str, base_env: dict[str, str]
) -> None:
    job = queue(owner)
    cancelled = owner.client.post(owner.url(f"/jobs/{job['id']}/cancel"), headers=owner.headers)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["finished_at"] is not None
    assert run_worker(clean_db, base_env) == 0
    again = owner.client.post(owner.url(f"/jobs/{job['id']}/cancel"), headers=owner.headers)
    assert "already ended" in assert_problem(again, 409)["detail"]


def test_a_data_set_in_use_cannot_be_deleted(owner: Owner) -> None:
    job = queue(owner)
    response = owner.client.delete(
        owner.url(f"/datasets/{job['left_dataset_id']}"), headers=owner.headers
    )
    assert "queued or running" in assert_problem(response, 409)["detail"]


def test_jobs_of_another_project_are_not_found(owner: Owner) -> None:
    job = queue(owner)
    other = owner.client.post("/projects", json={"name": "Other"}, headers=owner.headers).json()
    response = owner.client.get(f"/projects/{other['id']}/jobs/{job['id']}", headers=owner.headers)
    assert_problem(response, 404)


def test_event_streams_are_capped(owner: Owner, monkeypatch: pytest.MonkeyPatch) -> None:
    from accord.jobs import events

    job = queue(owner)
    monkeypatch.setattr(events, "MAX_OPEN_STREAMS", 0)
    response = owner.client.get(owner.url(f"/jobs/{job['id']}/events"), headers=owner.headers)
    assert "Too many event streams" in assert_problem(response, 503)["detail"]


def test_deleting_a_project_removes_its_jobs_data_sets_and_files(
    owner: Owner, clean_db: str, base_env: dict[str, str]
) -> None:
    job = queue(owner)
    assert run_worker(clean_db, base_env) == 1
    folder = Path(base_env["ACCORD_DATA_DIR"]) / "projects" / owner.project_id
    assert folder.exists()
    response = owner.client.delete(f"/projects/{owner.project_id}", headers=owner.headers)
    assert response.status_code == 204, response.text
    assert not folder.exists()
    assert_problem(owner.client.get(owner.url(f"/jobs/{job['id']}"), headers=owner.headers), 404)
