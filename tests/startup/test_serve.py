"""Acceptance of the tiered start-up, through the real `accord serve` process."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.fixtures.server import ServerProcess, free_port, start_server


@pytest.fixture
def servers() -> Iterator[list[ServerProcess]]:
    started: list[ServerProcess] = []
    yield started
    for server in started:
        server.stop()


def test_serve_is_ready_with_redis_and_logs_one_correlation_id_per_request(
    servers: list[ServerProcess], base_env: dict[str, str], clean_db: str, redis_url: str
) -> None:
    server = start_server({**base_env, "DATABASE_URL": clean_db, "REDIS_URL": redis_url})
    servers.append(server)
    server.wait_until_up()

    ready = httpx.get(f"{server.base_url}/health/ready", headers={"X-Correlation-ID": "acc-1"})
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok"
    assert ready.json()["cache"] == "redis"

    generated = httpx.get(f"{server.base_url}/does-not-exist")
    cid = generated.headers["x-correlation-id"]
    time.sleep(0.3)
    lines = server.log_lines()
    for wanted in ("acc-1", cid):
        request_lines = [line for line in lines if line.get("correlation_id") == wanted]
        assert request_lines, f"no log line carries {wanted}"
        assert all(line.get("correlation_id") == wanted for line in request_lines)
    # No line written while serving a request lacks the id.
    request_events = [line for line in lines if line.get("event") == "request"]
    assert all("correlation_id" in line for line in request_events)
    startup_checks = [line for line in lines if line.get("event") == "startup check"]
    assert {(line["tier"], line["check"]) for line in startup_checks} >= {
        (1, "database"),
        (1, "schema"),
        (2, "cache"),
        (3, "data_dir"),
    }
    assert all({"outcome", "attempts", "elapsed_ms"} <= line.keys() for line in startup_checks)


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server to start one")
def test_redis_down_serves_degraded_then_switches_to_redis_when_it_appears(
    servers: list[ServerProcess], base_env: dict[str, str], clean_db: str
) -> None:
    port = free_port()
    server = start_server(
        {
            **base_env,
            "DATABASE_URL": clean_db,
            "REDIS_URL": f"redis://127.0.0.1:{port}/0",
            "ACCORD_REDIS_RECONNECT_INTERVAL_S": "0.5",
            "ACCORD_REDIS_CONNECT_TIMEOUT_S": "0.5",
        }
    )
    servers.append(server)
    server.wait_until_up()
    degraded = httpx.get(f"{server.base_url}/health/ready")
    assert degraded.status_code == 200
    assert degraded.json()["status"] == "degraded"
    assert degraded.json()["cache"] == "memory"
    warnings = [
        line
        for line in server.log_lines()
        if line.get("check") == "cache" and line.get("level") == "warning"
    ]
    assert len(warnings) == 1
    assert "per process" in warnings[0]["detail"]

    redis_server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        mode = "memory"
        while time.monotonic() < deadline and mode != "redis":
            time.sleep(0.3)
            body = httpx.get(f"{server.base_url}/health/ready").json()
            mode = body["cache"]
        assert mode == "redis", "Redis was not picked up within 15 s"
        assert body["status"] == "ok"
    finally:
        redis_server.terminate()
        redis_server.wait(10)


def test_database_unreachable_retries_with_growing_delays_then_exits_3(
    servers: list[ServerProcess], base_env: dict[str, str]
) -> None:
    port = free_port()  # nothing listens there
    server = start_server(
        {
            **base_env,
            "DATABASE_URL": f"postgresql://accord:pw@127.0.0.1:{port}/accord",
            "ACCORD_DB_BACKOFF_BASE_S": "0.2",
        }
    )
    servers.append(server)
    assert server.process.wait(60) == 3
    attempts = [
        line
        for line in server.log_lines()
        if line.get("event") == "database connection attempt failed"
    ]
    assert [a["attempt"] for a in attempts] == [1, 2, 3]
    delays = [a["retry_in_s"] for a in attempts[:2]]
    assert delays[0] < delays[1]
    output = server.text()
    assert f"127.0.0.1:{port}" in output
    assert "refused" in output
    assert "Traceback" not in output
    assert ":pw@" not in output


def test_production_with_schema_behind_refuses_then_starts_after_upgrade(
    servers: list[ServerProcess],
    base_env: dict[str, str],
    empty_database_url: str,
    run_accord: object,
) -> None:
    env = {**base_env, "ACCORD_ENV": "production", "DATABASE_URL": empty_database_url}
    refused = start_server(env)
    servers.append(refused)
    assert refused.process.wait(60) == 4
    assert "accord db upgrade" in refused.text()

    upgrade = run_accord("db", "upgrade", env=env)  # type: ignore[operator]
    assert upgrade.returncode == 0, upgrade.stderr
    assert "schema upgraded" in upgrade.stdout

    started = start_server(env)
    servers.append(started)
    started.wait_until_up()
    assert httpx.get(f"{started.base_url}/health/ready").json()["schema_at_head"] is True
