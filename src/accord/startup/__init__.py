"""Tiered start-up: checks, retries, circuit breaker, crash reports and exit codes."""
