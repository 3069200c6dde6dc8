"""Where a request came from, as the audit trail keeps it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from accord.logging import current_correlation_id


@dataclass(frozen=True)
class RequestContext:
    """The client address and correlation id of the request (or job) an event belongs to."""

    ip: str | None = None
    correlation_id: str | None = None

    @classmethod
    def current(cls, ip: str | None = None) -> RequestContext:
        """The context of the running request or job: its correlation id is already bound."""
        return cls(ip=ip, correlation_id=current_correlation_id())


def request_context(request: Request) -> RequestContext:
    return RequestContext.current(request.client.host if request.client else None)


RequestContextDep = Annotated[RequestContext, Depends(request_context)]
