"""One error base class for Accord; each error knows its HTTP status and renders as problem+json."""

from __future__ import annotations

from typing import Any, ClassVar


class AccordError(Exception):
    """A failure a user can act on. `detail` says what happened and how to fix it."""

    status_code: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"
    type_slug: ClassVar[str] = "internal"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def headers(self) -> dict[str, str]:
        return {}


class BadRequest(AccordError):
    status_code = 400
    title = "Bad request"
    type_slug = "bad-request"


class Unauthorized(AccordError):
    status_code = 401
    title = "Not authenticated"
    type_slug = "unauthorized"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class Forbidden(AccordError):
    status_code = 403
    title = "Forbidden"
    type_slug = "forbidden"


class NotFound(AccordError):
    status_code = 404
    title = "Not found"
    type_slug = "not-found"


class Conflict(AccordError):
    status_code = 409
    title = "Conflict"
    type_slug = "conflict"


class PayloadTooLarge(AccordError):
    status_code = 413
    title = "Payload too large"
    type_slug = "payload-too-large"


class UnprocessableEntity(AccordError):
    status_code = 422
    title = "Validation failed"
    type_slug = "validation"


class TooManyRequests(AccordError):
    status_code = 429
    title = "Too many requests"
    type_slug = "rate-limited"

    def __init__(self, detail: str, retry_after_s: int, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after_s = retry_after_s

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after_s)}


class ServiceUnavailable(AccordError):
    status_code = 503
    title = "Service unavailable"
    type_slug = "unavailable"
