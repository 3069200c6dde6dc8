"""Prometheus metrics, one registry per app (so several apps in one process do not collide)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "accord_http_requests_total",
            "HTTP requests by method, route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "accord_http_request_duration_seconds",
            "HTTP request latency by method and route.",
            ["method", "route"],
            registry=self.registry,
        )
        self.db_pool = Gauge(
            "accord_db_pool_connections",
            "Database pool connections by state.",
            ["state"],
            registry=self.registry,
        )
        self.db_breaker = Gauge(
            "accord_db_circuit_breaker_open",
            "1 while the database circuit breaker is open or half-open.",
            registry=self.registry,
        )
        self.cache_mode = Gauge(
            "accord_cache_mode",
            "1 for the cache back-end in use.",
            ["mode"],
            registry=self.registry,
        )
        self.jobs = Gauge(
            "accord_jobs",
            "Reconciliation jobs by status.",
            ["status"],
            registry=self.registry,
        )
