"""Benchmark of concurrent fetching (WANDB_WAREHOUSE_CONCURRENCY) at W&B-like latency
(not a test).

    python -m bench.concurrency_bench [--latency-ms 200] [--runs 10000]
        [--history-runs 200] [--steps 2000] [--artifact-runs 1000] [--concurrency 1 4 8]
        [--only runs history artifacts]

The fake W&B server answers every GraphQL request after `--latency-ms`. For each
concurrency, from an empty warehouse, `wandb-warehouse extract` runs in a child process
(wandb-core start-up included in its wall time, not in the sync's own seconds):
1. runs: the first sync of `--runs` runs, a sync with no change, a sync after 1% of the
   runs changed (bench.extract_bench's workspace and change);
2. history: `extract --history` of `--history-runs` runs x `--steps` steps (10 metrics,
   bench.history_bench's workspace);
3. artifacts: `extract --artifacts` of `--artifact-runs` runs already synced (each run
   used the shared dataset and logged a model: two requests per run).
A sync's, pull's or read's seconds are its ledger row's (`finished_at - started_at`).
The raw rows each concurrency stored (run records without their fetch time, history rows
with metrics compared as parsed JSON, artifact rows) must be identical: the bench fails
otherwise. Peak RSS is the extractor's Python process and, apart, its wandb-core process.
Prints a table and writes bench/results/concurrency.json; with `--only`, the parts run
replace theirs in that file and the others are kept. Rows are read from the raw layer
`extract` writes (DB.d/raw.duckdb); nothing is built.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from extract.sync.plan import requests_needed
from extract.warehouse.database import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "tests" / "python"))
from fake_wandb import FakeWandb

from bench.extract_bench import ARTIFACT_OPERATIONS, change_one_percent, make_run
from bench.history_bench import add_runs
from bench.warehouses import read_raw

RESULTS = Path(__file__).resolve().parent / "results" / "concurrency.json"
ENTITY, PROJECT, HISTORY_PROJECT = "bench", "sweep", "history"
PAGE = 1000
HISTORY_OPERATIONS = ("RunHistoryKeys", "RunParquetHistory", "HistoryPage")
PARTS = ("runs", "history", "artifacts")

# The CLI in a child; on exit it reports its own peak RSS and that of its wandb-core
# child (VmHWM, read before the SDK's exit hook stops wandb-core), both KiB.
MEASURED_CLI = """
import os, resource, sys
from extract.cli import main
code = main(sys.argv[1:])
core = 0
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        stat = open(f"/proc/{pid}/stat").read()
        if int(stat.rsplit(")", 1)[1].split()[1]) != os.getpid():
            continue
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                core = max(core, int(line.split()[1]))
    except (OSError, ValueError, IndexError):
        pass
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("peak_rss_kib", rss, core, file=sys.stderr)
sys.exit(code)
"""


def run_cli(env: dict[str, str], *args: str) -> dict:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", MEASURED_CLI, *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"extract failed:\n{result.stderr[-3000:]}")
    rss, core = result.stderr.strip().splitlines()[-1].split()[1:]
    return {
        "wall_seconds": round(wall, 2),
        "python_peak_rss_mib": round(int(rss) / 1024, 1),
        "wandb_core_peak_rss_mib": round(int(core) / 1024, 1),
        "output": result.stdout.strip().splitlines(),
    }


def load_seconds(db: Path, project: str, *, table: str = "raw.wandb_listings") -> float:
    """How long the project's latest load that wrote `table` took, by its ledger row (a
    run sync is the load that listed runs; sweeps, history and artifacts are loads of
    their own)."""
    with read_raw(db) as con:
        (seconds,) = con.execute(
            f"""
            select epoch(finished_at - started_at) from raw.wandb_loads
            where project = ? and status = 'ok'
              and load_id in (select load_id from {table})
            order by started_at desc limit 1
            """,
            [project],
        ).fetchone()
    return round(seconds, 2)


def child_env(fake: FakeWandb, tmp: Path, concurrency: int) -> dict[str, str]:
    netrc = tmp / "netrc"
    netrc.touch()
    netrc.chmod(0o600)
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("WANDB_")},
        **fake.env(),
        "NETRC": str(netrc),
        "WANDB_DIR": str(tmp),
        "WANDB_SILENT": "true",
        "WANDB_WAREHOUSE_CONCURRENCY": str(concurrency),
        "WANDB_WAREHOUSE_PAGE_SIZE": str(PAGE),
    }


def graphql_requests(fake: FakeWandb) -> int:
    return sum(n for op, n in fake.received.items() if not op.startswith("<"))


def runs_digest(db: Path) -> str:
    """Every stored run version (fetch time left out) and every listing, hashed."""
    with read_raw(db) as con:
        versions = con.execute(
            """
            select run_id, fetch_kind,
                json_merge_patch(record, '{"fetched_at": null}')::varchar
            from raw.wandb_runs order by all
            """
        ).fetchall()
        listings = con.execute(
            """
            select loads.started_at, listings.run_id
            from raw.wandb_listings as listings
            inner join raw.wandb_loads as loads using (load_id)
            order by all
            """
        ).fetchall()
    digest = hashlib.sha256(repr(versions).encode())
    ordinal = {started: n for n, started in enumerate(sorted({s for s, _ in listings}))}
    digest.update(repr([(ordinal[s], run_id) for s, run_id in listings]).encode())
    return digest.hexdigest()


def history_digest(db: Path) -> tuple[int, str]:
    """(rows, hash) of every stored history row, metrics compared as parsed JSON
    (wandb-core writes a row's keys in any order)."""
    digest = hashlib.sha256()
    rows = 0
    with read_raw(db) as con:
        cursor = con.execute(
            """
            select entity, project, run_id, step, epoch(logged_at), runtime, metrics::varchar
            from raw.wandb_history order by run_id, step
            """
        )
        while chunk := cursor.fetchmany(50_000):
            for *key, metrics in chunk:
                canonical = json.dumps(json.loads(metrics), sort_keys=True)
                digest.update(repr((*key, canonical)).encode())
            rows += len(chunk)
    return rows, digest.hexdigest()


@contextlib.contextmanager
def runs_workspace(runs: int, concurrency: int) -> Iterator[tuple[FakeWandb, dict, Path]]:
    """A fake server holding `runs` bench runs, the child's environment and a warehouse."""
    with FakeWandb() as fake, tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            fake.add_run(ENTITY, PROJECT, make_run(i))
        yield fake, child_env(fake, Path(tmp), concurrency), Path(tmp) / "bench.duckdb"


def bench_runs(runs: int, latency: float, concurrency: int) -> dict:
    with runs_workspace(runs, concurrency) as (fake, env, db):
        fake.latency = latency
        syncs = []
        for name in ("first sync", "no change", "1% changed"):
            if name == "1% changed":
                changed = change_one_percent(fake, runs)
            fake.reset_counters()
            result = run_cli(env, "extract", f"{ENTITY}/{PROJECT}", "--db", str(db))
            syncs.append(
                {
                    "scenario": name,
                    "seconds": load_seconds(db, PROJECT),
                    "graphql_requests": graphql_requests(fake),
                    "runs_requests": fake.received["Runs"],
                    "heavy_requests": fake.full_runs_requests(),
                    "peak_concurrent_requests": fake.peak_active,
                    **result,
                }
            )
        return {"concurrency": concurrency, "changed": changed, "syncs": syncs,
                "digest": runs_digest(db)}  # fmt: skip


def bench_history(runs: int, steps: int, latency: float, concurrency: int) -> dict:
    with FakeWandb() as fake, tempfile.TemporaryDirectory() as tmp:
        add_runs(fake, runs, steps, metrics=10)  # project "history"
        env = child_env(fake, Path(tmp), concurrency)
        db = Path(tmp) / "bench.duckdb"
        fake.latency = latency
        result = run_cli(
            env, "extract", f"{ENTITY}/{HISTORY_PROJECT}", "--history", "--db", str(db)
        )
        rows, digest = history_digest(db)
        return {
            "concurrency": concurrency,
            "seconds": load_seconds(db, HISTORY_PROJECT, table="raw.wandb_history"),
            "rows": rows,
            "history_requests": sum(fake.received[op] for op in HISTORY_OPERATIONS),
            "peak_concurrent_requests": fake.peak_active,
            "digest": digest,
            **result,
        }


def artifacts_digest(db: Path) -> tuple[int, str]:
    """(rows, hash) of every stored run-artifact row."""
    with read_raw(db) as con:
        rows = con.execute(
            "select run_id, direction, artifact_id, record::varchar "
            "from raw.wandb_run_artifacts order by all"
        ).fetchall()
    return len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()


def bench_artifacts(runs: int, latency: float, concurrency: int) -> dict:
    with runs_workspace(runs, concurrency) as (fake, env, db):
        run_cli(env, "extract", f"{ENTITY}/{PROJECT}", "--db", str(db))  # no latency
        fake.latency = latency
        fake.reset_counters()
        result = run_cli(env, "extract", f"{ENTITY}/{PROJECT}", "--artifacts", "--db", str(db))
        rows, digest = artifacts_digest(db)
        return {
            "concurrency": concurrency,
            "seconds": load_seconds(db, PROJECT, table="raw.wandb_artifact_fetches"),
            "rows": rows,
            "artifact_requests": sum(fake.received[op] for op in ARTIFACT_OPERATIONS),
            "peak_concurrent_requests": fake.peak_active,
            "digest": digest,
            **result,
        }


def with_speedup(results: list[dict]) -> list[dict]:
    """Each result's `speedup` over the first (the lowest concurrency)."""
    for result in results:
        result["speedup"] = round(results[0]["seconds"] / result["seconds"], 2)
    return results


def run_bench(
    runs: int,
    history_runs: int,
    steps: int,
    latency_ms: float,
    levels: list[int],
    artifact_runs: int = 1_000,
    parts: tuple[str, ...] = PARTS,
) -> dict:
    latency = latency_ms / 1000
    load_before = os.getloadavg()[0]
    report: dict = {"latency_ms": latency_ms, "page_size": PAGE}
    if "runs" in parts:
        report |= _runs_part(runs, latency, levels)
    if "history" in parts:
        report |= _history_part(history_runs, steps, latency, levels)
    if "artifacts" in parts:
        results = with_speedup([bench_artifacts(artifact_runs, latency, c) for c in levels])
        assert len({r["digest"] for r in results}) == 1, "raw.wandb_run_artifacts differ"
        report |= {"artifact_runs": artifact_runs, "artifacts_results": results}
    return report | {
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "identical_raw_rows": True,
    }


def _history_part(runs: int, steps: int, latency: float, levels: list[int]) -> dict:
    results = with_speedup([bench_history(runs, steps, latency, c) for c in levels])
    assert len({h["digest"] for h in results}) == 1, "raw.wandb_history differ"
    by_level = {h["concurrency"]: h for h in results}
    targets = {"history_speedup_at_4": 3.5, "history_peak_rss_mib": 500}
    met = {
        "history_speedup_at_4": 4 in by_level
        and by_level[4]["speedup"] >= targets["history_speedup_at_4"],
        "history_peak_rss_mib": all(
            h["python_peak_rss_mib"] < targets["history_peak_rss_mib"] for h in results
        ),
    }
    return {
        "history_runs": runs,
        "steps": steps,
        "history_targets": targets,
        "history_targets_met": met,
        "history_results": results,
    }


def _runs_part(runs: int, latency: float, levels: list[int]) -> dict:
    run_results = [bench_runs(runs, latency, c) for c in levels]
    # Identical raw rows at every concurrency, or the bench fails.
    assert len({r["digest"] for r in run_results}) == 1, "raw.wandb_runs differ"
    base_runs = run_results[0]
    for result in run_results:
        result["first_sync_speedup"] = round(
            base_runs["syncs"][0]["seconds"] / result["syncs"][0]["seconds"], 2
        )
    changed = base_runs["changed"]
    by_level = {r["concurrency"]: r for r in run_results}
    targets = {
        "first_sync_speedup_at_4": 3.5,
        "no_change_max_runs_requests": requests_needed(runs, 0, PAGE),
        "one_percent_max_runs_requests": requests_needed(runs, changed, PAGE),
    }
    met = {
        "first_sync_speedup_at_4": 4 in by_level
        and by_level[4]["first_sync_speedup"] >= targets["first_sync_speedup_at_4"],
        "request_counts": all(
            r["syncs"][1]["runs_requests"] <= targets["no_change_max_runs_requests"]
            and r["syncs"][2]["runs_requests"] <= targets["one_percent_max_runs_requests"]
            for r in run_results
        ),
    }
    return {"runs": runs, "targets": targets, "targets_met": met, "runs_results": run_results}


def print_table(report: dict) -> None:
    print(f"{report['latency_ms']:g} ms per request")
    print(f"{'step':<22} {'conc':>4} {'seconds':>8} {'requests':>8} {'speed-up':>8} "
          f"{'peak':>5} {'RSS MiB':>8}")  # fmt: skip
    for result in report.get("runs_results", []):
        for sync in result["syncs"]:
            speedup = result["first_sync_speedup"] if sync["scenario"] == "first sync" else ""
            print(
                f"{sync['scenario']:<22} {result['concurrency']:>4} {sync['seconds']:>8.1f} "
                f"{sync['graphql_requests']:>8} {speedup:>8} "
                f"{sync['peak_concurrent_requests']:>5} {sync['python_peak_rss_mib']:>8}"
            )
    parts = (("history pull", "history_results", "history_requests"),
             ("artifacts read", "artifacts_results", "artifact_requests"))  # fmt: skip
    for step, key, requests in parts:
        for result in report.get(key, []):
            print(
                f"{step:<22} {result['concurrency']:>4} {result['seconds']:>8.1f} "
                f"{result[requests]:>8} {result['speedup']:>8} "
                f"{result['peak_concurrent_requests']:>5} {result['python_peak_rss_mib']:>8}"
            )
    met = {**report.get("targets_met", {}), **report.get("history_targets_met", {})}
    print(f"identical raw rows: {report['identical_raw_rows']}; targets met: {met}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--history-runs", type=int, default=200)
    parser.add_argument("--steps", type=int, default=2_000)
    parser.add_argument("--artifact-runs", type=int, default=1_000)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    report = run_bench(args.runs, args.history_runs, args.steps, args.latency_ms,
                       args.concurrency, args.artifact_runs, tuple(args.only))  # fmt: skip
    if set(args.only) != set(PARTS) and args.out.exists():  # keep the parts not run
        report = json.loads(args.out.read_text()) | report
    print_table(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main(sys.argv[1:])
