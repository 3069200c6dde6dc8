"""Seed a project with two ready data sets and a rule set, straight into the database."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq

RULES = {
    "version": 1,
    "left": {"name": "bank", "id": "id", "amount": "amount"},
    "right": {"name": "ledger", "id": "id", "amount": "amount"},
    "passes": [
        {
            "name": "reference",
            "conditions": [
                {"type": "equal", "left": "reference", "right": "doc_ref"},
                {"type": "tolerance", "left": "amount", "right": "amount", "absolute": 2.0},
            ],
            "compare": [{"left": "amount", "right": "amount"}],
        },
        {
            "name": "amount_date",
            "action": "suggest",
            "conditions": [
                {"type": "equal", "left": "amount", "right": "amount"},
                {
                    "type": "date_window",
                    "left": "booking_date",
                    "right": "posted_date",
                    "min_days": -3,
                    "max_days": 3,
                },
            ],
        },
    ],
}


def bank_and_ledger(n: int, seed: int = 3) -> tuple[pa.Table, pa.Table]:
    """n bank lines; most have a ledger line with the same reference, some only amount+date."""
    rng = random.Random(seed)
    start = date(2026, 1, 1)
    left: dict[str, list[object]] = {k: [] for k in ("id", "booking_date", "amount", "reference")}
    right: dict[str, list[object]] = {k: [] for k in ("id", "posted_date", "amount", "doc_ref")}
    for i in range(n):
        day = start + timedelta(days=rng.randrange(300))
        amount = Decimal(rng.randrange(100, 500_000)) / 100
        left["id"].append(f"B{i:06d}")
        left["booking_date"].append(day)
        left["amount"].append(amount)
        kind = rng.random()
        left["reference"].append(f"INV-{i:06d}" if kind < 0.8 else "")
        if kind < 0.95:
            right["id"].append(f"L{i:06d}")
            right["posted_date"].append(day + timedelta(days=rng.randrange(0, 3)))
            fee = Decimal("0.50") if kind < 0.1 else Decimal(0)
            right["amount"].append(amount + fee)
            right["doc_ref"].append(f"INV-{i:06d}" if kind < 0.8 else f"X{i}")
        else:  # a ledger line with no bank partner
            right["id"].append(f"R{i:06d}")
            right["posted_date"].append(day)
            right["amount"].append(Decimal(rng.randrange(100, 500_000)) / 100 + Decimal("0.01"))
            right["doc_ref"].append(f"ORPHAN-{i}")
    money = pa.decimal128(18, 2)
    left_table = pa.table(
        {**left, "amount": pa.array(left["amount"], money)},
    )
    right_table = pa.table({**right, "amount": pa.array(right["amount"], money)})
    return left_table, right_table


@dataclass(frozen=True)
class Seeded:
    project_id: uuid.UUID
    left_id: uuid.UUID
    right_id: uuid.UUID
    ruleset_id: uuid.UUID
    version_id: uuid.UUID


def seed_into(
    db_url: str, data_dir: Path, project_id: uuid.UUID, left: pa.Table, right: pa.Table
) -> Seeded:
    """Two ready data sets (Parquet in `data_dir`) and a rule set, in an existing project."""
    (data_dir / "datasets").mkdir(parents=True, exist_ok=True)
    ids = {k: uuid.uuid4() for k in ("left", "right", "ruleset", "version")}
    with psycopg.connect(db_url, autocommit=True) as conn:
        for side, table in (("left", left), ("right", right)):
            relative = f"datasets/{ids[side]}.parquet"
            pq.write_table(table, data_dir / relative)
            conn.execute(
                "INSERT INTO datasets (id, project_id, name, original_filename, sha256, "
                "size_bytes, status, original_path, parquet_path, row_count) "
                "VALUES (%s, %s, %s, %s, %s, 0, 'ready', %s, %s, %s)",
                (
                    ids[side],
                    project_id,
                    side,
                    f"{side}.csv",
                    "0" * 64,
                    relative,
                    relative,
                    table.num_rows,
                ),
            )
        conn.execute(
            "INSERT INTO rulesets (id, project_id, name) VALUES (%s, %s, 'bank')",
            (ids["ruleset"], project_id),
        )
        conn.execute(
            "INSERT INTO ruleset_versions (id, ruleset_id, version, document) "
            "VALUES (%s, %s, 1, %s)",
            (ids["version"], ids["ruleset"], json.dumps(RULES)),
        )
    return Seeded(project_id, ids["left"], ids["right"], ids["ruleset"], ids["version"])


def seed_project(db_url: str, data_dir: Path, n: int = 300) -> Seeded:
    """A new project holding `n` generated bank lines, their ledger and a rule set."""
    project_id = uuid.uuid4()
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("INSERT INTO projects (id, name) VALUES (%s, 'Seeded project')", (project_id,))
    return seed_into(db_url, data_dir, project_id, *bank_and_ledger(n))


def queue_job(db_url: str, seeded: Seeded) -> uuid.UUID:
    job_id = uuid.uuid4()
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO reconciliation_jobs (id, project_id, left_dataset_id, right_dataset_id, "
            "ruleset_version_id) VALUES (%s, %s, %s, %s, %s)",
            (job_id, seeded.project_id, seeded.left_id, seeded.right_id, seeded.version_id),
        )
    return job_id
