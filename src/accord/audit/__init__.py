"""The audit trail: `record` events from any feature; `accord audit verify` checks the chain."""

from accord.audit.context import RequestContext
from accord.audit.service import record

__all__ = ["RequestContext", "record"]
