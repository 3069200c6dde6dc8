"""Acceptance 4: every project endpoint, for every role, does what the permission matrix says.

The cases are generated from the app's routes and the matrix itself: a project endpoint
without exactly one declared permission fails the suite. The endpoints of this package are
also called with valid requests (allowed roles must succeed); those of other features (jobs,
data sets, ...) are checked at the gate: refused roles get 403, non-members 404, and allowed
roles get past the project check (whatever the endpoint then says about the dummy request).
"""

from __future__ import annotations

import itertools
import uuid
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
from accord.projects.access import NO_SUCH_PROJECT, ProjectPermission
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
    for route, route_id in zip(PROJECT_ROUTES, ROUTE_IDS, strict=True):
        assert len(_actions(route.dependant)) == 1, f"{route_id} must declare one permission"


def test_the_project_endpoints_declare_the_expected_actions() -> None:
    declared = {
        rid: _actions(r.dependant) for r, rid in zip(PROJECT_ROUTES, ROUTE_IDS, strict=True)
    }
    for route_id, (action, _) in ENDPOINTS.items():
        assert declared.get(route_id) == [action], route_id


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
        cast["shared_project"] = _fresh_project(client, cast)
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
    method = next(iter(route.methods))
    route_id = f"{method} {route.path}"
    (declared,) = _actions(route.dependant)
    # Only a call that may change the project gets a fresh one; the rest share one.
    may_change = method != "GET" and caller != NON_MEMBER and Role(caller) in PERMISSIONS[declared]
    project_id = _fresh_project(client, cast) if may_change else cast["shared_project"]
    ids = {name: str(uuid.uuid4()) for name in route.param_convertors}
    ids |= {"project_id": project_id, "user_id": cast["target"]["id"]}
    path = route.path.format(**ids)
    action, body = ENDPOINTS.get(route_id, (None, {}))
    if body is not None:
        body = {k: (cast["target"]["id"] if v == "{target}" else v) for k, v in body.items()}
    response = client.request(method, path, json=body, headers=cast[caller]["headers"])

    if caller == NON_MEMBER:
        assert response.status_code == 404, f"{route_id} as {caller}: {response.text}"
        assert response.json()["detail"] == NO_SUCH_PROJECT
    elif Role(caller) not in PERMISSIONS[declared]:
        assert response.status_code == 403, f"{route_id} as {caller}: {response.text}"
    elif action is not None:
        assert response.status_code in {200, 201, 204}, f"{route_id} as {caller}: {response.text}"
    else:
        assert response.status_code not in {401, 403}, f"{route_id} as {caller}: {response.text}"
        assert NO_SUCH_PROJECT not in response.text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
