"""Benchmark of run history: `extract --history` against the fake W&B server, and the
history models' `dbt build`, full and incremental (not a test).

    python -m bench.history_bench [--runs 1000] [--steps 2000] [--metrics 10]

1. First sync with history: every run's rows through the real SDK (scan_history) and
   wandb-core, in a child process whose peak RSS is measured.
2. 5% of the runs log 100 more steps; a second sync reads only those steps.
3. `dbt build` of the whole project once (upstream marts), then of the history models
   (stg_wandb__history and everything downstream, with their tests): --full-refresh
   after the first sync, incremental after the second.
Prints a table and writes bench/results/history.json. `extract` writes the raw layer
(DB.d/raw.duckdb), dbt its target (DB.d/build.duckdb); nothing is published, and
`warehouse_bytes` is the two files' size.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.warehouses import open_working, read_raw, working_bytes
from extract.warehouse.database import DB_ENV_VAR, PROJECT_ROOT
from extract.warehouse.dbt import dbt_executable

# The fake's modules import each other by plain name, as pytest sees them.
sys.path.insert(0, str(PROJECT_ROOT / "tests" / "python"))
from fake_wandb import FakeRun, FakeWandb
from fake_wandb_history import HistoryBackend, SyntheticHistory, install_history

RESULTS = Path(__file__).resolve().parent / "results" / "history.json"
ENTITY, PROJECT = "bench", "history"
HISTORY_MODELS = "stg_wandb__history+"

# Runs the CLI in a child and reports its own peak RSS (KiB) on the last stderr line.
MEASURED_CLI = """
import resource, sys
from extract.cli import main
code = main(sys.argv[1:])
print("maxrss_kib", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def add_runs(fake: FakeWandb, runs: int, steps: int, metrics: int) -> HistoryBackend:
    backend = install_history(fake)
    for i in range(runs):
        history = SyntheticHistory(steps=steps, metrics=metrics, nan_every=997)
        backend.add_run(
            ENTITY,
            PROJECT,
            history,
            FakeRun(
                f"run{i:05d}",
                state="finished",
                created_at=f"2025-09-01T00:{i // 60 % 60:02d}:{i % 60:02d}",
                heartbeat_at="2025-09-02T00:00:00",
                config={"timeout": 1800} if i % 2 else {},
                summary={"_step": steps - 1, "_runtime": steps * 1.5},
            ),
        )
    return backend


def grow(fake: FakeWandb, backend: HistoryBackend, runs: int, share: float, steps: int) -> int:
    grown = max(1, round(runs * share))
    for i in range(0, runs, runs // grown)[:grown]:
        backend.grow(ENTITY, PROJECT, f"run{i:05d}", steps)
        run = fake.run(ENTITY, PROJECT, f"run{i:05d}")
        run.heartbeat_at = "2025-09-03T00:00:00"
    return grown


def sync(db: Path, fake: FakeWandb, env: dict[str, str], name: str) -> dict:
    fake.reset_counters()
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", MEASURED_CLI, "extract", f"{ENTITY}/{PROJECT}", "--history",
         "--db", str(db)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{name}: extract failed:\n{result.stderr[-2000:]}")
    maxrss = int(result.stderr.strip().splitlines()[-1].split()[-1])
    con = read_raw(db)
    try:
        load_id, grown, read, counted = con.execute(
            "select load_id, listed, heavy_fetched, requests from raw.wandb_loads "
            "where load_id in (select load_id from raw.wandb_history) "
            "order by started_at desc limit 1"
        ).fetchone()
        (rows,) = con.execute(
            "select count(*) from raw.wandb_history where load_id = ?", [load_id]
        ).fetchone()
    finally:
        con.close()
    history_ops = ("RunHistoryKeys", "RunParquetHistory", "HistoryPage")
    return {
        "scenario": name,
        "runs_grown": grown,
        "runs_read": read,
        "rows": rows,
        "history_requests": sum(fake.received[op] for op in history_ops),
        "history_requests_counted_by_cli": counted,
        "graphql_requests": sum(n for op, n in fake.received.items() if not op.startswith("<")),
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds),
        "peak_rss_mib": round(maxrss / 1024, 1),
        "output": result.stdout.strip().splitlines(),
    }


def dbt_build(db: Path, target: Path, name: str, *args: str) -> dict:
    env = {**os.environ, DB_ENV_VAR: str(db)}
    started = time.perf_counter()
    result = subprocess.run(
        [dbt_executable(), "build", "--target-path", str(target), "--quiet", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{name}: dbt build failed:\n{result.stdout[-3000:]}")
    timings = json.loads((target / "run_results.json").read_text())["results"]
    models = {
        item["unique_id"].split(".")[-1]: round(item["execution_time"], 2)
        for item in timings
        if item["unique_id"].startswith("model.")
    }
    return {"scenario": name, "seconds": round(seconds, 2), "model_seconds": models}


def run_bench(runs: int, steps: int, metrics: int, grow_share: float, grow_steps: int) -> dict:
    with FakeWandb() as fake, tempfile.TemporaryDirectory() as tmp:
        backend = add_runs(fake, runs, steps, metrics)
        netrc = Path(tmp) / "netrc"
        netrc.touch()
        netrc.chmod(0o600)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("WANDB_")},
            **fake.env(),
            "NETRC": str(netrc),
            "WANDB_DIR": tmp,
            "WANDB_SILENT": "true",
        }
        db = Path(tmp) / "bench.duckdb"
        target = Path(tmp) / "target"
        first = sync(db, fake, env, "first sync with history")
        builds = [dbt_build(db, target, "dbt build (whole project, first)")]
        builds.append(
            dbt_build(db, target, "history models, --full-refresh", "--select", HISTORY_MODELS,
                      "--full-refresh")
        )  # fmt: skip
        grown = grow(fake, backend, runs, grow_share, grow_steps)
        second = sync(db, fake, env, f"re-sync after {grown} runs logged {grow_steps} steps")
        builds.append(
            dbt_build(db, target, "history models, incremental", "--select", HISTORY_MODELS)
        )
        with open_working(db) as con:
            (long_rows,) = con.execute(
                "select count(*) from intermediate.int_history__metric_values"
            ).fetchone()
        size = working_bytes(db)
    return {
        "runs": runs,
        "steps": steps,
        "metrics": metrics,
        "history_page_size": int(os.environ.get("WANDB_WAREHOUSE_HISTORY_PAGE_SIZE") or 1000),
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "warehouse_bytes": size,
        "long_metric_rows": long_rows,
        "syncs": [first, second],
        "builds": builds,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1_000)
    parser.add_argument("--steps", type=int, default=2_000)
    parser.add_argument("--metrics", type=int, default=10)
    parser.add_argument("--grow-share", type=float, default=0.05)
    parser.add_argument("--grow-steps", type=int, default=100)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    report = run_bench(args.runs, args.steps, args.metrics, args.grow_share, args.grow_steps)
    print(f"{args.runs} runs x {args.steps} steps x {args.metrics} metrics")
    print(f"{'sync':<44} {'rows':>9} {'requests':>8} {'seconds':>8} {'rows/s':>7} {'MiB':>6}")
    for row in report["syncs"]:
        print(
            f"{row['scenario']:<44} {row['rows']:>9} {row['history_requests']:>8} "
            f"{row['seconds']:>8.1f} {row['rows_per_second']:>7} {row['peak_rss_mib']:>6}"
        )
    for row in report["builds"]:
        print(f"{row['scenario']:<44} {row['seconds']:>8.1f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main(sys.argv[1:])
