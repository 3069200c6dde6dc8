"""Never a silent crash: unhandled exceptions and fatal signals leave a report file.

Reports go to `<data dir>/crash/` (ACCORD_DATA_DIR, default `.accord`), named
`crash-<UTC time>-<pid>.txt`; a fatal signal (segfault, abort) is written by faulthandler to
`fatal-<pid>.txt` there, which is removed again when the process ends normally.
"""

from __future__ import annotations

import faulthandler
import os
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from accord import __version__
from accord.logging import current_correlation_id, get_logger

log = get_logger("accord.crash")

_state: dict[str, Any] = {"dir": None, "summary": {}, "fatal_file": None}


def crash_dir() -> Path:
    configured = _state["dir"]
    if configured is not None:
        return Path(configured)
    return Path(os.environ.get("ACCORD_DATA_DIR") or ".accord") / "crash"


def set_config_summary(summary: dict[str, object], data_dir: Path | None = None) -> None:
    """Once settings are known, reports include them (never a secret) and go to their data dir."""
    _state["summary"] = summary
    if data_dir is not None:
        _state["dir"] = data_dir / "crash"


def write_crash_report(
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    thread: str = "MainThread",
) -> Path:
    lines = [
        "Accord crash report",
        f"time: {datetime.now(UTC).isoformat()}",
        f"version: {__version__}",
        f"pid: {os.getpid()}",
        f"thread: {thread}",
        f"correlation_id: {current_correlation_id() or 'none'}",
        f"command: {' '.join(sys.argv)}",
        "configuration:",
        *(f"  {k}: {v}" for k, v in _state["summary"].items()),
        "",
        "".join(traceback.format_exception(exc_type, exc, tb)),
    ]
    name = f"crash-{datetime.now(UTC):%Y%m%dT%H%M%S}-{os.getpid()}.txt"
    for directory in (crash_dir(), Path(tempfile.gettempdir()) / "accord-crash"):
        try:
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / name
            path.write_text("\n".join(lines))
            return path
        except OSError:
            continue
    raise OSError("no writable directory for the crash report")


def _report(exc_type: type[BaseException], exc: BaseException, tb: Any, thread: str) -> Path:
    path = write_crash_report(exc_type, exc, tb, thread)
    log.critical("unhandled exception", error=f"{exc_type.__name__}: {exc}", crash_report=str(path))
    return path


def install_crash_handlers() -> None:
    """Hook uncaught exceptions in any thread and fatal signals. Call once, early."""
    previous_hook: Callable[..., Any] = sys.excepthook

    def excepthook(exc_type: type[BaseException], exc: BaseException, tb: Any) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            previous_hook(exc_type, exc, tb)
            return
        _report(exc_type, exc, tb, "MainThread")

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            name = args.thread.name if args.thread else "unknown"
            _report(args.exc_type, args.exc_value, args.exc_traceback, name)

    sys.excepthook = excepthook
    threading.excepthook = thread_hook
    _enable_faulthandler()


def _enable_faulthandler() -> None:
    directory = crash_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"fatal-{os.getpid()}.txt"
        handle: IO[str] = path.open("w")
    except OSError:
        faulthandler.enable()
        return
    _state["fatal_file"] = (path, handle)
    faulthandler.enable(file=handle, all_threads=True)


def remove_empty_fatal_file() -> None:
    """At a normal exit the faulthandler file holds nothing: do not leave it lying around."""
    entry = _state.get("fatal_file")
    if not entry:
        return
    path, handle = entry
    faulthandler.disable()
    handle.close()
    if path.exists() and path.stat().st_size == 0:
        path.unlink()
    _state["fatal_file"] = None
