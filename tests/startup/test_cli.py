"""`accord doctor`, `accord db`, `accord version`, and the embedded default of the README."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import httpx

from accord import __version__
from tests.fixtures.server import free_port, start_server

RunAccord = Callable[..., CompletedProcess[str]]


def test_version(run_accord: RunAccord) -> None:
    result = run_accord("version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"accord {__version__}"


def test_doctor_prints_every_check_and_passes(run_accord: RunAccord, clean_db: str) -> None:
    result = run_accord("doctor", env={"DATABASE_URL": clean_db})
    assert result.returncode == 0, result.stdout + result.stderr
    for check in ("database", "schema", "cache", "data_dir", "clock", "secrets"):
        assert check in result.stdout


def test_doctor_exits_3_when_the_database_is_unreachable(run_accord: RunAccord) -> None:
    result = run_accord(
        "doctor",
        env={
            "DATABASE_URL": f"postgresql://u@127.0.0.1:{free_port()}/x",
            "ACCORD_DB_BACKOFF_BASE_S": "0.05",
        },
    )
    assert result.returncode == 3
    assert "refused" in result.stdout
    # Tiers 2 and 3 are still checked and shown.
    assert "data_dir" in result.stdout


def test_doctor_exits_4_and_db_current_says_behind_on_an_empty_database(
    run_accord: RunAccord, empty_database_url: str
) -> None:
    env = {"DATABASE_URL": empty_database_url}
    assert run_accord("doctor", env=env).returncode == 4
    current = run_accord("db", "current", env=env)
    assert current.returncode == 4
    assert "accord db upgrade" in current.stdout
    assert run_accord("db", "upgrade", env=env).returncode == 0
    assert "at head" in run_accord("db", "current", env=env).stdout
    assert run_accord("doctor", env=env).returncode == 0


def test_readme_first_command_runs_on_the_embedded_postgres(base_env: dict[str, str]) -> None:
    """`accord demo`: no DATABASE_URL, no REDIS_URL, a bare data dir; then the API serves it."""
    env = {**base_env, "ACCORD_ENV": "development"}
    server = start_server(env, args=("demo", "--rows", "200"))
    try:
        server.wait_until_up(timeout_s=180)
        body = httpx.get(f"{server.base_url}/health/ready").json()
        assert body["status"] == "ok"
        assert body["cache"] == "memory"
        assert body["schema_at_head"] is True
        output = server.text()
        assert "upgraded automatically" in output
        password = re.search(r"password=(\S+)", output)
        assert password is not None
        login = httpx.post(
            f"{server.base_url}/auth/login",
            json={"email": "demo@accord.example", "password": password.group(1)},
        )
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]
        job_url = re.search(r"GET +(\S+/jobs/[0-9a-f-]+)\n", output)
        assert job_url is not None
        job = httpx.get(job_url.group(1), headers={"Authorization": f"Bearer {token}"}).json()
        assert job["status"] == "succeeded"
    finally:
        server.stop()
    # A graceful stop also stops the private PostgreSQL it started.
    assert server.process.returncode == 143
    pid_file = Path(base_env["ACCORD_DATA_DIR"]) / "postgres" / "postmaster.pid"
    assert not pid_file.exists()


def test_worker_refuses_a_heartbeat_slower_than_half_the_takeover_time(
    run_accord: RunAccord,
) -> None:
    result = run_accord("worker", "--heartbeat", "10", "--stale-after", "15")
    assert result.returncode == 2
    assert "--heartbeat" in result.stderr
