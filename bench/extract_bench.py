"""Benchmark of `wandb-warehouse extract` against the fake W&B server (not a test).

    python -m bench.extract_bench [--runs 10000] [--latency-ms 20] [--no-artifacts]

Three syncs of an entity through the real SDK and wandb-core (`extract bench
--artifacts`): the first sync, a sync with no upstream change, and a sync after 1% of the
main project's runs changed (half of them had their tags edited, half finished with a new
heartbeat, history length and summary). The entity holds the main project (`--runs` runs,
half of them launched by 20 sweeps, each using a dataset and logging a model) and a
second project of 500 runs with 2 sweeps. Prints a table and writes
bench/results/extract.json. Request counts are what the fake served; the load counts and
`warehouse_bytes` are the raw layer's (`extract` writes DB.d/raw.duckdb; nothing is built).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path

from bench.warehouses import read_raw
from extract.cli import main as cli_main
from extract.sync.plan import requests_needed
from extract.wandb_api.config import DEFAULT_PAGE_SIZE
from extract.warehouse.files import Warehouse
from tests.python.fake_wandb import FakeArtifact, FakeRun, FakeSweep, FakeWandb

RESULTS = Path(__file__).resolve().parent / "results" / "extract.json"
ENTITY, PROJECT = "bench", "sweep"
SMALL_PROJECT, SMALL_RUNS = "small", 500
SWEEPS = 20
DATASET = FakeArtifact("bench-data", 4, type="dataset", entity=ENTITY, project=PROJECT)
ARTIFACT_OPERATIONS = ("RunInputArtifacts", "RunOutputArtifacts")


def make_run(i: int) -> FakeRun:
    config = {f"param_{k}": (i * 31 + k) % 97 / 7 for k in range(20)}
    config |= {"seed": i, "model": f"m{i % 5}", "pretrain_steps": 15000 + i % 3}
    summary = {f"metric_{k}": (i * 17 + k) % 101 / 3 for k in range(30)}
    summary |= {"_step": 1000 + i, "_runtime": 3600.5, "loss": "NaN", "tokens": 2**64 + i}
    text = json.dumps(summary).replace('"NaN"', "NaN")
    run_id = f"run{i:06d}"
    return FakeRun(
        run_id,
        state="finished",
        tags=[f"t{i % 7}", "bench"],
        group=f"g{i % 40}",
        job_type="train",
        created_at=f"2025-{1 + i // 100000:02d}-01T00:00:00.{i:06d}",
        heartbeat_at="2025-06-01T00:00:00",
        history_line_count=1000 + i,
        config=config,
        summary=text,
        sweep=f"sweep{i % (2 * SWEEPS):03d}" if i % (2 * SWEEPS) < SWEEPS else None,
        used_artifacts=[DATASET],
        logged_artifacts=[FakeArtifact(f"model-{run_id}", type="model", project=PROJECT)],
    )


def add_sweeps(fake: FakeWandb, project: str, count: int) -> None:
    for n in range(count):
        config = {
            "method": "bayes",
            "metric": {"name": "metric_0", "goal": "minimize"},
            "parameters": {f"param_{k}": {"min": 0.0, "max": 14.0} for k in range(3)},
        }
        fake.add_sweep(ENTITY, project, FakeSweep(f"sweep{n:03d}", config, state="RUNNING"))


def change_one_percent(fake: FakeWandb, runs: int) -> int:
    changed = max(1, runs // 100)
    for n, i in enumerate(range(0, runs, runs // changed)):
        run = fake.run(ENTITY, PROJECT, f"run{i:06d}")
        if n % 2 == 0:
            run.tags = [*run.tags, "reviewed"]
        else:
            run.heartbeat_at = "2025-07-01T00:00:00"
            run.history_line_count += 50
            run.summary = run.summary.replace('"_runtime": 3600.5', '"_runtime": 7200.25')
    return changed


def sync(db: Path, fake: FakeWandb, name: str, artifacts: bool) -> dict:
    fake.reset_counters()
    output = StringIO()
    started = time.perf_counter()
    args = ["extract", ENTITY, "--db", str(db), *(["--artifacts"] if artifacts else [])]
    with redirect_stdout(output):
        code = cli_main(args)
    seconds = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"{name}: extract failed (exit {code})")
    con = read_raw(db)
    try:
        # The run syncs of the latest invocation (its sweeps and artifacts are loads too).
        listed, new, changed, deleted, heavy = con.execute(
            """
            select sum(listed), sum(new), sum(changed), sum(deleted), sum(heavy_fetched)
            from raw.wandb_loads
            where listing_complete and invocation_id = (
                select invocation_id from raw.wandb_loads order by started_at desc limit 1
            )
            """
        ).fetchone()
    finally:
        con.close()
    graphql = {op: n for op, n in fake.received.items() if not op.startswith("<")}
    lines = output.getvalue().strip().splitlines()
    return {
        "scenario": name,
        "listed": int(listed),
        "new": int(new),
        "changed": int(changed),
        "deleted": int(deleted),
        "heavy_fetched": int(heavy),
        "runs_requests": fake.received["Runs"],
        "listing_requests": fake.light_runs_requests(),
        "heavy_requests": fake.full_runs_requests(),
        "projects_requests": fake.received["GetProjects"],
        "sweeps_requests": fake.received["GetSweeps"],
        "artifact_requests": sum(fake.received[op] for op in ARTIFACT_OPERATIONS),
        "graphql_requests": sum(graphql.values()),
        "graphql_by_operation": graphql,
        "requests_counted_by_cli": int(lines[-1].split("requests ")[1].split(",")[0]),
        "seconds": round(seconds, 2),
        "final_line": lines[-1],
    }


def run_bench(runs: int, latency_ms: float, artifacts: bool = True) -> dict:
    page = int(os.environ.get("WANDB_WAREHOUSE_PAGE_SIZE") or DEFAULT_PAGE_SIZE)
    load_before = os.getloadavg()[0]  # other work on the machine slows every figure
    with FakeWandb() as fake, tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            fake.add_run(ENTITY, PROJECT, make_run(i))
        for i in range(SMALL_RUNS):
            fake.add_run(ENTITY, SMALL_PROJECT, make_run(i))
        add_sweeps(fake, PROJECT, SWEEPS)
        add_sweeps(fake, SMALL_PROJECT, 2)
        netrc = Path(tmp) / "netrc"
        netrc.touch()
        os.environ.update(fake.env())
        os.environ["NETRC"] = str(netrc)
        db = Path(tmp) / "bench.duckdb"
        fake.latency = latency_ms / 1000
        results = [sync(db, fake, "first sync", artifacts)]
        results.append(sync(db, fake, "no-change sync", artifacts))
        changed = change_one_percent(fake, runs)
        results.append(sync(db, fake, f"after {changed} runs (1%) changed", artifacts))
        size = Warehouse(db).raw_store.stat().st_size
    projects = (runs, SMALL_RUNS)
    # Per project: its listing pages (+ heavy batches) and one sweeps page; once: the
    # projects page, the credential check and wandb-core's server-feature check.
    fixed = 1 + len(projects) + 2
    targets = {
        "no_change_max_runs_requests": sum(requests_needed(n, 0, page) for n in projects),
        "one_percent_max_runs_requests": requests_needed(runs, changed, page)
        + requests_needed(SMALL_RUNS, 0, page),
        "no_change_max_graphql_requests": sum(requests_needed(n, 0, page) for n in projects)
        + fixed,
        "one_percent_max_artifact_requests": 2 * changed if artifacts else 0,
    }
    return {
        "runs": runs,
        "latency_ms": latency_ms,
        "page_size": page,
        "heavy_batch": 100,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "load_average_before": round(load_before, 2),
        "warehouse_bytes": size,
        "targets": targets,
        "artifacts": artifacts,
        "targets_met": {
            "no_change": results[1]["runs_requests"] <= targets["no_change_max_runs_requests"]
            and results[1]["graphql_requests"] <= targets["no_change_max_graphql_requests"]
            and results[1]["heavy_fetched"] == 0,
            "one_percent": results[2]["runs_requests"] <= targets["one_percent_max_runs_requests"]
            and results[2]["artifact_requests"] <= targets["one_percent_max_artifact_requests"],
        },
        "results": results,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--no-artifacts", action="store_true", help="sync without --artifacts")
    args = parser.parse_args(argv)
    report = run_bench(args.runs, args.latency_ms, artifacts=not args.no_artifacts)
    header = (
        f"{'scenario':<32} {'requests':>8} {'GetProjects':>11} {'Runs':>5} {'GetSweeps':>9} "
        f"{'artifacts':>9} {'heavy-fetched':>13} {'seconds':>8}"
    )
    print(
        f"{args.runs} + {SMALL_RUNS} runs, {args.latency_ms:g} ms latency, "
        f"page {report['page_size']}, artifacts {report['artifacts']}"
    )
    print(header)
    for row in report["results"]:
        print(
            f"{row['scenario']:<32} {row['graphql_requests']:>8} "
            f"{row['projects_requests']:>11} {row['runs_requests']:>5} "
            f"{row['sweeps_requests']:>9} {row['artifact_requests']:>9} "
            f"{row['heavy_fetched']:>13} {row['seconds']:>8.2f}"
        )
    print(f"targets: {report['targets']} met: {report['targets_met']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main(sys.argv[1:])
