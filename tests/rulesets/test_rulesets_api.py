"""Rule sets over HTTP: validated on save, versioned, dry-run on samples."""

from __future__ import annotations

import copy

from tests.auth.support import assert_problem
from tests.datasets.conftest import Owner
from tests.datasets.files import BANK_CSV, LEDGER_CSV, RULES
from tests.datasets.test_datasets_api import upload


def create(owner: Owner, document: object = RULES) -> dict[str, object]:
    response = owner.client.post(
        owner.url("/rulesets"), json={"name": "bank", "document": document}, headers=owner.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def test_invalid_rules_are_refused_with_every_error_located(owner: Owner) -> None:
    broken = copy.deepcopy(RULES)
    broken["passes"][0]["conditions"][0]["type"] = "equals"  # type: ignore[index]
    del broken["left"]["id"]  # type: ignore[attr-defined]
    response = owner.client.post(
        owner.url("/rulesets"), json={"name": "bad", "document": broken}, headers=owner.headers
    )
    body = assert_problem(response, 422)
    locations = [e["location"] for e in body["errors"]]
    assert any(loc.startswith("left.id") for loc in locations)
    assert any(loc.startswith("passes.0.conditions.0") for loc in locations)


def test_yaml_text_is_accepted_and_versions_are_kept(owner: Owner) -> None:
    yaml_rules = (
        "version: 1\nleft: {id: id, amount: amount}\nright: {id: id, amount: amount}\n"
        "passes:\n  - name: ref\n    conditions:\n"
        "      - {type: equal, left: reference, right: doc_ref}\n"
    )
    first = create(owner, yaml_rules)
    assert first["latest_version"] == 1
    updated = owner.client.put(
        owner.url(f"/rulesets/{first['id']}"), json={"document": RULES}, headers=owner.headers
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["latest_version"] == 2
    assert updated.json()["versions"] == [1, 2]
    v1 = owner.client.get(owner.url(f"/rulesets/{first['id']}/versions/1"), headers=owner.headers)
    assert [p["name"] for p in v1.json()["document"]["passes"]] == ["ref"]


def test_dry_run_returns_a_summary_and_stores_nothing(owner: Owner) -> None:
    left = upload(owner, "bank.csv", BANK_CSV)
    right = upload(owner, "ledger.csv", LEDGER_CSV)
    ruleset = create(owner)
    response = owner.client.post(
        owner.url(f"/rulesets/{ruleset['id']}/dry-run"),
        json={"left_dataset_id": left["id"], "right_dataset_id": right["id"], "sample_rows": 3},
        headers=owner.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["sampled"] == {"left": 3, "right": 3}
    assert body["summary"]["matches"] >= 1
    jobs = owner.client.get(owner.url("/jobs"), headers=owner.headers).json()
    assert jobs["items"] == []


def test_dry_run_on_rules_that_do_not_fit_the_data_is_422(owner: Owner) -> None:
    left = upload(owner, "bank.csv", BANK_CSV)
    right = upload(owner, "ledger.csv", LEDGER_CSV)
    misfit = copy.deepcopy(RULES)
    misfit["passes"][0]["conditions"][0]["left"] = "no_such_column"  # type: ignore[index]
    ruleset = create(owner, misfit)
    response = owner.client.post(
        owner.url(f"/rulesets/{ruleset['id']}/dry-run"),
        json={"left_dataset_id": left["id"], "right_dataset_id": right["id"]},
        headers=owner.headers,
    )
    assert "no_such_column" in assert_problem(response, 422)["detail"]
