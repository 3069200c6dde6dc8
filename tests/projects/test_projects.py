"""Projects and members as a user sees them: isolation, archive, ownership, membership rules."""

from __future__ import annotations

import psycopg
from fastapi.testclient import TestClient

from tests.auth.support import assert_problem, signed_up


def _project(client: TestClient, headers: dict[str, str], name: str = "Bank vs GL") -> str:
    response = client.post("/projects", json={"name": name}, headers=headers)
    assert response.status_code == 201
    assert response.json()["role"] == "owner"
    return str(response.json()["id"])


def _invite(
    client: TestClient, project_id: str, headers: dict[str, str], email: str, role: str
) -> int:
    body = {"email": email, "role": role}
    return client.post(f"/projects/{project_id}/members", json=body, headers=headers).status_code


def test_users_list_only_their_projects(client: TestClient) -> None:
    _, alice = signed_up(client, "alice@example.com")
    _, bob = signed_up(client, "bob@example.com")
    mine = _project(client, alice, "Alice's")
    _project(client, bob, "Bob's")
    assert [p["id"] for p in client.get("/projects", headers=alice).json()] == [mine]
    assert _invite(client, mine, alice, "bob@example.com", "viewer") == 201
    roles = {p["name"]: p["role"] for p in client.get("/projects", headers=bob).json()}
    assert roles == {"Alice's": "viewer", "Bob's": "owner"}


def test_ids_guessed_across_projects_are_404_like_missing_ones(client: TestClient) -> None:
    _, alice = signed_up(client, "alice@example.com")
    bob_id, bob = signed_up(client, "bob@example.com")
    carol_id, _ = signed_up(client, "carol@example.com")
    alices = _project(client, alice)
    bobs = _project(client, bob)
    assert _invite(client, bobs, bob, "carol@example.com", "viewer") == 201
    missing = "00000000-0000-4000-8000-000000000000"
    for path in (f"/projects/{bobs}", f"/projects/{missing}", f"/projects/{bobs}/members"):
        assert_problem(client.get(path, headers=alice), 404)
    not_found = client.get(f"/projects/{bobs}", headers=alice).json()["detail"]
    assert not_found == client.get(f"/projects/{missing}", headers=alice).json()["detail"]
    # Carol belongs to Bob's project, not Alice's: acting on her through Alice's is a 404 too.
    change = {"role": "admin"}
    response = client.patch(f"/projects/{alices}/members/{carol_id}", json=change, headers=alice)
    assert_problem(response, 404)
    assert_problem(client.delete(f"/projects/{alices}/members/{bob_id}", headers=alice), 404)


def test_instance_administrators_do_not_see_projects_they_are_not_in(
    client: TestClient, clean_db: str
) -> None:
    _, owner = signed_up(client, "owner@example.com")
    project_id = _project(client, owner)
    _, admin = signed_up(client, "root@example.com")
    with psycopg.connect(clean_db) as conn:
        conn.execute("UPDATE users SET is_admin = true WHERE email = 'root@example.com'")
    assert client.get("/users", headers=admin).status_code == 200
    assert_problem(client.get(f"/projects/{project_id}", headers=admin), 404)
    assert client.get("/projects", headers=admin).json() == []


def test_an_archived_project_is_read_only_until_unarchived(client: TestClient) -> None:
    _, owner = signed_up(client, "owner@example.com")
    project_id = _project(client, owner)
    archived = client.post(f"/projects/{project_id}/archive", headers=owner)
    assert archived.json()["archived_at"] is not None
    assert client.get("/projects", headers=owner).json() == []
    listed = client.get("/projects", params={"include_archived": True}, headers=owner).json()
    assert [p["id"] for p in listed] == [project_id]
    rename = client.patch(f"/projects/{project_id}", json={"name": "New"}, headers=owner)
    assert "archived" in assert_problem(rename, 409)["detail"]
    assert client.post(f"/projects/{project_id}/unarchive", headers=owner).status_code == 200
    renamed = client.patch(f"/projects/{project_id}", json={"name": "New"}, headers=owner)
    assert renamed.json()["name"] == "New"


def test_ownership_transfer_makes_the_old_owner_an_admin(client: TestClient) -> None:
    _, owner = signed_up(client, "owner@example.com")
    heir_id, heir = signed_up(client, "heir@example.com")
    project_id = _project(client, owner)
    assert _invite(client, project_id, owner, "heir@example.com", "analyst") == 201
    transfer = {"user_id": heir_id}
    response = client.post(f"/projects/{project_id}/transfer", json=transfer, headers=owner)
    assert response.status_code == 204
    members = client.get(f"/projects/{project_id}/members", headers=heir).json()
    assert {m["email"]: m["role"] for m in members} == {
        "owner@example.com": "admin",
        "heir@example.com": "owner",
    }
    assert_problem(client.delete(f"/projects/{project_id}", headers=owner), 403)
    assert client.delete(f"/projects/{project_id}", headers=heir).status_code == 204
    assert_problem(client.get(f"/projects/{project_id}", headers=heir), 404)


def test_membership_rules(client: TestClient) -> None:
    owner_id, owner = signed_up(client, "owner@example.com")
    _, admin = signed_up(client, "admin@example.com")
    project_id = _project(client, owner)
    assert _invite(client, project_id, owner, "admin@example.com", "admin") == 201
    assert _invite(client, project_id, owner, "admin@example.com", "viewer") == 409
    assert _invite(client, project_id, owner, "nobody@example.com", "viewer") == 404
    assert _invite(client, project_id, owner, "admin@example.com", "owner") == 422
    # Admins manage members but cannot demote or remove the owner.
    demote = client.patch(
        f"/projects/{project_id}/members/{owner_id}", json={"role": "viewer"}, headers=admin
    )
    assert "transfer ownership" in assert_problem(demote, 409)["detail"]
    remove = client.delete(f"/projects/{project_id}/members/{owner_id}", headers=admin)
    assert_problem(remove, 409)
