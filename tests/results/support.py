"""A project with a succeeded job, built the way a user would meet it: over HTTP, with real
results from the real worker. Shared by the results, review and export tests.

Users and the project are created through the API; the data sets, rule set and job go
straight into the database (their HTTP API is another feature's), and the worker runs the job.
Some records carry text that a spreadsheet would run as a formula.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from accord.db.url import sqlalchemy_url
from accord.jobs.worker import Worker, WorkerConfig
from accord.results.details import Wanted, read_details
from tests.auth.support import CHEAP_ARGON2, signed_up
from tests.conftest import TEST_SECRETS
from tests.jobs.seed import Seeded, bank_and_ledger, queue_job, seed_into

# Left references and right document refs a spreadsheet would evaluate, unless neutralised.
FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+1", "@x", "-2+3", "\tTAB", "\rCR"]


@dataclass(frozen=True)
class World:
    client: TestClient
    db_url: str
    data_dir: Path
    seeded: Seeded
    job_id: uuid.UUID
    headers: dict[str, dict[str, str]]  # owner, analyst, viewer, outsider

    def url(self, path: str = "", job_id: uuid.UUID | None = None) -> str:
        return f"/projects/{self.seeded.project_id}/jobs/{job_id or self.job_id}{path}"

    def get(self, path: str, who: str = "analyst", **params: Any) -> Any:
        response = self.client.get(self.url(path), params=params, headers=self.headers[who])
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, body: Any = None, who: str = "analyst", **params: Any) -> Any:
        response = self.client.post(
            self.url(path), json=body, params=params, headers=self.headers[who]
        )
        assert response.status_code in (200, 201), response.text
        return response.json()

    def all_results(self, **params: Any) -> list[dict[str, Any]]:
        """Every result matching `params`, walking the cursor to the end."""
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.get("/results", **params, **({"cursor": cursor} if cursor else {}))
            items += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                return items

    def run_again(self) -> uuid.UUID:
        """Queue a new job on the same data sets and rule-set version, and run it."""
        job_id = queue_job(self.db_url, self.seeded)
        run_worker(self.db_url, self.data_dir)
        return job_id


def _with_formulas(left: pa.Table, right: pa.Table) -> tuple[pa.Table, pa.Table]:
    """Put formula-like text into references that do not decide a match (the empty ones)."""
    refs = left.column("reference").to_pylist()
    blanks = [i for i, r in enumerate(refs) if r == ""]
    for formula, i in zip(FORMULAS, blanks, strict=False):
        refs[i] = formula
    docs = right.column("doc_ref").to_pylist()
    docs[-1] = "@SUM(A1:A9)"
    left = left.set_column(left.schema.get_field_index("reference"), "reference", pa.array(refs))
    right = right.set_column(right.schema.get_field_index("doc_ref"), "doc_ref", pa.array(docs))
    return left, right


def seed_data(db_url: str, data_dir: Path, project_id: uuid.UUID, n: int) -> Seeded:
    return seed_into(db_url, data_dir, project_id, *_with_formulas(*bank_and_ledger(n)))


def run_worker(db_url: str, data_dir: Path) -> None:
    worker = Worker(sqlalchemy_url(db_url), WorkerConfig(data_dir=data_dir, heartbeat_s=0.2))
    assert worker.run(once=True) >= 1


def build_world(client: TestClient, db_url: str, data_dir: Path, n: int = 300) -> World:
    _, owner = signed_up(client, "owner@example.com")
    headers = {"owner": owner}
    project = client.post("/projects", json={"name": "Bank vs GL"}, headers=owner)
    assert project.status_code == 201, project.text
    project_id = uuid.UUID(project.json()["id"])
    for role in ("analyst", "viewer"):
        _, headers[role] = signed_up(client, f"{role}@example.com")
        invite = {"email": f"{role}@example.com", "role": role}
        response = client.post(f"/projects/{project_id}/members", json=invite, headers=owner)
        assert response.status_code == 201, response.text
    _, headers["outsider"] = signed_up(client, "outsider@example.com")
    seeded = seed_data(db_url, data_dir, project_id, n)
    job_id = queue_job(db_url, seeded)
    run_worker(db_url, data_dir)
    return World(client, db_url, data_dir, seeded, job_id, headers)


@pytest.fixture(scope="module")
def world(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One world per test module (building it runs the worker): the tests share its job."""
    from accord.api.app import create_app
    from accord.api.state import build_state
    from accord.config import load_settings
    from accord.startup.tiers import run_startup

    with psycopg.connect(database_url, autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        ]
        conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    root = tmp_path_factory.mktemp("world")
    settings = load_settings(
        {
            "ACCORD_ENV": "test",
            "ACCORD_DATA_DIR": str(root / "data"),
            "DATABASE_URL": database_url,
            "ACCORD_REQUESTS_PER_USER_PER_MINUTE": "100000",
            **TEST_SECRETS,
            **CHEAP_ARGON2,
        }
    )
    with TestClient(create_app(build_state(settings, run_startup(settings)))) as client:
        # The worker shares the API's data dir, as in a deployment: results' details live there.
        yield build_world(client, database_url, root / "data")


def db_rows(db_url: str, job_id: uuid.UUID) -> list[dict[str, Any]]:
    """The job's results straight from the database, to check the API against."""
    with psycopg.connect(db_url) as conn, conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        return cur.execute(
            "SELECT * FROM reconciliation_results WHERE job_id = %s ORDER BY id", (job_id,)
        ).fetchall()


def run_dir(world: World, job_id: uuid.UUID) -> Path:
    """The folder of the job's current run (results and side files)."""
    with psycopg.connect(world.db_url) as conn:
        found = conn.execute(
            "SELECT results_dir FROM reconciliation_jobs WHERE id = %s", (job_id,)
        ).fetchone()
    assert found is not None
    return world.data_dir / found[0]


def stored_rows(world: World, job_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
    """The job's rows with their details as stored: the worker's from the run's files."""
    job_id = job_id or world.job_id
    rows = db_rows(world.db_url, job_id)
    wanted = [
        Wanted(r["ordinal"], r["left_ids"], r["right_ids"])
        for r in rows
        if r["ordinal"] is not None
    ]
    details = read_details(run_dir(world, job_id), wanted)
    for row in rows:
        if row["ordinal"] is not None:
            row.update(asdict(details[row["ordinal"]]))
    return rows


def expected_summary(rows: list[dict[str, Any]], records: int) -> dict[str, Any]:
    """The summary's figures, computed in Python from the stored rows (both sides: `records`)."""

    def totals(selected: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "results": len(selected),
            "amount": sum((r["amount"] or Decimal(0) for r in selected), Decimal(0)),
            "left_records": sum(len(r["left_ids"]) for r in selected),
            "right_records": sum(len(r["right_ids"]) for r in selected),
        }

    def grouped(selected: list[dict[str, Any]], key: str) -> dict[str, Any]:
        return {
            value: totals([r for r in selected if r[key] == value])
            for value in {r[key] for r in selected}
        }

    matches = [r for r in rows if r["match_status"] is not None]
    standing = [r for r in matches if r["review_status"] in ("pending", "confirmed", "manual")]
    auto = [r for r in standing if r["match_status"] == "auto"]
    open_left_overs = [
        r for r in rows if r["match_status"] is None and r["review_status"] != "manual"
    ]

    def left_over(side: str) -> dict[str, Any]:
        mine = [r for r in open_left_overs if r[f"{side}_ids"]]
        return {
            "records": sum(len(r[f"{side}_ids"]) for r in mine),
            "amount": sum((r["amount"] or Decimal(0) for r in mine), Decimal(0)),
        }

    def rate(selected: list[dict[str, Any]], side: str) -> float:
        return round(sum(len(r[f"{side}_ids"]) for r in selected) / records, 6)

    engine_matches = [r for r in matches if r["match_status"] != "manual"]
    return {
        "results": len(rows),
        "records": {"left": records, "right": records},
        "by_kind": grouped(rows, "kind"),
        "by_pass": grouped(engine_matches, "pass_name"),
        "by_match_status": grouped(matches, "match_status"),
        "by_review_status": {
            s: len([r for r in matches if r["review_status"] == s])
            for s in {r["review_status"] for r in matches}
        },
        "auto_match_rate": {"left": rate(auto, "left"), "right": rate(auto, "right")},
        "match_rate": {"left": rate(standing, "left"), "right": rate(standing, "right")},
        "unmatched": {"left": left_over("left"), "right": left_over("right")},
        "suggestions_to_review": len(
            [
                r
                for r in matches
                if r["match_status"] == "suggested" and r["review_status"] == "pending"
            ]
        ),
    }


def summary_figures(summary: dict[str, Any]) -> dict[str, Any]:
    """The API's summary with amounts as Decimals and without the engine's own part."""

    def decimals(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: Decimal(v) if k == "amount" else decimals(v) for k, v in value.items()}
        return value

    return {k: decimals(v) for k, v in summary.items() if k not in ("engine", "job_id")}
