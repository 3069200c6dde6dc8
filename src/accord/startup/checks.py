"""What a start-up check reports, and how a failed critical check stops the process."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum

from accord.logging import get_logger
from accord.startup.exit_codes import ExitCode

log = get_logger("accord.startup")


class Outcome(StrEnum):
    ok = "ok"
    warn = "warn"
    degraded = "degraded"
    fail = "fail"


@dataclass
class CheckResult:
    tier: int
    check: str
    outcome: Outcome
    message: str
    attempts: int = 1
    elapsed_ms: float = 0.0

    def log(self) -> None:
        emit = {
            Outcome.ok: log.info,
            Outcome.warn: log.warning,
            Outcome.degraded: log.warning,
            Outcome.fail: log.error,
        }[self.outcome]
        emit(
            "startup check",
            tier=self.tier,
            check=self.check,
            outcome=self.outcome.value,
            attempts=self.attempts,
            elapsed_ms=round(self.elapsed_ms, 1),
            detail=self.message,
        )


class StartupFailure(Exception):
    """A critical check failed: the process must stop with `exit_code` and `message`."""

    def __init__(self, exit_code: ExitCode, message: str) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.message = message


@dataclass
class StartupReport:
    results: list[CheckResult] = field(default_factory=list)

    def add(self, result: CheckResult) -> CheckResult:
        self.results.append(result)
        result.log()
        return result

    @property
    def critical_failed(self) -> bool:
        return any(r.tier == 1 and r.outcome is Outcome.fail for r in self.results)


@contextmanager
def timed() -> Iterator[list[float]]:
    """`with timed() as t:` … then t[0] is the elapsed milliseconds."""
    box = [0.0]
    start = time.perf_counter()
    try:
        yield box
    finally:
        box[0] = (time.perf_counter() - start) * 1000
