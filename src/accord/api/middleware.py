"""Correlation ids and request metrics, as plain ASGI middleware (no per-request task overhead)."""

from __future__ import annotations

import json
import re
import time

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.api.metrics import Metrics
from accord.logging import bind_correlation_id, get_logger, new_correlation_id

log = get_logger("accord.http")
HEADER = "x-correlation-id"
# Accept a caller's id only if it is a sane token, so logs cannot be injected into.
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(HEADER.encode(), b"").decode("latin-1")
        correlation_id = incoming if _VALID_ID.match(incoming) else new_correlation_id()
        structlog.contextvars.clear_contextvars()
        bind_correlation_id(correlation_id)
        start = time.perf_counter()
        status = 500

        async def send_with_header(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((HEADER.encode(), correlation_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_header)
        finally:
            elapsed = time.perf_counter() - start
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope["method"]
            self.metrics.requests.labels(method, template, str(status)).inc()
            self.metrics.latency.labels(method, template).observe(elapsed)
            log.info(
                "request",
                method=method,
                path=scope["path"],
                status=status,
                duration_ms=round(elapsed * 1000, 1),
            )


class UploadLimitMiddleware:
    """Refuse an upload whose declared size is over the limit before any of it is read.

    Without this the multipart parser would spool the whole body to a temporary file first;
    the upload endpoint still counts the bytes it stores (a body may not declare its size).
    """

    # Multipart framing and the other form fields around the file.
    ALLOWANCE = 1 << 20

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            declared = dict(scope["headers"]).get(b"content-length")
            if declared and declared.isdigit() and int(declared) > self.max_bytes + self.ALLOWANCE:
                await self._refuse(scope, send)
                return
        await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = json.dumps(
            {
                "type": "https://accord.dev/problems/payload-too-large",
                "title": "Payload too large",
                "status": 413,
                "detail": f"The upload is larger than the limit of {self.max_bytes >> 20} MiB "
                "(ACCORD_MAX_UPLOAD_MB); split it or raise the limit.",
                "instance": scope["path"],
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
