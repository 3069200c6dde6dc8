"""Time, memory and match quality of Accord at several sizes, one fresh process per run.

    uv run python benchmarks/run.py --sizes 100000 1000000 --repeat 3
    uv run python benchmarks/run.py --data /tmp/bench/n1000000 --repeat 3   # shared bench data

Each run reads both CSVs with accord.engine.ingest, reconciles with the full cascade in
benchmarks/bank_ledger_rules.yaml and writes the results as Parquet: the wall time covers
all three (and is also given per step). CPU s is the child's user + system time over the
same span (all threads): on a shared machine it moves far less than the wall time. Peak
memory is the child's ru_maxrss. Prints a markdown table of medians and saves every run to
benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RULES = HERE / "bank_ledger_rules.yaml"


def one_run(data: Path, out: Path, rules: Path) -> dict[str, Any]:
    """The timed work, run in a child process so memory and caches start cold."""
    started = time.perf_counter()
    from accord.engine import load_rules, reconcile, write_results
    from accord.engine.ingest import read_table

    imported = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        left, right = pool.map(read_table, [data / "left.csv", data / "right.csv"])
    read = time.perf_counter()
    result = reconcile(left.table, right.table, load_rules(rules))
    matched = time.perf_counter()
    write_results(result, out, "parquet")
    written = time.perf_counter()
    done = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (done.ru_utime + done.ru_stime) - (usage.ru_utime + usage.ru_stime)
    return {
        "cpu_s": cpu,
        "import_s": imported - started,
        "read_s": read - imported,
        "match_s": matched - read,
        "write_s": written - matched,
        "wall_s": written - imported,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "phases_s": result.summary["seconds"],
        "left_rows": left.table.num_rows,
        "right_rows": right.table.num_rows,
        "matches": result.matches.num_rows,
    }


def measure(data: Path, out: Path, repeat: int, rules: Path) -> dict[str, Any]:
    from score import score_run

    runs = []
    for _ in range(repeat):
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(data), str(out), str(rules)],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(child.stdout.strip().splitlines()[-1]))
        last = runs[-1]
        print(
            f"  {data.name}: wall {last['wall_s']:.2f} s, peak {last['peak_rss_mib']:.0f} MiB",
            file=sys.stderr,
        )
    quality = score_run(out, data / "truth.csv")
    median = {
        k: statistics.median(r[k] for r in runs)
        for k in ("read_s", "match_s", "write_s", "wall_s", "cpu_s")
    }
    return {
        "data": str(data),
        "runs": runs,
        "median": median,
        "peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
        "quality": quality,
    }


def label(data: str) -> str:
    path = Path(data)
    return f"{path.parent.name}/{path.name}"


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| data | left + right rows | wall s | CPU s | read | match | write | peak MiB | precision "
        "| recall | F1 | split recall | splits whole | ambiguous L/R | pairs on partnerless rows |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        q, m, run = r["quality"], r["median"], r["runs"][0]
        split = q["recall_by_kind"].get("split", 0)
        lines.append(
            f"| {label(r['data'])} | {run['left_rows']:,} + {run['right_rows']:,} "
            f"| {m['wall_s']:.2f} | {m['cpu_s']:.2f} | {m['read_s']:.2f} | {m['match_s']:.2f} "
            f"| {m['write_s']:.2f} "
            f"| {r['peak_rss_mib']:,.0f} | {q['precision']:.4f} | {q['recall']:.4f} "
            f"| {q['f1']:.4f} | {split:.3f} | {q['splits_complete']:.3f} "
            f"| {q['ambiguous_left']:,}/{q['ambiguous_right']:,} "
            f"| {q['pairs_on_rows_without_partner']:,} |"
        )
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        print(json.dumps(one_run(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="*", default=[])
    parser.add_argument(
        "--data", type=Path, nargs="*", default=[], help="existing data directories"
    )
    scratch = Path("/tmp/accord-bench")  # noqa: S108 - generated data, not secrets
    parser.add_argument("--root", type=Path, default=scratch)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rules", type=Path, default=RULES)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    datasets = list(args.data)
    for n in args.sizes:
        target = args.root / f"n{n}"
        if not (target / "truth.csv").exists():
            subprocess.run(
                [
                    sys.executable,
                    str(HERE / "generate.py"),
                    "--n",
                    str(n),
                    "--seed",
                    str(args.seed),
                    "--out",
                    str(target),
                ],
                check=True,
            )
        datasets.append(target)
    print(f"rules: {args.rules}", file=sys.stderr)
    results = [
        measure(d, args.root / "out" / f"{d.parent.name}-{d.name}", args.repeat, args.rules)
        for d in datasets
    ]
    (HERE / "results").mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (HERE / "results" / f"run-{stamp}.json").write_text(json.dumps(results, indent=1) + "\n")
    print(table(results))
    for r in results:
        q = r["quality"]
        kinds = ", ".join(f"{k} {v:.3f}" for k, v in q["recall_by_kind"].items())
        print(f"\n{label(r['data'])}: recall by kind: {kinds}; phases: {r['runs'][0]['phases_s']}")
        if "suggested" in q:
            print(f"  for review: {q['suggested']}; counting those too: {q['with_suggested']}")


if __name__ == "__main__":
    main()
