"""Acceptance 4: every project endpoint, for every role, does what the permission matrix says.

The cases are generated from the app's routes and the matrix itself: a new project endpoint
without a declared permission, or without a sample request here, fails the suite.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from accord.api.routers import include_routers
from accord.projects.access import ProjectPermission
from accord.projects.permissions import PERMISSIONS, Action, Role
from tests.auth.support import CHEAP_ARGON2, bearer, login, register
from tests.conftest import TEST_SECRETS

NON_MEMBER = "non-member"
CALLERS = [*(r.value for r in Role), NON_MEMBER]


def _actions(dependant: Dependant) -> list[Action]:
    found = [dependant.call.action] if isinstance(dependant.call, ProjectPermission) else []
    for sub in dependant.dependencies:
        found += _actions(sub)
    return found


def _flatten(routes: list[Any]) -> Iterator[Any]:
    # FastAPI keeps an included router as one entry; its own routes carry its prefix.
    for route in routes:
        included = getattr(route, "original_router", None)
        yield from _flatten(included.routes) if included is not None else [route]


def _project_routes() -> list[APIRoute]:
    app = FastAPI()
    include_routers(app)
    return [
        r
        for r in _flatten(app.routes)
        if isinstance(r, APIRoute) and r.path.startswith("/projects/{project_id}")
    ]


PROJECT_ROUTES = _project_routes()
ROUTE_IDS = [f"{next(iter(r.methods))} {r.path}" for r in PROJECT_ROUTES]
# What each endpoint is (the action it must declare), and a valid request body for it
# ({target} is a viewer member each case may act on).
ENDPOINTS: dict[str, tuple[Action, dict[str, Any] | None]] = {
    "GET /projects/{project_id}": (Action.view, None),
    "PATCH /projects/{project_id}": (Action.rename, {"name": "Renamed"}),
    "POST /projects/{project_id}/archive": (Action.archive, None),
    "POST /projects/{project_id}/unarchive": (Action.archive, None),
    "DELETE /projects/{project_id}": (Action.delete, None),
    "GET /projects/{project_id}/members": (Action.view, None),
    "POST /projects/{project_id}/members": (
        Action.manage_members,
        {"email": "outsider@example.com", "role": "viewer"},
    ),
    "PATCH /projects/{project_id}/members/{user_id}": (Action.manage_members, {"role": "analyst"}),
    "DELETE /projects/{project_id}/members/{user_id}": (Action.manage_members, None),
    "POST /projects/{project_id}/transfer": (Action.transfer_ownership, {"user_id": "{target}"}),
    "GET /projects/{project_id}/audit": (Action.view_audit, None),
}


def test_every_project_endpoint_declares_exactly_one_permission() -> None:
    assert PROJECT_ROUTES
    for route, route_id in zip(PROJECT_ROUTES, ROUTE_IDS, strict=True):
        assert route_id in ENDPOINTS, f"{route_id} needs an entry in ENDPOINTS in this test"
        assert _actions(route.dependant) == [ENDPOINTS[route_id][0]], route_id


def test_the_matrix_covers_every_action_and_owners_may_do_everything() -> None:
    assert set(PERMISSIONS) == set(Action)
    assert all(Role.owner in roles for roles in PERMISSIONS.values())
    assert PERMISSIONS[Action.view] == frozenset(Role)
    assert PERMISSIONS[Action.delete] == PERMISSIONS[Action.transfer_ownership] == {Role.owner}


@pytest.fixture(scope="module")
def matrix(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    """One app for every case; a cast of users signed in once (a fresh project per case)."""
    from accord.api.app import create_app
    from accord.api.state import build_state
    from accord.config import load_settings
    from accord.startup.tiers import run_startup

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("TRUNCATE users, projects, audit_events RESTART IDENTITY CASCADE")
    data_dir: Path = tmp_path_factory.mktemp("matrix") / "data"
    settings = load_settings(
        {
            "ACCORD_ENV": "test",
            "ACCORD_DATA_DIR": str(data_dir),
            "DATABASE_URL": database_url,
            "ACCORD_REQUESTS_PER_USER_PER_MINUTE": "100000",
            **TEST_SECRETS,
            **CHEAP_ARGON2,
        }
    )
    with TestClient(create_app(build_state(settings, run_startup(settings)))) as client:
        cast: dict[str, Any] = {}
        for name in [*CALLERS, "target", "outsider"]:
            user = register(client, f"{name}@example.com")
            cast[name] = {
                "id": user["id"],
                "headers": bearer(login(client, user["email"])["access_token"]),
            }
        yield client, cast


def _fresh_project(client: TestClient, cast: dict[str, Any]) -> str:
    owner = cast[Role.owner.value]["headers"]
    project_id = str(client.post("/projects", json={"name": "Matrix"}, headers=owner).json()["id"])
    for role in ("admin", "analyst", "viewer"):
        invite = {"email": f"{role}@example.com", "role": role}
        assert (
            client.post(f"/projects/{project_id}/members", json=invite, headers=owner).status_code
            == 201
        )
    target = {"email": "target@example.com", "role": "viewer"}
    assert (
        client.post(f"/projects/{project_id}/members", json=target, headers=owner).status_code
        == 201
    )
    return project_id


@pytest.mark.parametrize(
    ("route", "caller"),
    list(itertools.product(PROJECT_ROUTES, CALLERS)),
    ids=[f"{rid} as {c}" for rid, c in itertools.product(ROUTE_IDS, CALLERS)],
)
def test_the_permission_matrix_holds(
    matrix: tuple[TestClient, dict[str, Any]], route: APIRoute, caller: str
) -> None:
    client, cast = matrix
    project_id = _fresh_project(client, cast)
    method = next(iter(route.methods))
    route_id = f"{method} {route.path}"
    path = route.path.format(project_id=project_id, user_id=cast["target"]["id"])
    body = ENDPOINTS[route_id][1]
    if body is not None:
        body = {k: (cast["target"]["id"] if v == "{target}" else v) for k, v in body.items()}
    response = client.request(method, path, json=body, headers=cast[caller]["headers"])

    (action,) = _actions(route.dependant)
    if caller == NON_MEMBER:
        expected = {404}
    elif Role(caller) in PERMISSIONS[action]:
        expected = {200, 201, 204}
    else:
        expected = {403}
    assert response.status_code in expected, f"{route_id} as {caller}: {response.text}"
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
