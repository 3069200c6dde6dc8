"""`GET /projects/{id}/audit`: owners and admins read their project's trail, paged and filtered."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.auth.support import assert_problem, signed_up


def test_the_project_trail_is_paged_filtered_and_scoped(client: TestClient) -> None:
    owner_id, owner = signed_up(client, "owner@example.com")
    viewer_id, viewer = signed_up(client, "viewer@example.com")
    project = client.post("/projects", json={"name": "P"}, headers=owner).json()["id"]
    other = client.post("/projects", json={"name": "Other"}, headers=owner).json()["id"]
    base = f"/projects/{project}"
    client.post(
        f"{base}/members", json={"email": "viewer@example.com", "role": "viewer"}, headers=owner
    )
    client.patch(f"{base}/members/{viewer_id}", json={"role": "analyst"}, headers=owner)
    client.patch(f"{base}/members/{viewer_id}", json={"role": "viewer"}, headers=owner)
    client.patch(base, json={"name": "Renamed"}, headers=owner)

    everything = client.get(f"{base}/audit", headers=owner).json()
    actions = [e["action"] for e in everything["items"]]
    assert actions == [
        "project.updated",
        "member.role_changed",
        "member.role_changed",
        "member.added",
        "project.created",
    ]
    assert everything["next_before"] is None
    latest = everything["items"][0]
    assert latest["actor_id"] == owner_id
    assert latest["before"]["name"] == "P"
    assert latest["after"]["name"] == "Renamed"
    assert latest["correlation_id"]
    assert latest["ip"] == "testclient"
    assert all(e["object_id"] != other for e in everything["items"])

    first = client.get(f"{base}/audit", params={"limit": 2}, headers=owner).json()
    second = client.get(
        f"{base}/audit", params={"limit": 2, "before": first["next_before"]}, headers=owner
    ).json()
    assert [e["id"] for e in first["items"] + second["items"]] == [
        e["id"] for e in everything["items"][:4]
    ]

    members_only = client.get(f"{base}/audit", params={"action": "member."}, headers=owner)
    assert {e["action"] for e in members_only.json()["items"]} == {
        "member.added",
        "member.role_changed",
    }
    role_changes = client.get(
        f"{base}/audit", params={"action": "member.role_changed"}, headers=owner
    ).json()["items"]
    assert [(e["before"]["role"], e["after"]["role"]) for e in role_changes] == [
        ("analyst", "viewer"),
        ("viewer", "analyst"),
    ]
    assert_problem(client.get(f"{base}/audit", headers=viewer), 403)
