"""Data sets over HTTP: upload, recognise, parse, preview, re-map, delete."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.auth.support import assert_problem, signed_up
from tests.datasets.conftest import Owner, new_owner
from tests.datasets.files import BANK_CSV, MALFORMED_CSV


def upload(owner: Owner, name: str, content: str | bytes, **form: str) -> dict[str, object]:
    response = owner.client.post(
        owner.url("/datasets"),
        files={"file": (name, content, "text/csv")},
        data=form,
        headers=owner.headers,
    )
    assert response.status_code in (200, 201), response.text
    body: dict[str, object] = response.json()
    return body


def run_worker(clean_db: str, base_env: dict[str, str]) -> int:
    """Run `accord worker --once` against the test database; the tasks it ran."""
    from accord.db.url import sqlalchemy_url
    from accord.jobs.worker import Worker, WorkerConfig

    config = WorkerConfig(data_dir=Path(base_env["ACCORD_DATA_DIR"]))
    return Worker(sqlalchemy_url(clean_db), config).run(once=True)


def statuses(owner: Owner) -> dict[object, object]:
    """Each of the owner's data sets' status, by id."""
    listing = owner.client.get(owner.url("/datasets"), headers=owner.headers).json()
    return {d["id"]: d["status"] for d in listing["items"]}


def test_upload_parses_small_files_at_once_with_a_typed_schema(owner: Owner) -> None:
    body = upload(owner, "bank.csv", BANK_CSV)
    assert body["status"] == "ready"
    assert body["row_count"] == 4
    assert body["reused"] is False
    assert len(str(body["sha256"])) == 64
    types = {c["name"]: c["type"] for c in body["columns"]}  # type: ignore[union-attr]
    assert types["amount"] == "decimal"
    assert types["booking_date"] == "date"

    preview = owner.client.get(
        owner.url(f"/datasets/{body['id']}/preview"), headers=owner.headers
    ).json()
    amounts = [row["amount"] for row in preview["rows"]]
    assert amounts == ["1234.56", "99.90", "-12.00", "500.00"]  # exact decimals, parsed
    assert preview["row_count"] == 4


def test_the_same_file_twice_is_recognised(owner: Owner) -> None:
    first = upload(owner, "bank.csv", BANK_CSV)
    again = owner.client.post(
        owner.url("/datasets"),
        files={"file": ("copy-of-bank.csv", BANK_CSV, "text/csv")},
        headers=owner.headers,
    )
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert again.json()["reused"] is True
    listing = owner.client.get(owner.url("/datasets"), headers=owner.headers).json()
    assert [d["id"] for d in listing["items"]] == [first["id"]]


def test_malformed_csv_fails_naming_row_column_and_value(owner: Owner) -> None:
    body = upload(
        owner, "broken.csv", MALFORMED_CSV, mapping='{"columns": {"amount": {"type": "decimal"}}}'
    )
    assert body["status"] == "failed"
    problem = body["problems"][0]  # type: ignore[index]
    assert problem["row"] == 3
    assert problem["column"] == "amount"
    assert problem["value"] == "ten pounds"
    assert "broken.csv" in str(body["error"])
    preview = owner.client.get(owner.url(f"/datasets/{body['id']}/preview"), headers=owner.headers)
    assert_problem(preview, 409)


def test_upload_beyond_the_limit_is_413_and_leaves_no_file(
    app_factory: Callable[..., TestClient], base_env: dict[str, str]
) -> None:
    client = app_factory(ACCORD_MAX_UPLOAD_MB="1")
    _, headers = signed_up(client, "big@example.com")
    project_id = client.post("/projects", json={"name": "Big"}, headers=headers).json()["id"]
    big = "id,amount\n" + "".join(f"R{i},{i}.00\n" for i in range(120_000))
    assert len(big) > 1 << 20
    response = client.post(
        f"/projects/{project_id}/datasets",
        files={"file": ("big.csv", big, "text/csv")},
        headers=headers,
    )
    body = assert_problem(response, 413)
    assert "1 MiB" in body["detail"]
    datasets_dir = Path(base_env["ACCORD_DATA_DIR"]) / "projects" / project_id / "datasets"
    assert not datasets_dir.exists() or not any(datasets_dir.iterdir())
    listing = client.get(f"/projects/{project_id}/datasets", headers=headers).json()
    assert listing["items"] == []


def test_bad_json_in_form_fields_is_a_clear_400(owner: Owner) -> None:
    response = owner.client.post(
        owner.url("/datasets"),
        files={"file": ("bank.csv", BANK_CSV, "text/csv")},
        data={"read_options": "{delimiter: ;}"},
        headers=owner.headers,
    )
    assert "read_options" in assert_problem(response, 400)["detail"]


def test_mapping_update_reads_the_original_again(owner: Owner) -> None:
    body = upload(owner, "bank.csv", BANK_CSV)
    response = owner.client.put(
        owner.url(f"/datasets/{body['id']}/mapping"),
        json={"mapping": {"columns": {"counterparty": {"rename": "payee"}}}},
        headers=owner.headers,
    )
    assert response.status_code == 200, response.text
    names = [c["name"] for c in response.json()["columns"]]
    assert "payee" in names
    assert "counterparty" not in names


def test_delete_removes_the_data_set_and_its_files(owner: Owner, base_env: dict[str, str]) -> None:
    body = upload(owner, "bank.csv", BANK_CSV)
    folder = Path(base_env["ACCORD_DATA_DIR"]) / "projects" / owner.project_id / "datasets"
    assert any(folder.iterdir())
    response = owner.client.delete(owner.url(f"/datasets/{body['id']}"), headers=owner.headers)
    assert response.status_code == 204
    assert not any(folder.iterdir())
    gone = owner.client.get(owner.url(f"/datasets/{body['id']}"), headers=owner.headers)
    assert_problem(gone, 404)


def test_large_uploads_are_parsed_by_a_worker(
    app_factory: Callable[..., TestClient], clean_db: str, base_env: dict[str, str]
) -> None:
    owner = new_owner(app_factory(ACCORD_PARSE_IN_REQUEST_MB="0"))
    body = upload(owner, "bank.csv", BANK_CSV)
    assert body["status"] == "uploaded"
    assert body["row_count"] is None
    assert run_worker(clean_db, base_env) == 1
    parsed = owner.client.get(owner.url(f"/datasets/{body['id']}"), headers=owner.headers).json()
    assert parsed["status"] == "ready"
    assert parsed["row_count"] == 4


def test_a_worker_parses_two_uploads_at_once(
    app_factory: Callable[..., TestClient],
    clean_db: str,
    base_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The left and the right file of a job: the second is not kept waiting for the first.
    # Each parse waits (at most 10 s) for the other to have started: one after the other,
    # the first would give up and fail its upload.
    from accord.datasets.parse import parse_original
    from accord.jobs import parsing

    both_started = threading.Barrier(2, timeout=10)

    def parse_beside_the_other(*args: Any) -> Any:
        both_started.wait()
        return parse_original(*args)

    monkeypatch.setattr(parsing, "parse_original", parse_beside_the_other)
    owner = new_owner(app_factory(ACCORD_PARSE_IN_REQUEST_MB="0"))
    first = upload(owner, "bank.csv", BANK_CSV)
    second = upload(owner, "bank2.csv", BANK_CSV.replace("INV-4", "INV-5"))
    assert run_worker(clean_db, base_env) == 2
    assert statuses(owner) == {first["id"]: "ready", second["id"]: "ready"}


def test_a_damaged_spreadsheet_fails_with_a_message_not_a_crash(owner: Owner) -> None:
    response = owner.client.post(
        owner.url("/datasets"),
        files={"file": ("statement.xlsx", b"PK\x03\x04 not really a zip", "application/zip")},
        headers=owner.headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "failed"
    assert "statement.xlsx cannot be read" in body["error"]


def test_a_damaged_large_file_fails_in_the_worker_which_keeps_running(
    app_factory: Callable[..., TestClient], clean_db: str, base_env: dict[str, str]
) -> None:
    owner = new_owner(app_factory(ACCORD_PARSE_IN_REQUEST_MB="0"))
    broken = upload(owner, "big.xlsx", b"PK\x03\x04 not really a zip")
    fine = upload(owner, "bank.csv", BANK_CSV)
    assert run_worker(clean_db, base_env) == 2
    assert statuses(owner) == {broken["id"]: "failed", fine["id"]: "ready"}


def test_the_same_file_with_other_read_options_is_a_new_data_set(owner: Owner) -> None:
    semicolons = "id;amount\nA;1.00\nB;2.00\n"
    wrong = upload(owner, "a.csv", semicolons, read_options='{"delimiter": ","}')
    right = upload(owner, "a.csv", semicolons, read_options='{"delimiter": ";"}')
    assert right["id"] != wrong["id"]
    assert right["reused"] is False
    assert [c["name"] for c in right["columns"]] == ["id", "amount"]  # type: ignore[union-attr]


def test_a_data_set_being_parsed_cannot_be_remapped_or_deleted(owner: Owner, clean_db: str) -> None:
    import psycopg

    body = upload(owner, "bank.csv", BANK_CSV)
    with psycopg.connect(clean_db, autocommit=True) as conn:
        conn.execute("UPDATE datasets SET status = 'parsing' WHERE id = %s", (body["id"],))
    remap = owner.client.put(
        owner.url(f"/datasets/{body['id']}/mapping"),
        json={"mapping": None},
        headers=owner.headers,
    )
    assert "being parsed" in assert_problem(remap, 409)["detail"]
    delete = owner.client.delete(owner.url(f"/datasets/{body['id']}"), headers=owner.headers)
    assert_problem(delete, 409)


def test_an_upload_declaring_a_size_over_the_limit_is_refused_before_reading(
    app_factory: Callable[..., TestClient],
) -> None:
    client = app_factory(ACCORD_MAX_UPLOAD_MB="1")
    _, headers = signed_up(client, "huge@example.com")
    project_id = client.post("/projects", json={"name": "Huge"}, headers=headers).json()["id"]
    huge = b"x" * (3 << 20)
    response = client.post(
        f"/projects/{project_id}/datasets",
        files={"file": ("huge.csv", huge, "text/csv")},
        headers=headers,
    )
    assert "ACCORD_MAX_UPLOAD_MB" in assert_problem(response, 413)["detail"]
