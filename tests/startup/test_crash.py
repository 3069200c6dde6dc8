"""Never a silent crash: reports, exit codes and the container entrypoint."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from accord.startup.exit_codes import MEANING, ExitCode

REPO = Path(__file__).resolve().parents[2]
ENTRYPOINT = REPO / "docker" / "entrypoint.sh"

# Starts the real CLI with one fault injected: the start-up sequence raises.
FAULTY_SERVE = (
    "import sys, accord.startup.tiers as tiers\n"
    "def boom(*a, **k):\n"
    "    raise RuntimeError('injected start-up fault')\n"
    "tiers.run_startup = boom\n"
    "from accord.cli import main\n"
    "sys.argv = ['accord', 'serve']\n"
    "main()\n"
)


def _env(base_env: dict[str, str]) -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "ACCORD_LOG_FORMAT": "json", **base_env}


def test_exception_during_startup_leaves_crash_report_and_exit_70(
    base_env: dict[str, str], tmp_path: Path
) -> None:
    env = _env(base_env)
    result = subprocess.run(
        [sys.executable, "-c", FAULTY_SERVE], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == ExitCode.INTERNAL
    reports = list((Path(base_env["ACCORD_DATA_DIR"]) / "crash").glob("crash-*.txt"))
    assert len(reports) == 1
    report = reports[0].read_text()
    assert "injected start-up fault" in report
    assert "Traceback" in report
    assert re.search(r"correlation_id: \S+", report)
    assert "version: " in report
    for secret in ("JWT_SECRET", "JWT_REFRESH_SECRET", "CSRF_SECRET"):
        assert base_env[secret] not in report
    assert str(reports[0]) in result.stderr
    # faulthandler's file is removed when nothing fatal happened.
    assert not list((Path(base_env["ACCORD_DATA_DIR"]) / "crash").glob("fatal-*.txt"))


def test_entrypoint_explains_a_crash_and_shows_the_report(base_env: dict[str, str]) -> None:
    result = subprocess.run(
        [str(ENTRYPOINT), sys.executable, "-c", FAULTY_SERVE],
        env=_env(base_env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 70
    assert "exited with code 70: internal error" in result.stderr
    assert "crash report" in result.stderr
    assert "injected start-up fault" in result.stderr
    assert "try:" in result.stderr


def test_entrypoint_explains_bad_configuration(base_env: dict[str, str]) -> None:
    env = {**_env(base_env), "ACCORD_ENV": "production", "JWT_SECRET": "short"}
    result = subprocess.run(
        [str(ENTRYPOINT), sys.executable, "-m", "accord", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "exited with code 2: bad configuration" in result.stderr


def test_entrypoint_passes_success_through(base_env: dict[str, str]) -> None:
    result = subprocess.run(
        [str(ENTRYPOINT), sys.executable, "-m", "accord", "version"],
        env=_env(base_env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("accord ")
    assert "entrypoint:" not in result.stderr


def test_entrypoint_table_matches_the_exit_codes() -> None:
    script = ENTRYPOINT.read_text()
    for code in ExitCode:
        if code is ExitCode.OK:
            continue
        meaning = MEANING[code][0]
        assert f"{int(code)})" in script, code
        assert meaning in script, code


def test_exception_in_a_thread_leaves_a_crash_report(base_env: dict[str, str]) -> None:
    script = (
        "import threading\n"
        "from accord.startup import crash\n"
        "crash.install_crash_handlers()\n"
        "def work():\n"
        "    raise ValueError('worker thread broke')\n"
        "t = threading.Thread(target=work, name='ingest-7')\n"
        "t.start(); t.join()\n"
        "crash.remove_empty_fatal_file()\n"
    )
    subprocess.run([sys.executable, "-c", script], env=_env(base_env), timeout=60, check=True)
    reports = list((Path(base_env["ACCORD_DATA_DIR"]) / "crash").glob("crash-*.txt"))
    assert len(reports) == 1
    text = reports[0].read_text()
    assert "thread: ingest-7" in text
    assert "worker thread broke" in text


def test_fatal_signal_is_written_by_faulthandler(base_env: dict[str, str]) -> None:
    script = (
        "import ctypes\n"
        "from accord.startup import crash\n"
        "crash.install_crash_handlers()\n"
        "ctypes.string_at(0)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], env=_env(base_env), timeout=60)
    assert result.returncode < 0  # killed by the signal
    fatal = list((Path(base_env["ACCORD_DATA_DIR"]) / "crash").glob("fatal-*.txt"))
    assert len(fatal) == 1
    assert "Fatal Python error" in fatal[0].read_text()
    shown = subprocess.run(
        [str(ENTRYPOINT), sys.executable, "-c", script],
        env=_env(base_env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 139
    assert "crashed by a fatal signal" in shown.stderr
    assert "Fatal Python error" in shown.stderr


def test_entrypoint_reports_a_clean_exit_after_sigterm_as_success(tmp_path: Path) -> None:
    import signal
    import time

    script = tmp_path / "graceful.sh"
    script.write_text("#!/usr/bin/env bash\ntrap 'exit 0' TERM\nwhile true; do sleep 0.1; done\n")
    script.chmod(0o755)
    for _ in range(3):
        proc = subprocess.Popen([str(ENTRYPOINT), str(script)], stderr=subprocess.PIPE, text=True)
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0, proc.stderr.read() if proc.stderr else ""
