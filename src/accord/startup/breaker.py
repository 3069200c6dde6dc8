"""A circuit breaker: after repeated failures stop calling a dependency for a cool-down.

closed → (threshold failures in a row) → open → (cool-down elapsed) → half_open → one trial:
success closes it, failure opens it again. Its state is reported by /health/ready and /metrics.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from enum import StrEnum


class BreakerState(StrEnum):
    closed = "closed"
    open = "open"
    half_open = "half_open"


class CircuitBreaker:
    def __init__(
        self,
        threshold: int,
        cooldown_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._lock = threading.Lock()

    @property
    def state(self) -> BreakerState:
        with self._lock:
            return self._state()

    def _state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.closed
        if self._clock() - self._opened_at >= self.cooldown_s:
            return BreakerState.half_open
        return BreakerState.open

    def allow(self) -> bool:
        """May a call go through now? In half-open, one trial call is let through at a time."""
        with self._lock:
            state = self._state()
            if state is BreakerState.half_open:
                # Re-arm the timer so concurrent callers wait for this trial's outcome.
                self._opened_at = self._clock()
                return True
            return state is BreakerState.closed

    def retry_after_s(self) -> float:
        with self._lock:
            if self._opened_at is None:
                return 0.0
            return max(0.0, self.cooldown_s - (self._clock() - self._opened_at))

    def record_success(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._failures >= self.threshold or self._opened_at is not None:
                self._opened_at = self._clock()
