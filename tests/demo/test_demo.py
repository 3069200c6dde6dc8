"""`accord demo`: the main job in one command, through the real queue and worker."""

from __future__ import annotations

from collections.abc import Callable
from subprocess import CompletedProcess

import psycopg

from accord.demo.data import generate


def test_generated_data_is_deterministic_and_noisy() -> None:
    bank, ledger = generate(400, seed=11)
    assert (bank, ledger) == generate(400, seed=11)
    assert 340 <= len(bank) <= 420  # 6% are ledger-only, 1% doubled
    assert any(row["reference"] == "" for row in bank)  # lost references
    assert any("," in row["amount"] for row in bank)  # thousands separators
    assert len({row["counterparty"] for row in bank}) > len({r["vendor_name"] for r in ledger})


def test_demo_reconciles_through_the_queue_and_prints_how_to_explore(
    run_accord: Callable[..., CompletedProcess[str]], clean_db: str
) -> None:
    result = run_accord("demo", "--no-serve", "--rows", "400", env={"DATABASE_URL": clean_db})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "matches" in result.stdout
    assert "demo@accord.example" in result.stdout
    assert "/docs" in result.stdout
    with psycopg.connect(clean_db) as conn:
        job = conn.execute(
            "SELECT status, attempts, worker_id IS NOT NULL FROM reconciliation_jobs"
        ).fetchall()
        results = conn.execute("SELECT count(*) FROM reconciliation_results").fetchone()
        datasets = conn.execute("SELECT status FROM datasets ORDER BY name").fetchall()
    assert job == [("succeeded", 1, True)]  # claimed and run by a worker
    assert results is not None
    assert results[0] > 300
    assert datasets == [("ready",), ("ready",)]
