"""`accord worker`: claim jobs from the queue and run them, one at a time per process.

Uploads too large to parse in the request are parsed here, up to `PARSES_AT_ONCE` at a time
on threads beside the loop, so a second upload does not wait for the first (reading a file
is mostly DuckDB's and Arrow's work, outside the GIL). Run several processes for parallel
jobs. A worker that dies mid-job (SIGKILL, power loss)
stops sending heartbeats; after `stale_after_s` another worker claims the job and runs it
again from the start, and since results are replaced in one transaction, none are lost or
doubled. SIGTERM puts the running job back in the queue and exits.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import OperationalError

from accord.auth.pruning import prune_auth_records
from accord.engine import RulesDataMismatch
from accord.jobs import queue
from accord.jobs.control import STOP_MESSAGES, JobControl, JobStopped
from accord.jobs.inputs import JobInputError
from accord.jobs.parsing import claim_dataset, parse_claimed
from accord.jobs.runner import run_reconcile_job
from accord.logging import bind_correlation_id, get_logger
from accord.startup.database import libpq_conninfo

log = get_logger(__name__)

# Uploads parsed at the same time by one worker (the left and the right file of a job).
PARSES_AT_ONCE = 2


@dataclass(frozen=True)
class WorkerConfig:
    data_dir: Path
    poll_s: float = 2.0
    heartbeat_s: float = 2.0
    stale_after_s: float = 15.0
    job_timeout_s: float = 3600.0
    # Sign-in records that stopped working longer ago than this are deleted, at most once per
    # interval between tasks (0: never here; `accord auth prune` does it on demand).
    auth_retention: timedelta = timedelta(days=7)
    auth_prune_every_s: float = 3600.0


class Worker:
    def __init__(self, url: URL, config: WorkerConfig, worker_id: str | None = None) -> None:
        self.url = url
        self.config = config
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.engine: Engine = create_engine(url, pool_size=3, pool_pre_ping=True)
        self.shutdown = threading.Event()
        self.done = 0
        self.next_prune = 0.0  # time.monotonic() from which pruning is due again
        self.parses: set[Future[None]] = set()  # uploads being parsed on `parser`'s threads
        self.parser: ThreadPoolExecutor | None = None

    def run(self, once: bool = False) -> int:
        """Work until shut down (or, with `once`, until the queue is empty); return tasks run.

        When PostgreSQL goes away the worker waits, with growing delays, and carries on once
        it is back; a job it was running is taken over after its heartbeat went stale.
        """
        self.done = 0
        outage = 0
        log.info("worker started", worker_id=self.worker_id)
        while not self.shutdown.is_set():
            try:
                self._work(once)
                break
            except (OperationalError, psycopg.OperationalError) as exc:
                outage += 1
                delay = min(self.config.poll_s * 2**outage, 30.0)
                log.warning(
                    "database unavailable; worker waiting",
                    error=str(exc).splitlines()[0],
                    retry_in_s=delay,
                )
                self.shutdown.wait(delay)
        self.engine.dispose()
        log.info("worker stopped", worker_id=self.worker_id, jobs=self.done)
        return self.done

    def _work(self, once: bool) -> None:
        with (
            psycopg.connect(libpq_conninfo(self.url), autocommit=True) as listener,
            ThreadPoolExecutor(PARSES_AT_ONCE, thread_name_prefix="parse") as self.parser,
        ):
            listener.execute(f"LISTEN {queue.NOTIFY_CHANNEL}")
            while not self.shutdown.is_set():
                self.prune_when_due()
                if self.run_next():
                    self.done += 1
                    continue
                if once:
                    break
                # Sleep until a job is queued (NOTIFY) or the poll interval passes.
                next(listener.notifies(timeout=self.config.poll_s, stop_after=1), None)
        # Leaving the pool waited for the parses under way (a stop lets them finish).
        self._reap_parses()
        self.parser = None

    def _reap_parses(self) -> None:
        """Forget finished parses; one that failed unexpectedly is logged (its upload stays
        `parsing` and is claimed again once its heartbeat is stale)."""
        for parse in [p for p in self.parses if p.done()]:
            self.parses.discard(parse)
            error = parse.exception()
            if error is not None:
                log.error("parsing a data set failed", error=repr(error))

    def _start_parse(self) -> bool:
        """Claim a waiting upload and parse it on the pool's threads, if a thread is free
        (outside `run`, with no pool, parse it here)."""
        self._reap_parses()
        if len(self.parses) >= PARSES_AT_ONCE:
            return False
        cfg = self.config
        claimed = claim_dataset(self.engine, cfg.stale_after_s)
        if claimed is None:
            return False
        work = (self.engine, claimed, cfg.data_dir, cfg.heartbeat_s)
        if self.parser is None:
            parse_claimed(*work)
        else:
            self.parses.add(self.parser.submit(parse_claimed, *work))
        return True

    def prune_when_due(self) -> None:
        """Delete dead sign-in records if the interval has passed; never stops the worker."""
        every = self.config.auth_prune_every_s
        if every <= 0 or time.monotonic() < self.next_prune:
            return
        self.next_prune = time.monotonic() + every
        try:
            pruned = prune_auth_records(self.engine, self.config.auth_retention)
        except (OperationalError, psycopg.OperationalError):
            raise  # the database is away: the worker waits for it as for a job
        except Exception:
            log.exception("pruning sign-in records failed; trying again next interval")
            return
        if pruned.total:
            log.info("expired sign-in records pruned", **asdict(pruned))

    def run_next(self) -> bool:
        """Start parsing one waiting upload or run one queued job; False when there was
        nothing to start."""
        cfg = self.config
        if self._start_parse():
            return True
        with self.engine.begin() as conn:
            queue.cancel_queued(conn)
            queue.end_abandoned(conn, cfg.stale_after_s)
            job = queue.claim_next(conn, self.worker_id, cfg.stale_after_s)
        if job is None:
            return False
        bind_correlation_id(f"job-{job.id}")
        log.info("job claimed", job_id=str(job.id), attempt=job.attempts)
        self._run(job)
        return True

    def _run(self, job: queue.ClaimedJob) -> None:
        cfg = self.config
        control = JobControl(
            self.engine, job.id, self.worker_id, cfg.heartbeat_s, cfg.job_timeout_s, self.shutdown
        )
        try:
            with control:
                summary = run_reconcile_job(self.engine, job, control, cfg.data_dir)
            log.info("job succeeded", job_id=str(job.id), results=summary.get("stored_results"))
        except JobStopped as stop:
            self._stopped(job, stop.reason)
        except JobInputError as exc:
            self._finish(job, "failed", str(exc))
        except RulesDataMismatch as exc:
            self._finish(job, "failed", f"the rules do not fit these data sets: {exc}")
        except (OperationalError, psycopg.OperationalError):
            raise  # the database is away, not the job at fault: it is taken over later
        except Exception:
            # The details (which may name paths or SQL) stay in the log; the user gets the key.
            log.exception("job failed", job_id=str(job.id))
            self._finish(
                job,
                "failed",
                f"internal error; quote job-{job.id} when reporting it (the worker's log has "
                "the details)",
            )

    def _stopped(self, job: queue.ClaimedJob, reason: str) -> None:
        if reason == "lost":
            log.warning("job taken over by another worker; dropping this run", job_id=str(job.id))
            return
        if reason == "shutdown":
            with self.engine.begin() as conn:
                conn.execute(
                    text(
                        "UPDATE reconciliation_jobs SET status = 'queued', worker_id = NULL, "
                        "phase = 'requeued', updated_at = now() "
                        "WHERE id = :id AND worker_id = :worker AND status = 'running'"
                    ),
                    {"id": job.id, "worker": self.worker_id},
                )
            log.info("job put back in the queue at shutdown", job_id=str(job.id))
            return
        status, error = STOP_MESSAGES[reason]
        self._finish(job, status, error)

    def _finish(self, job: queue.ClaimedJob, status: str, error: str | None) -> None:
        with self.engine.begin() as conn:
            queue.finish(conn, job.id, self.worker_id, status, error=error)
        log.info("job finished", job_id=str(job.id), status=status, error=error)
