"""One reconciliation through the service (HTTP upload, worker parsing, queued job, results
stored in PostgreSQL) against the CLI on the same files: where the time goes, and the overhead.

    uv run python benchmarks/service.py --data /tmp/bench/n1000000
    uv run python benchmarks/service.py --data /tmp/bench/n100000 --database-url postgresql://…

--data is a folder with left.csv and right.csv (benchmarks/generate.py or the shared bench's
gen.py). A fresh database is created on the PostgreSQL server (and dropped afterwards); the
API and one worker run as real processes. The CLI runs before and after the service (the
overhead is against their mean). Prints a markdown table; saves JSON to
benchmarks/results/service-<rows>-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
RULES = HERE / "bank_ledger_rules.yaml"
PASSWORD = "quiet-harbor-lantern-42"  # noqa: S105 (a throwaway account of the benchmark)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_s(pid: int) -> float:
    """User and system CPU seconds the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_cli(left: Path, right: Path, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "accord",
            "reconcile",
            str(left),
            str(right),
            "--rules",
            str(RULES),
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


# How often the script asks after a data set's parsing (which has no event stream). Each
# request costs the API ~20 ms of CPU on this machine; asking ten times a second took a
# quarter of a core from the worker on two cores.
POLL_S = 0.25


def _wait(predicate: Any, timeout_s: float, what: str, poll_s: float = POLL_S) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll_s)
    raise SystemExit(f"timed out waiting for {what}")


def _follow_job(
    api: httpx.Client, job_path: str, worker: subprocess.Popen[bytes], timeout_s: float = 1800
) -> dict[str, Any]:
    """Follow the job as a client is meant to, by its event stream (pushed by the worker's
    NOTIFYs, no polling), to its `done` event; return the job as GET gives it then. The
    stream sends a keep-alive every 15 s, so a dead worker or the deadline is seen within
    that."""
    deadline = time.monotonic() + timeout_s
    with api.stream("GET", f"{job_path}/events", timeout=60) as reply:
        reply.raise_for_status()
        for line in reply.iter_lines():
            if line.strip() == "event: done":
                break
            if worker.poll() is not None:
                raise SystemExit(f"the worker exited ({worker.returncode}) during the job")
            if time.monotonic() > deadline:
                raise SystemExit("timed out waiting for the job")
        else:
            raise SystemExit("the job's event stream ended without a done event")
    body: dict[str, Any] = api.get(job_path).json()
    return body


def time_service(left: Path, right: Path, admin_url: str, work: Path) -> dict[str, Any]:
    name = f"accord_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db_url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "ACCORD_ENV": "development",
        "ACCORD_DATA_DIR": str(work / "data"),
        "ACCORD_PORT": str(port),
        "ACCORD_LOG_LEVEL": "WARNING",
        "ACCORD_MAX_UPLOAD_MB": "4096",
        "ACCORD_REQUESTS_PER_USER_PER_MINUTE": "100000",
        "ACCORD_ACCESS_TOKEN_MINUTES": "240",
    }
    procs: list[subprocess.Popen[bytes]] = []
    try:
        subprocess.run(
            [sys.executable, "-m", "accord", "db", "upgrade"],
            env=env,
            check=True,
            capture_output=True,
        )
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "accord", "serve"], env=env, stderr=subprocess.DEVNULL
            )
        )
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "accord", "worker", "--poll-interval", "0.2"],
                env=env,
                stderr=subprocess.DEVNULL,
            )
        )
        api = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600)
        _wait(lambda: _live(api), 60, "the API")
        api.post("/auth/register", json={"email": "bench@example.com", "password": PASSWORD})
        token = api.post(
            "/auth/login", json={"email": "bench@example.com", "password": PASSWORD}
        ).json()["access_token"]
        api.headers["Authorization"] = f"Bearer {token}"
        project = api.post("/projects", json={"name": "bench"}).json()["id"]
        phases: dict[str, float] = {}
        started = time.perf_counter()
        ids = []
        for side, path in (("left", left), ("right", right)):
            mark = time.perf_counter()
            with path.open("rb") as fh:
                response = api.post(
                    f"/projects/{project}/datasets", files={"file": (path.name, fh, "text/csv")}
                )
            response.raise_for_status()
            ids.append(response.json()["id"])
            phases[f"upload_{side}"] = time.perf_counter() - mark
        mark = time.perf_counter()
        for dataset_id in ids:
            _wait(
                lambda d=dataset_id: (
                    api.get(f"/projects/{project}/datasets/{d}").json()["status"]
                    in ("ready", "failed")
                ),
                900,
                "parsing",
            )
        phases["parse_both (worker)"] = time.perf_counter() - mark
        ruleset = api.post(
            f"/projects/{project}/rulesets", json={"name": "bench", "document": RULES.read_text()}
        ).json()["id"]
        mark = time.perf_counter()
        job = api.post(
            f"/projects/{project}/jobs",
            json={
                "left_dataset_id": ids[0],
                "right_dataset_id": ids[1],
                "ruleset_id": ruleset,
            },
        ).json()["id"]
        done = _follow_job(api, f"/projects/{project}/jobs/{job}", procs[1])
        phases["job (queue to stored)"] = time.perf_counter() - mark
        total = time.perf_counter() - started
        reading = _time_reading(api, f"/projects/{project}/jobs/{job}")
        return {
            "reading_s": reading,
            "total_s": total,
            "phases_s": phases,
            "job_phase_seconds": done["phase_seconds"],
            "status": done["status"],
            "stored_results": (done.get("summary") or {}).get("stored_results"),
            "peak_rss_mib": {
                "api": _peak_rss_mib(procs[0].pid),
                "worker": _peak_rss_mib(procs[1].pid),
            },
            # The API's share includes the uploads and answering this script's polls of the
            # data sets' parsing (4 a second).
            "cpu_s": {"api": _cpu_s(procs[0].pid), "worker": _cpu_s(procs[1].pid)},
        }
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(30)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _time_reading(api: httpx.Client, job_path: str) -> dict[str, float]:
    """After the job (not in the service's total): a page of results, pages filtered by
    kind and to the exceptions, a small export (the bank's largest left-overs) and the
    whole CSV export, streamed to nowhere."""
    timed: dict[str, float] = {}
    for name, params in (
        ("first page of 100", {"limit": "100"}),
        ("page of unmatched_left", {"limit": "100", "kind": "unmatched_left"}),
        ("page of exceptions", {"limit": "100", "exceptions": "true"}),
    ):
        mark = time.perf_counter()
        api.get(f"{job_path}/results", params=params).raise_for_status()
        timed[name] = time.perf_counter() - mark
    exports: tuple[tuple[str, dict[str, str]], ...] = (
        (
            "export csv (bank left-overs of 50,000 or more)",
            {"kind": "unmatched_left", "amount_min": "50000"},
        ),
        ("export csv (all results)", {}),
    )
    for name, params in exports:
        mark = time.perf_counter()
        size = 0
        with api.stream("GET", f"{job_path}/export", params={"format": "csv", **params}) as reply:
            reply.raise_for_status()
            for chunk in reply.iter_bytes():
                size += len(chunk)
        timed[name] = time.perf_counter() - mark
        timed[f"{name} MiB"] = size / 2**20
    return timed


def _live(api: httpx.Client) -> bool:
    try:
        return api.get("/health/live").status_code == 200
    except httpx.HTTPError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    left, right = args.data / "left.csv", args.data / "right.csv"
    with tempfile.TemporaryDirectory(prefix="accord-svc-bench-") as scratch:
        work = Path(scratch)
        # The CLI before and after the service: on a shared machine the load drifts, and
        # the mean of the two brackets the service's run.
        cli_before = time_cli(left, right, work / "cli-out")
        service = time_service(left, right, args.database_url, work)
        cli_after = time_cli(left, right, work / "cli-out-2")
    cli_s = (cli_before + cli_after) / 2
    rows = sum(1 for _ in left.open()) - 1
    report = {
        "rows_left": rows,
        "cli_s": cli_s,
        "cli_runs_s": [cli_before, cli_after],
        "service": service,
        "overhead": service["total_s"] / cli_s - 1,
        "service_own_s": service["total_s"] - service["job_phase_seconds"].get("match", 0.0),
    }
    out = HERE / "results" / f"service-{rows}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(
        f"| step | seconds |\n|---|---:|\n| CLI `accord reconcile` (read, match, write), "
        f"mean of {cli_before:.1f} before and {cli_after:.1f} after | {cli_s:.1f} |"
    )
    for step, seconds in service["phases_s"].items():
        print(f"| service: {step} | {seconds:.1f} |")
    for step, seconds in service["job_phase_seconds"].items():
        print(f"| worker: {step} | {seconds:.1f} |")
    print(f"| **service total, upload to results stored** | **{service['total_s']:.1f}** |")
    for step, seconds in service["reading_s"].items():
        print(f"| after: {step} | {seconds:.2f} |")
    print(
        f"\noverhead over the CLI: {report['overhead']:+.0%}; the service's own seconds (all but "
        f"the engine): {report['service_own_s']:.1f}; results stored: "
        f"{service['stored_results']:,}; peak RSS MiB: {service['peak_rss_mib']}; "
        f"CPU s: {service['cpu_s']}"
    )


if __name__ == "__main__":
    main()
