"""Health endpoints, metrics and correlation ids over HTTP."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_live_answers(client: TestClient) -> None:
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_reports_memory_cache_without_redis(client: TestClient) -> None:
    body = client.get("/health/ready").json()
    assert body["status"] == "ok"
    assert body["cache"] == "memory"
    assert body["schema_at_head"] is True
    assert body["circuit_breaker"] == "closed"


def test_correlation_id_is_echoed_or_generated(client: TestClient) -> None:
    echoed = client.get("/health/live", headers={"X-Correlation-ID": "req-42"})
    assert echoed.headers["x-correlation-id"] == "req-42"
    generated = client.get("/health/live", headers={"X-Correlation-ID": "bad id\nwith newline"})
    assert generated.headers["x-correlation-id"] != "bad id\nwith newline"
    assert len(generated.headers["x-correlation-id"]) == 32


def test_unknown_route_is_a_problem_document(client: TestClient) -> None:
    response = client.get("/no/such/thing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 404
    assert body["correlation_id"] == response.headers["x-correlation-id"]


def test_metrics_count_requests_and_report_cache_mode(client: TestClient) -> None:
    client.get("/health/live")
    text = client.get("/metrics").text
    assert 'accord_http_requests_total{method="GET",route="/health/live",status="200"} 1.0' in text
    assert 'accord_cache_mode{mode="memory"} 1.0' in text
    assert 'accord_jobs{status="queued"} 0.0' in text
    assert "accord_db_pool_connections" in text


def test_openapi_contract_lists_every_feature(client: TestClient) -> None:
    spec = client.get("/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    for path in (
        "/health/ready",
        "/auth/login",
        "/projects/{project_id}/datasets",
        "/projects/{project_id}/rulesets/{ruleset_id}/dry-run",
        "/projects/{project_id}/jobs/{job_id}/events",
        "/projects/{project_id}/jobs/{job_id}/results",
        "/projects/{project_id}/jobs/{job_id}/export",
    ):
        assert path in paths, path
