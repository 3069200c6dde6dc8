"""Reconciliation jobs: a durable queue in PostgreSQL and the worker that runs it."""
