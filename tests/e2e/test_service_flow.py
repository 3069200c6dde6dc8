"""Issue 4, acceptance 1: the whole service flow over HTTP with a real worker process.

Upload two generated files of ~10k rows, create a rule set, run the job in `accord worker`,
read the summary and every result, confirm a suggestion, match a pair by hand, export CSV
and XLSX, and check every exported row against the results.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import yaml

from accord.demo.data import BANK_COLUMNS, LEDGER_COLUMNS, generate, write_csv
from accord.demo.run import RULES_PATH
from tests.datasets.conftest import Owner


def _rules_with_a_suggest_pass() -> dict[str, Any]:
    rules: dict[str, Any] = yaml.safe_load(RULES_PATH.read_text())
    for match_pass in rules["passes"]:
        if match_pass["name"] == "amount_date_name":
            match_pass["action"] = "suggest"
    return rules


def _all_results(owner: Owner, job: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
        page = owner.client.get(
            owner.url(f"/jobs/{job}/results"), params=params, headers=owner.headers
        )
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items


def test_upload_run_review_export(
    owner: Owner, clean_db: str, base_env: dict[str, str], tmp_path: Path
) -> None:
    bank, ledger = generate(10_000, seed=21)
    files = (
        write_csv(bank, BANK_COLUMNS, tmp_path / "bank.csv"),
        write_csv(ledger, LEDGER_COLUMNS, tmp_path / "ledger.csv"),
    )
    ids = []
    for path in files:
        with path.open("rb") as fh:
            response = owner.client.post(
                owner.url("/datasets"), files={"file": (path.name, fh)}, headers=owner.headers
            )
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "ready"
        assert response.json()["row_count"] == len(bank if path == files[0] else ledger)
        ids.append(response.json()["id"])
    ruleset = owner.client.post(
        owner.url("/rulesets"),
        json={"name": "bank", "document": _rules_with_a_suggest_pass()},
        headers=owner.headers,
    )
    assert ruleset.status_code == 201, ruleset.text
    job = owner.client.post(
        owner.url("/jobs"),
        json={
            "left_dataset_id": ids[0],
            "right_dataset_id": ids[1],
            "ruleset_id": ruleset.json()["id"],
        },
        headers=owner.headers,
    ).json()["id"]

    worker = subprocess.run(
        [sys.executable, "-m", "accord", "worker", "--once"],
        env={"PATH": os.environ["PATH"], **base_env, "DATABASE_URL": clean_db},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert worker.returncode == 0, worker.stderr[-3000:]
    assert (
        owner.client.get(owner.url(f"/jobs/{job}"), headers=owner.headers).json()["status"]
        == "succeeded"
    )

    summary = owner.client.get(owner.url(f"/jobs/{job}/summary"), headers=owner.headers)
    assert summary.status_code == 200, summary.text
    results = _all_results(owner, job)
    left_ids = [i for r in results if r["kind"] != "unmatched_right" for i in r["left_ids"]]
    assert sorted(left_ids) == sorted(row["id"] for row in bank)  # every bank line once
    matched = [r for r in results if r["match_status"] in ("auto", "suggested")]
    assert len(matched) > 0.85 * len(bank)
    condition = matched[0]["explanation"][0]
    assert {"condition", "left_value", "right_value", "outcome", "score"} <= set(condition)
    assert matched[0]["left_records"][0]["id"] == matched[0]["left_ids"][0]

    suggestion = next(r for r in results if r["match_status"] == "suggested")
    confirm = owner.client.post(
        owner.url(f"/jobs/{job}/results/{suggestion['id']}/confirm"), headers=owner.headers
    )
    assert confirm.status_code == 200, confirm.text
    lonely_left = next(r for r in results if r["kind"] == "unmatched_left")
    lonely_right = next(r for r in results if r["kind"] == "unmatched_right")
    manual = owner.client.post(
        owner.url(f"/jobs/{job}/manual-matches"),
        json={
            "left_ids": lonely_left["left_ids"],
            "right_ids": lonely_right["right_ids"],
            "note": "same payment, booked under a new reference",
        },
        headers=owner.headers,
    )
    assert manual.status_code in (200, 201), manual.text

    results = _all_results(owner, job)
    by_id = {r["id"]: r for r in results}
    assert by_id[suggestion["id"]]["review_status"] == "confirmed"
    assert any(r["match_status"] == "manual" for r in results)

    export = owner.client.get(
        owner.url(f"/jobs/{job}/export"), params={"format": "csv"}, headers=owner.headers
    )
    assert export.status_code == 200, export.text
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert len(rows) == len(results)
    for row in rows:
        result = by_id[int(row["result_id"])]
        assert row["kind"] == result["kind"]
        assert row["review_status"] == result["review_status"]
        for side in ("left_ids", "right_ids"):
            exported = row[side].lstrip("'")
            assert all(i in exported for i in result[side]), (side, row, result)

    xlsx = owner.client.get(
        owner.url(f"/jobs/{job}/export"), params={"format": "xlsx"}, headers=owner.headers
    )
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    assert sheet is not None
    table = list(sheet.iter_rows(values_only=True))
    header, body = table[0], table[1:]
    assert len(body) == len(results)
    position = header.index("result_id")
    kind_at = header.index("kind")
    assert {int(str(r[position])): r[kind_at] for r in body} == {
        r["id"]: r["kind"] for r in results
    }
