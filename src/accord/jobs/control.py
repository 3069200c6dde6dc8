"""The running job's control channel: a heartbeat thread that learns of cancellation, loss of
ownership and timeout, and a progress callback that stops the engine when one of them happens.
"""

from __future__ import annotations

import threading
import time
import uuid

from sqlalchemy.engine import Engine

from accord.jobs import queue
from accord.logging import get_logger

log = get_logger(__name__)


# How a stop the user can see ends the job: its final status and, for a failure, the reason.
STOP_MESSAGES = {
    "cancelled": ("cancelled", None),
    "timeout": (
        "failed",
        "stopped after the job time limit (ACCORD_JOB_TIMEOUT_S); split the data or raise "
        "the limit",
    ),
}


class JobStopped(Exception):
    """The engine was stopped between phases; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # cancelled | lost | timeout | shutdown


class JobControl:
    def __init__(
        self,
        engine: Engine,
        job_id: uuid.UUID,
        worker_id: str,
        heartbeat_s: float,
        timeout_s: float,
        shutdown: threading.Event,
    ) -> None:
        self.engine = engine
        self.job_id = job_id
        self.worker_id = worker_id
        self.heartbeat_s = heartbeat_s
        self.deadline = time.monotonic() + timeout_s
        self.shutdown = shutdown
        self.stop_reason: str | None = None
        self._done = threading.Event()
        self._last_report = 0.0
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{job_id}", daemon=True)

    def __enter__(self) -> JobControl:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join(timeout=self.heartbeat_s + 5)

    def _beat(self) -> None:
        while not self._done.wait(self.heartbeat_s):
            try:
                with self.engine.begin() as conn:
                    beat = queue.heartbeat(conn, self.job_id, self.worker_id)
            except Exception as exc:  # a missed beat is retried; the database may come back
                log.warning("heartbeat failed", job_id=str(self.job_id), error=str(exc))
                continue
            if not beat.owned:
                self.stop_reason = "lost"
            elif beat.cancel_requested:
                self.stop_reason = "cancelled"
            elif time.monotonic() > self.deadline:
                self.stop_reason = "timeout"
            if self.stop_reason:
                self._end_now()
                return

    def _end_now(self) -> None:
        """Cancelled or over time: the job ends now for everyone watching, even while a long
        phase runs on; the engine stops at its next step and nothing it made is stored."""
        if self.stop_reason not in STOP_MESSAGES:
            return
        status, error = STOP_MESSAGES[self.stop_reason]
        try:
            with self.engine.begin() as conn:
                queue.finish(conn, self.job_id, self.worker_id, status, error=error)
        except Exception as exc:  # the worker finishes it when the engine next checks
            log.warning("could not end the job early", job_id=str(self.job_id), error=str(exc))

    def check(self) -> None:
        """Raise JobStopped if the job must stop now."""
        if self.shutdown.is_set():
            self.stop_reason = self.stop_reason or "shutdown"
        if time.monotonic() > self.deadline:
            self.stop_reason = self.stop_reason or "timeout"
        if self.stop_reason:
            raise JobStopped(self.stop_reason)

    def progress(self, phase: str, fraction: float) -> None:
        """The engine's progress callback: record it (at most twice a second) and check."""
        self.check()
        now = time.monotonic()
        if now - self._last_report >= 0.5 or fraction >= 1.0:
            self._last_report = now
            with self.engine.begin() as conn:
                if not queue.report_progress(conn, self.job_id, self.worker_id, phase, fraction):
                    self.stop_reason = self.stop_reason or "lost"
        self.check()
